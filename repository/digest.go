package repository

import (
	"context"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// DigestStore implements domain.DigestStore: one zone's weekly digest is composed from a
// handful of whole-zone reads (users, projects, the week's moves, live reminders, targets),
// so that a thousand users cost a thousand renderings, not a thousand sets of queries.
type DigestStore struct{ db *DB }

// NewDigestStore returns the digest's store on db.
func NewDigestStore(db *DB) *DigestStore { return &DigestStore{db: db} }

var _ domain.DigestStore = (*DigestStore)(nil)

// DigestZones lists every zone.
func (s *DigestStore) DigestZones(ctx context.Context) ([]*domain.Zone, error) {
	var rows []zoneRow
	if err := s.db.gorm.WithContext(ctx).Where("kind = ?", ZoneKindZone).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Zone, len(rows))
	for i, r := range rows {
		out[i] = &domain.Zone{ID: r.ID, Code: r.Code, Name: r.Name, TimeZone: r.TimeZone}
	}
	return out, nil
}

type digestProjectRow struct {
	ID                  int64
	Name                string
	ChainID             *int64
	Channel             string
	AssetType           string
	Stage               string
	OwnerID             int64
	CreatedByID         int64
	PlannedInvestment   int64
	DockedAt            domain.Date
	SignedAt            domain.Date
	StageEnteredAt      time.Time
	HasRiskAssessment   bool
	DecisionOutcome     string
	LandListingPlanned  domain.Date
	LandListingActual   domain.Date
	ConstructionPlanned domain.Date
	ConstructionActual  domain.Date
	ProductionPlanned   domain.Date
	ProductionActual    domain.Date
}

