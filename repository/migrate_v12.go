package repository

import (
	"gorm.io/gorm"
)

// listIndexesV12 are the indexes of the list reads (issue 13), frozen. Each matches one
// list's filter and its order: the zone, the filter's column, the live rows (deleted_at IS
// NULL is an equality on the index), then the order column; the primary key ends every
// secondary index on both databases, so "docked_at DESC, id DESC" is read in index order and
// a page is an index range of page_size entries after an index-only skip of the offset.
var listIndexesV12 = []struct{ table, name, cols string }{
	{"projects", "ix_projects_list", "zone_id, deleted_at, docked_at"},
	{"projects", "ix_projects_list_stage", "zone_id, stage, deleted_at, docked_at"},
	{"projects", "ix_projects_list_chain", "zone_id, chain_id, deleted_at, docked_at"},
	{"projects", "ix_projects_list_channel", "zone_id, channel, deleted_at, docked_at"},
	{"projects", "ix_projects_list_owner", "zone_id, owner_id, deleted_at, docked_at"},
	{"projects", "ix_projects_list_creator", "zone_id, created_by_id, deleted_at, docked_at"},
	{"projects", "ix_projects_investor", "investor_id"},
	// the review queue: decisions without an outcome, the longest waiting first
	{"projects", "ix_projects_review", "zone_id, stage, decision_outcome, deleted_at, chain_id, stage_entered_at"},
	// the enterprise list: the zone's enterprises in id order
	{"enterprises", "ix_enterprises_list", "zone_id"},
}

// migrateV12 adds the list indexes above and name_grams: the character bigrams of every
// project's and enterprise's name (and credit code), so a substring search looks names up
// by their rarest bigram instead of reading every name with LIKE '%…%' (docs/architecture.md,
// "List reads at province scale"). gram is binary (VARBINARY on MySQL, BLOB on SQLite): the
// grams are lower-cased in Go and compared byte for byte, with no collation padding.
// Existing names are indexed here; later writes keep the grams in step (names.go). Every
// change is checked first, so the step can run again on MySQL.
func migrateV12(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, ix := range listIndexesV12 {
		if m.HasIndex(ix.table, ix.name) {
			continue
		}
		if err := tx.Exec("CREATE INDEX " + ix.name + " ON " + ix.table + " (" + ix.cols + ")").Error; err != nil {
			return err
		}
	}
	if !m.HasTable("name_grams") {
		gram := "BLOB"
		if tx.Dialector.Name() == DriverMySQL {
			gram = "VARBINARY(8)"
		}
		// kind: 1 project, 2 enterprise (nameKindProject, nameKindEnterprise).
		err := tx.Exec(`CREATE TABLE name_grams (
			zone_id BIGINT NOT NULL,
			kind SMALLINT NOT NULL,
			gram ` + gram + ` NOT NULL,
			ref_id BIGINT NOT NULL,
			PRIMARY KEY (zone_id, kind, gram, ref_id))`).Error
		if err != nil {
			return err
		}
		if err := tx.Exec("CREATE INDEX ix_name_grams_ref ON name_grams (kind, ref_id)").Error; err != nil {
			return err
		}
	}
	return backfillNameGramsV12(tx)
}

// backfillNameGramsV12 indexes the names already stored, a thousand rows at a time (with
// the live nameGrams: the reads must find exactly what it makes). A re-run starts afresh.
func backfillNameGramsV12(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM name_grams").Error; err != nil {
		return err
	}
	for _, src := range []struct {
		kind  int
		table string
		cols  string
	}{
		{nameKindProject, "projects", "id, zone_id, name, '' AS code"},
		{nameKindEnterprise, "enterprises", "id, zone_id, name, COALESCE(credit_code, '') AS code"},
	} {
		var after int64
		for {
			var rows []struct {
				ID     int64
				ZoneID int64
				Name   string
				Code   string
			}
			if err := tx.Table(src.table).Select(src.cols).Where("id > ?", after).Order("id").Limit(1000).Scan(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				break
			}
			var grams []nameGramRow
			for _, r := range rows {
				for _, g := range nameGrams(r.Name, r.Code) {
					grams = append(grams, nameGramRow{ZoneID: r.ZoneID, Kind: src.kind, Gram: []byte(g), RefID: r.ID})
				}
			}
			if err := insertGrams(tx, grams); err != nil {
				return err
			}
			after = rows[len(rows)-1].ID
		}
	}
	return nil
}
