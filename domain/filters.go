package domain

// MaxPageSize caps page_size on every list.
const MaxPageSize = 200

// Page is 1-based paging; zero values mean page 1 of 20.
type Page struct {
	Page     int
	PageSize int
}

// Normalize applies defaults and the cap.
func (p Page) Normalize() Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PageSize < 1 {
		p.PageSize = 20
	}
	if p.PageSize > MaxPageSize {
		p.PageSize = MaxPageSize
	}
	return p
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PageSize }

// ProjectFilter narrows a project list; nil fields do not filter.
type ProjectFilter struct {
	Channel        *Channel
	Stage          *Stage
	Chain          *string // chain code; "none" for projects without a chain
	Owner          *string // username
	Q              *string // name or investor contains
	DockedFrom     *Date
	DockedTo       *Date
	SignedFrom     *Date
	SignedTo       *Date
	AssetType      *AssetType
	CampaignID     *int64
	NodeID         *int64 // linked to this chain node
	Stale          *StaleColour
	CleanupDue     bool        // only open projects due for clean-up
	IncludeDeleted bool        // administrators only: list soft-deleted projects
	Sort           ProjectSort // the list's order; "" is the default, newest docking first
	Page
}

// ProjectSort is the order of a project list (GET /projects?sort=…): a column, ascending,
// or with a leading "-" descending. Ties are broken by id in the direction the stored
// column is read (days_in_stage ascending is stage_entered_at descending, id descending),
// so every order is total and pages never repeat or skip a row.
type ProjectSort string

// The project list's orders. days_in_stage ascending is the latest stage move first.
const (
	SortDockedAt              ProjectSort = "docked_at"
	SortDockedAtDesc          ProjectSort = "-docked_at" // the default
	SortPlannedInvestment     ProjectSort = "planned_investment"
	SortPlannedInvestmentDesc ProjectSort = "-planned_investment"
	SortDaysInStage           ProjectSort = "days_in_stage"
	SortDaysInStageDesc       ProjectSort = "-days_in_stage"
	SortName                  ProjectSort = "name"
	SortNameDesc              ProjectSort = "-name"
)

// ProjectSorts lists every valid sort value.
var ProjectSorts = []ProjectSort{SortDockedAt, SortDockedAtDesc, SortPlannedInvestment, SortPlannedInvestmentDesc,
	SortDaysInStage, SortDaysInStageDesc, SortName, SortNameDesc}

// Valid reports whether s is one of ProjectSorts or empty (the default).
func (s ProjectSort) Valid() bool {
	if s == "" {
		return true
	}
	for _, v := range ProjectSorts {
		if s == v {
			return true
		}
	}
	return false
}

// Default reports whether s is the list's default order (newest docking first).
func (s ProjectSort) Default() bool { return s == "" || s == SortDockedAtDesc }

// Column is the projects column s orders by, and whether that column is read descending.
// days_in_stage grows as stage_entered_at falls, so its direction is the column's reversed.
func (s ProjectSort) Column() (col string, desc bool) {
	desc = len(s) > 0 && s[0] == '-'
	name := string(s)
	if desc {
		name = name[1:]
	}
	switch ProjectSort(name) {
	case SortPlannedInvestment:
		return "planned_investment", desc
	case SortDaysInStage:
		return "stage_entered_at", !desc
	case SortName:
		return "name", desc
	case SortDockedAt:
		return "docked_at", desc
	}
	return "docked_at", true
}

// EnterpriseFilter narrows an enterprise list.
type EnterpriseFilter struct {
	Q      *string
	Kind   *EnterpriseKind
	NodeID *int64
	Page
}
