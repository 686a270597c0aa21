package repository

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// StatsService implements domain.StatsService and domain.TargetService: the dashboard's
// figures, the annual report's figures and the yearly targets' progress. Every figure is
// an aggregate query (GROUP BY) in the caller's scope, so that its cost grows with the
// number of groups, not of projects; the counting rules are domain/figures.go's.
type StatsService struct{ db *DB }

// NewStatsService returns the figures service on db.
func NewStatsService(db *DB) *StatsService { return &StatsService{db: db} }

var (
	_ domain.StatsService  = (*StatsService)(nil)
	_ domain.TargetService = (*StatsService)(nil)
)

// yearSpan is a calendar year of the zone: its first and last day for DATE columns, and
// its bounds [from, to) in UTC for timestamps.
type yearSpan struct {
	year        int
	first, last domain.Date
	from, to    time.Time
}

func (db *DB) span(year int) yearSpan {
	loc := db.Opts.Location
	return yearSpan{
		year:  year,
		first: domain.NewDate(year, time.January, 1),
		last:  domain.NewDate(year, time.December, 31),
		from:  time.Date(year, time.January, 1, 0, 0, 0, 0, loc).UTC(),
		to:    time.Date(year+1, time.January, 1, 0, 0, 0, 0, loc).UTC(),
	}
}

// checkYear refuses years no report can mean.
func checkYear(year int) error {
	if year < 1900 || year > 2200 {
		return &domain.Error{Code: domain.EINVALID, Message: "年份无效 (invalid year)", Fields: map[string]string{"year": "应为四位年份 (a year)"}}
	}
	return nil
}

// visible is the caller's live projects as "projects AS p".
func (s *StatsService) visible(ctx context.Context, scope domain.Scope) *gorm.DB {
	return s.db.conn(ctx).Table("projects AS p").Scopes(projectScope(scope)).Where("p.deleted_at IS NULL")
}

func dockedIn(y yearSpan) (string, domain.Date, domain.Date) {
	return "p.docked_at >= ? AND p.docked_at <= ?", y.first, y.last
}

func signedIn(y yearSpan) (string, domain.Date, domain.Date) {
	return "p.signed_at >= ? AND p.signed_at <= ?", y.first, y.last
}

// Overview computes the dashboard's figures for year.
func (s *StatsService) Overview(ctx context.Context, year int) (*domain.Overview, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	y := s.db.span(year)
	o := &domain.Overview{Year: year, ByChannel: map[string]int{}, ByStage: map[string]int{}, ByChain: map[string]int{},
		ByAssetType: map[string]int{}, Conversion: map[string]int{}, StageDays: map[string]domain.StageDuration{}}
	for _, c := range domain.Channels {
		o.ByChannel[string(c)] = 0
	}
	for _, st := range domain.Stages {
		o.ByStage[string(st)] = 0
		o.Conversion[string(st)] = 0
	}
	for _, a := range domain.AssetTypes {
		o.ByAssetType[string(a)] = 0
	}
	chains, err := s.chainCodes(ctx, scope.ZoneID)
	if err != nil {
		return nil, err
	}
	for _, code := range chains {
		o.ByChain[code] = 0
	}
	o.ByChain["none"] = 0

	if err := s.docked(ctx, scope, y, o, chains); err != nil {
		return nil, err
	}
	sf, byChannelWan, err := s.signed(ctx, scope, y)
	if err != nil {
		return nil, err
	}
	o.Signed = sf
	onCampaigns := o.Campaigns.ProjectsDocked // counted with the dockings
	if o.Campaigns, err = s.campaigns(ctx, scope, y); err != nil {
		return nil, err
	}
	o.Campaigns.ProjectsDocked = onCampaigns
	for _, c := range domain.Channels {
		o.ChannelResults = append(o.ChannelResults, domain.SourceResult{Kind: "channel", Key: string(c), Label: c.Label(),
			Leads: o.ByChannel[string(c)], Signed: sf.ByChannel[string(c)], Investment: byChannelWan[string(c)]})
	}
	if o.SourceResults, err = s.sources(ctx, scope, y); err != nil {
		return nil, err
	}
	if o.StageDays, err = s.stageDays(ctx, scope, y); err != nil {
		return nil, err
	}
	o.Investment.Planned = sf.Total
	if o.Investment.Realised, err = s.realised(ctx, scope, y); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *StatsService) chainCodes(ctx context.Context, zoneID int64) ([]string, error) {
	var codes []string
	err := s.db.conn(ctx).Model(&chainRow{}).Where("zone_id = ?", zoneID).Order("sort_order, id").Pluck("code", &codes).Error
	return codes, err
}

