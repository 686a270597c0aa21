package repository

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// IndicatorService implements domain.IndicatorService on zone_indicators (one row per zone
// and month) and zone_indicator_history (one row per changed figure).
type IndicatorService struct{ db *DB }

// NewIndicatorService returns the indicator service on db.
func NewIndicatorService(db *DB) *IndicatorService { return &IndicatorService{db: db} }

var _ domain.IndicatorService = (*IndicatorService)(nil)

type indicatorRow = zoneIndicatorRowV17
type indicatorHistoryRow = zoneIndicatorHistoryRowV17

func money(v *int64) *domain.Money {
	if v == nil {
		return nil
	}
	m := domain.Money(*v)
	return &m
}

func count(v *int64) *int64 {
	if v == nil {
		return nil
	}
	n := *v
	return &n
}

func raw(m *domain.Money) *int64 {
	if m == nil {
		return nil
	}
	v := int64(*m)
	return &v
}

func (r *indicatorRow) figures() domain.IndicatorFigures {
	return domain.IndicatorFigures{
		EnterprisesInStatistics: count(r.EnterprisesInStatistics), AboveScaleEnterprises: count(r.AboveScaleEnterprises),
		Output: money(r.Output), Revenue: money(r.Revenue), Tax: money(r.Tax),
		FixedAssetInvestment: money(r.FixedAssetInvestment), GovernmentInvestment: money(r.GovernmentInvestment),
		SocialInvestment: money(r.SocialInvestment),
	}
}

func (r *indicatorRow) set(f domain.IndicatorFigures) {
	r.EnterprisesInStatistics, r.AboveScaleEnterprises = count(f.EnterprisesInStatistics), count(f.AboveScaleEnterprises)
	r.Output, r.Revenue, r.Tax = raw(f.Output), raw(f.Revenue), raw(f.Tax)
	r.FixedAssetInvestment, r.GovernmentInvestment, r.SocialInvestment = raw(f.FixedAssetInvestment), raw(f.GovernmentInvestment), raw(f.SocialInvestment)
}

func monthOut(r *indicatorRow, prev *indicatorRow) *domain.MonthIndicators {
	f := r.figures()
	var g domain.IndicatorGrowth
	if prev != nil {
		pf := prev.figures()
		g = domain.GrowthOf(&f, &pf)
	}
	return &domain.MonthIndicators{Month: domain.Month{Year: r.Year, Month: time.Month(r.Month)}.String(),
		IndicatorFigures: f, Growth: g, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
}

// canManageIndicators: administrators and the director enter the zone's figures.
func canManageIndicators(a *domain.Actor) bool {
	return a != nil && a.User != nil && (a.User.HasRole(domain.RoleAdmin) || a.User.HasRole(domain.RoleDirector))
}

func sameText(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// PutMonth replaces a month's figures, keeping every changed figure in its history and the
// entry in the audit log, in one transaction.
func (s *IndicatorService) PutMonth(ctx context.Context, m domain.Month, in domain.IndicatorFigures) (*domain.MonthIndicators, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if !canManageIndicators(a) {
		return nil, forbidden("填报经济指标")
	}
	if err := domain.CheckMonth(m, s.db.today()); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	zoneID := a.User.ZoneID
	var out *domain.MonthIndicators
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		now := s.db.now()
		var rows []indicatorRow
		if err := q.Where("zone_id = ? AND year = ? AND month = ?", zoneID, m.Year, int(m.Month)).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		row := &indicatorRow{ZoneID: zoneID, Year: m.Year, Month: int(m.Month), CreatedAt: now}
		old := domain.IndicatorFigures{}
		if len(rows) == 1 {
			row = &rows[0]
			old = row.figures()
		}
		oldFields := old.Fields()
		changed := map[string]any{}
		for i, f := range in.Fields() {
			from, to := oldFields[i].Text(), f.Text()
			if sameText(from, to) {
				continue
			}
			changed[f.Name] = map[string]*string{"from": from, "to": to}
			h := &indicatorHistoryRow{ZoneID: zoneID, Year: m.Year, Month: int(m.Month), At: now, ActorID: a.User.ID,
				Actor: a.User.Username, Field: f.Name, FromValue: from, ToValue: to}
			if err := q.Create(h).Error; err != nil {
				return err
			}
		}
		row.set(in)
		row.UpdatedByID, row.UpdatedBy, row.UpdatedAt = a.User.ID, a.User.Username, now
		if err := q.Save(row).Error; err != nil {
			return translate(err, "month", "该月指标正被他人同时填报，请重试 (entered concurrently; retry)")
		}
		if len(changed) > 0 {
			if err := s.db.audit(ctx, domain.AuditEntry{Action: "indicators.put", Object: "indicators/" + m.String(),
				Detail: auditDetail(changed)}); err != nil {
				return err
			}
		}
		prev, err := s.row(ctx, zoneID, m.Year-1, int(m.Month))
		if err != nil {
			return err
		}
		out = monthOut(row, prev)
		return nil
	})
	return out, err
}

