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

// from is table (with its alias) joined to the caller's live projects p on cond, read in
// that order: the table's own index (history by zone and time, arrivals by zone and date)
// picks the few rows, and each finds its project by primary key. CROSS JOIN keeps SQLite's
// planner from starting at the zone's projects; MySQL reads it as an inner join.
func (s *StatsService) from(ctx context.Context, scope domain.Scope, table, cond string) *gorm.DB {
	return s.db.conn(ctx).Table(table).Joins("CROSS JOIN projects p ON " + cond).
		Scopes(projectScope(scope)).Where("p.deleted_at IS NULL")
}

func dockedIn(y yearSpan) (string, domain.Date, domain.Date) {
	return "p.docked_at >= ? AND p.docked_at <= ?", y.first, y.last
}

func signedIn(y yearSpan) (string, domain.Date, domain.Date) {
	return "p.signed_at >= ? AND p.signed_at <= ?", y.first, y.last
}

// overviewFresh is the window computed figures are served again in while nothing has been
// written (some move with the clock: days in stage of open projects); see cachedWindow.
const overviewFresh = 30 * time.Second

// Overview computes the dashboard's figures for year. They are kept for the change stamp
// (listcache.go: any write to projects, enterprises, chains, campaigns or investments drops
// them) and a window of overviewFresh (cachedWindow), per scope and year.
func (s *StatsService) Overview(ctx context.Context, year int) (*domain.Overview, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	key := fmt.Sprintf("overview %d %v %v %d %d", scope.ZoneID, scope.All, scope.ChainIDs, scope.SubmitterID, year)
	return cachedWindow(ctx, s.db, key, overviewFresh, func(ctx context.Context) (*domain.Overview, error) { return s.overview(ctx, scope, year) })
}

