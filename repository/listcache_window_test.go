package repository_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// A value kept for a window of time (a board, a page, the overview): read again within the
// window it is not loaded again; when the window turns with nothing written, the previous
// value is answered at once while one load in the background refreshes it; after a write, or
// when more than one window has passed, the next read waits for a fresh load.
func TestCachedWindowServesThePreviousWindowWhileRefreshing(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := dbtest.Migrated(t, driver, repository.Options{})
			clock := &fixedClock{t: time.Date(2026, 6, 15, 9, 0, 5, 0, time.UTC)}
			db.Clock = clock
			var loads atomic.Int64
			release := make(chan struct{})
			load := func(ctx context.Context) (int64, error) {
				n := loads.Add(1)
				if n == 2 { // the background refresh is slow: readers must not wait for it
					select {
					case <-release:
					case <-time.After(10 * time.Second): // a reader waited: it then gets 2, not 1, and fails
					}
				}
				if err := ctx.Err(); err != nil {
					return 0, err
				}
				return n, nil
			}
			read := func() int64 {
				t.Helper()
				// the request's context is cancelled when its answer is sent: a background
				// load must not die with it
				rctx, cancel := context.WithCancel(ctx)
				defer cancel()
				v, err := repository.CachedWindow(rctx, db, "board test", 30*time.Second, load)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			if v := read(); v != 1 {
				t.Fatalf("first read %d, want load 1", v)
			}
			clock.Add(20 * time.Second)
			if v := read(); v != 1 || loads.Load() != 1 {
				t.Fatalf("within the window: %d after %d loads, want 1 after 1", v, loads.Load())
			}

			clock.Add(20 * time.Second) // the next window, nothing written
			for i := 0; i < 5; i++ {
				if v := read(); v != 1 {
					t.Fatalf("window turned: read %d answered %d, want the previous window's 1 at once", i, v)
				}
			}
			close(release)
			db.WaitBackground()
			if n := loads.Load(); n != 2 {
				t.Fatalf("%d loads after the window turned under 5 readers, want one refresh (2 in all)", n)
			}
			if v := read(); v != 2 {
				t.Fatalf("after the refresh: %d, want 2", v)
			}

			// a write: the next read waits for a fresh load, never the old value
			clock.Add(30 * time.Second)
			db.NoteWrite(ctx)
			if v := read(); v != 3 {
				t.Fatalf("after a write in the next window: %d, want a fresh load (3)", v)
			}
			// two windows on with nothing written: too old to answer, loaded at once
			clock.Add(61 * time.Second)
			if v := read(); v != 4 {
				t.Fatalf("two windows later: %d, want a fresh load (4)", v)
			}
			if n := loads.Load(); n != 4 {
				t.Fatalf("%d loads in all, want 4", n)
			}
		})
	}
}
