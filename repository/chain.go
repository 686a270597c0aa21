package repository

import (
	"context"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ChainService implements domain.ChainService.
type ChainService struct{ db *DB }

// NewChainService returns the chain service on db.
func NewChainService(db *DB) *ChainService { return &ChainService{db: db} }

var _ domain.ChainService = (*ChainService)(nil)

// FindChains lists the zone's chains with chief, node and project counts. Every logged-in
// user sees the list; the project counts follow the caller's scope.
func (s *ChainService) FindChains(ctx context.Context) ([]*domain.Chain, error) {
	return s.find(ctx, "")
}

// FindChainByCode returns one chain or ENOTFOUND.
func (s *ChainService) FindChainByCode(ctx context.Context, code string) (*domain.Chain, error) {
	cs, err := s.find(ctx, code)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, domain.NotFound("产业链")
	}
	return cs[0], nil
}

func (s *ChainService) find(ctx context.Context, code string) ([]*domain.Chain, error) {
	zoneID := zoneOf(ctx)
	q := s.db.conn(ctx).Where("zone_id = ?", zoneID)
	if code != "" {
		q = q.Where("code = ?", code)
	}
	var rows []chainRow
	if err := q.Order("sort_order, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return []*domain.Chain{}, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	type count struct {
		ChainID int64
		N       int
	}
	// The counts, through the cache of list totals (listcache.go: kept for the change stamp,
	// which any write to nodes or projects moves): every map request looks its chain up, and
	// counting a 3 000-project chain on each was most of what a cached map cost (issue 13).
	ctx = s.db.withStamp(ctx)
	nodeCounts, err := cachedScan[count](ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&chainNodeRow{}).Select("chain_id, COUNT(*) AS n").Where("chain_id IN ?", ids).Group("chain_id")
	})
	if err != nil {
		return nil, err
	}
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	projectCounts, err := cachedScan[count](ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return tx.Table("projects AS p").Select("p.chain_id AS chain_id, COUNT(*) AS n").
			Scopes(projectScope(scope)).Where("p.deleted_at IS NULL AND p.chain_id IN ?", ids).Group("p.chain_id")
	})
	if err != nil {
		return nil, err
	}
	type chief struct {
		ChainID     int64
		ID          int64
		Username    string
		DisplayName string
	}
	var chiefs []chief
	if err := s.db.conn(ctx).Table("chain_chiefs AS cc").Select("cc.chain_id, u.id, u.username, u.display_name").
		Joins("JOIN users u ON u.id = cc.user_id").Where("cc.chain_id IN ? AND u.disabled = ?", ids, false).
		Order("u.id").Scan(&chiefs).Error; err != nil {
		return nil, err
	}
	type master struct {
		ChainID int64
		Name    string
	}
	var masters []master
	if err := s.db.conn(ctx).Table("chain_masters AS m").Select("m.chain_id, e.name").
		Joins("JOIN enterprises e ON e.id = m.enterprise_id").Where("m.chain_id IN ?", ids).
		Order("e.id").Scan(&masters).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Chain, len(rows))
	byID := map[int64]*domain.Chain{}
	for i, r := range rows {
		out[i] = &domain.Chain{ID: r.ID, ZoneID: r.ZoneID, Code: r.Code, Name: r.Name, Description: r.Description, Masters: []string{}}
		byID[r.ID] = out[i]
	}
	for _, c := range nodeCounts {
		byID[c.ChainID].NodeCount = c.N
	}
	for _, c := range projectCounts {
		byID[c.ChainID].ProjectCount = c.N
	}
	for _, c := range chiefs {
		if ch := byID[c.ChainID]; ch.Chief == nil {
			ch.Chief = &domain.UserRef{ID: c.ID, Username: c.Username, DisplayName: c.DisplayName}
		}
	}
	for _, m := range masters {
		byID[m.ChainID].Masters = append(byID[m.ChainID].Masters, m.Name)
	}
	return out, nil
}

// FindNodes lists a chain's nodes in segment and sort order.
func (s *ChainService) FindNodes(ctx context.Context, chainID int64) ([]*domain.ChainNode, error) {
	var rows []chainNodeRow
	err := s.db.conn(ctx).Where("zone_id = ? AND chain_id = ?", zoneOf(ctx), chainID).
		Order("sort_order, id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.ChainNode, len(rows))
	for i, r := range rows {
		out[i] = &domain.ChainNode{ID: r.ID, ZoneID: r.ZoneID, ChainID: r.ChainID, ParentID: r.ParentID, Name: r.Name,
			Segment: domain.Segment(r.Segment), SortOrder: r.SortOrder, Description: r.Description}
	}
	return out, nil
}
