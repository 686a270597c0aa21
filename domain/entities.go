package domain

import "time"

// Zone is the tenant: one development zone. Every business row carries its ZoneID.
type Zone struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
}

// UserRef is how other objects show a user.
type UserRef struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// User is a person who logs in. Roles say what they may do; ChainIDs (for chain chiefs)
// and authorship (for agents) say which rows they see.
type User struct {
	ID           int64    `json:"id"`
	ZoneID       int64    `json:"-"`
	Username     string   `json:"username"`
	DisplayName  string   `json:"display_name"`
	Email        string   `json:"email"`
	Phone        string   `json:"phone,omitempty"`
	Mobile       string   `json:"mobile"`           // for the group robots' @-mentions (issue 16)
	Agency       string   `json:"agency,omitempty"` // for agents: the entrusted agency's name
	Roles        []Role   `json:"roles"`
	Chains       []string `json:"chains"` // codes of the chains this user chiefs
	ChainIDs     []int64  `json:"-"`
	Disabled     bool     `json:"disabled"`
	DigestOptOut bool     `json:"digest_opt_out"`
	// Department is the code of the department a liaison (role department) belongs to.
	Department   *string `json:"department"`
	DepartmentID *int64  `json:"-"`
	// MustChangePassword: the password was generated (the first-run administrator's) and
	// must be changed before anything else (issue 12). Shown by /me and the log-in.
	MustChangePassword bool      `json:"-"`
	PasswordHash       string    `json:"-"`
	CreatedAt          time.Time `json:"created_at"`
}

// HasRole reports whether u holds r.
func (u *User) HasRole(r Role) bool {
	for _, v := range u.Roles {
		if v == r {
			return true
		}
	}
	return false
}

