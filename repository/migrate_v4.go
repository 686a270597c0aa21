package repository

import (
	"time"

	"gorm.io/gorm"
)

// migrateV4 serves the figures: the year's signings are found by (zone, signed_at) and the
// year's stage moves by (zone, field, at), so the dashboard reads index ranges rather than
// whole tables at province scale. The structs are frozen copies: do not edit. Each index is
// checked first, so the step can run again after a partial failure on MySQL.
func migrateV4(tx *gorm.DB) error {
	type Project struct {
		ZoneID   int64      `gorm:"not null;index:ix_projects_zone_signed,priority:1"`
		SignedAt *time.Time `gorm:"type:date;index:ix_projects_zone_signed,priority:2"`
	}
	type ProjectHistory struct {
		ZoneID int64     `gorm:"not null;index:ix_history_zone_field_at,priority:1"`
		Field  string    `gorm:"type:varchar(64);not null;default:'';index:ix_history_zone_field_at,priority:2"`
		At     time.Time `gorm:"not null;index:ix_history_zone_field_at,priority:3"`
	}
	for _, ix := range []struct {
		table, name string
		model       any
	}{
		{"projects", "ix_projects_zone_signed", &Project{}},
		{"project_history", "ix_history_zone_field_at", &ProjectHistory{}},
	} {
		m := tx.Table(ix.table).Migrator()
		if m.HasIndex(ix.model, ix.name) {
			continue
		}
		if err := m.CreateIndex(ix.model, ix.name); err != nil {
			return err
		}
	}
	return nil
}
