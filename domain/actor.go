package domain

import (
	"context"
	"time"
)

// Actor is the logged-in user a request acts for. It travels in the context from the API's
// auth middleware to the repositories, which build every row scope from it.
type Actor struct {
	User *User
	Zone *Zone
	IP   string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or nil for none (a job or a command-line tool acting
// as the system).
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// Scope is the set of projects an actor may see. It is built from roles and chain
// assignments and fails closed: the zero Scope sees nothing.
type Scope struct {
	ZoneID      int64
	All         bool    // the whole zone
	ChainIDs    []int64 // projects of these chains (chain chiefs)
	SubmitterID int64   // projects this user submitted (agents); 0 for none
}

// Empty reports whether the scope admits no project at all.
func (s Scope) Empty() bool {
	return s.ZoneID == 0 || (!s.All && len(s.ChainIDs) == 0 && s.SubmitterID == 0)
}

// ScopeOf returns what a sees: zone-wide roles see the zone, chain chiefs their chains,
// agents what they submitted; a user holding several roles sees the union.
func ScopeOf(a *Actor) Scope {
	if a == nil || a.User == nil || a.User.Disabled {
		return Scope{}
	}
	s := Scope{ZoneID: a.User.ZoneID}
	for _, r := range a.User.Roles {
		switch r {
		case RoleAdmin, RoleDirector, RoleRecruiter, RoleViewer:
			s.All = true
		case RoleChainChief:
			s.ChainIDs = append(s.ChainIDs, a.User.ChainIDs...)
		case RoleAgent:
			s.SubmitterID = a.User.ID
		}
	}
	return s
}

// Clock tells the time; jobs and tests replace it.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }
