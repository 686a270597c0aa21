package repository

import (
	"time"

	"gorm.io/gorm"
)

// idempotencyKeyRowV20 is the idempotency key table as step 20 made it (frozen).
type idempotencyKeyRowV20 struct {
	ID          int64     `gorm:"primaryKey"`
	UserID      int64     `gorm:"not null;uniqueIndex:ux_idempotency_keys_user_key,priority:1"`
	IdemKey     string    `gorm:"column:idem_key;type:varchar(255);not null;uniqueIndex:ux_idempotency_keys_user_key,priority:2"`
	Fingerprint string    `gorm:"type:char(64);not null"`
	Token       string    `gorm:"type:varchar(32);not null;default:''"`
	Runs        int       `gorm:"not null;default:0"`
	Done        bool      `gorm:"not null;default:false"`
	Status      int       `gorm:"not null;default:0"`
	ContentType string    `gorm:"type:varchar(100);not null;default:''"`
	Body        []byte    `gorm:"type:mediumblob"`
	CreatedAt   time.Time `gorm:"not null;index:ix_idempotency_keys_created"`
	LeaseUntil  time.Time `gorm:"not null"`
}

func (idempotencyKeyRowV20) TableName() string { return "idempotency_keys" }

// migrateV20 adds the idempotency keys of creating requests (issue 20, offline visits): one
// row per (user, key) with the request's fingerprint, the claim of the request that runs it
// and, once done, its answer. Purged by created_at after 24 hours.
func migrateV20(tx *gorm.DB) error {
	return tx.Migrator().AutoMigrate(&idempotencyKeyRowV20{})
}
