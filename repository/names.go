package repository

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Name search through character bigrams (issue 13, migration 12).
//
// name_grams holds, for each project and enterprise, the distinct lower-cased character
// bigrams of its name (an enterprise's credit code too) and its last character alone. A
// substring of two or more characters appears only in names holding all its bigrams; one
// character x appears only in names holding a gram that starts with x (a bigram, or the
// last character). So the names to check with LIKE are those of the query's rarest gram,
// read from the primary key (zone, kind, gram, ref) — a few rows instead of the zone.
//
// The grams are a pre-filter only: the final WHERE keeps the LIKE, so results are exactly
// those of the plain LIKE (for names whose match does not rely on the database collation
// folding more than lower-casing does, such as full-width letters on MariaDB).
//
// Kept in step: every Create of a projectRow or enterpriseRow (one row or a batch) indexes
// the new rows (callback below); renames, the import's bulk inserts and enterprise merges
// call reindexNames. All in the writer's transaction.

const (
	nameKindProject    = 1
	nameKindEnterprise = 2
)

// nameGramRow is one gram of one name.
type nameGramRow struct {
	ZoneID int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind   int    `gorm:"primaryKey;autoIncrement:false"`
	Gram   []byte `gorm:"primaryKey"`
	RefID  int64  `gorm:"primaryKey;autoIncrement:false"`
}

func (nameGramRow) TableName() string { return "name_grams" }

