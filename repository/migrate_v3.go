package repository

import (
	"time"

	"gorm.io/gorm"
)

// migrateV3 serves the scheduled jobs: job runs remember the moment they ran "as of"
// (a manual run may look at another day), and indexes let the hourly reminder scan read a
// project's activity facts from the index alone (1 000 000 activities: 10 s instead of
// minutes of random reads), find a project's reminders, wake snoozed ones, and let the
// weekly digest find the week's moves without reading whole tables. The structs are frozen copies: do not edit. Each change is
// checked first, so the step can be re-run after a partial failure on MySQL.
func migrateV3(tx *gorm.DB) error {
	type JobRun struct {
		AsOf *time.Time
	}
	type Reminder struct {
		ProjectID   int64      `gorm:"not null;index:ix_reminders_project,priority:1"`
		Status      string     `gorm:"type:varchar(20);not null;index:ix_reminders_status_snooze,priority:1"`
		SnoozeUntil *time.Time `gorm:"type:date;index:ix_reminders_status_snooze,priority:2"`
	}
	type Activity struct {
		ProjectID  int64      `gorm:"not null;index:ix_activities_reminder_facts,priority:1"`
		DeletedAt  *time.Time `gorm:"index:ix_activities_reminder_facts,priority:2"`
		OccurredAt time.Time  `gorm:"type:date;not null;index:ix_activities_reminder_facts,priority:3"`
		Kind       string     `gorm:"type:varchar(20);not null;index:ix_activities_reminder_facts,priority:4"`
		NextDue    *time.Time `gorm:"type:date;index:ix_activities_reminder_facts,priority:5"`
		AuthorID   int64      `gorm:"not null;index:ix_activities_reminder_facts,priority:6"`
	}
	type ProjectHistory struct {
		ZoneID int64     `gorm:"not null;index:ix_history_zone_at,priority:1"`
		At     time.Time `gorm:"not null;index:ix_history_zone_at,priority:2"`
	}
	m := tx.Table("job_runs").Migrator()
	if !m.HasColumn(&JobRun{}, "AsOf") {
		if err := m.AddColumn(&JobRun{}, "AsOf"); err != nil {
			return err
		}
	}
	for _, ix := range []struct {
		table, name string
		model       any
	}{
		{"reminders", "ix_reminders_project", &Reminder{}},
		{"reminders", "ix_reminders_status_snooze", &Reminder{}},
		{"project_history", "ix_history_zone_at", &ProjectHistory{}},
		{"activities", "ix_activities_reminder_facts", &Activity{}},
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
