package repository

import (
	"time"

	"gorm.io/gorm"
)

// robotRowV16 is the group robot table as step 16 made it (frozen).
type robotRowV16 struct {
	ID        int64     `gorm:"primaryKey"`
	ZoneID    int64     `gorm:"not null;index:ix_robots_zone,priority:1"`
	Kind      string    `gorm:"type:varchar(20);not null"`
	Name      string    `gorm:"type:varchar(100);not null"`
	Webhook   string    `gorm:"type:varchar(1000);not null"`
	Secret    string    `gorm:"type:varchar(200);not null;default:''"`
	ChainID   *int64    `gorm:"index:ix_robots_zone,priority:2"`
	Events    string    `gorm:"type:varchar(200);not null;default:''"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

func (robotRowV16) TableName() string { return "robots" }

// migrateV16 adds group robots (issue 16): the robots table (events as a comma list, the
// DingTalk secret write-only through the API), the outbox's channel ("mail" or "robot"),
// robot id and event (robot messages ride the same outbox as emails; (robot_id, sent_at)
// answers the per-robot rate limit from the index), and users' mobile for @-mentions.
// Every change is checked first, so the step can run again on MySQL.
func migrateV16(tx *gorm.DB) error {
	if err := tx.Migrator().AutoMigrate(&robotRowV16{}); err != nil {
		return err
	}
	m := tx.Migrator()
	for _, c := range []struct{ table, name, ddl string }{
		{"outbox", "channel", "varchar(10) NOT NULL DEFAULT 'mail'"},
		{"outbox", "robot_id", "bigint NULL"},
		{"outbox", "event", "varchar(40) NOT NULL DEFAULT ''"},
		{"users", "mobile", "varchar(20) NOT NULL DEFAULT ''"},
	} {
		if !m.HasColumn(c.table, c.name) {
			if err := tx.Exec("ALTER TABLE " + c.table + " ADD COLUMN " + c.name + " " + c.ddl).Error; err != nil {
				return err
			}
		}
	}
	if !m.HasIndex("outbox", "ix_outbox_robot_sent") {
		if err := tx.Exec("CREATE INDEX ix_outbox_robot_sent ON outbox (robot_id, sent_at)").Error; err != nil {
			return err
		}
	}
	return nil
}
