package repository

import (
	"context"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// chainEditScope is what the chain editor lets a caller reach (issue 12, finding 4): on top
// of enterpriseScope, a caller who does not see the whole zone (a chain chief) reaches an
// enterprise only when it belongs to one of their chains — linked to one of its nodes, its
// master, the investor or referrer of one of its projects — or to no other chain at all (a
// new entry of the 客商库). An enterprise that belongs only to other chains is 404 to them,
// so that a chief cannot pull another chain's master into their chain and, through it,
// read or delete that chain's referrals.
func (db *DB) chainEditScope(ctx context.Context) func(*gorm.DB) *gorm.DB {
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	base := db.enterpriseScope(ctx)
	return func(q *gorm.DB) *gorm.DB {
		q = base(q)
		if scope.All || scope.ZoneID == 0 {
			return q
		}
		mine := scope.ChainIDs
		if len(mine) == 0 {
			mine = []int64{0} // no chain: only what belongs to none
		}
		c := db.conn(ctx)
		nodeLinks := func(in bool) *gorm.DB {
			op := "n.chain_id NOT IN ?"
			if in {
				op = "n.chain_id IN ?"
			}
			return c.Table("enterprise_nodes AS en").Select("en.enterprise_id").Joins("JOIN chain_nodes n ON n.id = en.node_id").Where(op, mine)
		}
		masters := func(in bool) *gorm.DB {
			op := "chain_id NOT IN ?"
			if in {
				op = "chain_id IN ?"
			}
			return c.Table("chain_masters").Select("enterprise_id").Where(op, mine)
		}
		projects := func(col string, in bool) *gorm.DB {
			op := "chain_id IS NOT NULL AND chain_id NOT IN ?"
			if in {
				op = "chain_id IN ?"
			}
			return c.Table("projects").Select(col).Where("zone_id = ? AND deleted_at IS NULL AND "+col+" IS NOT NULL", scope.ZoneID).Where(op, mine)
		}
		return q.Where(
			"(enterprises.id IN (?) OR enterprises.id IN (?) OR enterprises.id IN (?) OR enterprises.id IN (?)) OR "+
				"(enterprises.id NOT IN (?) AND enterprises.id NOT IN (?) AND enterprises.id NOT IN (?) AND enterprises.id NOT IN (?))",
			nodeLinks(true), masters(true), projects("investor_id", true), projects("referrer_id", true),
			nodeLinks(false), masters(false), projects("investor_id", false), projects("referrer_id", false))
	}
}