// docked fills the figures counted over the year's dockings from one grouped query.
func (s *StatsService) docked(ctx context.Context, scope domain.Scope, y yearSpan, o *domain.Overview, chains []string) error {
	var groups []struct {
		Channel, Stage, PrevStage, AssetType string
		ChainCode                            *string
		OnCampaign                           int
		N                                    int
	}
	cond, a, b := dockedIn(y)
	err := s.visible(ctx, scope).Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").
		Select("p.channel, p.stage, p.prev_stage, p.asset_type, ch.code AS chain_code, "+
			"CASE WHEN p.campaign_id IS NULL THEN 0 ELSE 1 END AS on_campaign, COUNT(*) AS n").
		Where(cond, a, b).
		Group("p.channel, p.stage, p.prev_stage, p.asset_type, ch.code, CASE WHEN p.campaign_id IS NULL THEN 0 ELSE 1 END").
		Scan(&groups).Error
	if err != nil {
		return err
	}
	for _, g := range groups {
		o.DockedTotal += g.N
		o.ByChannel[g.Channel] += g.N
		o.ByStage[g.Stage] += g.N
		o.ByAssetType[g.AssetType] += g.N
		if g.ChainCode == nil {
			o.ByChain["none"] += g.N
		} else {
			o.ByChain[*g.ChainCode] += g.N
		}
		o.Campaigns.ProjectsDocked += g.OnCampaign * g.N
		st, prev := domain.Stage(g.Stage), domain.Stage(g.PrevStage)
		for _, t := range domain.Stages[:5] {
			if domain.Reached(st, prev, t) {
				o.Conversion[string(t)] += g.N
			}
		}
		if st == domain.StageDropped {
			o.Conversion[string(domain.StageDropped)] += g.N
		}
	}
	return nil
}

// signed counts the year's signings at their year-end planned investment, and the
// increments made during the year on projects signed in earlier years. It also returns
// the counted investment per channel.
func (s *StatsService) signed(ctx context.Context, scope domain.Scope, y yearSpan) (domain.SignedFigures, map[string]domain.Money, error) {
	sf := domain.SignedFigures{ByChannel: map[string]int{}, ByAssetType: map[string]int{}}
	wan := map[string]domain.Money{}
	for _, c := range domain.Channels {
		sf.ByChannel[string(c)] = 0
		wan[string(c)] = 0
	}
	for _, a := range domain.AssetTypes {
		sf.ByAssetType[string(a)] = 0
	}
	var groups []struct {
		Channel, AssetType string
		N                  int
		Amount             int64
	}
	cond, a, b := signedIn(y)
	err := s.visible(ctx, scope).Select("p.channel, p.asset_type, COUNT(*) AS n, COALESCE(SUM(p.planned_investment), 0) AS amount").
		Where(cond, a, b).Group("p.channel, p.asset_type").Scan(&groups).Error
	if err != nil {
		return sf, nil, err
	}
	for _, g := range groups {
		sf.Count += g.N
		sf.ByChannel[g.Channel] += g.N
		sf.ByAssetType[g.AssetType] += g.N
		sf.PlannedInvestment += domain.Money(g.Amount)
		wan[g.Channel] += domain.Money(g.Amount)
	}
	// Changes of planned investment since the year began, on projects signed by its end:
	// few rows (edits), read one by one because the history keeps amounts as text.
	var changes []struct {
		ProjectID          int64
		At                 time.Time
		FromValue, ToValue string
		SignedAt           domain.Date
		Channel            string
	}
	err = s.visible(ctx, scope).Joins("JOIN project_history h ON h.project_id = p.id").
		Select("h.project_id, h.at, h.from_value, h.to_value, p.signed_at, p.channel").
		Where("h.zone_id = ? AND h.field = ? AND h.at >= ? AND p.signed_at IS NOT NULL AND p.signed_at <= ?",
			scope.ZoneID, "planned_investment_wan", y.from, y.last).
		Order("h.project_id, h.at, h.id").Scan(&changes).Error
	if err != nil {
		return sf, nil, err
	}
	increase := map[int64]domain.Money{}
	channelOf := map[int64]string{}
	for _, c := range changes {
		from, err1 := domain.ParseWan(c.FromValue)
		to, err2 := domain.ParseWan(c.ToValue)
		if err1 != nil || err2 != nil {
			continue
		}
		delta := to - from
		switch {
		case !c.SignedAt.Before(y.first) && !c.At.Before(y.to):
			// signed this year, changed after it: count the amount as it stood at year end
			sf.PlannedInvestment -= delta
			wan[c.Channel] -= delta
		case c.SignedAt.Before(y.first) && c.At.Before(y.to):
			increase[c.ProjectID] += delta
			channelOf[c.ProjectID] = c.Channel
		}
	}
	for id, d := range increase {
		if d > 0 { // only a net increase counts; a cut does not undo an earlier year's figure
			sf.Increase += d
			wan[channelOf[id]] += d
		}
	}
	sf.Total = sf.PlannedInvestment + sf.Increase
	return sf, wan, nil
}

