package repository

import (
	"context"
	"sync"

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
