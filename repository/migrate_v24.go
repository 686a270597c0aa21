package repository

import (
	"gorm.io/gorm"
)

// listIndexesV24 are the indexes of the sorted list reads and the remaining slow lists of
// issue 13, frozen. As in step 12, each is the zone, the filter's columns, the live rows
// (deleted_at IS NULL is an equality), then the order column; the primary key ends every
// secondary index on both databases, so "col DESC, id DESC" and "col ASC, id ASC" are both
// read in index order (forwards or backwards), never sorted.
var listIndexesV24 = []struct{ table, name, cols string }{
	// ?owner=…&stage=… (a recruiter's leads): both equalities, then the docking order
	{"projects", "ix_projects_list_owner_stage", "zone_id, owner_id, stage, deleted_at, docked_at"},
	// GET /projects?sort=…: the zone's list in each sortable order (docs/api.md)
	{"projects", "ix_projects_sort_invest", "zone_id, deleted_at, planned_investment"},
	{"projects", "ix_projects_sort_stage_entered", "zone_id, deleted_at, stage_entered_at"},
	{"projects", "ix_projects_sort_name", "zone_id, deleted_at, name"},
	// the enterprise list: the zone's live (not merged) enterprises in id order, index only
	{"enterprises", "ix_enterprises_list_live", "zone_id, merged_into_id"},
}

// migrateV24 adds the indexes above (docs/architecture.md, "List reads at province scale").
// Every index is checked first, so the step can run again on MySQL.
func migrateV24(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, ix := range listIndexesV24 {
		if m.HasIndex(ix.table, ix.name) {
			continue
		}
		if err := tx.Exec("CREATE INDEX " + ix.name + " ON " + ix.table + " (" + ix.cols + ")").Error; err != nil {
			return err
		}
	}
	return nil
}
