package repository

import (
	"context"
	"time"
)

// CachedWindow exposes cachedWindow to the package's external tests.
func CachedWindow[T any](ctx context.Context, db *DB, base string, fresh time.Duration, load func(context.Context) (T, error)) (T, error) {
	return cachedWindow(ctx, db, base, fresh, load)
}

// NoteWrite moves the change stamp as a committed write to projects does.
func (db *DB) NoteWrite(ctx context.Context) { db.bumpMap(ctx) }

// WaitBackground waits for the background refreshes of cached values.
func (db *DB) WaitBackground() { db.background.Wait() }
