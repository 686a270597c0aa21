package repository

import (
	"context"
	"strings"
	"sync/atomic"

	"gorm.io/gorm"
)

// Change tracking for cached derived data (the chain maps).
//
// A chain map is built from projects, enterprises, chains, nodes and their links; the API
// keeps built maps and must drop them the moment any of that changes. Rather than asking
// every write path to remember it, GORM callbacks watch every INSERT, UPDATE and DELETE
// that reaches the database (Create, Update, Delete and Exec alike) and note those that
// touch a table whose name says project, enterprise or chain. Inside WithTx the note waits
// for the commit; the counter is bumped after it, so no reader can build a map from the
// old data under the new generation. A write outside any transaction bumps at once.
//
// The counter lives in the database (change_generations, migration 7), so a write by
// another process, such as `chaincrm import` beside a running server, is seen too; a
// process-local counter is bumped as well, so this process never serves a stale map even
// if the database bump failed. The only writes not tracked are those in transactions
// opened outside WithTx: the migrations, which run before a server serves.

// changeMap names the chain maps' counter in change_generations.
const changeMap = "map"

// ChangeStamp identifies the state of the data a cached map was built from.
type ChangeStamp struct {
	DB    int64 // change_generations.generation, shared by every process
	Local int64 // this process's own counter
}

// txChanges collects what a WithTx transaction wrote; it is bumped after the commit.
type txChanges struct{ mapData atomic.Bool }

type txChangesKey struct{}

// mapTableHints: a write statement naming any of these touches a map's sources (projects,
// enterprises, chains, chain_nodes, enterprise_nodes, project_nodes, chain_masters,
// enterprise_relations). Histories and campaign links that also match only bump the
// counter needlessly, which is safe.
//
// The same stamp keys the cached list totals and figures (listcache.go), whose sources also
// include campaigns and investments: writes to those bump it too.
var mapTableHints = []string{"project", "enterprise", "chain", "campaign", "investment"}

func touchesMapData(sql string) bool {
	head := strings.TrimSpace(sql)
	if len(head) > 8 {
		head = head[:8]
	}
	switch strings.ToUpper(strings.Fields(head + " x")[0]) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
	default:
		return false
	}
	for _, h := range mapTableHints {
		if strings.Contains(sql, h) {
			return true
		}
	}
	return false
}

// trackChanges registers the callbacks on g; db bumps the counters.
func (db *DB) trackChanges(g *gorm.DB) error {
	note := func(tx *gorm.DB) {
		if tx.Error != nil || tx.Statement.RowsAffected == 0 || !touchesMapData(tx.Statement.SQL.String()) {
			return
		}
		if ch, ok := tx.Statement.Context.Value(txChangesKey{}).(*txChanges); ok {
			ch.mapData.Store(true)
			return
		}
		if _, inTx := tx.Statement.ConnPool.(gorm.TxCommitter); inTx {
			return // a transaction not opened by WithTx: the migrations (see above)
		}
		db.bumpMap(tx.Statement.Context)
	}
	cb := g.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("chaincrm:changes", note),
		cb.Update().After("gorm:update").Register("chaincrm:changes", note),
		cb.Delete().After("gorm:delete").Register("chaincrm:changes", note),
		cb.Raw().After("gorm:raw").Register("chaincrm:changes", note),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// noteChange records a write made outside GORM (raw statements on the connection pool),
// which the callbacks cannot see: sql is its statement (or its head).
func (db *DB) noteChange(ctx context.Context, sql string) {
	if !touchesMapData(sql) {
		return
	}
	if ch, ok := ctx.Value(txChangesKey{}).(*txChanges); ok {
		ch.mapData.Store(true)
		return
	}
	db.bumpMap(ctx)
}

// bumpMap advances the chain maps' counters after a committed write.
func (db *DB) bumpMap(ctx context.Context) {
	db.mapLocal.Add(1)
	// Errors are ignored: the write has committed and the local counter has moved; another
	// process may then serve its cached map until the cache's time limit.
	db.gorm.WithContext(context.WithoutCancel(ctx)).
		Exec("UPDATE change_generations SET generation = generation + 1 WHERE name = ?", changeMap)
}

// MapStamp returns the current state of the chain maps' sources.
func (db *DB) MapStamp(ctx context.Context) (ChangeStamp, error) {
	st := ChangeStamp{Local: db.mapLocal.Load()}
	var gens []int64
	err := db.conn(ctx).Table("change_generations").Where("name = ?", changeMap).Pluck("generation", &gens).Error
	if len(gens) > 0 {
		st.DB = gens[0]
	}
	return st, err
}