func (s *IndicatorService) row(ctx context.Context, zoneID int64, year, month int) (*indicatorRow, error) {
	var rows []indicatorRow
	if err := s.db.conn(ctx).Where("zone_id = ? AND year = ? AND month = ?", zoneID, year, month).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// FindYear lists the year's months with their growth on the year before.
func (s *IndicatorService) FindYear(ctx context.Context, year int) ([]*domain.MonthIndicators, error) {
	return s.db.indicatorYear(ctx, zoneOf(ctx), year)
}

func (db *DB) indicatorYear(ctx context.Context, zoneID int64, year int) ([]*domain.MonthIndicators, error) {
	out := []*domain.MonthIndicators{}
	if zoneID == 0 {
		return out, nil
	}
	var rows []indicatorRow
	if err := db.conn(ctx).Where("zone_id = ? AND year IN ?", zoneID, []int{year - 1, year}).Order("year, month").Find(&rows).Error; err != nil {
		return nil, err
	}
	prev := map[int]*indicatorRow{}
	for i := range rows {
		r := &rows[i]
		if r.Year == year-1 {
			prev[r.Month] = r
			continue
		}
		out = append(out, monthOut(r, prev[r.Month]))
	}
	return out, nil
}

// MonthHistory lists every change of a month of the caller's zone, oldest first.
func (s *IndicatorService) MonthHistory(ctx context.Context, m domain.Month) ([]*domain.IndicatorChange, error) {
	var rows []indicatorHistoryRow
	err := s.db.conn(ctx).Where("zone_id = ? AND year = ? AND month = ?", zoneOf(ctx), m.Year, int(m.Month)).
		Order("at, id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.IndicatorChange, len(rows))
	for i, r := range rows {
		out[i] = &domain.IndicatorChange{At: r.At.UTC(), Actor: r.Actor, Field: r.Field, From: r.FromValue, To: r.ToValue}
	}
	return out, nil
}

// ---- project operations ----

// OperationsService implements domain.OperationsService on project_operations; changes go
// to the project's history (object "operations/PERIOD").
type OperationsService struct {
	db       *DB
	projects *ProjectService
}

// NewOperationsService returns the operations service on db.
func NewOperationsService(db *DB) *OperationsService {
	return &OperationsService{db: db, projects: NewProjectService(db)}
}

var _ domain.OperationsService = (*OperationsService)(nil)

type operationRow = projectOperationRowV17

func (r *operationRow) input() domain.OperationsInput {
	return domain.OperationsInput{Output: money(r.Output), Revenue: money(r.Revenue), Tax: money(r.Tax),
		Employees: count(r.Employees), InvestmentCompleted: money(r.InvestmentCompleted),
		InStatistics: r.InStatistics, AboveScale: r.AboveScale}
}

func operationsOut(r *operationRow, land domain.Area) *domain.ProjectOperations {
	in := r.input()
	return &domain.ProjectOperations{Period: r.Period, Kind: r.Kind, OperationsInput: in,
		TaxPerMu: domain.PerMu(in.Tax, land), OutputPerMu: domain.PerMu(in.Output, land),
		UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
}

// operationFields are the figures by JSON name, as the history writes them.
func operationFields(in domain.OperationsInput) [][2]any {
	b := func(v bool) *string {
		s := fmt.Sprint(v)
		return &s
	}
	wan := func(m *domain.Money) *string {
		if m == nil {
			return nil
		}
		s := m.Wan()
		return &s
	}
	var emp *string
	if in.Employees != nil {
		s := fmt.Sprint(*in.Employees)
		emp = &s
	}
	return [][2]any{
		{"output_wan", wan(in.Output)}, {"revenue_wan", wan(in.Revenue)}, {"tax_wan", wan(in.Tax)},
		{"employees", emp}, {"investment_completed_wan", wan(in.InvestmentCompleted)},
		{"in_statistics", b(in.InStatistics)}, {"above_scale", b(in.AboveScale)},
	}
}

// deref is the value p points to, or T's zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// PutOperations replaces a project's figures for a period; whoever may edit the project
// may enter them. Every changed figure is a line of the project's history.
func (s *OperationsService) PutOperations(ctx context.Context, projectID int64, period domain.Period, in domain.OperationsInput) (*domain.ProjectOperations, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *domain.ProjectOperations
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("填报该项目的运营数据")
		}
		if period.First().After(s.db.today()) {
			return &domain.Error{Code: domain.EINVALID, Message: "不能填报未来期间的运营数据 (period in the future)",
				Fields: map[string]string{"period": period.String() + " 尚未开始 (in the future)"}}
		}
		if err := in.Validate(); err != nil {
			return err
		}
		q := s.db.conn(ctx)
		now := s.db.now()
		var rows []operationRow
		if err := q.Where("project_id = ? AND period = ?", p.ID, period.String()).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		row := &operationRow{ZoneID: p.ZoneID, ProjectID: p.ID, Period: period.String(), Kind: period.Kind,
			Year: period.Year, PeriodIndex: period.Index, CreatedAt: now}
		var old [][2]any
		if len(rows) == 1 {
			row = &rows[0]
			old = operationFields(row.input())
		}
		for i, f := range operationFields(in) {
			var from *string
			if old != nil {
				from = old[i][1].(*string)
			}
			to := f[1].(*string)
			if sameText(from, to) || (old == nil && (to == nil || *to == "false")) {
				continue
			}
			if err := s.db.historyOf(ctx, a, p.ZoneID, p.ID, "operations/"+period.String(), "operations", f[0].(string), deref(from), deref(to)); err != nil {
				return err
			}
		}
		row.Output, row.Revenue, row.Tax = raw(in.Output), raw(in.Revenue), raw(in.Tax)
		row.Employees, row.InvestmentCompleted = count(in.Employees), raw(in.InvestmentCompleted)
		row.InStatistics, row.AboveScale = in.InStatistics, in.AboveScale
		row.UpdatedByID, row.UpdatedBy, row.UpdatedAt = a.User.ID, a.User.Username, now
		if err := q.Save(row).Error; err != nil {
			return translate(err, "period", "该期间数据正被他人同时填报，请重试 (entered concurrently; retry)")
		}
		out = operationsOut(row, p.LandArea)
		return nil
	})
	return out, err
}

