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
	// MySQL: what a clone copies, read once from the built template
	tables   []templateTable
	triggers []templateTrigger
}

type templateTable struct {
	name string
	rows bool // holds rows (an empty table needs no INSERT … SELECT)
}

type templateTrigger struct {
	Name, Timing, Event, Table, Statement string
}

// cloneConns is how many tables a MySQL clone creates and fills at once: each CREATE TABLE
// waits on the disk (a file and a flush per table), so a few at once take a fraction of the time.
const cloneConns = 6

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
	tp.once.Do(func() {
		tp.ref, tp.err = buildTemplate(driver, name, opts, build)
		if tp.err == nil && driver == repository.DriverMySQL {
			tp.err = tp.readMySQL()
		}
	})
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
		if err := tp.cloneMySQL(db); err != nil {
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

// readMySQL lists the template's tables (and which hold rows) and its triggers, once.
func (tp *template) readMySQL() error {
	admin, err := adminDB()
	if err != nil {
		return err
	}
	rows, err := admin.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name", tp.ref)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		var has int
		err := admin.QueryRow(fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM `%s`.`%s`)", tp.ref, n)).Scan(&has)
		if err != nil {
			return err
		}
		tp.tables = append(tp.tables, templateTable{name: n, rows: has == 1})
	}
	// triggers (e.g. the audit log's append-only guard) are not copied by LIKE
	trows, err := admin.Query(`SELECT trigger_name, action_timing, event_manipulation, event_object_table, action_statement
		FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY trigger_name`, tp.ref)
	if err != nil {
		return err
	}
	defer trows.Close()
	for trows.Next() {
		var tr templateTrigger
		if err := trows.Scan(&tr.Name, &tr.Timing, &tr.Event, &tr.Table, &tr.Statement); err != nil {
			return err
		}
		tp.triggers = append(tp.triggers, tr)
	}
	return trows.Err()
}

// cloneMySQL copies the template into db's (empty) database: its tables created and filled
// cloneConns at a time, then its triggers.
func (tp *template) cloneMySQL(db *repository.DB) error {
	var to string
	if err := db.Gorm().Raw("SELECT DATABASE()").Scan(&to).Error; err != nil {
		return err
	}
	admin, err := adminDB()
	if err != nil {
		return err
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slots = make(chan struct{}, cloneConns)
	)
	for _, tb := range tp.tables {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			err := func() error {
				if _, err := admin.Exec(fmt.Sprintf("CREATE TABLE `%s`.`%s` LIKE `%s`.`%s`", to, tb.name, tp.ref, tb.name)); err != nil {
					return err
				}
				if !tb.rows {
					return nil
				}
				_, err := admin.Exec(fmt.Sprintf("INSERT INTO `%s`.`%s` SELECT * FROM `%s`.`%s`", to, tb.name, tp.ref, tb.name))
				return err
			}()
			if err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("%s: %w", tb.name, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	for _, tr := range tp.triggers {
		q := fmt.Sprintf("CREATE TRIGGER `%s`.`%s` %s %s ON `%s`.`%s` FOR EACH ROW %s", to, tr.Name, tr.Timing, tr.Event, to, tr.Table, tr.Statement)
		if _, err := admin.Exec(q); err != nil {
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