// Ref returns the short form of u.
func (u *User) Ref() *UserRef {
	return &UserRef{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
}

// Chain is an industry chain (产业链) with its chief (链长) and chain-master enterprises.
type Chain struct {
	ID           int64    `json:"id"`
	ZoneID       int64    `json:"-"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Chief        *UserRef `json:"chief"`
	NodeCount    int      `json:"node_count"`
	ProjectCount int      `json:"project_count"`
	Masters      []string `json:"chain_masters"` // names of chain-master enterprises (链主)
}

// ChainNode is a link (环节) of a chain; nodes nest through ParentID.
type ChainNode struct {
	ID          int64   `json:"id"`
	ZoneID      int64   `json:"-"`
	ChainID     int64   `json:"chain_id"`
	ParentID    *int64  `json:"parent_id"`
	Name        string  `json:"name"`
	Segment     Segment `json:"segment"`
	SortOrder   int     `json:"sort_order"`
	Description string  `json:"description,omitempty"`
}

// Enterprise is a company the zone deals with (客商). CreditCode, when known, is a valid
// unified social credit code and unique in the zone. Kind is how the zone relates to it
// (local, investor, …: the chain maps and scopes depend on it); Ownership what it is (央企,
// 民企, …). Version counts its edits (PATCH carries it).
type Enterprise struct {
	ID          int64          `json:"id"`
	ZoneID      int64          `json:"-"`
	Name        string         `json:"name"`
	CreditCode  string         `json:"credit_code"`
	Kind        EnterpriseKind `json:"kind"`
	Ownership   Ownership      `json:"ownership"`
	Region      string         `json:"region"`
	Industry    string         `json:"industry"`
	Address     string         `json:"address"`
	Website     string         `json:"website"`
	Tags        []string       `json:"tags"`
	Notes       string         `json:"notes"`
	NodeIDs     []int64        `json:"chain_node_ids"`
	ChainMaster []string       `json:"chain_master_of"` // chain codes it is 链主 of
	Sample      bool           `json:"sample"`
	Version     int64          `json:"version"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// Project is an investment prospect (招商项目) moving through the stages.
type Project struct {
	ID                int64       `json:"id"`
	ZoneID            int64       `json:"-"`
	Name              string      `json:"name"`
	InvestorID        int64       `json:"investor_id"`
	Investor          string      `json:"investor"`
	Channel           Channel     `json:"channel"`
	ChainID           *int64      `json:"-"`
	Chain             *string     `json:"chain"`
	NodeIDs           []int64     `json:"chain_node_ids"`
	AssetType         AssetType   `json:"asset_type"`
	PlannedInvestment Money       `json:"planned_investment_wan"`
	LandArea          Area        `json:"land_area_mu"`
	Stage             Stage       `json:"stage"`
	PrevStage         Stage       `json:"prev_stage,omitempty"` // the stage a dropped project left
	StageEnteredAt    time.Time   `json:"stage_entered_at"`
	LastProgressAt    time.Time   `json:"last_progress_at"`
	OwnerID           int64       `json:"-"`
	Owner             string      `json:"owner"`      // username
	OwnerName         string      `json:"owner_name"` // display name (e.g. 招商专员（一组）)
	CreatedByID       int64       `json:"-"`
	CreatedBy         string      `json:"created_by"`
	DockedAt          Date        `json:"docked_at"`
	SignedAt          Date        `json:"signed_at"`
	CampaignID        *int64      `json:"campaign_id"`
	ReferrerID        *int64      `json:"referrer_id"`
	Referrer          string      `json:"referrer"`
	Agency            string      `json:"agency"`
	Industry          string      `json:"industry"`
	Notes             string      `json:"notes"`
	DropReason        string      `json:"drop_reason,omitempty"`
	Milestones        Milestones  `json:"milestones"`
	Sample            bool        `json:"sample"`
	Version           int64       `json:"version"`
	CreatedAt         time.Time   `json:"created_at"`
	UpdatedAt         time.Time   `json:"updated_at"`
	DeletedAt         *time.Time  `json:"deleted_at,omitempty"`
	DaysInStage       int         `json:"days_in_stage"`
	Stale             StaleColour `json:"stale"`
	DecisionOutcome   string      `json:"decision_outcome,omitempty"`
	HasRiskAssessment bool        `json:"has_risk_assessment"`
	// RealisedInvestment is the capital that actually arrived (到资), beside the planned.
	RealisedInvestment Money `json:"realised_investment_wan"`
	// CleanupDue flags an open project without progress for the clean-up threshold (180 days).
	CleanupDue bool `json:"cleanup_due"`
}

// Milestones are the follow-up stage's planned and actual dates (摘牌, 开工, 投产).
type Milestones struct {
	LandListingPlanned  Date `json:"land_listing_planned"`
	LandListingActual   Date `json:"land_listing_actual"`
	ConstructionPlanned Date `json:"construction_planned"`
	ConstructionActual  Date `json:"construction_actual"`
	ProductionPlanned   Date `json:"production_planned"`
	ProductionActual    Date `json:"production_actual"`
}

// StaleColour grades an open project by days without progress.
type StaleColour string

const (
	StaleGreen  StaleColour = "green"
	StaleYellow StaleColour = "yellow"
	StaleRed    StaleColour = "red"
)

// Activity is one contact with an investor: a visit, a reception, a meeting, a call or a
// service visit.
type Activity struct {
	ID          int64        `json:"id"`
	ZoneID      int64        `json:"-"`
	ProjectID   int64        `json:"project_id"`
	Kind        ActivityKind `json:"kind"`
	OccurredAt  Date         `json:"occurred_at"`
	Place       string       `json:"place"`
	OurPeople   string       `json:"our_people"`
	TheirPeople string       `json:"their_people"`
	Summary     string       `json:"summary"`
	NextStep    string       `json:"next_step"`
	NextDue     Date         `json:"next_due"`
	ContactIDs  []int64      `json:"contact_ids"`
	Contacts    []ContactRef `json:"contacts"` // the contacts met, named
	AuthorID    int64        `json:"-"`
	Author      string       `json:"author"`
	Version     int64        `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Campaign is an outbound trip (外出招商) or a promotion conference (推介会).
type Campaign struct {
	ID           int64        `json:"id"`
	ZoneID       int64        `json:"-"`
	Kind         CampaignKind `json:"kind"`
	Title        string       `json:"title"`
	City         string       `json:"city"`
	StartDate    Date         `json:"start_date"`
	EndDate      Date         `json:"end_date"`
	Notes        string       `json:"notes"`
	ProjectCount int          `json:"project_count"`
	CreatedAt    time.Time    `json:"created_at"`
}

// Target is a yearly goal on a metric; progress is computed from the data.
type Target struct {
	ID       int64  `json:"id"`
	ZoneID   int64  `json:"-"`
	Year     int    `json:"year"`
	Metric   string `json:"metric"`
	Value    int64  `json:"target"`
	Label    string `json:"label"`
	Notes    string `json:"notes"`
	Progress int64  `json:"progress"`
}

// HistoryEntry is one line of a project's append-only history.
type HistoryEntry struct {
	ID        int64     `json:"id"`
	ProjectID int64     `json:"project_id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Object    string    `json:"object,omitempty"` // the project's own object changed, e.g. "activity/12"
	Field     string    `json:"field,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
}

// RiskAssessment is the document the risk stage needs (风险评估).
type RiskAssessment struct {
	ID          int64     `json:"id"`
	ProjectID   int64     `json:"project_id"`
	Level       string    `json:"level"`
	Summary     string    `json:"summary"`
	Finance     string    `json:"finance"`
	Land        string    `json:"land"`
	Energy      string    `json:"energy"`
	Environment string    `json:"environment"`
	TaxPerMu    string    `json:"tax_per_mu"`
	Employment  string    `json:"employment"`
	Author      string    `json:"author"`
	CreatedAt   time.Time `json:"created_at"`
}

// Decision is a landing decision (落地决策) by a chain chief or the director.
type Decision struct {
	ID        int64     `json:"id"`
	ProjectID int64     `json:"project_id"`
	Outcome   string    `json:"outcome"`
	Notes     string    `json:"notes"`
	Decider   string    `json:"decider"`
	CreatedAt time.Time `json:"created_at"`
}

// Reminder is an open to-do (待办) raised by the scheduler for one person.
type Reminder struct {
	ID          int64     `json:"id"`
	ZoneID      int64     `json:"-"`
	Rule        string    `json:"rule"`
	ProjectID   int64     `json:"project_id"`
	ProjectName string    `json:"project_name"`
	UserID      int64     `json:"-"`
	Message     string    `json:"message"`
	DueAt       Date      `json:"due_at"`
	Status      string    `json:"status"`
	SnoozeUntil Date      `json:"snooze_until"`
	CreatedAt   time.Time `json:"created_at"`
}
