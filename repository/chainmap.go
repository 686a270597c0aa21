package repository

import (
	"context"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// MapService loads what a chain's recruitment map is built from.
type MapService struct {
	db          *DB
	chains      *ChainService
	projects    *ProjectService
	enterprises *EnterpriseService
}

// NewMapService returns the map loader on db.
func NewMapService(db *DB) *MapService {
	return &MapService{db: db, chains: NewChainService(db), projects: NewProjectService(db), enterprises: NewEnterpriseService(db)}
}

// MapInput loads the chain's nodes, the enterprises linked to them (plus its chain masters
// and their referral partners), and the caller's visible projects of the chain.
func (s *MapService) MapInput(ctx context.Context, chain *domain.Chain) (chainmap.Input, error) {
	in := chainmap.Input{Chain: chain, Today: s.db.today(), Referrals: map[int64][]int64{}}
	nodes, err := s.chains.FindNodes(ctx, chain.ID)
	if err != nil {
		return in, err
	}
	in.Nodes = nodes
	q := s.db.conn(ctx)
	var masterIDs []int64
	if err := q.Model(&chainMasterRow{}).Where("chain_id = ?", chain.ID).Pluck("enterprise_id", &masterIDs).Error; err != nil {
		return in, err
	}
	var rels []enterpriseRelationRow
	if len(masterIDs) > 0 {
		if err := q.Where("from_id IN ?", masterIDs).Find(&rels).Error; err != nil {
			return in, err
		}
	}
	var entIDs []int64
	if err := q.Model(&enterpriseNodeRow{}).Distinct("enterprise_id").
		Where("node_id IN (SELECT id FROM chain_nodes WHERE chain_id = ?)", chain.ID).Pluck("enterprise_id", &entIDs).Error; err != nil {
		return in, err
	}
	entIDs = append(entIDs, masterIDs...)
	for _, r := range rels {
		in.Referrals[r.FromID] = append(in.Referrals[r.FromID], r.ToID)
		entIDs = append(entIDs, r.ToID)
	}
	entIDs = dedupe(entIDs)
	for start := 0; start < len(entIDs); start += 1000 {
		var rows []enterpriseRow
		end := min(start+1000, len(entIDs))
		if err := q.Where("zone_id = ? AND id IN ?", chain.ZoneID, entIDs[start:end]).Order("id").Find(&rows).Error; err != nil {
			return in, err
		}
		ents, err := s.enterprises.toDomain(ctx, rows)
		if err != nil {
			return in, err
		}
		in.Enterprises = append(in.Enterprises, ents...)
	}
	code := chain.Code
	err = s.projects.EachProject(ctx, domain.ProjectFilter{Chain: &code}, func(p *domain.Project) error {
		in.Projects = append(in.Projects, p)
		return nil
	})
	return in, err
}