// campaigns counts the zone's trips and conferences of the year with their cities in the
// order each was first visited. Campaigns belong to the zone, not to a chain, so every
// caller sees the same counts; only the projects docked on them are scoped.
func (s *StatsService) campaigns(ctx context.Context, scope domain.Scope, y yearSpan) (domain.CampaignTotals, error) {
	ct := domain.CampaignTotals{TripCities: []string{}, ConferenceCities: []string{}}
	if scope.Empty() {
		return ct, nil
	}
	var groups []struct {
		Kind, City string
		N          int
		FirstDate  domain.Date
	}
	err := s.db.conn(ctx).Model(&campaignRow{}).
		Select("kind, city, COUNT(*) AS n, MIN(start_date) AS first_date").
		Where("zone_id = ? AND start_date >= ? AND start_date <= ?", scope.ZoneID, y.first, y.last).
		Group("kind, city").Scan(&groups).Error
	if err != nil {
		return ct, err
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].FirstDate != groups[j].FirstDate {
			return groups[i].FirstDate.Before(groups[j].FirstDate)
		}
		return groups[i].N > groups[j].N
	})
	for _, g := range groups {
		switch domain.CampaignKind(g.Kind) {
		case domain.CampaignTrip:
			ct.Trips += g.N
			ct.TripCities = append(ct.TripCities, g.City)
		case domain.CampaignConference:
			ct.Conferences += g.N
			ct.ConferenceCities = append(ct.ConferenceCities, g.City)
		}
	}
	return ct, nil
}

// maxSources caps the agency and referrer league table.
const maxSources = 50

// sources ranks agencies (委托招商) and referrers (以商招商) by what they brought this year.
func (s *StatsService) sources(ctx context.Context, scope domain.Scope, y yearSpan) ([]domain.SourceResult, error) {
	sums := "COALESCE(SUM(CASE WHEN p.docked_at >= ? AND p.docked_at <= ? THEN 1 ELSE 0 END), 0) AS leads, " +
		"COALESCE(SUM(CASE WHEN p.signed_at >= ? AND p.signed_at <= ? THEN 1 ELSE 0 END), 0) AS signed, " +
		"COALESCE(SUM(CASE WHEN p.signed_at >= ? AND p.signed_at <= ? THEN p.planned_investment ELSE 0 END), 0) AS amount"
	args := []any{y.first, y.last, y.first, y.last, y.first, y.last}
	inYear := "((p.docked_at >= ? AND p.docked_at <= ?) OR (p.signed_at >= ? AND p.signed_at <= ?))"
	type row struct {
		Name   string
		Leads  int
		Signed int
		Amount int64
	}
	out := []domain.SourceResult{}
	for _, q := range []struct {
		kind string
		db   *gorm.DB
	}{
		{"agency", s.visible(ctx, scope).Select("p.agency AS name, "+sums, args...).Where("p.agency <> ''").Group("p.agency")},
		{"referrer", s.visible(ctx, scope).Joins("JOIN enterprises r ON r.id = p.referrer_id").Select("r.name AS name, "+sums, args...).Group("r.name")},
	} {
		var rows []row
		err := q.db.Where(inYear, y.first, y.last, y.first, y.last).Order("amount DESC, signed DESC, leads DESC, name").
			Limit(maxSources).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, domain.SourceResult{Kind: q.kind, Key: r.Name, Label: r.Name, Leads: r.Leads, Signed: r.Signed, Investment: domain.Money(r.Amount)})
		}
	}
	return out, nil
}

