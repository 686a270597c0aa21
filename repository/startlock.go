package repository

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// StartLock serialises what every process does when it opens the database — the schema
// migrations, the default policies and serve's first run — across processes (issue 19):
// replicas started together (a rolling deploy, an orchestrator starting three at once)
// would otherwise run the same migration step side by side (MySQL commits DDL implicitly:
// the second CREATE TABLE fails) or both make the first zone.
//
// On MySQL/MariaDB (and TiDB) it is a named lock (GET_LOCK) on one connection held until
// unlock, named after the database so that databases on one server do not wait for each
// other (names are at most 64 characters on MySQL and TiDB: cut there); it waits up to wait. On SQLite it is an advisory lock (flock) on the file
// <database>.start-lock beside the database, on Unix; elsewhere a process-local lock, and
// every migration step still re-checks the ledger inside its write transaction (BEGIN
// IMMEDIATE), which serialises the steps themselves.
func (db *DB) StartLock(ctx context.Context, wait time.Duration) (unlock func(), err error) {
	if db.Driver != DriverMySQL {
		db.startMu.Lock()
		var rows []struct {
			Seq        int
			Name, File string
		}
		if err := db.gorm.WithContext(ctx).Raw("PRAGMA database_list").Scan(&rows).Error; err != nil {
			db.startMu.Unlock()
			return nil, fmt.Errorf("start lock: %w", err)
		}
		release := func() {}
		if len(rows) > 0 && rows[0].File != "" { // not an in-memory database
			release, err = lockFile(ctx, rows[0].File+".start-lock", wait)
			if err != nil {
				db.startMu.Unlock()
				return nil, fmt.Errorf("start lock: %w", err)
			}
		}
		return func() { release(); db.startMu.Unlock() }, nil
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("start lock: %w", err)
	}
	secs := max(int(wait/time.Second), 1)
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(LEFT(CONCAT('chaincrm_start:', DATABASE()), 64), ?)", secs).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("start lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		conn.Close()
		return nil, fmt.Errorf("start lock: another process held the database's start lock for %s (migrating?)", wait)
	}
	return func() {
		// a fresh context: the lock must go even when ctx was cancelled
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.ExecContext(rctx, "DO RELEASE_LOCK(LEFT(CONCAT('chaincrm_start:', DATABASE()), 64))")
		conn.Close() // closing the session releases the lock anyway
	}, nil
}
