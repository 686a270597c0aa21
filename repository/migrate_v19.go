package repository

import (
	"time"

	"gorm.io/gorm"
)

// The tables of step 19 (issue 19, the provincial platform), frozen: do not edit.

// zoneRowV19 is zones with the kind step 19 adds.
type zoneRowV19 struct {
	ID        int64
	Code      string
	Name      string
	TimeZone  string
	CreatedAt time.Time
	Kind      string `gorm:"type:varchar(16);not null;default:'zone'"`
}

func (zoneRowV19) TableName() string { return "zones" }

// zoneGrantRowV19 grants a province user one zone to read.
type zoneGrantRowV19 struct {
	UserID    int64     `gorm:"primaryKey;autoIncrement:false"`
	ZoneID    int64     `gorm:"primaryKey;autoIncrement:false;index:ix_zone_grants_zone"`
	GrantedBy string    `gorm:"type:varchar(100);not null;default:''"`
	CreatedAt time.Time `gorm:"not null"`
}

func (zoneGrantRowV19) TableName() string { return "zone_grants" }

// exportJobRowV19 is a background export, shared by every replica.
type exportJobRowV19 struct {
	ID           string    `gorm:"type:char(32);primaryKey"`
	ZoneID       int64     `gorm:"not null"`
	UserID       int64     `gorm:"not null;index:ix_export_jobs_user,priority:1"`
	Status       string    `gorm:"type:varchar(16);not null;index:ix_export_jobs_user,priority:2"`
	FileName     string    `gorm:"type:varchar(200);not null"`
	Rows         int64     `gorm:"not null;default:0"`
	Total        int64     `gorm:"not null;default:0"`
	Size         int64     `gorm:"not null;default:0"`
	Error        string    `gorm:"type:varchar(500);not null;default:''"`
	Instance     string    `gorm:"type:varchar(100);not null;default:''"`
	Cancelled    bool      `gorm:"not null;default:false"`
	CreatedAt    time.Time `gorm:"not null"`
	HeartbeatAt  time.Time `gorm:"not null"`
	EndedAt      *time.Time
	DownloadedAt *time.Time
}

func (exportJobRowV19) TableName() string { return "export_jobs" }

// exportChunkRowV19 is a piece (at most 1 MiB) of a finished export's file.
type exportChunkRowV19 struct {
	JobID string `gorm:"type:char(32);primaryKey"`
	Seq   int    `gorm:"primaryKey;autoIncrement:false"`
	Data  []byte `gorm:"not null"`
}

func (exportChunkRowV19) TableName() string { return "export_chunks" }

// migrateV19 makes the platform (issue 19):
//
//   - zones.kind: "zone" for a development zone, "platform" for the one row that holds the
//     province users (it is never a default zone, never seeded, never scheduled);
//   - zone_grants: which zones a province user reads (by user and zone, and by zone);
//   - export_jobs and export_chunks: background exports, their state and their finished
//     file, in the database so that any replica answers for any job.
//
// Every change is checked first, so the step can run again on MySQL.
func migrateV19(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&zoneRowV19{}, "Kind") {
		if err := m.AddColumn(&zoneRowV19{}, "Kind"); err != nil {
			return err
		}
	}
	return m.AutoMigrate(&zoneGrantRowV19{}, &exportJobRowV19{}, &exportChunkRowV19{})
}
