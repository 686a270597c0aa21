package repository

import (
	"time"

	"gorm.io/gorm"
)

// migrateV2 adds the pipeline workflow: chain chiefs' comments (批示), capital actually
// arrived (到资) with its running total on the project, supervision (督办), a version on
// activities (edits are checked like project edits), the object a history line is about, and
// an index for the board and the review queue.
// The structs are frozen copies: do not edit. Each part checks before it acts, because
// MySQL commits DDL at once and a failed step must be able to run again.
func migrateV2(tx *gorm.DB) error {
	type ProjectComment struct {
		ID        int64     `gorm:"primaryKey"`
		ZoneID    int64     `gorm:"not null"`
		ProjectID int64     `gorm:"not null;index:ix_comments_project_at,priority:1"`
		AuthorID  int64     `gorm:"not null"`
		Body      string    `gorm:"type:text;not null"`
		CreatedAt time.Time `gorm:"not null;index:ix_comments_project_at,priority:2"`
	}
	type Investment struct {
		ID        int64     `gorm:"primaryKey"`
		ZoneID    int64     `gorm:"not null;index:ix_investments_zone_date,priority:1"`
		ProjectID int64     `gorm:"not null;index"`
		Date      time.Time `gorm:"type:date;not null;index:ix_investments_zone_date,priority:2"`
		Amount    int64     `gorm:"not null"` // 元
		Notes     string    `gorm:"type:text"`
		AuthorID  int64     `gorm:"not null"`
		CreatedAt time.Time `gorm:"not null"`
	}
	type Supervision struct {
		ID          int64     `gorm:"primaryKey"`
		ZoneID      int64     `gorm:"not null;index:ix_supervisions_zone_status,priority:1"`
		ProjectID   int64     `gorm:"not null;index"`
		IssuerID    int64     `gorm:"not null;index"`
		OwnerID     int64     `gorm:"not null;index"`
		Instruction string    `gorm:"type:text;not null"`
		Due         time.Time `gorm:"type:date;not null"`
		Status      string    `gorm:"type:varchar(20);not null;index:ix_supervisions_zone_status,priority:2"`
		Answer      string    `gorm:"type:text"`
		AnsweredAt  *time.Time
		ClosedAt    *time.Time
		CreatedAt   time.Time `gorm:"not null"`
		UpdatedAt   time.Time `gorm:"not null"`
	}
	tables := []struct {
		name  string
		model any
	}{{"project_comments", &ProjectComment{}}, {"investments", &Investment{}}, {"supervisions", &Supervision{}}}
	for _, t := range tables {
		m := tx.Table(t.name).Migrator()
		if m.HasTable(t.name) {
			continue
		}
		if err := m.CreateTable(t.model); err != nil {
			return err
		}
	}
	type Project struct {
		ZoneID             int64      `gorm:"not null;index:ix_projects_zone_stage_entered,priority:1"`
		Stage              string     `gorm:"type:varchar(20);not null;index:ix_projects_zone_stage_entered,priority:2"`
		StageEnteredAt     time.Time  `gorm:"not null;index:ix_projects_zone_stage_entered,priority:3"`
		DeletedAt          *time.Time `gorm:"index:ix_projects_zone_stage_entered,priority:4"`
		RealisedInvestment int64      `gorm:"not null;default:0"` // 元, the sum of investments
	}
	type Activity struct {
		Version int64 `gorm:"not null;default:1"`
	}
	type ProjectHistory struct {
		Object string `gorm:"type:varchar(64);not null;default:''"`
	}
	columns := []struct {
		table, field string
		model        any
	}{
		{"projects", "RealisedInvestment", &Project{}},
		{"activities", "Version", &Activity{}},
		{"project_history", "Object", &ProjectHistory{}},
	}
	for _, c := range columns {
		m := tx.Table(c.table).Migrator()
		if m.HasColumn(c.model, c.field) {
			continue
		}
		if err := m.AddColumn(c.model, c.field); err != nil {
			return err
		}
	}
	// the board's columns and the review queue read a stage's projects by the time they
	// entered it; with deleted_at in it, counting a zone's projects by stage reads the index
	// alone
	if m := tx.Table("projects").Migrator(); !m.HasIndex(&Project{}, "ix_projects_zone_stage_entered") {
		return m.CreateIndex(&Project{}, "ix_projects_zone_stage_entered")
	}
	return nil
}
