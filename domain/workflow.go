package domain

import (
	"context"
	"strings"
	"time"
)

// The pipeline's work beyond the project record itself (seed 三(四)1): the documents each
// stage produces (risk assessment revisions, decisions, 批示), the follow-up milestones and
// the capital that actually arrives (到资), supervision (督办) by leaders, and the views
// leaders work from (the board and the review queue). Every write here leaves a line in the
// project's history in the same transaction.

// Comment is a chain chief's or the director's instruction on a project (批示).
type Comment struct {
	ID        int64     `json:"id"`
	ProjectID int64     `json:"project_id"`
	Body      string    `json:"body"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// ActivityUpdate edits an activity; nil fields stay as they are. Version must equal the
// activity's version, or nothing is written (ECONFLICT).
type ActivityUpdate struct {
	Version     int64         `json:"version"`
	Kind        *ActivityKind `json:"kind"`
	OccurredAt  *Date         `json:"occurred_at"`
	Place       *string       `json:"place"`
	OurPeople   *string       `json:"our_people"`
	TheirPeople *string       `json:"their_people"`
	Summary     *string       `json:"summary"`
	NextStep    *string       `json:"next_step"`
	NextDue     *Date         `json:"next_due"` // null clears it
	ContactIDs  *[]int64      `json:"contact_ids"`
}

// Apply returns a copy of in with the update's fields, validated as a new activity would be.
func (u ActivityUpdate) Apply(in ActivityInput) (ActivityInput, error) {
	fe := FieldErrors{}
	if u.Version < 1 {
		fe.Add("version", "请带上当前版本号 version (required)")
	}
	if u.Kind != nil {
		in.Kind = *u.Kind
	}
	if u.OccurredAt != nil {
		in.OccurredAt = *u.OccurredAt
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&in.Place, u.Place)
	set(&in.OurPeople, u.OurPeople)
	set(&in.TheirPeople, u.TheirPeople)
	set(&in.Summary, u.Summary)
	set(&in.NextStep, u.NextStep)
	if u.NextDue != nil {
		in.NextDue = *u.NextDue
	}
	if u.ContactIDs != nil {
		in.ContactIDs = *u.ContactIDs
	}
	for k, v := range ErrorFields(in.Validate()) {
		fe.Add(k, v)
	}
	return in, fe.Err()
}

// MilestonesInput replaces a follow-up project's milestone dates (PUT): a date left out is
// cleared. Version must equal the project's version.
type MilestonesInput struct {
	Version int64 `json:"version"`
	Milestones
}

// Validate checks the dates against the zone's today: what has actually happened cannot lie
// in the future, and construction cannot start before the land is listed nor production
// before construction.
func (m Milestones) Validate(today Date) error {
	fe := FieldErrors{}
	actual := []struct {
		field string
		d     Date
	}{{"land_listing_actual", m.LandListingActual}, {"construction_actual", m.ConstructionActual}, {"production_actual", m.ProductionActual}}
	for _, a := range actual {
		if a.d.After(today) {
			fe.Add(a.field, "实际日期不能晚于今天 (an actual date cannot be in the future)")
		}
	}
	order := func(field string, later, earlier Date, why string) {
		if !later.IsZero() && !earlier.IsZero() && later.Before(earlier) {
			fe.Add(field, why)
		}
	}
	order("construction_actual", m.ConstructionActual, m.LandListingActual, "开工不能早于摘牌 (construction before land listing)")
	order("production_actual", m.ProductionActual, m.ConstructionActual, "投产不能早于开工 (production before construction)")
	order("construction_planned", m.ConstructionPlanned, m.LandListingPlanned, "计划开工不能早于计划摘牌 (construction before land listing)")
	order("production_planned", m.ProductionPlanned, m.ConstructionPlanned, "计划投产不能早于计划开工 (production before construction)")
	CheckLimits(fe, m)
	return fe.Err()
}

// DatedField is one named date, by its JSON field name.
type DatedField struct {
	Field string
	Date  Date
}

// List gives the milestones by JSON field name in the order of the work.
func (m Milestones) List() []DatedField {
	return []DatedField{
		{"land_listing_planned", m.LandListingPlanned}, {"land_listing_actual", m.LandListingActual},
		{"construction_planned", m.ConstructionPlanned}, {"construction_actual", m.ConstructionActual},
		{"production_planned", m.ProductionPlanned}, {"production_actual", m.ProductionActual},
	}
}

// Investment is capital that actually arrived on a signed project (到资), beside the
// planned amount announced at signing.
type Investment struct {
	ID        int64     `json:"id"`
	ProjectID int64     `json:"project_id"`
	Date      Date      `json:"date"`
	Amount    Money     `json:"amount_wan"`
	Notes     string    `json:"notes"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// InvestmentInput records one arrival of capital.
type InvestmentInput struct {
	Date   Date   `json:"date"`
	Amount Money  `json:"amount_wan"`
	Notes  string `json:"notes"`
}

// Validate checks the arrival against the zone's today.
func (in *InvestmentInput) Validate(today Date) error {
	fe := FieldErrors{}
	if in.Date.IsZero() {
		fe.Add("date", "请填写到资日期 (required)")
	} else if in.Date.After(today) {
		fe.Add("date", "到资日期不能晚于今天 (cannot be in the future)")
	}
	if in.Amount <= 0 {
		fe.Add("amount_wan", "到资金额应大于 0 (must be > 0)")
	}
	in.Notes = strings.TrimSpace(in.Notes)
	checkText(fe, "notes", in.Notes, MaxTextLen, false)
	CheckLimits(fe, in)
	return fe.Err()
}

// ProjectInvestments is a project's arrivals with the announced and realised totals.
type ProjectInvestments struct {
	Items     []*Investment `json:"items"`
	Planned   Money         `json:"planned_investment_wan"`
	Realised  Money         `json:"realised_investment_wan"`
	SignedAt  Date          `json:"signed_at"`
	ProjectID int64         `json:"project_id"`
}

// InvestmentTotals compares announced (planned at signing) with realised capital.
type InvestmentTotals struct {
	Projects int   `json:"projects"`
	Planned  Money `json:"planned_investment_wan"`
	Realised Money `json:"realised_investment_wan"`
}

// InvestmentSummary is announced vs realised over the caller's visible signed projects.
// With a year: Signed covers the projects signed that year (realised to date on them), and
// RealisedInYear the capital that arrived that year on any visible project.
type InvestmentSummary struct {
	Year           int                          `json:"year,omitempty"`
	Signed         InvestmentTotals             `json:"signed"`
	RealisedInYear *Money                       `json:"realised_in_year_wan,omitempty"`
	ByChain        map[string]*InvestmentTotals `json:"by_chain"` // chain code, "none" for no chain
	ByChannel      map[string]*InvestmentTotals `json:"by_channel"`
}

// BoardColumn is one stage of the pipeline board: the full count and the projects that
// moved into it most recently.
type BoardColumn struct {
	Stage Stage      `json:"stage"`
	Label string     `json:"label"`
	Count int        `json:"count"`
	Items []*Project `json:"items"`
}

// Board is the pipeline by stage: the five stages in order, then dropped.
type Board struct {
	Columns []*BoardColumn `json:"columns"`
}

// DefaultBoardItems caps each board column; MaxBoardItems is the most a caller may ask.
const (
	DefaultBoardItems = 50
	MaxBoardItems     = 200
)

// ReviewItem is a decision waiting for the caller: a project in the decision stage without
// an outcome, with the days it has waited and its latest risk level.
type ReviewItem struct {
	*Project
	DaysWaiting int    `json:"days_waiting"`
	RiskLevel   string `json:"risk_level"`
}

// CampaignDetail is a campaign with the visible projects docked at it.
type CampaignDetail struct {
	*Campaign
	Projects []*Project `json:"projects"`
}

// SupervisionStatus is where a supervision (督办) stands. Open, answered and closed are
// stored; overdue is an open one past its due date, computed from the clock.
type SupervisionStatus string

const (
	SupervisionOpen     SupervisionStatus = "open"
	SupervisionAnswered SupervisionStatus = "answered"
	SupervisionOverdue  SupervisionStatus = "overdue"
	SupervisionClosed   SupervisionStatus = "closed"
)

func (s SupervisionStatus) Valid() bool {
	switch s {
	case SupervisionOpen, SupervisionAnswered, SupervisionOverdue, SupervisionClosed:
		return true
	}
	return false
}

// SupervisionStatusOf is the status shown for a stored status and due date on the zone's
// today: an open supervision is overdue from the day after its due date.
func SupervisionStatusOf(stored SupervisionStatus, due, today Date) SupervisionStatus {
	if stored == SupervisionOpen && !due.IsZero() && due.Before(today) {
		return SupervisionOverdue
	}
	return stored
}

// Supervision is an instruction a leader issues on a project to its owner, with a deadline.
type Supervision struct {
	ID          int64             `json:"id"`
	ZoneID      int64             `json:"-"`
	ProjectID   int64             `json:"project_id"`
	ProjectName string            `json:"project_name"`
	Instruction string            `json:"instruction"`
	Due         Date              `json:"due"`
	Status      SupervisionStatus `json:"status"`
	IssuerID    int64             `json:"-"`
	Issuer      string            `json:"issuer"`      // username
	IssuerName  string            `json:"issuer_name"` // display name (e.g. 开发区主任)
	OwnerID     int64             `json:"-"`
	Owner       string            `json:"owner"`
	OwnerName   string            `json:"owner_name"`
	OwnerEmail  string            `json:"-"`
	Answer      string            `json:"answer"`
	AnsweredAt  *time.Time        `json:"answered_at"`
	ClosedAt    *time.Time        `json:"closed_at"`
	CreatedAt   time.Time         `json:"created_at"`
}

// SupervisionInput issues a supervision.
type SupervisionInput struct {
	Instruction string `json:"instruction"`
	Due         Date   `json:"due"`
}

// Validate checks the instruction; the deadline may not lie in the past.
func (in *SupervisionInput) Validate(today Date) error {
	fe := FieldErrors{}
	in.Instruction = strings.TrimSpace(in.Instruction)
	checkText(fe, "instruction", in.Instruction, MaxTextLen, true)
	if in.Due.IsZero() {
		fe.Add("due", "请填写办理期限 (required)")
	} else if in.Due.Before(today) {
		fe.Add("due", "办理期限不能早于今天 (cannot be in the past)")
	}
	CheckLimits(fe, in)
	return fe.Err()
}

// SupervisionFilter narrows a supervision list; nil fields do not filter.
type SupervisionFilter struct {
	Status    *SupervisionStatus
	ProjectID *int64
}

// WorkflowService reads a project's documents and writes the ones that are not stage moves.
// Every call sees only the caller's scope; objects outside it are ENOTFOUND.
type WorkflowService interface {
	// RiskAssessments lists every revision, newest first.
	RiskAssessments(ctx context.Context, projectID int64) ([]*RiskAssessment, error)
	// Decisions lists every decision, newest first.
	Decisions(ctx context.Context, projectID int64) ([]*Decision, error)
	// Comments lists the 批示 on a project, newest first.
	Comments(ctx context.Context, projectID int64) ([]*Comment, error)
	// AddComment: chain chiefs of the project's chain and the director (CanComment).
	AddComment(ctx context.Context, projectID int64, body string) (*Comment, error)
	// SetMilestones replaces a follow-up project's milestone dates; whoever may edit the
	// project; ERULE outside follow_up, ECONFLICT on a stale version.
	SetMilestones(ctx context.Context, projectID int64, in MilestonesInput) (*Project, error)
	// Board groups the visible projects matching f by stage (f.Stage and paging ignored),
	// at most perColumn items per column, most recent move first.
	Board(ctx context.Context, f ProjectFilter, perColumn int) (*Board, error)
	// ReviewQueue lists the decisions waiting for the caller, oldest first: projects in
	// decision without an outcome, of the chains they chief; all of them for the director
	// (who alone decides projects without a chain). It returns one page and the total.
	ReviewQueue(ctx context.Context, page Page) ([]*ReviewItem, int, error)
	// FindCampaign returns a campaign of the caller's zone with its visible projects.
	FindCampaign(ctx context.Context, id int64) (*CampaignDetail, error)
}

// InvestmentService records capital that arrived (到资) and totals it.
type InvestmentService interface {
	// ProjectInvestments lists a visible project's arrivals, newest first.
	ProjectInvestments(ctx context.Context, projectID int64) (*ProjectInvestments, error)
	// RecordInvestment: whoever may edit the project; only on signed projects (ERULE).
	RecordInvestment(ctx context.Context, projectID int64, in InvestmentInput) (*Investment, error)
	// InvestmentSummary totals announced vs realised over the visible signed projects;
	// year 0 for all years.
	InvestmentSummary(ctx context.Context, year int) (*InvestmentSummary, error)
}

// SupervisionService carries supervision (督办) from instruction to closing.
type SupervisionService interface {
	// IssueSupervision: the director, or a chief of the project's chain (CanSupervise); the
	// project's owner must answer by in.Due.
	IssueSupervision(ctx context.Context, projectID int64, in SupervisionInput) (*Supervision, error)
	// AnswerSupervision: the supervision's owner only, while it is not closed.
	AnswerSupervision(ctx context.Context, id int64, answer string) (*Supervision, error)
	// CloseSupervision: the issuer only.
	CloseSupervision(ctx context.Context, id int64) (*Supervision, error)
	// FindSupervisions lists what the caller owns or issued (administrators and the
	// director: the whole zone), newest first; ProjectID lists one visible project's all.
	FindSupervisions(ctx context.Context, f SupervisionFilter) ([]*Supervision, error)
}

// OpenSupervisionLister is what the reminder job reads: every zone's supervisions still
// waiting for their owner's answer (open or overdue), with owner and due date. It runs as
// the system, without an actor.
type OpenSupervisionLister interface {
	OpenSupervisions(ctx context.Context) ([]*Supervision, error)
}

// CanSupervise: whoever may decide on the project — the director, or a chief of its chain.
func CanSupervise(a *Actor, p *Project) bool { return CanDecide(a, p) }

// CanEditActivity: only the activity's author edits or deletes it.
func CanEditActivity(a *Actor, act *Activity) bool {
	return a != nil && a.User != nil && act.AuthorID == a.User.ID
}
