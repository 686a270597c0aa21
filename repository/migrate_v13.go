package repository

import (
	"time"

	"gorm.io/gorm"
)

// apiTokenRowV13 is the integration token table as step 13 made it (frozen).
type apiTokenRowV13 struct {
	ID         int64     `gorm:"primaryKey"`
	ZoneID     int64     `gorm:"not null;index:ix_api_tokens_zone,priority:1"`
	UserID     int64     `gorm:"not null;index:ix_api_tokens_user,priority:1"`
	Name       string    `gorm:"type:varchar(100);not null"`
	TokenHash  string    `gorm:"type:char(64);not null;uniqueIndex:ux_api_tokens_hash"`
	Hint       string    `gorm:"type:varchar(20);not null"`
	ReadOnly   bool      `gorm:"not null"`
	ExpiresOn  time.Time `gorm:"type:date;not null"`
	CreatedAt  time.Time `gorm:"not null;index:ix_api_tokens_zone,priority:2;index:ix_api_tokens_user,priority:2"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	RevokedBy  string `gorm:"type:varchar(100);not null;default:''"`
}

func (apiTokenRowV13) TableName() string { return "api_tokens" }

// migrateV13 adds integration tokens (issue 18): one row per token with the SHA-256 hash of
// its secret (unique: a request finds its token by it), the owner, name, expiry day,
// read-only flag, last use and revocation. Listed newest first per user and per zone.
func migrateV13(tx *gorm.DB) error {
	return tx.Migrator().AutoMigrate(&apiTokenRowV13{})
}
