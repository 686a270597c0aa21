package repository

import (
	"context"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The year's service figures (GET /stats/service, the dashboard and the annual report's
// sentence 先后解决了……等具体问题，帮助在建企业融资到位N万元), within the caller's scope.

type requestStatRow struct {
	ID         int64
	Category   string
	Status     string
	Title      string
	DueOn      domain.Date
	ResolvedOn *domain.Date
	ResolvedAt *time.Time
	ClosedAt   *time.Time
	CreatedAt  time.Time
	Amount     *domain.Money
	DeptCode   string
}

// yearBounds is [1 January, next 1 January) of year in the zone's time zone, in UTC.
func (db *DB) yearBounds(year int) (time.Time, time.Time) {
	loc := db.Opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(year, 1, 1, 0, 0, 0, 0, loc).UTC(), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc).UTC()
}

// ServiceStats computes the year's figures over the visible requests.
func (s *ServiceRequestService) ServiceStats(ctx context.Context, year int) (*domain.ServiceStats, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	from, to := s.db.yearBounds(year)
	first, last := domain.NewDate(year, 1, 1), domain.NewDate(year, 12, 31)
	today := s.db.today()
	out := &domain.ServiceStats{Year: year, ByDepartment: map[string]*domain.ServiceCounts{},
		ByCategory: map[string]*domain.ServiceCounts{}, ResolvedTitles: []string{}}
	var depts []departmentRow
	if err := s.db.conn(ctx).Where("zone_id = ?", a.User.ZoneID).Order("sort_order, id").Find(&depts).Error; err != nil {
		return nil, err
	}
	for _, d := range depts {
		if a.User.HasRole(domain.RoleDepartment) && !domain.ScopeOf(a).All && !domain.InDepartment(a, d.ID) {
			continue
		}
		out.ByDepartment[d.Code] = &domain.ServiceCounts{}
	}
	for _, c := range domain.RequestCategories {
		out.ByCategory[string(c)] = &domain.ServiceCounts{}
	}
	var rows []requestStatRow
	if err := s.base(ctx).Scopes(requestScope(a)).
		Select("r.id, r.category, r.status, r.title, r.due_on, r.resolved_on, r.resolved_at, r.closed_at, r.created_at, r.amount, d.code AS dept_code").
		Where("r.created_at < ?", to).Order("r.resolved_at, r.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	onTime := 0
	counts := func(r requestStatRow) []*domain.ServiceCounts {
		var out2 []*domain.ServiceCounts
		if c := out.ByDepartment[r.DeptCode]; c != nil {
			out2 = append(out2, c)
		}
		if c := out.ByCategory[r.Category]; c != nil {
			out2 = append(out2, c)
		}
		return out2
	}
	for _, r := range rows {
		created := !r.CreatedAt.Before(from)
		resolved := r.ResolvedOn != nil && !r.ResolvedOn.Before(first) && !r.ResolvedOn.After(last) &&
			(r.Status == string(domain.RequestResolved) || r.Status == string(domain.RequestClosed))
		overdue := domain.RequestStatus(r.Status).Pending() && r.DueOn.Before(today)
		if created {
			out.Received++
		}
		if resolved {
			out.Resolved++
			out.ResolvedTitles = append(out.ResolvedTitles, r.Title)
			out.ResolvedCategories = append(out.ResolvedCategories, domain.RequestCategory(r.Category))
			if !r.ResolvedOn.After(r.DueOn) {
				onTime++
			}
			if r.Category == "finance" && r.Amount != nil {
				out.Financing += *r.Amount
			}
		}
		if r.ClosedAt != nil && !r.ClosedAt.Before(from) && r.ClosedAt.Before(to) {
			out.Closed++
		}
		if overdue {
			out.Overdue++
		}
		for _, c := range counts(r) {
			if created {
				c.Received++
			}
			if resolved {
				c.Resolved++
			}
			if overdue {
				c.Overdue++
			}
		}
	}
	if out.Resolved > 0 {
		v := float64(onTime) / float64(out.Resolved)
		out.OnTimeRate = &v
	}
	// satisfaction: of the year's confirmations (closing as satisfied or basically
	// satisfied, or reopening as unsatisfied), the share that were not unsatisfied
	var verdicts []struct {
		Action string
		N      int
	}
	if err := s.db.conn(ctx).Table("request_events AS ev").Select("ev.action, COUNT(*) AS n").
		Joins("JOIN service_requests r ON r.id = ev.request_id").Joins("JOIN projects p ON p.id = r.project_id").
		Scopes(requestScope(a)).Where("p.deleted_at IS NULL AND ev.action IN ? AND ev.at >= ? AND ev.at < ?",
		[]string{"confirmed", "reopened"}, from, to).Group("ev.action").Scan(&verdicts).Error; err != nil {
		return nil, err
	}
	good, all := 0, 0
	for _, v := range verdicts {
		all += v.N
		if v.Action == "confirmed" {
			good += v.N
		}
	}
	if all > 0 {
		v := float64(good) / float64(all)
		out.SatisfactionRate = &v
	}
	return out, nil
}

// annualService is the annual report's view of the year's service requests.
func annualService(ctx context.Context, db *DB, year int) (*domain.AnnualService, error) {
	st, err := NewServiceRequestService(db).ServiceStats(ctx, year)
	if err != nil {
		return nil, err
	}
	// The report names the problems solved; a financing request is told by its amount
	// (融资到位N万元), and named only when nothing else was solved.
	out := &domain.AnnualService{Solved: []string{}, Financing: st.Financing}
	for i, t := range st.ResolvedTitles {
		if st.ResolvedCategories[i] != "finance" {
			out.Solved = append(out.Solved, t)
		}
	}
	if len(out.Solved) == 0 {
		out.Solved = append(out.Solved, st.ResolvedTitles...)
	}
	return out, nil
}
