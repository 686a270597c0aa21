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
	CleanupDue     bool // only open projects due for clean-up
	IncludeDeleted bool // administrators only: list soft-deleted projects
	Page
}

// EnterpriseFilter narrows an enterprise list.
type EnterpriseFilter struct {
	Q      *string
	Kind   *EnterpriseKind
	NodeID *int64
	Page
}