func (s *StatsService) overview(ctx context.Context, scope domain.Scope, year int) (*domain.Overview, error) {
	y := s.db.span(year)
	o := &domain.Overview{Year: year, ByChannel: map[string]int{}, ByStage: map[string]int{}, ByChain: map[string]int{},
		ByAssetType: map[string]int{}, IntendedByAssetType: map[string]int{}, Conversion: map[string]int{},
		StageDays: map[string]domain.StageDuration{}}
	for _, c := range domain.Channels {
		o.ByChannel[string(c)] = 0
	}
	for _, st := range domain.Stages {
		o.ByStage[string(st)] = 0
		o.Conversion[string(st)] = 0
	}
	for _, a := range domain.AssetTypes {
		o.ByAssetType[string(a)] = 0
		o.IntendedByAssetType[string(a)] = 0
	}
	chains, err := s.chainCodes(ctx, scope.ZoneID)
	if err != nil {
		return nil, err
	}
	for _, code := range chains {
		o.ByChain[code] = 0
	}
	o.ByChain["none"] = 0

	src := newTally()
	if err := s.docked(ctx, scope, y, o, chains, src); err != nil {
		return nil, err
	}
	sf, byChannelWan, err := s.signed(ctx, scope, y, src)
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
	if o.SourceResults, err = s.sources(ctx, src); err != nil {
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

// chainCodes maps the zone's chain ids to their codes.
func (s *StatsService) chainCodes(ctx context.Context, zoneID int64) (map[int64]string, error) {
	var rows []chainRow
	err := s.db.conn(ctx).Select("id, code").Where("zone_id = ?", zoneID).Find(&rows).Error
	codes := map[int64]string{}
	for _, r := range rows {
		codes[r.ID] = r.Code
	}
	return codes, err
}

// docked fills the figures counted over the year's dockings, and the agencies' and
// referrers' leads, from one grouped query over the year's range of the docking index.
func (s *StatsService) docked(ctx context.Context, scope domain.Scope, y yearSpan, o *domain.Overview, chains map[int64]string, src *tally) error {
	var groups []struct {
		Channel, Stage, PrevStage, AssetType, Agency string
		ChainID, ReferrerID                          *int64
		OnCampaign, Signed                           int
		N                                            int
	}
	cond, a, b := dockedIn(y)
	err := s.visible(ctx, scope).
		Select("p.channel, p.stage, p.prev_stage, p.asset_type, p.agency, p.chain_id, p.referrer_id, "+
			"CASE WHEN p.campaign_id IS NULL THEN 0 ELSE 1 END AS on_campaign, "+
			"CASE WHEN p.signed_at IS NULL THEN 0 ELSE 1 END AS signed, COUNT(*) AS n").
		Where(cond, a, b).
		Group("p.channel, p.stage, p.prev_stage, p.asset_type, p.agency, p.chain_id, p.referrer_id, " +
			"CASE WHEN p.campaign_id IS NULL THEN 0 ELSE 1 END, CASE WHEN p.signed_at IS NULL THEN 0 ELSE 1 END").
		Scan(&groups).Error
	if err != nil {
		return err
	}
	for _, g := range groups {
		src.agency(g.Agency).Leads += g.N
		src.referrer(g.ReferrerID).Leads += g.N
		o.DockedTotal += g.N
		o.ByChannel[g.Channel] += g.N
		o.ByStage[g.Stage] += g.N
		o.ByAssetType[g.AssetType] += g.N
		if g.ChainID == nil {
			o.ByChain["none"] += g.N
		} else {
			o.ByChain[chains[*g.ChainID]] += g.N
		}
		o.Campaigns.ProjectsDocked += g.OnCampaign * g.N
		st, prev := domain.Stage(g.Stage), domain.Stage(g.PrevStage)
		if (st == domain.StageRisk || st == domain.StageDecision) && g.Signed == 0 {
			o.IntendedByAssetType[g.AssetType] += g.N
		}
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
func (s *StatsService) signed(ctx context.Context, scope domain.Scope, y yearSpan, src *tally) (domain.SignedFigures, map[string]domain.Money, error) {
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
		Channel, AssetType, Agency string
		ReferrerID                 *int64
		N                          int
		Amount                     int64
	}
	cond, a, b := signedIn(y)
	err := s.visible(ctx, scope).Select("p.channel, p.asset_type, p.agency, p.referrer_id, COUNT(*) AS n, "+moneySum("p.planned_investment")+" AS amount").
		Where(cond, a, b).Group("p.channel, p.asset_type, p.agency, p.referrer_id").Scan(&groups).Error
	if err != nil {
		return sf, nil, err
	}
	for _, g := range groups {
		for _, r := range []*domain.SourceResult{src.agency(g.Agency), src.referrer(g.ReferrerID)} {
			r.Signed += g.N
			r.Investment += domain.Money(g.Amount)
		}
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
	err = s.from(ctx, scope, "project_history AS h", "p.id = h.project_id").
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
		from, to = domain.ClampMoney(from), domain.ClampMoney(to) // amounts stored before the bound
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

// tally collects what each agency (委托招商机构, by name) and referrer (以商招商的推荐企业, by
// id) brought, from the dockings' and signings' grouped queries.
type tally struct {
	agencies  map[string]*domain.SourceResult
	referrers map[int64]*domain.SourceResult
	none      domain.SourceResult // projects with neither: counted nowhere
}

func newTally() *tally {
	return &tally{agencies: map[string]*domain.SourceResult{}, referrers: map[int64]*domain.SourceResult{}}
}

func (t *tally) agency(name string) *domain.SourceResult {
	if name == "" {
		return &t.none
	}
	if t.agencies[name] == nil {
		t.agencies[name] = &domain.SourceResult{Kind: "agency", Key: name, Label: name}
	}
	return t.agencies[name]
}

func (t *tally) referrer(id *int64) *domain.SourceResult {
	if id == nil {
		return &t.none
	}
	if t.referrers[*id] == nil {
		t.referrers[*id] = &domain.SourceResult{Kind: "referrer"}
	}
	return t.referrers[*id]
}

// sources ranks agencies, then referrers (named here), by investment signed, then
// signings, then leads; at most maxSources of each.
func (s *StatsService) sources(ctx context.Context, t *tally) ([]domain.SourceResult, error) {
	ids := make([]int64, 0, len(t.referrers))
	for id := range t.referrers {
		ids = append(ids, id)
	}
	names := map[int64]string{}
	err := inBatches(ids, func(batch []int64) error {
		var es []enterpriseRow
		if err := s.db.conn(ctx).Select("id, name").Where("id IN ?", batch).Find(&es).Error; err != nil {
			return err
		}
		for _, e := range es {
			names[e.ID] = e.Name
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	agencies := make([]domain.SourceResult, 0, len(t.agencies))
	for _, r := range t.agencies {
		agencies = append(agencies, *r)
	}
	referrers := make([]domain.SourceResult, 0, len(t.referrers))
	for id, r := range t.referrers {
		r.Key, r.Label = names[id], names[id]
		referrers = append(referrers, *r)
	}
	out := []domain.SourceResult{}
	for _, list := range [][]domain.SourceResult{agencies, referrers} {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			switch {
			case a.Investment != b.Investment:
				return a.Investment > b.Investment
			case a.Signed != b.Signed:
				return a.Signed > b.Signed
			case a.Leads != b.Leads:
				return a.Leads > b.Leads
			}
			return a.Key < b.Key
		})
		out = append(out, list[:min(len(list), maxSources)]...)
	}
	return out, nil
}

// stageDays takes, for every stage exit of the year (a stage line of the history, found
// by the (zone, field, at) index), the days since the project entered that stage — the
// previous stage line in (at, id) order, found through the (project, at) index, or the
// project's creation — and returns the median per stage. The database groups the exits by
// (stage, days), so Go only walks a histogram.
func (s *StatsService) stageDays(ctx context.Context, scope domain.Scope, y yearSpan) (map[string]domain.StageDuration, error) {
	out := map[string]domain.StageDuration{}
	entered := "COALESCE((SELECT MAX(h2.at) FROM project_history h2 WHERE h2.project_id = h.project_id AND h2.field = 'stage' " +
		"AND (h2.at < h.at OR (h2.at = h.at AND h2.id < h.id))), p.created_at)"
	pipeline := make([]string, 5)
	for i, st := range domain.Stages[:5] {
		pipeline[i] = string(st)
	}
	var hist []struct {
		FromStage string
		NDays     int
		N         int
	}
	err := s.from(ctx, scope, "project_history AS h", "p.id = h.project_id").
		Select("h.from_value AS from_stage, "+s.db.daysBetween(entered, "h.at")+" AS n_days, COUNT(*) AS n").
		Where("h.zone_id = ? AND h.field = ? AND h.at >= ? AND h.at < ? AND h.from_value IN ?", scope.ZoneID, "stage", y.from, y.to, pipeline).
		Group("from_stage, n_days").Scan(&hist).Error
	if err != nil {
		return nil, err
	}
	byStage := map[string][][2]int{} // days, count, ascending days
	for _, h := range hist {
		byStage[h.FromStage] = append(byStage[h.FromStage], [2]int{max(h.NDays, 0), h.N})
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
	err := s.from(ctx, scope, "investments AS i", "p.id = i.project_id").
		Select(moneySum("i.amount")).Where("i.zone_id = ? AND i.date >= ? AND i.date <= ?", scope.ZoneID, y.first, y.last).
		Scan(&sum).Error
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
	bySigning := func(p *domain.ReportProject) domain.Date { return p.SignedAt }
	byDocking := func(p *domain.ReportProject) domain.Date { return p.DockedAt }
	cond, d1, d2 := signedIn(y)
	if f.Signed, err = s.reportList(ctx, scope, o.Signed.Count, bySigning, cond, d1, d2); err != nil {
		return nil, err
	}
	dcond, d1, d2 := dockedIn(y)
	intended := dcond + " AND p.stage IN ? AND p.signed_at IS NULL AND p.asset_type = ?"
	stages := []string{string(domain.StageRisk), string(domain.StageDecision)}
	for _, l := range []struct {
		asset domain.AssetType
		dst   *domain.ReportList
	}{{domain.AssetHeavy, &f.IntendedHeavy}, {domain.AssetLight, &f.IntendedLight}} {
		n := o.IntendedByAssetType[string(l.asset)]
		if *l.dst, err = s.reportList(ctx, scope, n, byDocking, intended, d1, d2, stages, string(l.asset)); err != nil {
			return nil, err
		}
	}
	// issue 15: what the year's service requests solved
	if f.Service, err = annualService(ctx, s.db, year); err != nil {
		return nil, err
	}
	// issue 17: the economic indicators and the year's completed investment
	if err := s.db.annualIndicators(ctx, scope, year, f); err != nil {
		return nil, err
	}
	return f, nil
}

// ReportListMax is how many projects of a kind the report names; past it, the largest
// investments are named and the text says 等.
const ReportListMax = 10

// reportList names, of the count visible projects matching cond, the ReportListMax with the
// largest planned investment, in the order of their date (then id).
func (s *StatsService) reportList(ctx context.Context, scope domain.Scope, count int, date func(*domain.ReportProject) domain.Date, cond string, args ...any) (domain.ReportList, error) {
	l := domain.ReportList{Count: count, Projects: []*domain.ReportProject{}}
	if count == 0 {
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
	err := s.visible(ctx, scope).Joins("JOIN enterprises e ON e.id = p.investor_id").
		Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").
		Select("p.id, p.name, e.name AS investor, ch.code AS chain_code, p.stage, p.asset_type, p.planned_investment, p.land_area, p.docked_at, p.signed_at").
		Where(cond, args...).Order("p.planned_investment DESC, p.id").Limit(ReportListMax).Scan(&rows).Error
	if err != nil {
		return l, err
	}
	for _, r := range rows {
		l.Projects = append(l.Projects, &domain.ReportProject{ID: r.ID, Name: r.Name, Investor: r.Investor, Chain: r.ChainCode,
			Stage: domain.Stage(r.Stage), AssetType: domain.AssetType(r.AssetType), PlannedInvestment: domain.Money(r.PlannedInvestment),
			LandArea: domain.Area(r.LandArea), DockedAt: r.DockedAt, SignedAt: r.SignedAt})
	}
	sort.Slice(l.Projects, func(i, j int) bool {
		a, b := l.Projects[i], l.Projects[j]
		if da, db := date(a), date(b); da != db {
			return da.Before(db)
		}
		return a.ID < b.ID
	})
	return l, nil
}