// stageDays takes, for every stage exit of the year, the days since the project entered
// that stage (the previous stage line of its history, or its creation) and returns the
// median per stage. The database groups the exits by (stage, days), so Go only walks a
// histogram.
func (s *StatsService) stageDays(ctx context.Context, scope domain.Scope, y yearSpan) (map[string]domain.StageDuration, error) {
	out := map[string]domain.StageDuration{}
	conn := s.db.conn(ctx)
	moved := conn.Table("project_history").Select("project_id").
		Where("zone_id = ? AND field = ? AND at >= ? AND at < ?", scope.ZoneID, "stage", y.from, y.to)
	entered := "COALESCE(LAG(h.at) OVER (PARTITION BY h.project_id ORDER BY h.at, h.id), p.created_at)"
	inner := s.visible(ctx, scope).Joins("JOIN project_history h ON h.project_id = p.id").
		Select("h.from_value AS stage, h.at AS at, "+s.db.daysBetween(entered, "h.at")+" AS days").
		Where("h.field = ? AND p.id IN (?)", "stage", moved)
	pipeline := make([]string, 5)
	for i, st := range domain.Stages[:5] {
		pipeline[i] = string(st)
	}
	var hist []struct {
		Stage string
		Days  int
		N     int
	}
	err := conn.Table("(?) AS t", inner).Select("t.stage, t.days, COUNT(*) AS n").
		Where("t.stage IN ? AND t.at >= ? AND t.at < ?", pipeline, y.from, y.to).
		Group("t.stage, t.days").Order("t.stage, t.days").Scan(&hist).Error
	if err != nil {
		return nil, err
	}
	byStage := map[string][][2]int{} // days, count, ascending days
	for _, h := range hist {
		byStage[h.Stage] = append(byStage[h.Stage], [2]int{max(h.Days, 0), h.N})
	}
	for st, bins := range byStage {
		sort.Slice(bins, func(i, j int) bool { return bins[i][0] < bins[j][0] })
		n := 0
		for _, b := range bins {
			n += b[1]
		}
		out[st] = domain.StageDuration{MedianDays: median(bins, n), Samples: n}
	}
	return out, nil
}

// median of a histogram of n values given as ascending (value, count) bins.
func median(bins [][2]int, n int) float64 {
	if n == 0 {
		return 0
	}
	at := func(k int) int { // the k-th value, 0-based
		for _, b := range bins {
			if k < b[1] {
				return b[0]
			}
			k -= b[1]
		}
		return bins[len(bins)-1][0]
	}
	if n%2 == 1 {
		return float64(at(n / 2))
	}
	return float64(at(n/2-1)+at(n/2)) / 2
}

// daysBetween is the SQL for whole days from a to b, truncated, on this database.
func (db *DB) daysBetween(a, b string) string {
	if db.Driver == DriverMySQL {
		return fmt.Sprintf("TIMESTAMPDIFF(DAY, %s, %s)", a, b)
	}
	return fmt.Sprintf("CAST(julianday(%s) - julianday(%s) AS INTEGER)", b, a)
}

// realised is the capital that arrived (到资) during the year on the visible projects.
func (s *StatsService) realised(ctx context.Context, scope domain.Scope, y yearSpan) (domain.Money, error) {
	var sum int64
	err := s.visible(ctx, scope).Joins("JOIN investments i ON i.project_id = p.id").
		Select("COALESCE(SUM(i.amount), 0)").Where("i.date >= ? AND i.date <= ?", y.first, y.last).Scan(&sum).Error
	return domain.Money(sum), err
}