var kindOrder = map[string]int{"year": 0, "quarter": 1, "month": 2}

// FindOperations lists a visible project's periods: newest year first, within a year the
// year's record, then quarters, then months, latest first.
func (s *OperationsService) FindOperations(ctx context.Context, projectID int64) (*domain.ProjectOperationsList, error) {
	p, err := s.projects.load(ctx, projectID, false)
	if err != nil {
		return nil, err
	}
	var rows []operationRow
	if err := s.db.conn(ctx).Where("project_id = ?", p.ID).Find(&rows).Error; err != nil {
		return nil, err
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Year != b.Year {
			return a.Year > b.Year
		}
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.PeriodIndex > b.PeriodIndex
	})
	out := &domain.ProjectOperationsList{ProjectID: p.ID, LandArea: p.LandArea, Periods: make([]*domain.ProjectOperations, len(rows))}
	for i := range rows {
		out.Periods[i] = operationsOut(&rows[i], p.LandArea)
	}
	out.Items, out.Total = out.Periods, len(out.Periods)
	return out, nil
}

// YearOperations are the visible projects' figures for a year (see domain.OperationsService).
func (s *OperationsService) YearOperations(ctx context.Context, year int, chain string) ([]*domain.OperationsRow, error) {
	return s.db.yearOperations(ctx, domain.ScopeOf(domain.ActorFrom(ctx)), year, chain)
}

func addMoney(dst **domain.Money, v *int64) {
	if v == nil {
		return
	}
	if *dst == nil {
		z := domain.Money(0)
		*dst = &z
	}
	**dst += domain.Money(*v)
}

