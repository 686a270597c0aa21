package repository

import (
	"context"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// EnterpriseService implements domain.EnterpriseService. Enterprises are zone data every
// logged-in user may read; investor details of projects stay behind the project scope.
type EnterpriseService struct{ db *DB }

// NewEnterpriseService returns the enterprise service on db.
func NewEnterpriseService(db *DB) *EnterpriseService { return &EnterpriseService{db: db} }

var _ domain.EnterpriseService = (*EnterpriseService)(nil)

// FindEnterprises lists the zone's enterprises by name.
func (s *EnterpriseService) FindEnterprises(ctx context.Context, f domain.EnterpriseFilter) ([]*domain.Enterprise, int, error) {
	zoneID := zoneOf(ctx)
	f.Page = f.Page.Normalize()
	q := s.db.conn(ctx).Model(&enterpriseRow{}).Where("zone_id = ?", zoneID).Scopes(s.db.enterpriseScope(ctx))
	if zoneID == 0 {
		q = q.Where("1 = 0")
	}
	if f.Q != nil && strings.TrimSpace(*f.Q) != "" {
		like := "%" + escapeLike(strings.TrimSpace(*f.Q)) + "%"
		q = q.Where("(name LIKE ? ESCAPE '!' OR credit_code LIKE ? ESCAPE '!')", like, like)
	}
	if f.Kind != nil {
		q = q.Where("kind = ?", string(*f.Kind))
	}
	if f.NodeID != nil {
		q = q.Where("id IN (SELECT enterprise_id FROM enterprise_nodes WHERE node_id = ?)", *f.NodeID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []enterpriseRow
	if err := q.Order("id").Limit(f.PageSize).Offset(f.Offset()).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out, err := s.toDomain(ctx, rows)
	return out, int(total), err
}

// FindEnterpriseByID returns one enterprise of the caller's zone or ENOTFOUND.
func (s *EnterpriseService) FindEnterpriseByID(ctx context.Context, id int64) (*domain.Enterprise, error) {
	var rows []enterpriseRow
	if err := s.db.conn(ctx).Where("id = ? AND zone_id = ?", id, zoneOf(ctx)).Scopes(s.db.enterpriseScope(ctx)).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("企业")
	}
	out, err := s.toDomain(ctx, rows)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// FindAllEnterprises returns every enterprise of the caller's zone with node links (for maps).
func (s *EnterpriseService) FindAllEnterprises(ctx context.Context) ([]*domain.Enterprise, error) {
	var rows []enterpriseRow
	if err := s.db.conn(ctx).Where("zone_id = ?", zoneOf(ctx)).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.toDomain(ctx, rows)
}

func (s *EnterpriseService) toDomain(ctx context.Context, rows []enterpriseRow) ([]*domain.Enterprise, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	nodes := map[int64][]int64{}
	masters := map[int64][]string{}
	if len(ids) > 0 {
		for start := 0; start < len(ids); start += 1000 {
			end := min(start+1000, len(ids))
			var links []enterpriseNodeRow
			if err := s.db.conn(ctx).Where("enterprise_id IN ?", ids[start:end]).Order("node_id").Find(&links).Error; err != nil {
				return nil, err
			}
			for _, l := range links {
				nodes[l.EnterpriseID] = append(nodes[l.EnterpriseID], l.NodeID)
			}
			var ms []struct {
				EnterpriseID int64
				Code         string
			}
			if err := s.db.conn(ctx).Table("chain_masters AS m").Select("m.enterprise_id, c.code").
				Joins("JOIN chains c ON c.id = m.chain_id").Where("m.enterprise_id IN ?", ids[start:end]).
				Scan(&ms).Error; err != nil {
				return nil, err
			}
			for _, m := range ms {
				masters[m.EnterpriseID] = append(masters[m.EnterpriseID], m.Code)
			}
		}
	}
	out := make([]*domain.Enterprise, len(rows))
	for i, r := range rows {
		e := &domain.Enterprise{ID: r.ID, ZoneID: r.ZoneID, Name: r.Name, Kind: domain.EnterpriseKind(r.Kind),
			Region: r.Region, Industry: r.Industry, Contact: r.Contact, Notes: r.Notes, Sample: r.Sample,
			NodeIDs: nodes[r.ID], ChainMaster: masters[r.ID], CreatedAt: r.CreatedAt.UTC()}
		if r.CreditCode != nil {
			e.CreditCode = *r.CreditCode
		}
		if e.NodeIDs == nil {
			e.NodeIDs = []int64{}
		}
		if e.ChainMaster == nil {
			e.ChainMaster = []string{}
		}
		out[i] = e
	}
	return out, nil
}

// CreateEnterprise stores e in the caller's zone; a duplicate name or credit code is
// ECONFLICT. Node links must be nodes of the zone.
func (s *EnterpriseService) CreateEnterprise(ctx context.Context, e *domain.Enterprise) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		var n int64
		q.Model(&enterpriseRow{}).Where("zone_id = ? AND name = ?", a.User.ZoneID, e.Name).Count(&n)
		if n > 0 {
			return &domain.Error{Code: domain.ECONFLICT, Message: "同名企业已存在 (duplicate name)", Fields: map[string]string{"name": "同名企业已存在 (duplicate)"}}
		}
		nodeIDs := dedupe(e.NodeIDs)
		if len(nodeIDs) > 0 {
			q.Model(&chainNodeRow{}).Where("zone_id = ? AND id IN ?", a.User.ZoneID, nodeIDs).Count(&n)
			if int(n) != len(nodeIDs) {
				return &domain.Error{Code: domain.EINVALID, Message: "环节不存在", Fields: map[string]string{"chain_node_ids": "环节不存在 (unknown node)"}}
			}
		}
		now := s.db.now()
		row := &enterpriseRow{ZoneID: a.User.ZoneID, Name: e.Name, Kind: string(e.Kind), Region: e.Region,
			Industry: e.Industry, Contact: e.Contact, Notes: e.Notes, Sample: e.Sample, CreatedAt: now, UpdatedAt: now}
		if e.CreditCode != "" {
			code := e.CreditCode
			row.CreditCode = &code
		}
		if err := q.Create(row).Error; err != nil {
			return translate(err, "credit_code", "该统一社会信用代码已登记 (duplicate credit code)")
		}
		for _, id := range nodeIDs {
			if err := q.Create(&enterpriseNodeRow{EnterpriseID: row.ID, NodeID: id}).Error; err != nil {
				return err
			}
		}
		e.ID, e.ZoneID, e.CreatedAt, e.NodeIDs = row.ID, row.ZoneID, now, nodeIDs
		if e.ChainMaster == nil {
			e.ChainMaster = []string{}
		}
		return nil
	})
}
