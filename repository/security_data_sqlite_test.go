package repository

// Issue 12, finding 6: on SQLite a long import failed with "database is locked (517)" when
// a scheduled job wrote. The driver ignored _txlock=immediate (see sqlite_conn.go), so a
// transaction that had read began writing on a stale snapshot once anyone else committed.

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// A transaction reads, another connection writes outside any transaction (as a job's run
// row, an outbox mark or an audit line does), then the transaction writes: both succeed,
// the outside write waiting for the transaction instead of the transaction failing.
func TestSecurityDataSQLiteWritersWait(t *testing.T) {
	db, err := Open(DriverSQLite, filepath.Join(t.TempDir(), "w.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.gorm.Exec("CREATE TABLE job_marks (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		outside := make(chan error, 1)
		waited := false
		err := db.WithTx(ctx, func(ctx context.Context) error {
			var n int64
			if err := db.conn(ctx).Raw("SELECT COUNT(*) FROM job_marks").Scan(&n).Error; err != nil {
				return err
			}
			go func() { outside <- db.gorm.Exec("INSERT INTO job_marks VALUES (1)").Error }()
			select {
			case err := <-outside: // committed under the transaction's feet: the old behaviour
				outside <- err
			case <-time.After(300 * time.Millisecond):
				waited = true
			}
			return db.conn(ctx).Exec("INSERT INTO job_marks VALUES (2)").Error
		})
		if err != nil {
			t.Fatalf("round %d: the transaction failed: %v", round, err)
		}
		if err := <-outside; err != nil {
			t.Fatalf("round %d: the outside write failed: %v", round, err)
		}
		if !waited {
			t.Errorf("round %d: a write outside the transaction committed while it was open", round)
		}
	}
	var n int64
	db.gorm.Raw("SELECT COUNT(*) FROM job_marks").Scan(&n)
	if n != 6 {
		t.Errorf("%d rows, want 6", n)
	}
}

// Read-only transactions stay deferred and do not take the write lock.
func TestSecurityDataSQLiteReadOnlyTxDoesNotBlock(t *testing.T) {
	db, err := Open(DriverSQLite, filepath.Join(t.TempDir(), "r.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	db.gorm.Exec("CREATE TABLE r (x INTEGER)")
	rtx, err := db.sql.BeginTx(ctx, &sqlTxOptionsReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer rtx.Rollback()
	var n int
	if err := rtx.QueryRowContext(ctx, "SELECT COUNT(*) FROM r").Scan(&n); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- db.gorm.Exec("INSERT INTO r VALUES (1)").Error }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a write waited for a read-only transaction")
	}
}

var sqlTxOptionsReadOnly = sql.TxOptions{ReadOnly: true}
