package repository

import (
	"context"
	"slices"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The enterprise's page: a handful of indexed reads, none of which grows with the number
// of visits but the timeline's, and that one is paged. For an investor with 200 projects
// and 2 000 visits the page is one profile read, one projects read (investor_id or
// referrer_id, each indexed), contacts with their last meeting (activity_contacts by
// contact), node links, referrals, and the newest timeline page from project_history
// (project_id, at) and enterprise_history (enterprise_id, at) — see docs/benchmarks.md.

// enterpriseProjectIDs returns the ids of the projects naming an enterprise as investor or
// referrer, read from the two single-column indexes (an OR beside the zone's conditions
// made both databases scan the zone's projects instead); the caller applies the scope.
func (db *DB) enterpriseProjectIDs(ctx context.Context, enterpriseID int64) ([]int64, error) {
	var inv, ref []int64
	q := db.conn(ctx)
	if err := q.Model(&projectRow{}).Where("investor_id = ?", enterpriseID).Pluck("id", &inv).Error; err != nil {
		return nil, err
	}
	if err := q.Model(&projectRow{}).Where("referrer_id = ?", enterpriseID).Pluck("id", &ref).Error; err != nil {
		return nil, err
	}
	return dedupe(append(inv, ref...)), nil
}

// visibleProjectIDs narrows ids to the caller's visible, live projects.
func (db *DB) visibleProjectIDs(ctx context.Context, ids []int64) ([]int64, error) {
	out := []int64{}
	err := inBatches(ids, func(batch []int64) error {
		var part []int64
		if err := db.conn(ctx).Table("projects AS p").Scopes(projectScope(domain.ScopeOf(domain.ActorFrom(ctx)))).
			Where("p.id IN ? AND p.deleted_at IS NULL", batch).Pluck("p.id", &part).Error; err != nil {
			return err
		}
		out = append(out, part...)
		return nil
	})
	return out, err
}

type entProjectRow struct {
	ID                int64
	Name              string
	Stage             string
	Channel           string
	ChainCode         *string
	PlannedInvestment int64
	DockedAt          domain.Date
	InvestorID        int64
	Owner             string
}

// EnterprisePage returns a visible enterprise with everything on its page.
func (s *EnterpriseService) EnterprisePage(ctx context.Context, id int64, p domain.Page) (*domain.EnterpriseDetail, error) {
	r, err := s.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	ents, err := s.toDomain(ctx, []enterpriseRow{*r})
	if err != nil {
		return nil, err
	}
	page := &domain.EnterpriseDetail{Enterprise: ents[0]}
	q := s.db.conn(ctx)

	// projects the caller may see, as investor or referrer
	var projs []entProjectRow
	ids, err := s.db.enterpriseProjectIDs(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	err = inBatches(ids, func(batch []int64) error {
		var part []entProjectRow
		err := q.Table("projects AS p").Select("p.id, p.name, p.stage, p.channel, ch.code AS chain_code, p.planned_investment, p.docked_at, p.investor_id, u.username AS owner").
			Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").Joins("JOIN users u ON u.id = p.owner_id").
			Scopes(projectScope(domain.ScopeOf(domain.ActorFrom(ctx)))).
			Where("p.id IN ? AND p.deleted_at IS NULL", batch).Scan(&part).Error
		projs = append(projs, part...)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(projs, func(a, b entProjectRow) int { // newest docking first
		switch {
		case a.DockedAt.After(b.DockedAt):
			return -1
		case b.DockedAt.After(a.DockedAt):
			return 1
		}
		return int(b.ID - a.ID)
	})
	page.Projects = make([]*domain.EnterpriseProject, len(projs))
	names := make(map[int64]string, len(projs))
	for i, v := range projs {
		role := "investor"
		if v.InvestorID != r.ID {
			role = "referrer"
		}
		page.Projects[i] = &domain.EnterpriseProject{ID: v.ID, Name: v.Name, Stage: domain.Stage(v.Stage), Role: role,
			Channel: domain.Channel(v.Channel), Chain: v.ChainCode, PlannedInvestment: domain.Money(v.PlannedInvestment),
			DockedAt: v.DockedAt, Owner: v.Owner}
		names[v.ID] = v.Name
	}

	contacts := &ContactService{db: s.db}
	if page.Contacts, err = contacts.list(ctx, []int64{r.ID}); err != nil {
		return nil, err
	}

	// chain-node links with their chains
	var nodes []struct {
		ID    int64
		Name  string
		Chain string
	}
	if err := q.Table("enterprise_nodes AS en").Select("n.id, n.name, c.code AS chain").
		Joins("JOIN chain_nodes n ON n.id = en.node_id").Joins("JOIN chains c ON c.id = n.chain_id").
		Where("en.enterprise_id = ?", r.ID).Order("c.sort_order, n.sort_order, n.id").Scan(&nodes).Error; err != nil {
		return nil, err
	}
	page.Nodes = make([]*domain.ChainNodeRef, len(nodes))
	for i, n := range nodes {
		page.Nodes[i] = &domain.ChainNodeRef{ID: n.ID, Name: n.Name, Chain: n.Chain}
	}

	// referrals both ways, among the enterprises the caller sees
	links := func(col, other string) ([]*domain.EnterpriseLink, error) {
		var rows []enterpriseRow
		sub := q.Model(&enterpriseRelationRow{}).Select(other).Where(col+" = ?", r.ID)
		if err := q.Model(&enterpriseRow{}).Select("id, name, kind").Where("enterprises.id IN (?)", sub).
			Scopes(s.db.enterpriseScope(ctx)).Order("id").Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]*domain.EnterpriseLink, len(rows))
		for i, e := range rows {
			out[i] = &domain.EnterpriseLink{ID: e.ID, Name: e.Name, Kind: domain.EnterpriseKind(e.Kind)}
		}
		return out, nil
	}
	if page.ReferralsTo, err = links("from_id", "to_id"); err != nil {
		return nil, err
	}
	if page.ReferredBy, err = links("to_id", "from_id"); err != nil {
		return nil, err
	}
	var n int64
	if err := q.Model(&attachmentRow{}).Where("enterprise_id = ? AND deleted_at IS NULL", r.ID).Count(&n).Error; err != nil {
		return nil, err
	}
	page.AttachmentCount = int(n)
	visible := make([]int64, len(projs))
	for i, v := range projs {
		visible[i] = v.ID
	}
	tl, err := s.timeline(ctx, r, p, visible, names)
	if err != nil {
		return nil, err
	}
	page.Timeline = *tl
	return page, nil
}

// Timeline returns a page of everything that touched a visible enterprise, newest first.
func (s *EnterpriseService) Timeline(ctx context.Context, id int64, p domain.Page) (*domain.TimelinePage, error) {
	r, err := s.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	ids, err := s.db.enterpriseProjectIDs(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if ids, err = s.db.visibleProjectIDs(ctx, ids); err != nil {
		return nil, err
	}
	return s.timeline(ctx, r, p, ids, nil)
}

// timeline merges the newest lines of the enterprise's own history and of its visible
// projects' histories (projects: the ids of the caller's visible projects of it). Each
// source is read up to the end of the requested page from its (…, at) index and the two
// lists are merged; names maps project ids to names when the caller has them already.
func (s *EnterpriseService) timeline(ctx context.Context, r *enterpriseRow, p domain.Page, projects []int64, names map[int64]string) (*domain.TimelinePage, error) {
	p = p.Normalize()
	upTo := p.Offset() + p.PageSize
	q := s.db.conn(ctx)
	var own []enterpriseHistoryRow
	var ownTotal, projTotal int64
	ownQ := q.Model(&enterpriseHistoryRow{}).Where("enterprise_id = ?", r.ID)
	if err := ownQ.Count(&ownTotal).Error; err != nil {
		return nil, err
	}
	if err := ownQ.Order("at DESC, id DESC").Limit(upTo).Find(&own).Error; err != nil {
		return nil, err
	}
	var proj []historyRow
	err := inBatches(projects, func(batch []int64) error {
		var n int64
		projQ := q.Model(&historyRow{}).Where("project_id IN ?", batch)
		if err := projQ.Count(&n).Error; err != nil {
			return err
		}
		projTotal += n
		var part []historyRow
		if err := projQ.Order("at DESC, id DESC").Limit(upTo).Find(&part).Error; err != nil {
			return err
		}
		proj = append(proj, part...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(proj, func(a, b historyRow) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	all := make([]*domain.TimelineEntry, 0, len(own)+len(proj))
	for _, h := range own {
		all = append(all, &domain.TimelineEntry{At: h.At.UTC(), Actor: h.Actor, Source: "enterprise", Action: h.Action,
			Object: h.Object, Field: h.Field, From: h.FromValue, To: h.ToValue})
	}
	for _, h := range proj {
		all = append(all, &domain.TimelineEntry{At: h.At.UTC(), Actor: h.Actor, Source: "project", ProjectID: h.ProjectID,
			Action: h.Action, Object: h.Object, Field: h.Field, From: h.FromValue, To: h.ToValue})
	}
	slices.SortStableFunc(all, func(a, b *domain.TimelineEntry) int { return b.At.Compare(a.At) })
	out := &domain.TimelinePage{Items: []*domain.TimelineEntry{}, Total: int(ownTotal + projTotal), Page: p.Page, PageSize: p.PageSize}
	if p.Offset() < len(all) {
		out.Items = all[p.Offset():min(len(all), upTo)]
	}
	var missing []int64
	for _, e := range out.Items {
		if e.ProjectID != 0 && names[e.ProjectID] == "" {
			missing = append(missing, e.ProjectID)
		}
	}
	if len(missing) > 0 {
		if names == nil {
			names = map[int64]string{}
		}
		var rows []projectRow
		if err := q.Select("id, name").Where("id IN ?", dedupe(missing)).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			names[r.ID] = r.Name
		}
	}
	for _, e := range out.Items {
		if e.ProjectID != 0 {
			e.ProjectName = names[e.ProjectID]
		}
	}
	return out, nil
}
