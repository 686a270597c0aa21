package repository

import (
	"time"

	"gorm.io/gorm"
)

// migrateV1 creates the whole first schema. The structs are frozen copies: do not edit.
func migrateV1(tx *gorm.DB) error {
	type Zone struct {
		ID        int64  `gorm:"primaryKey"`
		Code      string `gorm:"type:varchar(50);not null;uniqueIndex"`
		Name      string `gorm:"type:varchar(200);not null"`
		TimeZone  string `gorm:"type:varchar(64);not null"`
		CreatedAt time.Time
	}
	type User struct {
		ID           int64  `gorm:"primaryKey"`
		ZoneID       int64  `gorm:"not null;uniqueIndex:ux_users_zone_username,priority:1"`
		Username     string `gorm:"type:varchar(64);not null;uniqueIndex:ux_users_zone_username,priority:2"`
		DisplayName  string `gorm:"type:varchar(100);not null"`
		Email        string `gorm:"type:varchar(200);not null"`
		Phone        string `gorm:"type:varchar(50);not null;default:''"`
		Agency       string `gorm:"type:varchar(200);not null;default:''"`
		PasswordHash string `gorm:"type:varchar(200);not null"`
		Disabled     bool   `gorm:"not null;default:false"`
		DigestOptOut bool   `gorm:"not null;default:false"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type Session struct {
		ID         int64     `gorm:"primaryKey"`
		UserID     int64     `gorm:"not null;index"`
		TokenHash  string    `gorm:"type:char(64);not null;uniqueIndex"`
		CreatedAt  time.Time `gorm:"not null"`
		LastSeenAt time.Time `gorm:"not null"`
		ExpiresAt  time.Time `gorm:"not null"`
		RevokedAt  *time.Time
		IP         string `gorm:"type:varchar(64);not null;default:''"`
	}
	type Chain struct {
		ID          int64  `gorm:"primaryKey"`
		ZoneID      int64  `gorm:"not null;uniqueIndex:ux_chains_zone_code,priority:1"`
		Code        string `gorm:"type:varchar(50);not null;uniqueIndex:ux_chains_zone_code,priority:2"`
		Name        string `gorm:"type:varchar(100);not null"`
		Description string `gorm:"type:text"`
		SortOrder   int    `gorm:"not null;default:0"`
		CreatedAt   time.Time
	}
	type ChainChief struct {
		UserID  int64 `gorm:"primaryKey;autoIncrement:false"`
		ChainID int64 `gorm:"primaryKey;autoIncrement:false;index"`
	}
	type ChainNode struct {
		ID          int64  `gorm:"primaryKey"`
		ZoneID      int64  `gorm:"not null;index"`
		ChainID     int64  `gorm:"not null;index"`
		ParentID    *int64 `gorm:"index"`
		Name        string `gorm:"type:varchar(100);not null"`
		Segment     string `gorm:"type:varchar(20);not null"`
		SortOrder   int    `gorm:"not null;default:0"`
		Description string `gorm:"type:text"`
		CreatedAt   time.Time
	}
	type ChainMaster struct {
		ChainID      int64 `gorm:"primaryKey;autoIncrement:false"`
		EnterpriseID int64 `gorm:"primaryKey;autoIncrement:false;index"`
	}
	type Enterprise struct {
		ID         int64   `gorm:"primaryKey"`
		ZoneID     int64   `gorm:"not null;uniqueIndex:ux_enterprises_zone_name,priority:1;uniqueIndex:ux_enterprises_zone_code,priority:1"`
		Name       string  `gorm:"type:varchar(200);not null;uniqueIndex:ux_enterprises_zone_name,priority:2"`
		CreditCode *string `gorm:"type:char(18);uniqueIndex:ux_enterprises_zone_code,priority:2"`
		Kind       string  `gorm:"type:varchar(20);not null"`
		Region     string  `gorm:"type:varchar(100);not null;default:''"`
		Industry   string  `gorm:"type:varchar(100);not null;default:''"`
		Contact    string  `gorm:"type:varchar(200);not null;default:''"`
		Notes      string  `gorm:"type:text"`
		Sample     bool    `gorm:"not null;default:false"`
		CreatedAt  time.Time
		UpdatedAt  time.Time
	}
	type EnterpriseNode struct {
		EnterpriseID int64 `gorm:"primaryKey;autoIncrement:false"`
		NodeID       int64 `gorm:"primaryKey;autoIncrement:false;index"`
	}
	type EnterpriseRelation struct {
		FromID int64  `gorm:"primaryKey;autoIncrement:false"`
		ToID   int64  `gorm:"primaryKey;autoIncrement:false;index"`
		Kind   string `gorm:"type:varchar(20);not null"`
	}
	type Campaign struct {
		ID        int64     `gorm:"primaryKey"`
		ZoneID    int64     `gorm:"not null;index:ix_campaigns_zone_start,priority:1"`
		Kind      string    `gorm:"type:varchar(20);not null"`
		Title     string    `gorm:"type:varchar(200);not null"`
		City      string    `gorm:"type:varchar(100);not null"`
		StartDate time.Time `gorm:"type:date;not null;index:ix_campaigns_zone_start,priority:2"`
		EndDate   time.Time `gorm:"type:date;not null"`
		Notes     string    `gorm:"type:text"`
		CreatedAt time.Time
	}
	type Project struct {
		ID                  int64      `gorm:"primaryKey"`
		ZoneID              int64      `gorm:"not null;index:ix_projects_zone_docked,priority:1;index:ix_projects_zone_stage,priority:1;index:ix_projects_zone_chain,priority:1;index:ix_projects_zone_channel,priority:1"`
		Name                string     `gorm:"type:varchar(200);not null;index"`
		InvestorID          int64      `gorm:"not null;index"`
		Channel             string     `gorm:"type:varchar(30);not null;index:ix_projects_zone_channel,priority:2"`
		ChainID             *int64     `gorm:"index:ix_projects_zone_chain,priority:2"`
		AssetType           string     `gorm:"type:varchar(10);not null"`
		PlannedInvestment   int64      `gorm:"not null;default:0"`
		LandArea            int64      `gorm:"not null;default:0"`
		Stage               string     `gorm:"type:varchar(20);not null;index:ix_projects_zone_stage,priority:2"`
		PrevStage           string     `gorm:"type:varchar(20);not null;default:''"`
		StageEnteredAt      time.Time  `gorm:"not null"`
		LastProgressAt      time.Time  `gorm:"not null"`
		HasRiskAssessment   bool       `gorm:"not null;default:false"`
		DecisionOutcome     string     `gorm:"type:varchar(20);not null;default:''"`
		OwnerID             int64      `gorm:"not null;index"`
		CreatedByID         int64      `gorm:"not null;index"`
		DockedAt            time.Time  `gorm:"type:date;not null;index:ix_projects_zone_docked,priority:2"`
		SignedAt            *time.Time `gorm:"type:date"`
		CampaignID          *int64     `gorm:"index"`
		ReferrerID          *int64     `gorm:"index"`
		Agency              string     `gorm:"type:varchar(200);not null;default:''"`
		Industry            string     `gorm:"type:varchar(100);not null;default:''"`
		Notes               string     `gorm:"type:text"`
		DropReason          string     `gorm:"type:text"`
		LandListingPlanned  *time.Time `gorm:"type:date"`
		LandListingActual   *time.Time `gorm:"type:date"`
		ConstructionPlanned *time.Time `gorm:"type:date"`
		ConstructionActual  *time.Time `gorm:"type:date"`
		ProductionPlanned   *time.Time `gorm:"type:date"`
		ProductionActual    *time.Time `gorm:"type:date"`
		Sample              bool       `gorm:"not null;default:false"`
		Version             int64      `gorm:"not null;default:1"`
		CreatedAt           time.Time
		UpdatedAt           time.Time
		DeletedAt           *time.Time `gorm:"index"`
	}
	type ProjectNode struct {
		ProjectID int64 `gorm:"primaryKey;autoIncrement:false"`
		NodeID    int64 `gorm:"primaryKey;autoIncrement:false;index"`
	}
	type Activity struct {
		ID          int64      `gorm:"primaryKey"`
		ZoneID      int64      `gorm:"not null;index"`
		ProjectID   int64      `gorm:"not null;index:ix_activities_project_date,priority:1"`
		Kind        string     `gorm:"type:varchar(20);not null"`
		OccurredAt  time.Time  `gorm:"type:date;not null;index:ix_activities_project_date,priority:2"`
		Place       string     `gorm:"type:varchar(200);not null;default:''"`
		OurPeople   string     `gorm:"type:varchar(200);not null;default:''"`
		TheirPeople string     `gorm:"type:varchar(200);not null;default:''"`
		Summary     string     `gorm:"type:text;not null"`
		NextStep    string     `gorm:"type:text"`
		NextDue     *time.Time `gorm:"type:date;index"`
		AuthorID    int64      `gorm:"not null;index"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
		DeletedAt   *time.Time
	}
	type ProjectHistory struct {
		ID        int64     `gorm:"primaryKey"`
		ZoneID    int64     `gorm:"not null"`
		ProjectID int64     `gorm:"not null;index:ix_history_project_at,priority:1"`
		At        time.Time `gorm:"not null;index:ix_history_project_at,priority:2"`
		ActorID   int64     `gorm:"not null"`
		Actor     string    `gorm:"type:varchar(64);not null"`
		Action    string    `gorm:"type:varchar(40);not null"`
		Field     string    `gorm:"type:varchar(64);not null;default:''"`
		FromValue string    `gorm:"type:text"`
		ToValue   string    `gorm:"type:text"`
	}
	type RiskAssessment struct {
		ID          int64  `gorm:"primaryKey"`
		ZoneID      int64  `gorm:"not null"`
		ProjectID   int64  `gorm:"not null;index"`
		Level       string `gorm:"type:varchar(10);not null"`
		Summary     string `gorm:"type:text;not null"`
		Finance     string `gorm:"type:text"`
		Land        string `gorm:"type:text"`
		Energy      string `gorm:"type:text"`
		Environment string `gorm:"type:text"`
		TaxPerMu    string `gorm:"type:text"`
		Employment  string `gorm:"type:text"`
		AuthorID    int64  `gorm:"not null"`
		CreatedAt   time.Time
	}
	type Decision struct {
		ID        int64  `gorm:"primaryKey"`
		ZoneID    int64  `gorm:"not null"`
		ProjectID int64  `gorm:"not null;index"`
		Outcome   string `gorm:"type:varchar(20);not null"`
		Notes     string `gorm:"type:text"`
		DeciderID int64  `gorm:"not null"`
		CreatedAt time.Time
	}
	type Target struct {
		ID     int64  `gorm:"primaryKey"`
		ZoneID int64  `gorm:"not null;uniqueIndex:ux_targets_zone_year_metric,priority:1"`
		Year   int    `gorm:"not null;uniqueIndex:ux_targets_zone_year_metric,priority:2"`
		Metric string `gorm:"type:varchar(50);not null;uniqueIndex:ux_targets_zone_year_metric,priority:3"`
		Value  int64  `gorm:"not null"`
		Label  string `gorm:"type:varchar(200);not null"`
		Notes  string `gorm:"type:text"`
	}
	type Reminder struct {
		ID          int64      `gorm:"primaryKey"`
		ZoneID      int64      `gorm:"not null"`
		Rule        string     `gorm:"type:varchar(50);not null;uniqueIndex:ux_reminders_key,priority:1"`
		ProjectID   int64      `gorm:"not null;uniqueIndex:ux_reminders_key,priority:2"`
		UserID      int64      `gorm:"not null;uniqueIndex:ux_reminders_key,priority:3;index:ix_reminders_user_status,priority:1"`
		PeriodKey   string     `gorm:"type:varchar(64);not null;uniqueIndex:ux_reminders_key,priority:4"`
		Message     string     `gorm:"type:text;not null"`
		DueAt       *time.Time `gorm:"type:date"`
		Status      string     `gorm:"type:varchar(20);not null;index:ix_reminders_user_status,priority:2"`
		SnoozeUntil *time.Time `gorm:"type:date"`
		CreatedAt   time.Time
		ResolvedAt  *time.Time
	}
	type Outbox struct {
		ID            int64     `gorm:"primaryKey"`
		ZoneID        int64     `gorm:"not null"`
		MessageID     string    `gorm:"type:varchar(200);not null;uniqueIndex"`
		ToAddr        string    `gorm:"type:varchar(200);not null"`
		Subject       string    `gorm:"type:varchar(500);not null"`
		BodyText      string    `gorm:"type:mediumtext"`
		BodyHTML      string    `gorm:"type:mediumtext"`
		Status        string    `gorm:"type:varchar(20);not null;index:ix_outbox_status_next,priority:1"`
		Attempts      int       `gorm:"not null;default:0"`
		NextAttemptAt time.Time `gorm:"not null;index:ix_outbox_status_next,priority:2"`
		LastError     string    `gorm:"type:text"`
		CreatedAt     time.Time
		SentAt        *time.Time
	}
	type JobRun struct {
		ID         int64     `gorm:"primaryKey"`
		Job        string    `gorm:"type:varchar(50);not null;uniqueIndex:ux_job_runs_job_fire,priority:1"`
		FireAt     time.Time `gorm:"not null;uniqueIndex:ux_job_runs_job_fire,priority:2"`
		Instance   string    `gorm:"type:varchar(100);not null"`
		StartedAt  time.Time `gorm:"not null"`
		FinishedAt *time.Time
		Status     string `gorm:"type:varchar(20);not null"`
		Detail     string `gorm:"type:text"`
	}
	type AuditLog struct {
		ID     int64     `gorm:"primaryKey"`
		ZoneID int64     `gorm:"not null;index:ix_audit_zone_at,priority:1"`
		At     time.Time `gorm:"not null;index:ix_audit_zone_at,priority:2"`
		Actor  string    `gorm:"type:varchar(64);not null"`
		Action string    `gorm:"type:varchar(64);not null"`
		Object string    `gorm:"type:varchar(200);not null;default:''"`
		Detail string    `gorm:"type:text"`
		IP     string    `gorm:"type:varchar(64);not null;default:''"`
	}
	type Setting struct {
		Key   string `gorm:"type:varchar(100);primaryKey"`
		Value string `gorm:"type:text"`
	}
	// casbin_rule as casbin/gorm-adapter expects it; the adapter's own auto-migration is off.
	type CasbinRule struct {
		ID    uint   `gorm:"primaryKey;autoIncrement"`
		Ptype string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:1"`
		V0    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:2"`
		V1    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:3"`
		V2    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:4"`
		V3    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:5"`
		V4    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:6"`
		V5    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:7"`
	}
	tables := []any{&Zone{}, &User{}, &Session{}, &Chain{}, &ChainChief{}, &ChainNode{}, &ChainMaster{},
		&Enterprise{}, &EnterpriseNode{}, &EnterpriseRelation{}, &Campaign{}, &Project{}, &ProjectNode{},
		&Activity{}, &ProjectHistory{}, &RiskAssessment{}, &Decision{}, &Target{}, &Reminder{}, &Outbox{},
		&JobRun{}, &AuditLog{}, &Setting{}, &CasbinRule{}}
	names := []string{"zones", "users", "sessions", "chains", "chain_chiefs", "chain_nodes", "chain_masters",
		"enterprises", "enterprise_nodes", "enterprise_relations", "campaigns", "projects", "project_nodes",
		"activities", "project_history", "risk_assessments", "decisions", "targets", "reminders", "outbox",
		"job_runs", "audit_log", "settings", "casbin_rule"}
	for i, t := range tables {
		if err := tx.Table(names[i]).Migrator().CreateTable(t); err != nil {
			return err
		}
	}
	return nil
}
