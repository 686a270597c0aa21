// Package repository implements the domain services on GORM, for SQLite (the embedded
// default, pure Go) and MySQL/MariaDB. Both speak the same queries; the few differences
// (connection settings, table options) live in this file.
//
// Every service method runs in one transaction, carried in the context (WithTx), so that a
// caller can compose several writes and a failed command writes nothing.
package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Drivers.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Options tune behaviour that is configuration, not code.
type Options struct {
	SessionIdle     time.Duration // a session unused this long expires (default 12h)
	SessionAbsolute time.Duration // a session expires this long after log-in (default 7 days)
	StaleYellowDays int           // open projects without progress this long are yellow (60)
	StaleRedDays    int           // … and red (90)
	CleanupDays     int           // … and flagged for clean-up (180)
	Location        *time.Location
	PasswordCost    int // bcrypt cost of the demo and synthetic users' hashes (default bcrypt.DefaultCost; tests use the minimum)
}

func (o *Options) defaults() {
	if o.SessionIdle == 0 {
		o.SessionIdle = 12 * time.Hour
	}
	if o.SessionAbsolute == 0 {
		o.SessionAbsolute = 7 * 24 * time.Hour
	}
	if o.StaleYellowDays == 0 {
		o.StaleYellowDays = 60
	}
	if o.StaleRedDays == 0 {
		o.StaleRedDays = 90
	}
	if o.CleanupDays == 0 {
		o.CleanupDays = 180
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.PasswordCost == 0 {
		o.PasswordCost = bcrypt.DefaultCost
	}
}

// DB is an open database with the services built on it.
type DB struct {
	// writeMu serialises write transactions on SQLite, which allows one writer at a time:
	// queueing them here is fair and never fails, where SQLite's busy handler can time out
	// under a burst of writers. Readers are not affected (WAL).
	writeMu sync.Mutex
	startMu sync.Mutex // StartLock on SQLite (startlock.go)
	gorm    *gorm.DB
	sql     *sql.DB
	Driver  string
	Clock   domain.Clock
	Opts    Options

	mapLocal atomic.Int64 // this process's chain-map change counter (changes.go)

	counts countCache // list totals by change generation (listcache.go)
	// background refreshes of cached values (cachedWindow); Close waits for them
	background sync.WaitGroup
}

// Open connects to driver/dsn. For SQLite the DSN is a file path (created with its folder)
// or a full "file:" DSN; WAL, a busy timeout, foreign keys and immediate write transactions
// are always set. For MySQL the DSN gets parseTime, UTC and utf8mb4 when it lacks them.
func Open(driver, dsn string, opts Options) (*DB, error) {
	opts.defaults()
	cfg := &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}
	var dial gorm.Dialector
	switch driver {
	case DriverSQLite, "":
		driver = DriverSQLite
		d, err := sqliteDSN(dsn)
		if err != nil {
			return nil, err
		}
		conn, err := openSQLite(d)
		if err != nil {
			return nil, err
		}
		dial = &sqlite.Dialector{DSN: d, Conn: conn}
	case DriverMySQL:
		dial = mysql.Open(mysqlDSN(dsn))
	default:
		return nil, fmt.Errorf("unknown database driver %q (want sqlite or mysql)", driver)
	}
	g, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", driver, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if err := markUnavailable(g); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if driver == DriverSQLite {
		// WAL lets readers run beside the one writer; BEGIN IMMEDIATE plus the busy
		// timeout queue writers instead of failing with "database is locked".
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		// Set returns an instance that shares one statement with every query chained on
		// it; Session makes db.Gorm() hand out a fresh statement per chain again.
		g = g.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").Session(&gorm.Session{})
	}
	db := &DB{gorm: g, sql: sqlDB, Driver: driver, Clock: domain.SystemClock{}, Opts: opts}
	if err := db.trackChanges(g); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if err := registerNameIndex(g); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

func sqliteDSN(dsn string) (string, error) {
	if dsn == "" {
		dsn = "data/chaincrm.db"
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path != ":memory:" && !strings.HasPrefix(path, ":") {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", fmt.Errorf("create database folder: %w", err)
		}
	}
	params := []string{"_pragma=busy_timeout(30000)", "_pragma=journal_mode(WAL)", "_pragma=foreign_keys(1)", "_pragma=synchronous(NORMAL)", "_txlock=immediate", "_time_format=sqlite"}
	if query != "" {
		params = append([]string{query}, params...)
	}
	return "file:" + path + "?" + strings.Join(params, "&"), nil
}

func mysqlDSN(dsn string) string {
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			if strings.Contains(dsn, "?") {
				dsn += "&"
			} else {
				dsn += "?"
			}
			dsn += k + "=" + v
		}
	}
	add("parseTime", "true")
	add("loc", "UTC")
	add("charset", "utf8mb4")
	add("collation", "utf8mb4_unicode_ci")
	add("time_zone", "%27%2B00%3A00%27")
	return dsn
}

// Gorm exposes the connection for the casbin adapter, which shares the database.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Close closes the connection pool.
// Close waits for the background refreshes of cached values, then closes the connections.
func (db *DB) Close() error {
	db.background.Wait()
	return db.sql.Close()
}

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

type txKey struct{}

// WithTx runs fn in a transaction carried by the context; nested calls join the outer one.
func (db *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	if db.Driver == DriverSQLite {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	ch := &txChanges{}
	ctx = context.WithValue(ctx, txChangesKey{}, ch)
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	if err == nil && ch.mapData.Load() {
		db.bumpMap(ctx) // after the commit: see changes.go
	}
	return asUnavailable(err) // a transaction that could not begin or commit
}

// isDeadlock tells whether MySQL rolled the statement or transaction back as a deadlock's
// victim (1213) or after a lock wait timeout (1205): the work was undone whole, so running
// it again is safe.
func isDeadlock(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// retryDeadlock runs fn again (up to five times) while MySQL picks it as a deadlock's
// victim. InnoDB can deadlock two single-row updates of different rows when they move
// entries of the same secondary index (gap and next-key locks); the documented answer is
// to retry. fn must be one statement outside a transaction, or a whole WithTx.
func retryDeadlock(fn func() error) error {
	for i := 0; ; i++ {
		err := fn()
		if err == nil || i == 4 || !isDeadlock(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
}

// conn returns the transaction in ctx, or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

func (db *DB) now() time.Time { return db.Clock.Now().UTC() }

// today is the zone's calendar day.
func (db *DB) today() domain.Date { return domain.DateOf(db.Clock.Now(), db.Opts.Location) }