func (db *DB) yearOperations(ctx context.Context, scope domain.Scope, year int, chain string) ([]*domain.OperationsRow, error) {
	var rows []struct {
		Op                 operationRow `gorm:"embedded"`
		Name, Investor     string
		ChainCode          *string
		Stage              string
		LandArea           int64
		PlannedInvestment  int64
		ConstructionActual domain.Date
	}
	q := db.conn(ctx).Table("project_operations AS o").
		Select("o.*, p.name AS name, e.name AS investor, ch.code AS chain_code, p.stage AS stage, p.land_area AS land_area, "+
			"p.planned_investment AS planned_investment, p.construction_actual AS construction_actual").
		Joins("JOIN projects p ON p.id = o.project_id").Joins("JOIN enterprises e ON e.id = p.investor_id").
		Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").Scopes(projectScope(scope)).
		Where("o.zone_id = ? AND o.year = ? AND p.deleted_at IS NULL", scope.ZoneID, year)
	if chain != "" {
		q = q.Where("ch.code = ?", chain)
	}
	if err := q.Order("o.project_id, o.period_index").Scan(&rows).Error; err != nil {
		return nil, err
	}
	type acc struct {
		row    *domain.OperationsRow
		byKind map[string][]operationRow
	}
	accs := map[int64]*acc{}
	var order []int64
	for _, r := range rows {
		a := accs[r.Op.ProjectID]
		if a == nil {
			a = &acc{row: &domain.OperationsRow{ProjectID: r.Op.ProjectID, Name: r.Name, Investor: r.Investor, Chain: r.ChainCode,
				Stage: domain.Stage(r.Stage), LandArea: domain.Area(r.LandArea), PlannedInvestment: domain.Money(r.PlannedInvestment),
				ConstructionAt: r.ConstructionActual}, byKind: map[string][]operationRow{}}
			accs[r.Op.ProjectID] = a
			order = append(order, r.Op.ProjectID)
		}
		a.byKind[r.Op.Kind] = append(a.byKind[r.Op.Kind], r.Op)
	}
	out := make([]*domain.OperationsRow, 0, len(order))
	first := domain.NewDate(year, 1, 1)
	for _, id := range order {
		a := accs[id]
		var use []operationRow
		for _, k := range []string{"year", "quarter", "month"} {
			if len(a.byKind[k]) > 0 {
				use = a.byKind[k]
				break
			}
		}
		r := a.row
		for _, op := range use {
			addMoney(&r.Output, op.Output)
			addMoney(&r.Tax, op.Tax)
			addMoney(&r.InvestmentCompleted, op.InvestmentCompleted)
		}
		last := use[len(use)-1] // the latest period: its head count and flags stand for the year
		r.Employees, r.InStatistics, r.AboveScale = count(last.Employees), last.InStatistics, last.AboveScale
		r.TaxPerMu, r.OutputPerMu = domain.PerMu(r.Tax, r.LandArea), domain.PerMu(r.Output, r.LandArea)
		if r.InvestmentCompleted != nil && r.PlannedInvestment > 0 {
			if bp, ok := domain.ShareBasisPoints(int64(*r.InvestmentCompleted), int64(r.PlannedInvestment)); ok {
				v := float64(bp) / 10000
				r.CompletedShare = &v
			}
		}
		r.ContinuedInYear = !r.ConstructionAt.IsZero() && r.ConstructionAt.Before(first)
		out = append(out, r)
	}
	return out, nil
}

// annualIndicators adds to f the year's indicators (zone scope only) and the completed
// investment of the visible projects (一(六)).
func (db *DB) annualIndicators(ctx context.Context, scope domain.Scope, year int, f *domain.AnnualFigures) error {
	f.CompletedInvestment = []*domain.CompletedInvestment{}
	if scope.All {
		months, err := db.indicatorYear(ctx, scope.ZoneID, year)
		if err != nil {
			return err
		}
		for i := len(months) - 1; i >= 0; i-- {
			if !months[i].Empty() {
				f.Indicators = months[i]
				break
			}
		}
	}
	rows, err := db.yearOperations(ctx, scope, year, "")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.InvestmentCompleted != nil && *r.InvestmentCompleted > 0 {
			f.CompletedInvestment = append(f.CompletedInvestment, &domain.CompletedInvestment{ProjectID: r.ProjectID,
				Name: r.Name, Amount: *r.InvestmentCompleted, Continued: r.ContinuedInYear})
		}
	}
	sort.SliceStable(f.CompletedInvestment, func(i, j int) bool {
		a, b := f.CompletedInvestment[i], f.CompletedInvestment[j]
		if a.Amount != b.Amount {
			return a.Amount > b.Amount
		}
		return a.ProjectID < b.ProjectID
	})
	return nil
}

// indicatorProgress sets the indicator metrics' progress (domain.TargetMetrics): each figure of
// the latest month of the year that reports it, in whole 万元. Indicators are the zone's, so
// only a zone-wide scope sees progress on them.
func (db *DB) indicatorProgress(ctx context.Context, scope domain.Scope, year int, out map[string]int64) error {
	for _, k := range []string{"revenue_wan", "tax_wan", "output_wan", "fixed_asset_investment_wan"} {
		out[k] = 0
	}
	if !scope.All {
		return nil
	}
	months, err := db.indicatorYear(ctx, scope.ZoneID, year)
	if err != nil {
		return err
	}
	for _, m := range months { // in order: later months overwrite earlier ones
		for _, f := range m.Fields() {
			if _, ok := out[f.Name]; ok && f.Money != nil {
				out[f.Name] = int64(*f.Money) / 10000
			}
		}
	}
	return nil
}
