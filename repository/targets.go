package repository

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// FindTargets lists the zone's targets of a year with their progress, computed from the
// data in the caller's scope (a chain chief sees their chain's share).
func (s *StatsService) FindTargets(ctx context.Context, year int) ([]*domain.Target, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	var rows []targetRow
	if err := s.db.conn(ctx).Where("zone_id = ? AND year = ?", a.User.ZoneID, year).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Target, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	progress, err := s.progress(ctx, domain.ScopeOf(a), year)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		out[i] = targetToDomain(r, progress)
	}
	return out, nil
}

func targetToDomain(r targetRow, progress map[string]int64) *domain.Target {
	return &domain.Target{ID: r.ID, ZoneID: r.ZoneID, Year: r.Year, Metric: r.Metric, Value: r.Value, Label: r.Label,
		Notes: r.Notes, Progress: progress[r.Metric]}
}

// progress computes every metric of domain.TargetMetrics for a year.
func (s *StatsService) progress(ctx context.Context, scope domain.Scope, year int) (map[string]int64, error) {
	y := s.db.span(year)
	sf, _, err := s.signed(ctx, scope, y, newTally())
	if err != nil {
		return nil, err
	}
	ct, err := s.campaigns(ctx, scope, y)
	if err != nil {
		return nil, err
	}
	var docked, started int64
	cond, a, b := dockedIn(y)
	if err := s.visible(ctx, scope).Where(cond, a, b).Count(&docked).Error; err != nil {
		return nil, err
	}
	if err := s.visible(ctx, scope).Where("p.construction_actual >= ? AND p.construction_actual <= ?", y.first, y.last).
		Count(&started).Error; err != nil {
		return nil, err
	}
	out := map[string]int64{
		"signed_projects":           int64(sf.Count),
		"light_signed_science_park": int64(sf.ByAssetType[string(domain.AssetLight)]),
		"heavy_signed":              int64(sf.ByAssetType[string(domain.AssetHeavy)]),
		"investment_signed_wan":     int64(sf.Total) / 10000, // whole 万元
		"docked_projects":           docked,
		"trips_made":                int64(ct.Trips),
		"conferences_held":          int64(ct.Conferences),
		"projects_started":          started,
	}
	// issue 17: the indicators' progress
	if err := s.db.indicatorProgress(ctx, scope, year, out); err != nil {
		return nil, err
	}
	return out, nil
}

// canManageTargets: administrators and the director set the zone's targets.
func canManageTargets(a *domain.Actor) bool {
	return a.User.HasRole(domain.RoleAdmin) || a.User.HasRole(domain.RoleDirector)
}

func validateTarget(t *domain.Target) error {
	fe := domain.FieldErrors{}
	if t.Year < 2000 || t.Year > 2100 {
		fe.Add("year", "年份应在 2000 到 2100 之间 (a year from 2000 to 2100)")
	}
	m, ok := domain.MetricByCode(t.Metric)
	if !ok {
		codes := make([]string, len(domain.TargetMetrics))
		for i, m := range domain.TargetMetrics {
			codes[i] = m.Code
		}
		fe.Add("metric", "未知的指标，应为 "+strings.Join(codes, " / ")+" (unknown metric)")
	}
	if t.Value < 0 {
		fe.Add("target", "目标值不能为负 (must be ≥ 0)")
	} else if t.Value > int64(domain.MaxMoney/10000) {
		fe.Add("target", "目标值不能超过 10 000 000 (at most 10,000,000)")
	}
	t.Label = strings.TrimSpace(t.Label)
	if t.Label == "" && ok {
		t.Label = m.Label
	}
	if utf8.RuneCountInString(t.Label) > domain.MaxNameLen {
		fe.Add("label", "过长 (too long)")
	}
	if utf8.RuneCountInString(t.Notes) > domain.MaxTextLen {
		fe.Add("notes", "过长 (too long)")
	}
	return fe.Err()
}

// CreateTarget sets a yearly target; a second target on the same metric and year is a
// conflict (change the first instead).
func (s *StatsService) CreateTarget(ctx context.Context, t *domain.Target) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if !canManageTargets(a) {
		return forbidden("设定年度目标")
	}
	if err := validateTarget(t); err != nil {
		return err
	}
	row := &targetRow{ZoneID: a.User.ZoneID, Year: t.Year, Metric: t.Metric, Value: t.Value, Label: t.Label, Notes: t.Notes}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var n int64
		if err := s.db.conn(ctx).Model(&targetRow{}).Where("zone_id = ? AND year = ? AND metric = ?", row.ZoneID, row.Year, row.Metric).
			Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return duplicateTarget()
		}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return translate(err, "metric", "该年度已设定此指标的目标 (a target on this metric exists for the year)")
		}
		return nil
	})
	if err != nil {
		return err
	}
	progress, err := s.progress(ctx, domain.ScopeOf(a), t.Year)
	if err != nil {
		return err
	}
	*t = *targetToDomain(*row, progress)
	return nil
}

func duplicateTarget() error {
	msg := "该年度已设定此指标的目标，请修改原目标 (a target on this metric exists for the year)"
	return &domain.Error{Code: domain.ECONFLICT, Message: msg, Fields: map[string]string{"metric": msg}}
}

// UpdateTarget changes a target's value, label or notes.
func (s *StatsService) UpdateTarget(ctx context.Context, id int64, upd domain.TargetUpdate) (*domain.Target, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var row targetRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var rows []targetRow
		if err := s.db.conn(ctx).Where("id = ? AND zone_id = ?", id, a.User.ZoneID).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return domain.NotFound("年度目标")
		}
		if !canManageTargets(a) {
			return forbidden("修改年度目标")
		}
		row = rows[0]
		t := targetToDomain(row, nil)
		if upd.Value != nil {
			t.Value = *upd.Value
		}
		if upd.Label != nil {
			t.Label = *upd.Label
		}
		if upd.Notes != nil {
			t.Notes = *upd.Notes
		}
		if err := validateTarget(t); err != nil {
			return err
		}
		row.Value, row.Label, row.Notes = t.Value, t.Label, t.Notes
		return s.db.conn(ctx).Model(&targetRow{}).Where("id = ?", id).
			Updates(map[string]any{"value": row.Value, "label": row.Label, "notes": row.Notes}).Error
	})
	if err != nil {
		return nil, err
	}
	progress, err := s.progress(ctx, domain.ScopeOf(a), row.Year)
	if err != nil {
		return nil, err
	}
	return targetToDomain(row, progress), nil
}
