package domain

import "context"

// The services below are implemented by repository/ (on GORM). Each reads the Actor from
// the context, applies its Scope and the rules of policy.go, and does its work in one
// transaction: a call that fails writes nothing. Objects outside the caller's scope are
// ENOTFOUND, never EFORBIDDEN, so that their existence does not leak.

// ProjectService manages projects and their stage moves.
type ProjectService interface {
	// FindProjects lists the caller's visible projects with the total before paging.
	FindProjects(ctx context.Context, f ProjectFilter) ([]*Project, int, error)
	FindProjectByID(ctx context.Context, id int64) (*Project, error)
	// CreateProject starts a project in lead with version 1. Agents' leads are forced to
	// channel entrusted with the agent's agency; only admins and the director may name
	// another owner.
	CreateProject(ctx context.Context, in ProjectInput) (*Project, error)
	// UpdateProject fails with ECONFLICT when upd.Version is stale.
	UpdateProject(ctx context.Context, id int64, upd ProjectUpdate) (*Project, error)
	DeleteProject(ctx context.Context, id int64) error
	// RestoreProject undoes a soft delete; administrators only.
	RestoreProject(ctx context.Context, id int64) error
	TransitionProject(ctx context.Context, id int64, t Transition) (*Project, error)
	SubmitRiskAssessment(ctx context.Context, id int64, ra RiskAssessment) (*RiskAssessment, error)
	Decide(ctx context.Context, id int64, outcome, notes string) (*Decision, error)
	History(ctx context.Context, id int64) ([]*HistoryEntry, error)
}

// ActivityService logs contacts with investors.
type ActivityService interface {
	FindActivities(ctx context.Context, projectID int64) ([]*Activity, error)
	CreateActivity(ctx context.Context, projectID int64, in ActivityInput) (*Activity, error)
	// UpdateActivity and DeleteActivity: the author only; both are kept in the history.
	UpdateActivity(ctx context.Context, projectID, id int64, upd ActivityUpdate) (*Activity, error)
	DeleteActivity(ctx context.Context, projectID, id int64) error
}

// ChainService reads chains and their nodes.
type ChainService interface {
	FindChains(ctx context.Context) ([]*Chain, error)
	FindChainByCode(ctx context.Context, code string) (*Chain, error)
	FindNodes(ctx context.Context, chainID int64) ([]*ChainNode, error)
}

// CampaignService manages trips and conferences.
type CampaignService interface {
	FindCampaigns(ctx context.Context, year int) ([]*Campaign, error)
	CreateCampaign(ctx context.Context, c *Campaign) error
}

// UserService finds users and manages log-in sessions.
type UserService interface {
	FindUserByUsername(ctx context.Context, zoneID int64, username string) (*User, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindZoneByID(ctx context.Context, id int64) (*Zone, error)
	FindZoneByCode(ctx context.Context, code string) (*Zone, error)
	// CreateSession stores a session for userID and returns its token; only the token's
	// hash is stored.
	CreateSession(ctx context.Context, userID int64) (string, error)
	// SessionActor resolves a token to its user and zone, refreshing the session's idle
	// expiry; expired, revoked or disabled → EUNAUTH. Every authenticated request starts
	// with it, so it takes as few queries as it can.
	SessionActor(ctx context.Context, token string) (*User, *Zone, error)
	RevokeSession(ctx context.Context, token string) error
}

// ProjectStreamer walks every visible project matching a filter (paging ignored) in
// batches, for exports, maps and figures that must not hold a page limit.
type ProjectStreamer interface {
	EachProject(ctx context.Context, f ProjectFilter, fn func(*Project) error) error
}