// nameGrams returns the distinct grams of the given strings (lower-cased bigrams and the
// last character of each).
func nameGrams(names ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		r := []rune(strings.ToLower(n))
		for i := range r {
			g := string(r[i:min(i+2, len(r))])
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// insertGrams writes grams in statements that stay within SQLite's bound-variable limit.
func insertGrams(q *gorm.DB, grams []nameGramRow) error {
	if len(grams) == 0 {
		return nil
	}
	// DO NOTHING on a gram already there: a Create that found its row already inserted by a
	// concurrent writer (findOrCreateEnterprise's upsert on MySQL) reports that row, whose
	// grams, a function of the same name, are in place.
	return q.Session(&gorm.Session{NewDB: true}).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(grams, 240).Error
}

// reindexNames replaces the grams of the given rows (ids → name and, for enterprises,
// credit code) of one kind.
func reindexNames(q *gorm.DB, kind int, zoneID int64, names map[int64][2]string) error {
	if len(names) == 0 {
		return nil
	}
	q = q.Session(&gorm.Session{NewDB: true})
	ids := make([]int64, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var grams []nameGramRow
	for len(ids) > 0 {
		part := ids[:min(500, len(ids))]
		ids = ids[len(part):]
		if err := q.Where("kind = ? AND ref_id IN ?", kind, part).Delete(&nameGramRow{}).Error; err != nil {
			return err
		}
		for _, id := range part {
			for _, g := range nameGrams(names[id][0], names[id][1]) {
				grams = append(grams, nameGramRow{ZoneID: zoneID, Kind: kind, Gram: []byte(g), RefID: id})
			}
		}
	}
	return insertGrams(q, grams)
}

// reindexRows re-reads the names of ids from the database and replaces their grams.
func reindexRows(q *gorm.DB, kind int, ids []int64) error {
	table, cols := "projects", "id, zone_id, name, '' AS code"
	if kind == nameKindEnterprise {
		table, cols = "enterprises", "id, zone_id, name, COALESCE(credit_code, '') AS code"
	}
	q = q.Session(&gorm.Session{NewDB: true})
	for len(ids) > 0 {
		part := ids[:min(500, len(ids))]
		ids = ids[len(part):]
		var rows []struct {
			ID, ZoneID int64
			Name, Code string
		}
		if err := q.Table(table).Select(cols).Where("id IN ?", part).Scan(&rows).Error; err != nil {
			return err
		}
		byZone := map[int64]map[int64][2]string{}
		for _, r := range rows {
			if byZone[r.ZoneID] == nil {
				byZone[r.ZoneID] = map[int64][2]string{}
			}
			byZone[r.ZoneID][r.ID] = [2]string{r.Name, r.Code}
		}
		for zone, names := range byZone {
			if err := reindexNames(q, kind, zone, names); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexCreatedNames is the Create callback: rows of projects or enterprises just inserted
// (one struct or a slice of them) get their grams in the same transaction.
func indexCreatedNames(tx *gorm.DB) {
	if tx.Error != nil || tx.Statement.RowsAffected == 0 {
		return
	}
	var kind int
	switch tx.Statement.Table {
	case "projects":
		kind = nameKindProject
	case "enterprises":
		kind = nameKindEnterprise
	default:
		return
	}
	var grams []nameGramRow
	add := func(v reflect.Value) {
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		var id, zone int64
		var name, code string
		switch r := v.Addr().Interface().(type) {
		case *projectRow:
			id, zone, name = r.ID, r.ZoneID, r.Name
		case *enterpriseRow:
			id, zone, name = r.ID, r.ZoneID, r.Name
			if r.CreditCode != nil {
				code = *r.CreditCode
			}
		default:
			return
		}
		if id == 0 {
			return
		}
		for _, g := range nameGrams(name, code) {
			grams = append(grams, nameGramRow{ZoneID: zone, Kind: kind, Gram: []byte(g), RefID: id})
		}
	}
	rv := tx.Statement.ReflectValue
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			add(rv.Index(i))
		}
	case reflect.Struct:
		add(rv)
	default:
		return
	}
	if err := insertGrams(tx, grams); err != nil {
		tx.AddError(fmt.Errorf("name index: %w", err))
	}
}

// registerNameIndex installs the Create callback on g.
func registerNameIndex(g *gorm.DB) error {
	return g.Callback().Create().After("gorm:create").Register("chaincrm:name_grams", indexCreatedNames)
}

// candidateCap bounds the ids a gram pre-filter hands to the final query; a query whose
// rarest gram is commoner than this is left to LIKE (it matches a large share of the zone,
// so the LIKE scan in list order fills a page quickly).
const candidateCap = 2000

// nameCandidates returns the ids (of kind, in zone) whose name may contain q, and ok=false
// when q is too unselective for the grams to help (then the caller uses LIKE alone).
// The answer is cached for the change stamp (listcache.go), like the list totals.
func (db *DB) nameCandidates(ctx context.Context, q *gorm.DB, kind int, zoneID int64, term string) ([]int64, bool, error) {
	term = strings.ToLower(strings.TrimSpace(term))
	if term == "" || !utf8.ValidString(term) {
		return nil, false, nil
	}
	type answer struct {
		ids []int64
		ok  bool
	}
	a, err := cachedByKey(ctx, db, fmt.Sprintf("name_grams %d %d %q", kind, zoneID, term), func() (answer, error) {
		ids, ok, err := db.lookUpNames(q, kind, zoneID, term)
		return answer{ids, ok}, err
	})
	return a.ids, a.ok, err
}

// lookUpNames is nameCandidates without the cache.
func (db *DB) lookUpNames(q *gorm.DB, kind int, zoneID int64, term string) ([]int64, bool, error) {
	q = q.Session(&gorm.Session{NewDB: true})
	r := []rune(term)
	if len(r) == 1 {
		lo, hi := []byte(term), []byte(term+string(utf8.MaxRune))
		var ids []int64
		err := q.Model(&nameGramRow{}).Where("zone_id = ? AND kind = ? AND gram >= ? AND gram <= ?", zoneID, kind, lo, hi).
			Distinct("ref_id").Limit(candidateCap+1).Pluck("ref_id", &ids).Error
		if err != nil || len(ids) > candidateCap {
			return nil, false, err
		}
		return ids, true, nil
	}
	var grams []string
	for i := 0; i+1 < len(r) && len(grams) < 12; i++ {
		grams = append(grams, string(r[i:i+2]))
	}
	// How many names hold each gram, counted up to the cap: one statement, each count an
	// index range of at most candidateCap+1 entries.
	var parts []string
	var args []any
	for i, g := range grams {
		parts = append(parts, "SELECT "+strconv.Itoa(i)+" AS i, COUNT(*) AS n FROM (SELECT 1 AS x FROM name_grams WHERE zone_id = ? AND kind = ? AND gram = ? LIMIT "+
			strconv.Itoa(candidateCap+1)+") t"+strconv.Itoa(i))
		args = append(args, zoneID, kind, []byte(g))
	}
	var counts []struct{ I, N int }
	if err := q.Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&counts).Error; err != nil {
		return nil, false, err
	}
	best, bestN := -1, candidateCap+1
	for _, c := range counts {
		if c.N < bestN {
			best, bestN = c.I, c.N
		}
	}
	if best < 0 {
		// every gram is common: the names holding all of them (at most four, spread over
		// the term), one grouped pass over their ranges of the primary key
		pick := grams
		if len(grams) > 4 {
			pick = []string{grams[0], grams[len(grams)/3], grams[2*len(grams)/3], grams[len(grams)-1]}
		}
		bs := make([][]byte, len(pick))
		for i, g := range pick {
			bs[i] = []byte(g)
		}
		var ids []int64
		err := q.Model(&nameGramRow{}).Where("zone_id = ? AND kind = ? AND gram IN ?", zoneID, kind, bs).
			Group("ref_id").Having("COUNT(*) = ?", len(dedupeStrings(pick))).Limit(candidateCap+1).Pluck("ref_id", &ids).Error
		if err != nil || len(ids) > candidateCap {
			return nil, false, err
		}
		return ids, true, nil
	}
	if bestN == 0 {
		return []int64{}, true, nil
	}
	var ids []int64
	err := q.Model(&nameGramRow{}).Where("zone_id = ? AND kind = ? AND gram = ?", zoneID, kind, []byte(grams[best])).
		Order("ref_id").Pluck("ref_id", &ids).Error
	return ids, err == nil, err
}

// idList renders ids as a literal SQL list (they are integers: nothing to escape), so a
// candidate set of any size needs no bound variables; "NULL" for none.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "NULL"
	}
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

func dedupeStrings(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
