package repository

import (
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Live row structs: the current shape of each table, used by queries. Migrations own their
// own frozen copies; a change here needs a new migration step.

type zoneRow struct {
	ID        int64
	Code      string
	Name      string
	TimeZone  string
	CreatedAt time.Time
	// Kind (schema 19): ZoneKindZone for a development zone, ZoneKindPlatform for the row
	// that holds the province users.
	Kind string `gorm:"default:zone"`
}

func (zoneRow) TableName() string { return "zones" }

// The kinds of zones rows.
const (
	ZoneKindZone     = "zone"
	ZoneKindPlatform = "platform"
)

type userRow struct {
	ID           int64
	ZoneID       int64
	Username     string
	DisplayName  string
	Email        string
	Phone        string
	Agency       string
	PasswordHash string
	Disabled     bool
	DigestOptOut bool
	// Mobile (schema 16): for the group robots' @-mentions.
	Mobile string
	// MustChangePassword (schema 11): the password must be changed at the next log-in.
	MustChangePassword bool
	// DepartmentID (schema 15): the department a liaison (role department) belongs to.
	DepartmentID *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

type sessionRow struct {
	ID         int64
	UserID     int64
	TokenHash  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	IP         string
}

func (sessionRow) TableName() string { return "sessions" }

type chainRow struct {
	ID          int64
	ZoneID      int64
	Code        string
	Name        string
	Description string
	SortOrder   int
	CreatedAt   time.Time
}

func (chainRow) TableName() string { return "chains" }

type chainChiefRow struct {
	UserID  int64 `gorm:"primaryKey;autoIncrement:false"`
	ChainID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (chainChiefRow) TableName() string { return "chain_chiefs" }

type chainNodeRow struct {
	ID          int64
	ZoneID      int64
	ChainID     int64
	ParentID    *int64
	Name        string
	Segment     string
	SortOrder   int
	Description string
	CreatedAt   time.Time
}

func (chainNodeRow) TableName() string { return "chain_nodes" }

type chainMasterRow struct {
	ChainID      int64 `gorm:"primaryKey;autoIncrement:false"`
	EnterpriseID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (chainMasterRow) TableName() string { return "chain_masters" }

type enterpriseRow struct {
	ID           int64
	ZoneID       int64
	Name         string
	NormName     string // domain.NormalizeEnterpriseName(Name): set on every write of Name
	CreditCode   *string
	Kind         string
	Ownership    string
	Region       string
	Industry     string
	Address      string
	Website      string
	Tags         string // a JSON array; "" or NULL is none
	Notes        string
	Sample       bool
	Version      int64 `gorm:"default:1"`
	MergedIntoID *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeletedAt    *time.Time
}

func (enterpriseRow) TableName() string { return "enterprises" }

type enterpriseNodeRow struct {
	EnterpriseID int64 `gorm:"primaryKey;autoIncrement:false"`
	NodeID       int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (enterpriseNodeRow) TableName() string { return "enterprise_nodes" }

type enterpriseRelationRow struct {
	FromID int64 `gorm:"primaryKey;autoIncrement:false"`
	ToID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Kind   string
}

func (enterpriseRelationRow) TableName() string { return "enterprise_relations" }

type contactRow struct {
	ID           int64
	ZoneID       int64
	EnterpriseID int64
	Name         string
	Title        string
	Mobile       string
	Phone        string
	Email        string
	Wechat       string
	Notes        string
	Version      int64 `gorm:"default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeletedAt    *time.Time
}

func (contactRow) TableName() string { return "contacts" }

type activityContactRow struct {
	ActivityID int64 `gorm:"primaryKey;autoIncrement:false"`
	ContactID  int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (activityContactRow) TableName() string { return "activity_contacts" }

type enterpriseHistoryRow struct {
	ID           int64
	ZoneID       int64
	EnterpriseID int64
	At           time.Time
	ActorID      int64
	Actor        string
	Action       string
	Object       string
	Field        string
	FromValue    string
	ToValue      string
}

func (enterpriseHistoryRow) TableName() string { return "enterprise_history" }

type attachmentRow struct {
	ID           int64
	ZoneID       int64
	ProjectID    *int64
	EnterpriseID *int64
	ActivityID   *int64
	Name         string
	Title        string
	Size         int64
	ContentType  string
	SHA256       string `gorm:"column:sha256"`
	UploadedByID int64
	CreatedAt    time.Time
	DeletedAt    *time.Time
	DeletedByID  *int64
}

func (attachmentRow) TableName() string { return "attachments" }

type campaignRow struct {
	ID        int64
	ZoneID    int64
	Kind      string
	Title     string
	City      string
	StartDate domain.Date
	EndDate   domain.Date
	Notes     string
	CreatedAt time.Time
}

func (campaignRow) TableName() string { return "campaigns" }

type projectRow struct {
	ID                  int64
	ZoneID              int64
	Name                string
	InvestorID          int64
	Channel             string
	ChainID             *int64
	AssetType           string
	PlannedInvestment   int64
	LandArea            int64
	Stage               string
	PrevStage           string
	StageEnteredAt      time.Time
	LastProgressAt      time.Time
	HasRiskAssessment   bool
	DecisionOutcome     string
	OwnerID             int64
	CreatedByID         int64
	DockedAt            domain.Date
	SignedAt            domain.Date
	CampaignID          *int64
	ReferrerID          *int64
	Agency              string
	Industry            string
	Notes               string
	DropReason          string
	LandListingPlanned  domain.Date
	LandListingActual   domain.Date
	ConstructionPlanned domain.Date
	ConstructionActual  domain.Date
	ProductionPlanned   domain.Date
	ProductionActual    domain.Date
	RealisedInvestment  int64
	Sample              bool
	Version             int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
	DeletedAt           *time.Time
}

func (projectRow) TableName() string { return "projects" }

type projectNodeRow struct {
	ProjectID int64 `gorm:"primaryKey;autoIncrement:false"`
	NodeID    int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (projectNodeRow) TableName() string { return "project_nodes" }

type activityRow struct {
	ID          int64
	ZoneID      int64
	ProjectID   int64
	Kind        string
	OccurredAt  domain.Date
	Place       string
	OurPeople   string
	TheirPeople string
	Summary     string
	NextStep    string
	NextDue     domain.Date
	AuthorID    int64
	Version     int64 `gorm:"default:1"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   *time.Time
}

func (activityRow) TableName() string { return "activities" }

type historyRow struct {
	ID        int64
	ZoneID    int64
	ProjectID int64
	At        time.Time
	ActorID   int64
	Actor     string
	Action    string
	Object    string
	Field     string
	FromValue string
	ToValue   string
}

func (historyRow) TableName() string { return "project_history" }

type riskRow struct {
	ID          int64
	ZoneID      int64
	ProjectID   int64
	Level       string
	Summary     string
	Finance     string
	Land        string
	Energy      string
	Environment string
	TaxPerMu    string
	Employment  string
	AuthorID    int64
	CreatedAt   time.Time
}

func (riskRow) TableName() string { return "risk_assessments" }

type decisionRow struct {
	ID        int64
	ZoneID    int64
	ProjectID int64
	Outcome   string
	Notes     string
	DeciderID int64
	CreatedAt time.Time
}

func (decisionRow) TableName() string { return "decisions" }

type targetRow struct {
	ID     int64
	ZoneID int64
	Year   int
	Metric string
	Value  int64
	Label  string
	Notes  string
}

func (targetRow) TableName() string { return "targets" }

type auditRow struct {
	ID     int64
	ZoneID int64
	At     time.Time
	Actor  string
	Action string
	Object string
	Detail string
	IP     string
}

func (auditRow) TableName() string { return "audit_log" }

type settingRow struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

func (settingRow) TableName() string { return "settings" }
