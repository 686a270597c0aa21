package repository

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// The SQLite driver (glebarez/go-sqlite v1.22.0) reads its DSN parameters in a fixed order
// and stops at `_time_format`: a DSN that sets it (ours must, so that times are stored in
// SQLite's format) silently loses `_txlock=immediate`, and every transaction begins
// DEFERRED. A deferred transaction that reads and then writes fails at once with
// "database is locked (517)" (SQLITE_BUSY_SNAPSHOT, for which the busy timeout does not
// wait) when any other connection — a scheduled job's run row, an outbox mark, an audit
// line, another process — committed after its first read. That is issue 12's import that
// failed when the minute turned. immediateConnector makes every read-write transaction
// BEGIN IMMEDIATE itself: the write lock is taken first (waiting up to busy_timeout), so a
// transaction's snapshot can never go stale, and writes outside transactions simply wait.

// immediateConnector opens connections of drv whose transactions begin IMMEDIATE.
type immediateConnector struct {
	dsn string
	drv driver.Driver
}

func openSQLite(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(immediateConnector{dsn: dsn, drv: drv}), nil
}

func (c immediateConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	ic, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite: driver connection %T lacks the context methods", conn)
	}
	return immediateConn{ic}, nil
}

func (c immediateConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what the driver's connection implements.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
}

type immediateConn struct{ sqliteConn }

// BeginTx starts read-write transactions with BEGIN IMMEDIATE; read-only ones stay deferred.
func (c immediateConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.sqliteConn.BeginTx(ctx, opts)
	}
	if opts.Isolation != driver.IsolationLevel(sql.LevelDefault) && opts.Isolation != driver.IsolationLevel(sql.LevelSerializable) {
		return nil, errors.New("sqlite: unsupported isolation level")
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE", nil); err != nil {
		return nil, err
	}
	return immediateTx{c}, nil
}

func (c immediateConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

type immediateTx struct{ c immediateConn }

func (t immediateTx) Commit() error {
	_, err := t.c.ExecContext(context.Background(), "COMMIT", nil)
	return err
}

func (t immediateTx) Rollback() error {
	_, err := t.c.ExecContext(context.Background(), "ROLLBACK", nil)
	return err
}
