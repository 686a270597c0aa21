package repository

import (
	"context"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// projectScope limits a query on "projects AS p" to what s admits. It fails closed: an
// empty scope (no actor, no role, a chain chief without chains) matches no row.
func projectScope(s domain.Scope) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if s.Empty() {
			return q.Where("1 = 0")
		}
		q = q.Where("p.zone_id = ?", s.ZoneID)
		if s.All {
			return q
		}
		switch {
		case len(s.ChainIDs) > 0 && s.SubmitterID != 0:
			return q.Where("(p.chain_id IN ? OR p.created_by_id = ?)", s.ChainIDs, s.SubmitterID)
		case len(s.ChainIDs) > 0:
			return q.Where("p.chain_id IN ?", s.ChainIDs)
		default:
			return q.Where("p.created_by_id = ?", s.SubmitterID)
		}
	}
}

// zoneOf is the zone the caller acts in; without an actor nothing is visible.
func zoneOf(ctx context.Context) int64 {
	if a := domain.ActorFrom(ctx); a != nil && a.User != nil {
		return a.User.ZoneID
	}
	return 0
}

// actorOf returns the actor or an EUNAUTH error.
func actorOf(ctx context.Context) (*domain.Actor, error) {
	a := domain.ActorFrom(ctx)
	if a == nil || a.User == nil {
		return nil, domain.Errorf(domain.EUNAUTH, "请先登录 (not logged in)")
	}
	return a, nil
}

func forbidden(what string) error {
	return domain.Errorf(domain.EFORBIDDEN, "无权%s (forbidden)", what)
}
