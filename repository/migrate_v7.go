package repository

import (
	"gorm.io/gorm"
)

// migrateV7 adds change_generations: one counter per kind of derived data that a server
// caches, bumped after every committed write that can change it (see changes.go). A
// server compares the counter with the one its cached copy was built at, so a write made
// by another process (`chaincrm import` beside `chaincrm serve`) invalidates the cache
// too. The only kind today is "map": the chain maps. The struct is a frozen copy: do not
// edit. The step checks before it acts, so it can run again on MySQL.
func migrateV7(tx *gorm.DB) error {
	type ChangeGeneration struct {
		Name       string `gorm:"type:varchar(32);primaryKey"`
		Generation int64  `gorm:"not null;default:0"`
	}
	m := tx.Table("change_generations").Migrator()
	if !m.HasTable("change_generations") {
		if err := m.CreateTable(&ChangeGeneration{}); err != nil {
			return err
		}
	}
	var n int64
	if err := tx.Table("change_generations").Where("name = ?", changeMap).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return tx.Table("change_generations").Create(&ChangeGeneration{Name: changeMap}).Error
}
