package repository

import (
	"context"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// enterpriseScope limits a query on enterprises to what the caller may see: the zone's
// enterprises, except that a caller who does not see the whole zone (a chain chief) sees an
// investor only when it invests in a project of their scope — who invests in another
// chain's project is that chain's business. Without an actor nothing is visible.
func (db *DB) enterpriseScope(ctx context.Context) func(*gorm.DB) *gorm.DB {
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	return func(q *gorm.DB) *gorm.DB {
		if scope.ZoneID == 0 {
			return q.Where("1 = 0")
		}
		q = q.Where("enterprises.zone_id = ? AND enterprises.merged_into_id IS NULL", scope.ZoneID)
		if scope.All {
			return q
		}
		visible := db.conn(ctx).Table("projects AS p").Select("p.investor_id").
			Scopes(projectScope(scope)).Where("p.deleted_at IS NULL")
		return q.Where("(enterprises.kind <> ? OR enterprises.id IN (?))", string(domain.EnterpriseInvestor), visible)
	}
}