// DigestData reads one zone for the digest of the week [from, to) seen on today.
func (s *DigestStore) DigestData(ctx context.Context, zoneID int64, from, to time.Time, today domain.Date) (*domain.DigestData, error) {
	q := s.db.gorm.WithContext(ctx)
	var zones []zoneRow
	if err := q.Where("id = ?", zoneID).Limit(1).Find(&zones).Error; err != nil {
		return nil, err
	}
	if len(zones) == 0 {
		return nil, domain.NotFound("开发区")
	}
	z := zones[0]
	d := &domain.DigestData{Zone: &domain.Zone{ID: z.ID, Code: z.Code, Name: z.Name, TimeZone: z.TimeZone}}

	users, err := s.digestUsers(ctx, z)
	if err != nil {
		return nil, err
	}
	d.Users = users

	var chains []chainRow
	if err := q.Where("zone_id = ?", zoneID).Order("sort_order, id").Find(&chains).Error; err != nil {
		return nil, err
	}
	for _, c := range chains {
		d.Chains = append(d.Chains, &domain.Chain{ID: c.ID, ZoneID: c.ZoneID, Code: c.Code, Name: c.Name})
	}

	var projects []digestProjectRow
	if err := q.Table("projects").Select(`id, name, chain_id, channel, asset_type, stage, owner_id, created_by_id,
		planned_investment, docked_at, signed_at, stage_entered_at, has_risk_assessment, decision_outcome,
		land_listing_planned, land_listing_actual, construction_planned, construction_actual,
		production_planned, production_actual`).
		Where("zone_id = ? AND deleted_at IS NULL", zoneID).Order("id").Scan(&projects).Error; err != nil {
		return nil, err
	}
	live := make(map[int64]bool, len(projects))
	d.Projects = make([]*domain.DigestProject, len(projects))
	for i, r := range projects {
		live[r.ID] = true
		d.Projects[i] = &domain.DigestProject{ID: r.ID, Name: r.Name, ChainID: r.ChainID, Channel: domain.Channel(r.Channel),
			AssetType: domain.AssetType(r.AssetType), Stage: domain.Stage(r.Stage), OwnerID: r.OwnerID, CreatedByID: r.CreatedByID,
			PlannedInvestment: domain.Money(r.PlannedInvestment), DockedAt: r.DockedAt, SignedAt: r.SignedAt,
			StageEnteredAt: r.StageEnteredAt.UTC(), HasRiskAssessment: r.HasRiskAssessment, DecisionOutcome: r.DecisionOutcome,
			Milestones: domain.Milestones{
				LandListingPlanned: r.LandListingPlanned, LandListingActual: r.LandListingActual,
				ConstructionPlanned: r.ConstructionPlanned, ConstructionActual: r.ConstructionActual,
				ProductionPlanned: r.ProductionPlanned, ProductionActual: r.ProductionActual,
			}}
	}

	var moves []historyRow
	if err := q.Where("zone_id = ? AND at > ? AND at <= ? AND field = ?", zoneID, from.UTC(), to.UTC(), "stage").
		Order("at, id").Find(&moves).Error; err != nil {
		return nil, err
	}
	for _, m := range moves {
		if live[m.ProjectID] && m.Action != "seeded" && m.Action != "created" {
			d.Moves = append(d.Moves, &domain.StageMove{ProjectID: m.ProjectID, At: m.At.UTC(), Actor: m.Actor,
				From: domain.Stage(m.FromValue), To: domain.Stage(m.ToValue)})
		}
	}

	// The landing decisions and the 督办 of the news window.
	var decisions []struct {
		ProjectID   int64
		Outcome     string
		Notes       string
		CreatedAt   time.Time
		DisplayName string
		Username    string
	}
	if err := q.Table("decisions AS d").Select("d.project_id, d.outcome, d.notes, d.created_at, u.display_name, u.username").
		Joins("LEFT JOIN users u ON u.id = d.decider_id").
		Where("d.zone_id = ? AND d.created_at > ? AND d.created_at <= ?", zoneID, from.UTC(), to.UTC()).
		Order("d.created_at, d.id").Scan(&decisions).Error; err != nil {
		return nil, err
	}
	for _, r := range decisions {
		if live[r.ProjectID] {
			d.Decisions = append(d.Decisions, &domain.DigestDecision{ProjectID: r.ProjectID, At: r.CreatedAt.UTC(), Outcome: r.Outcome,
				Decider: firstNonEmpty(r.DisplayName, r.Username), Notes: r.Notes})
		}
	}
	var sups []struct {
		ProjectID   int64
		Instruction string
		Due         domain.Date
		CreatedAt   time.Time
		DisplayName string
		Username    string
	}
	if err := q.Table("supervisions AS s").Select("s.project_id, s.instruction, s.due, s.created_at, u.display_name, u.username").
		Joins("LEFT JOIN users u ON u.id = s.issuer_id").
		Where("s.zone_id = ? AND s.created_at > ? AND s.created_at <= ?", zoneID, from.UTC(), to.UTC()).
		Order("s.created_at, s.id").Scan(&sups).Error; err != nil {
		return nil, err
	}
	for _, r := range sups {
		if live[r.ProjectID] {
			d.Supervisions = append(d.Supervisions, &domain.DigestSupervision{ProjectID: r.ProjectID, At: r.CreatedAt.UTC(),
				Issuer: firstNonEmpty(r.DisplayName, r.Username), Instruction: r.Instruction, Due: r.Due})
		}
	}

	// Live reminders, streamed: project names come from the projects read above, and
	// reminders of deleted projects or disabled users are dropped on the way.
	names := make(map[int64]string, len(projects))
	for _, p := range projects {
		names[p.ID] = p.Name
	}
	enabled := make(map[int64]bool, len(users))
	for _, u := range users {
		enabled[u.ID] = true
	}
	rows, err := liveReminder(q.Table("reminders AS r").Select("r.id, r.rule, r.project_id, r.user_id, r.message, r.due_at, r.status, r.snooze_until, r.created_at").
		Where("r.zone_id = ?", zoneID), "r", today).Order("r.due_at, r.id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r reminderRow
		if err := rows.Scan(&r.ID, &r.Rule, &r.ProjectID, &r.UserID, &r.Message, &r.DueAt, &r.Status, &r.SnoozeUntil, &r.CreatedAt); err != nil {
			return nil, err
		}
		name, ok := names[r.ProjectID]
		if !ok || !enabled[r.UserID] {
			continue
		}
		r.ZoneID = zoneID
		d.Reminders = append(d.Reminders, reminderView{Row: r, ProjectName: name}.toDomain(today))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	targets, err := s.digestTargets(ctx, zoneID, today.Year())
	if err != nil {
		return nil, err
	}
	d.Targets = targets
	return d, nil
}

// DigestRuns lists the as-of moments of the successful digest runs before before, newest
// first: the digest's news start where the previous digest left off.
func (s *DigestStore) DigestRuns(ctx context.Context, before time.Time, limit int) ([]time.Time, error) {
	var rows []struct{ AsOf *time.Time }
	if err := s.db.gorm.WithContext(ctx).Table("job_runs").Select("as_of").
		Where("job = ? AND status = ? AND as_of < ?", "digest", domain.JobOK, before.UTC()).
		Order("as_of DESC, id DESC").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, len(rows))
	for _, r := range rows {
		if r.AsOf != nil {
			out = append(out, r.AsOf.UTC())
		}
	}
	return out, nil
}

