//go:build !unix

package repository

import (
	"context"
	"time"
)

// lockFile is a no-op where flock is not available: SQLite's start is serialised within
// the process only (every migration step re-checks the ledger in its write transaction).
func lockFile(context.Context, string, time.Duration) (func(), error) { return func() {}, nil }
