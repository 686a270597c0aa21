package repository

import (
	"time"

	"gorm.io/gorm"
)

// migrateV6 adds chain_history: the append-only record of every edit of a chain's map
// (nodes created, renamed, moved, reordered, deleted; chain masters; enterprises and
// projects linked to nodes; referral relations). ChainID is NULL for the rare zone-level
// line (a referral of an enterprise that is no chain's master). The struct is a frozen
// copy: do not edit. The step checks before it acts, so it can run again on MySQL.
func migrateV6(tx *gorm.DB) error {
	type ChainHistory struct {
		ID          int64     `gorm:"primaryKey"`
		ZoneID      int64     `gorm:"not null;index:ix_chain_history_zone_at,priority:1"`
		ChainID     *int64    `gorm:"index:ix_chain_history_chain_at,priority:1"`
		At          time.Time `gorm:"not null;index:ix_chain_history_chain_at,priority:2;index:ix_chain_history_zone_at,priority:2"`
		ActorID     int64     `gorm:"not null"`
		Actor       string    `gorm:"type:varchar(64);not null"`
		Action      string    `gorm:"type:varchar(40);not null"`
		Object      string    `gorm:"type:varchar(64);not null"`
		ObjectName  string    `gorm:"type:varchar(200);not null;default:''"`
		Subject     string    `gorm:"type:varchar(64);not null;default:''"`
		SubjectName string    `gorm:"type:varchar(200);not null;default:''"`
		Field       string    `gorm:"type:varchar(64);not null;default:''"`
		FromValue   string    `gorm:"type:text"`
		ToValue     string    `gorm:"type:text"`
	}
	m := tx.Table("chain_history").Migrator()
	if m.HasTable("chain_history") {
		return nil
	}
	return m.CreateTable(&ChainHistory{})
}
