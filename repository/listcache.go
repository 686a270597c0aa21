package repository

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// countCache keeps the totals of list reads (issue 13) so that paging through a list does
// not count the whole filtered zone on every page. An entry is keyed by the count's own SQL
// with its values (ToSQL), so any filter, scope or role that changes the statement is a
// different entry; the whole cache belongs to one change stamp (changes.go): any committed
// write to projects, enterprises, chains or their links, by this process or another, moves
// the stamp and the next read starts a fresh cache. Reads inside a transaction bypass it.
type countCache struct {
	mu    sync.Mutex
	stamp ChangeStamp
	m     map[string]any
	// loads in flight, by stamp and key: readers that miss the same entry at once (a
	// board or an overview expiring under 32 clients) wait for one load instead of
	// running it 32 times
	flight map[flightKey]*flight
}

type flightKey struct {
	stamp ChangeStamp
	key   string
}

type flight struct {
	done chan struct{}
	v    any
	err  error
}

// countCacheMax bounds the entries kept for one stamp (filters with the time in them, such
// as the stale colours, make a new key per call).
const countCacheMax = 4096

// cachedValue returns the value cached for the statement build renders, or loads it with
// load (which runs build's statement) and caches it.
func cachedValue[T any](ctx context.Context, db *DB, build func(tx *gorm.DB) *gorm.DB, load func() (T, error)) (T, error) {
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx {
		return load()
	}
	key := db.conn(ctx).ToSQL(build)
	if key == "" {
		return load() // a statement ToSQL cannot render is never cached
	}
	return cachedByKey(ctx, db, key, load)
}

// cachedByKey is cachedValue under a key of the caller's (which must name everything the
// value depends on besides the stored data).
func cachedByKey[T any](ctx context.Context, db *DB, key string, load func() (T, error)) (T, error) {
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx {
		return load()
	}
	stamp, err := db.stampOf(ctx)
	if err != nil {
		return load()
	}
	c := &db.counts
	c.mu.Lock()
	if c.stamp != stamp || c.m == nil || len(c.m) >= countCacheMax {
		c.stamp, c.m = stamp, map[string]any{}
	}
	v, ok := c.m[key].(T)
	if ok {
		c.mu.Unlock()
		return v, nil
	}
	fk := flightKey{stamp, key}
	if f := c.flight[fk]; f != nil {
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return v, ctx.Err()
		}
		if v, ok := f.v.(T); ok && f.err == nil {
			return v, nil
		}
		return load() // the load failed (perhaps with its own request's cancelled context): try here
	}
	if c.flight == nil {
		c.flight = map[flightKey]*flight{}
	}
	f := &flight{done: make(chan struct{})}
	c.flight[fk] = f
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.flight, fk)
		c.mu.Unlock()
		close(f.done)
	}()
	v, err = load()
	f.v, f.err = v, err
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.stamp == stamp {
		c.m[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

// cachedWindow is cachedByKey for values that also move with the clock (days in stage, stale
// colours, days waiting): kept for the change stamp and for one window of `fresh` (base names
// everything else the value depends on). When the window turns and nothing has been written
// since (the same stamp), the previous window's value is answered while one load of the new
// window runs in the background: the readers of a busy board or list do not all wait on its
// rebuild every `fresh` — those rebuilds were the p99 of issue 13's reads. A value answered
// is thus at most two windows old, and never older than the last write. load is given the
// context to load under (the request's, or one that outlives it for the background load).
func cachedWindow[T any](ctx context.Context, db *DB, base string, fresh time.Duration, load func(context.Context) (T, error)) (T, error) {
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx {
		return load(ctx)
	}
	ctx = db.withStamp(ctx)
	window := db.now().Truncate(fresh)
	key := fmt.Sprintf("%s @%d", base, window.Unix())
	if stamp, err := db.stampOf(ctx); err == nil {
		prev := fmt.Sprintf("%s @%d", base, window.Add(-fresh).Unix())
		c := &db.counts
		c.mu.Lock()
		if _, have := c.m[key]; c.stamp == stamp && !have {
			if v, ok := c.m[prev].(T); ok {
				refreshing := c.flight[flightKey{stamp, key}] != nil
				c.mu.Unlock()
				if !refreshing { // one load in the background (two at most, joined by cachedByKey's flight)
					bg := context.WithoutCancel(ctx)
					db.background.Add(1)
					go func() {
						defer db.background.Done()
						_, _ = cachedByKey(bg, db, key, func() (T, error) { return load(bg) })
					}()
				}
				return v, nil
			}
		}
		c.mu.Unlock()
	}
	return cachedByKey(ctx, db, key, func() (T, error) { return load(ctx) })
}

// cachedScan reads the rows of the query q builds into a []T, through the cache.
func cachedScan[T any](ctx context.Context, db *DB, q func(tx *gorm.DB) *gorm.DB) ([]T, error) {
	return cachedValue(ctx, db, func(tx *gorm.DB) *gorm.DB {
		var out []T
		return q(tx).Find(&out)
	}, func() ([]T, error) {
		var out []T
		err := q(db.conn(ctx)).Scan(&out).Error
		return out, err
	})
}

// cachedCount counts the rows of the query q builds, through the cache.
func (db *DB) cachedCount(ctx context.Context, q func(tx *gorm.DB) *gorm.DB) (int64, error) {
	return cachedValue(ctx, db, func(tx *gorm.DB) *gorm.DB {
		var n int64
		return q(tx).Count(&n)
	}, func() (int64, error) {
		var n int64
		err := q(db.conn(ctx)).Count(&n).Error
		return n, err
	})
}

// stampMemo is the change stamp read once for one list read (withStamp).
type stampMemo struct {
	once  sync.Once
	stamp ChangeStamp
	err   error
}

type stampMemoKey struct{}

// withStamp returns ctx under which every cached value of one read (its total, its keys or
// anchors, its search's candidates) is checked against one reading of the change stamp,
// instead of one round trip to the database per value. For reads only: a write under ctx
// would not be seen by the values cached after it in the same call.
func (db *DB) withStamp(ctx context.Context) context.Context {
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx {
		return ctx
	}
	if _, ok := ctx.Value(stampMemoKey{}).(*stampMemo); ok {
		return ctx
	}
	return context.WithValue(ctx, stampMemoKey{}, &stampMemo{})
}

// stampOf is the change stamp: the one of withStamp when ctx has it, else read now.
func (db *DB) stampOf(ctx context.Context) (ChangeStamp, error) {
	m, ok := ctx.Value(stampMemoKey{}).(*stampMemo)
	if !ok {
		return db.MapStamp(ctx)
	}
	m.once.Do(func() { m.stamp, m.err = db.MapStamp(ctx) })
	return m.stamp, m.err
}