// digestUsers reads a zone's enabled users with their roles (casbin grouping rules) and
// chief assignments in three queries.
func (s *DigestStore) digestUsers(ctx context.Context, z zoneRow) ([]*domain.User, error) {
	q := s.db.gorm.WithContext(ctx)
	var rows []userRow
	if err := q.Where("zone_id = ? AND disabled = ?", z.ID, false).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var grants []struct{ V0, V1 string }
	if err := q.Table("casbin_rule").Select("v0, v1").Where("ptype = 'g' AND v2 = ?", z.Code).Order("v1").Scan(&grants).Error; err != nil {
		return nil, err
	}
	roles := map[string][]domain.Role{}
	for _, g := range grants {
		roles[g.V0] = append(roles[g.V0], domain.Role(g.V1))
	}
	var chiefs []struct {
		UserID, ChainID int64
		Code            string
	}
	if err := q.Table("chain_chiefs AS cc").Select("cc.user_id, cc.chain_id, c.code").Joins("JOIN chains c ON c.id = cc.chain_id").
		Where("c.zone_id = ?", z.ID).Order("c.sort_order, c.id").Scan(&chiefs).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.User, 0, len(rows))
	byID := map[int64]*domain.User{}
	for _, r := range rows {
		u := &domain.User{ID: r.ID, ZoneID: r.ZoneID, Username: r.Username, DisplayName: r.DisplayName, Email: r.Email,
			Agency: r.Agency, DigestOptOut: r.DigestOptOut, Roles: roles[r.Username], Chains: []string{}, ChainIDs: []int64{},
			CreatedAt: r.CreatedAt.UTC()}
		if u.Roles == nil {
			u.Roles = []domain.Role{}
		}
		out = append(out, u)
		byID[u.ID] = u
	}
	for _, c := range chiefs {
		if u := byID[c.UserID]; u != nil {
			u.ChainIDs = append(u.ChainIDs, c.ChainID)
			u.Chains = append(u.Chains, c.Code)
		}
	}
	return out, nil
}

// digestTargets reads the year's targets with the progress the dashboard shows: the
// figures' own computation (StatsService.FindTargets), for the director's view of the zone.
func (s *DigestStore) digestTargets(ctx context.Context, zoneID int64, year int) ([]*domain.Target, error) {
	director := &domain.Actor{User: &domain.User{ZoneID: zoneID, Roles: []domain.Role{domain.RoleDirector}}}
	return NewStatsService(s.db).FindTargets(domain.WithActor(ctx, director), year)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
