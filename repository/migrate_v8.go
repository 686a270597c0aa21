package repository

import (
	"gorm.io/gorm"
)

// migrateV8 gives the dashboard's docking query (StatsService.docked: one grouped pass over
// a year's dockings) an index that holds every column it reads, so at province scale the
// overview reads one index range instead of fetching each docked project's row (measured on
// MariaDB at 100 000 projects: 117 → 41–57 ms for that query; docs/benchmarks.md). It
// begins with (zone_id, docked_at), so it replaces ix_projects_zone_docked, which is
// dropped: MariaDB's planner otherwise kept choosing the narrower index and fetching rows.
// Each change is checked first, so the step can run again on MySQL.
func migrateV8(tx *gorm.DB) error {
	const name, old = "ix_projects_overview", "ix_projects_zone_docked"
	m := tx.Migrator()
	if !m.HasIndex("projects", name) {
		err := tx.Exec("CREATE INDEX " + name + " ON projects (zone_id, docked_at, deleted_at, channel, stage, prev_stage, " +
			"asset_type, chain_id, referrer_id, campaign_id, signed_at, agency)").Error
		if err != nil {
			return err
		}
	}
	if m.HasIndex("projects", old) {
		return m.DropIndex("projects", old)
	}
	return nil
}