// AnnualFigures gathers what the annual report's paragraph is written from.
func (s *StatsService) AnnualFigures(ctx context.Context, year int) (*domain.AnnualFigures, error) {
	o, err := s.Overview(ctx, year)
	if err != nil {
		return nil, err
	}
	a := domain.ActorFrom(ctx)
	scope := domain.ScopeOf(a)
	f := &domain.AnnualFigures{Year: year, Overview: o, Scope: "zone", Chains: []string{}}
	switch {
	case scope.All:
	case len(scope.ChainIDs) > 0:
		f.Scope, f.Chains = "chains", append(f.Chains, a.User.Chains...)
	default:
		f.Scope = "submitted"
	}
	var zone []string
	if err := s.db.conn(ctx).Model(&zoneRow{}).Where("id = ?", scope.ZoneID).Pluck("name", &zone).Error; err != nil {
		return nil, err
	}
	if len(zone) > 0 {
		f.Zone = zone[0]
	}
	y := s.db.span(year)
	cond, d1, d2 := signedIn(y)
	if f.Signed, err = s.reportList(ctx, scope, "p.signed_at, p.id", cond, d1, d2); err != nil {
		return nil, err
	}
	dcond, d1, d2 := dockedIn(y)
	intended := dcond + " AND p.stage IN ? AND p.signed_at IS NULL AND p.asset_type = ?"
	stages := []string{string(domain.StageRisk), string(domain.StageDecision)}
	if f.IntendedHeavy, err = s.reportList(ctx, scope, "p.docked_at, p.id", intended, d1, d2, stages, string(domain.AssetHeavy)); err != nil {
		return nil, err
	}
	if f.IntendedLight, err = s.reportList(ctx, scope, "p.docked_at, p.id", intended, d1, d2, stages, string(domain.AssetLight)); err != nil {
		return nil, err
	}
	return f, nil
}

// ReportListMax is how many projects of a kind the report names; past it, the largest
// investments are named and the text says 等.
const ReportListMax = 10

// reportList counts the visible projects matching cond and names the ReportListMax with
// the largest planned investment, in the order given.
func (s *StatsService) reportList(ctx context.Context, scope domain.Scope, order, cond string, args ...any) (domain.ReportList, error) {
	l := domain.ReportList{Projects: []*domain.ReportProject{}}
	var n int64
	if err := s.visible(ctx, scope).Where(cond, args...).Count(&n).Error; err != nil {
		return l, err
	}
	l.Count = int(n)
	if n == 0 {
		return l, nil
	}
	var rows []struct {
		ID                          int64
		Name, Investor              string
		ChainCode                   *string
		Stage, AssetType            string
		PlannedInvestment, LandArea int64
		DockedAt, SignedAt          domain.Date
	}
	top := s.visible(ctx, scope).Select("p.id").Where(cond, args...).Order("p.planned_investment DESC, p.id").Limit(ReportListMax)
	var ids []int64
	if err := top.Pluck("p.id", &ids).Error; err != nil {
		return l, err
	}
	err := s.db.conn(ctx).Table("projects AS p").Joins("JOIN enterprises e ON e.id = p.investor_id").
		Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").
		Select("p.id, p.name, e.name AS investor, ch.code AS chain_code, p.stage, p.asset_type, p.planned_investment, p.land_area, p.docked_at, p.signed_at").
		Where("p.id IN ?", ids).Order(order).Scan(&rows).Error
	if err != nil {
		return l, err
	}
	for _, r := range rows {
		l.Projects = append(l.Projects, &domain.ReportProject{ID: r.ID, Name: r.Name, Investor: r.Investor, Chain: r.ChainCode,
			Stage: domain.Stage(r.Stage), AssetType: domain.AssetType(r.AssetType), PlannedInvestment: domain.Money(r.PlannedInvestment),
			LandArea: domain.Area(r.LandArea), DockedAt: r.DockedAt, SignedAt: r.SignedAt})
	}
	return l, nil
}
