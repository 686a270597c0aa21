package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/repository"
)

// A template is a database built once per test process (migrated and filled by a build
// function) that every test clones: a file copy on SQLite, CREATE TABLE … LIKE plus
// INSERT … SELECT on MySQL. Seeding the demo zone for each of hundreds of API tests would
// otherwise dominate the suite's time.
type template struct {
	once sync.Once
	ref  string // SQLite: file path; MySQL: database name
	err  error
}

var (
	templatesMu sync.Mutex
	templates   = map[string]*template{}
)

// FromTemplate returns a fresh database holding what build put into the named template.
// build runs once per process and driver; opts apply to the clone (and to the build).
func FromTemplate(t testing.TB, driver, name string, opts repository.Options, build func(db *repository.DB) error) *repository.DB {
	t.Helper()
	templatesMu.Lock()
	tp, ok := templates[driver+"/"+name]
	if !ok {
		tp = &template{}
		templates[driver+"/"+name] = tp
	}
	templatesMu.Unlock()
	tp.once.Do(func() { tp.ref, tp.err = buildTemplate(driver, name, opts, build) })
	if tp.err != nil {
		t.Fatalf("template %s on %s: %v", name, driver, tp.err)
	}
	switch driver {
	case repository.DriverSQLite:
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(tp.ref, path); err != nil {
			t.Fatal(err)
		}
		db, err := repository.Open(driver, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	case repository.DriverMySQL:
		db := Open(t, driver, opts) // an empty database, dropped at cleanup
		if err := cloneMySQL(tp.ref, db); err != nil {
			t.Fatalf("clone template: %v", err)
		}
		return db
	}
	t.Fatalf("unknown driver %q", driver)
	return nil
}

func buildTemplate(driver, name string, opts repository.Options, build func(db *repository.DB) error) (string, error) {
	var dsn, ref string
	switch driver {
	case repository.DriverSQLite:
		dir, err := os.MkdirTemp("", "chaincrm-template-")
		if err != nil {
			return "", err
		}
		ref = filepath.Join(dir, name+".db")
		dsn = ref
	case repository.DriverMySQL:
		admin, err := sql.Open("mysql", serverDSN())
		if err != nil {
			return "", err
		}
		defer admin.Close()
		dropDeadDatabases(admin)
		ref = fmt.Sprintf("chaincrm_tmpl_%d_%s_%s", os.Getpid(), name, randHex(3))
		if _, err := admin.Exec("CREATE DATABASE " + ref + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			return "", err
		}
		dsn = databaseDSN(ref)
	}
	db, err := repository.Open(driver, dsn, opts)
	if err != nil {
		return "", err
	}
	if err := db.Migrate(context.Background()); err != nil {
		db.Close()
		return "", err
	}
	if err := build(db); err != nil {
		db.Close()
		return "", err
	}
	return ref, db.Close() // closing the last SQLite connection checkpoints the WAL into the file
}

func cloneMySQL(from string, db *repository.DB) error {
	g := db.Gorm()
	var to string
	if err := g.Raw("SELECT DATABASE()").Scan(&to).Error; err != nil {
		return err
	}
	var tables []string
	if err := g.Raw("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'", from).Scan(&tables).Error; err != nil {
		return err
	}
	for _, tb := range tables {
		if err := g.Exec(fmt.Sprintf("CREATE TABLE `%s`.`%s` LIKE `%s`.`%s`", to, tb, from, tb)).Error; err != nil {
			return err
		}
		if err := g.Exec(fmt.Sprintf("INSERT INTO `%s`.`%s` SELECT * FROM `%s`.`%s`", to, tb, from, tb)).Error; err != nil {
			return err
		}
	}
	// triggers (e.g. the audit log's append-only guard) are not copied by LIKE
	var triggers []struct {
		Name, Timing, Event, Table, Statement string
	}
	err := g.Raw(`SELECT trigger_name AS name, action_timing AS timing, event_manipulation AS event,
		event_object_table AS `+"`table`"+`, action_statement AS statement
		FROM information_schema.triggers WHERE trigger_schema = ?`, from).Scan(&triggers).Error
	if err != nil {
		return err
	}
	for _, tr := range triggers {
		q := fmt.Sprintf("CREATE TRIGGER `%s`.`%s` %s %s ON `%s`.`%s` FOR EACH ROW %s", to, tr.Name, tr.Timing, tr.Event, to, tr.Table, tr.Statement)
		if err := g.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

// dropDeadDatabases removes test databases left by test processes that have ended.
func dropDeadDatabases(admin *sql.DB) {
	rows, err := admin.Query("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'chaincrm\\_tmpl\\_%' OR schema_name LIKE 'chaincrm\\_test\\_%'")
	if err != nil {
		return
	}
	var dead []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		parts := strings.Split(name, "_")
		if len(parts) < 3 {
			continue
		}
		pid, err := strconv.Atoi(parts[2])
		if err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			dead = append(dead, name)
		}
	}
	rows.Close()
	for _, name := range dead {
		admin.Exec("DROP DATABASE IF EXISTS `" + name + "`")
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
