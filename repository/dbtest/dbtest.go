// Package dbtest opens fresh, migrated databases for tests: a temporary SQLite file and a
// throw-away MariaDB/MySQL database, so that one suite runs on both.
//
// MySQL is reached at CHAINCRM_TEST_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/). When it
// cannot be reached the tests fail, because CI must prove both databases; set
// CHAINCRM_TEST_SKIP_MYSQL=1 to skip it knowingly on a machine without one.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/go-sql-driver/mysql" // the server-level connection that creates databases

	"github.com/laiyuan-edz/chaincrm/repository"
)

// Drivers lists the databases a suite runs on.
func Drivers() []string {
	if os.Getenv("CHAINCRM_TEST_SKIP_MYSQL") == "1" {
		return []string{repository.DriverSQLite}
	}
	return []string{repository.DriverSQLite, repository.DriverMySQL}
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
	// dropping a database waits on the disk as creating one does: a test's clean-up hands it
	// to the background, at most dropSlots at once (a test that ends while they are all busy
	// waits for one). Databases a process leaves behind when it exits first are removed by the
	// next test process (dropDeadDatabases).
	dropSlots = make(chan struct{}, 2)
)

// adminDB is this process's server-level connection pool (databases created, cloned, dropped).
func adminDB() (*sql.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("mysql", serverDSN())
		if adminErr == nil {
			admin.SetMaxOpenConns(cloneConns + cap(dropSlots) + 2)
			admin.SetMaxIdleConns(cloneConns)
		}
	})
	return admin, adminErr
}

func dropLater(name string) {
	a, err := adminDB()
	if err != nil {
		return
	}
	dropSlots <- struct{}{}
	go func() {
		defer func() { <-dropSlots }()
		a.Exec("DROP DATABASE IF EXISTS " + name)
	}()
}

func serverDSN() string {
	if v := os.Getenv("CHAINCRM_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// Open returns an empty, unmigrated database of the driver, removed when the test ends.
func Open(t testing.TB, driver string, opts repository.Options) *repository.DB {
	t.Helper()
	var dsn string
	switch driver {
	case repository.DriverSQLite:
		dsn = filepath.Join(t.TempDir(), "test.db")
	case repository.DriverMySQL:
		name := fmt.Sprintf("chaincrm_test_%d_%s", os.Getpid(), randHex(6))
		admin, err := adminDB()
		if err != nil {
			t.Fatalf("mysql: %v", err)
		}
		if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatalf("mysql: create database (is MariaDB running on 127.0.0.1:3306? set CHAINCRM_TEST_SKIP_MYSQL=1 to skip): %v", err)
		}
		t.Cleanup(func() { dropLater(name) })
		dsn = databaseDSN(name)
	default:
		t.Fatalf("unknown driver %q", driver)
	}
	db, err := repository.Open(driver, dsn, opts)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Migrated returns a fresh database with the schema applied.
func Migrated(t testing.TB, driver string, opts repository.Options) *repository.DB {
	t.Helper()
	db := Open(t, driver, opts)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", driver, err)
	}
	return db
}

// databaseDSN is the server DSN pointed at one database.
func databaseDSN(name string) string {
	path, query, _ := strings.Cut(serverDSN(), "?")
	path = strings.TrimSuffix(path, "/") + "/" + name
	if query != "" {
		path += "?" + query
	}
	return path
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// dsnOf is the DSN of db's database: its file for SQLite, the test server's database for MySQL.
func dsnOf(t testing.TB, db *repository.DB) string {
	t.Helper()
	if db.Driver == repository.DriverSQLite {
		var rows []struct {
			Seq        int
			Name, File string
		}
		if err := db.Gorm().Raw("PRAGMA database_list").Scan(&rows).Error; err != nil || len(rows) == 0 {
			t.Fatalf("database_list: %v", err)
		}
		return rows[0].File
	}
	var name string
	if err := db.Gorm().Raw("SELECT DATABASE()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	return databaseDSN(name)
}

// Reopen opens a second connection pool on db's database, as another process (the CLI
// beside a running server) would; it is closed when the test ends.
func Reopen(t testing.TB, db *repository.DB) *repository.DB {
	t.Helper()
	other, err := repository.Open(db.Driver, dsnOf(t, db), db.Opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// EmptyDSN creates an empty database of driver (removed when the test ends) and returns
// the DSN a chaincrm process is given for it (CHAINCRM_DB_DSN): a file path for SQLite, a
// throw-away database on the test server for MySQL. For tests that start `chaincrm`
// processes of their own (issue 19, replicas).
func EmptyDSN(t testing.TB, driver string) string {
	t.Helper()
	db := Open(t, driver, repository.Options{})
	dsn := dsnOf(t, db)
	db.Close()
	return dsn
}
