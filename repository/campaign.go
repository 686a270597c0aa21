package repository

import (
	"context"
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// CampaignService implements domain.CampaignService.
type CampaignService struct{ db *DB }

// NewCampaignService returns the campaign service on db.
func NewCampaignService(db *DB) *CampaignService { return &CampaignService{db: db} }

var _ domain.CampaignService = (*CampaignService)(nil)

// FindCampaigns lists the zone's campaigns (of a year, when year > 0), latest first, with
// the number of visible projects docked on each.
func (s *CampaignService) FindCampaigns(ctx context.Context, year int) ([]*domain.Campaign, error) {
	zoneID := zoneOf(ctx)
	q := s.db.conn(ctx).Where("zone_id = ?", zoneID)
	if year > 0 {
		q = q.Where("start_date >= ? AND start_date <= ?", fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	}
	var rows []campaignRow
	if err := q.Order("start_date DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		CampaignID int64
		N          int
	}
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	if err := s.db.conn(ctx).Table("projects AS p").Select("p.campaign_id, COUNT(*) AS n").Scopes(projectScope(scope)).
		Where("p.deleted_at IS NULL AND p.campaign_id IS NOT NULL").Group("p.campaign_id").Scan(&counts).Error; err != nil {
		return nil, err
	}
	n := map[int64]int{}
	for _, c := range counts {
		n[c.CampaignID] = c.N
	}
	out := make([]*domain.Campaign, len(rows))
	for i, r := range rows {
		out[i] = &domain.Campaign{ID: r.ID, ZoneID: r.ZoneID, Kind: domain.CampaignKind(r.Kind), Title: r.Title, City: r.City,
			StartDate: r.StartDate, EndDate: r.EndDate, Notes: r.Notes, ProjectCount: n[r.ID], CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// CreateCampaign stores a trip or conference in the caller's zone.
func (s *CampaignService) CreateCampaign(ctx context.Context, c *domain.Campaign) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	row := &campaignRow{ZoneID: a.User.ZoneID, Kind: string(c.Kind), Title: c.Title, City: c.City,
		StartDate: c.StartDate, EndDate: c.EndDate, Notes: c.Notes, CreatedAt: s.db.now()}
	if err := s.db.conn(ctx).Create(row).Error; err != nil {
		return err
	}
	c.ID, c.ZoneID, c.CreatedAt = row.ID, row.ZoneID, row.CreatedAt
	return nil
}
