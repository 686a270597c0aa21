package repository

import (
	"context"
	"fmt"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// history appends one line to a project's history, in the caller's transaction.
func (db *DB) history(ctx context.Context, a *domain.Actor, zoneID, projectID int64, action, field, from, to string) error {
	return db.historyOf(ctx, a, zoneID, projectID, "", action, field, from, to)
}

// historyOf appends a line about one of the project's own objects ("activity/12",
// "supervision/3"), so that a change to it can be told from a change to the project.
func (db *DB) historyOf(ctx context.Context, a *domain.Actor, zoneID, projectID int64, object, action, field, from, to string) error {
	h := &historyRow{ZoneID: zoneID, ProjectID: projectID, At: db.now(), Action: action, Object: object, Field: field, FromValue: from, ToValue: to}
	if a != nil && a.User != nil {
		h.ActorID, h.Actor = a.User.ID, a.User.Username
	} else {
		h.Actor = "system"
	}
	return db.conn(ctx).Create(h).Error
}

// History lists every change of a visible project, oldest first.
func (s *ProjectService) History(ctx context.Context, id int64) ([]*domain.HistoryEntry, error) {
	p, err := s.load(ctx, id, domain.IsAdmin(domain.ActorFrom(ctx)))
	if err != nil {
		return nil, err
	}
	var rows []historyRow
	if err := s.db.conn(ctx).Where("project_id = ?", p.ID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.HistoryEntry, len(rows))
	for i, r := range rows {
		out[i] = &domain.HistoryEntry{ID: r.ID, ProjectID: r.ProjectID, At: r.At.UTC(), Actor: r.Actor,
			Action: r.Action, Object: r.Object, Field: r.Field, From: r.FromValue, To: r.ToValue}
	}
	return out, nil
}

// TransitionProject moves a project through the stage machine (domain.CheckTransition).
func (s *ProjectService) TransitionProject(ctx context.Context, id int64, t domain.Transition) (*domain.Project, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	t.Reason = strings.TrimSpace(t.Reason)
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.load(ctx, id, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("推进该项目的阶段")
		}
		if t.Version != 0 && t.Version != p.Version {
			return staleVersion(p.Version)
		}
		facts := domain.StageFacts{Stage: p.Stage, PrevStage: p.PrevStage, HasRiskAssessment: p.HasRiskAssessment,
			DecisionOutcome: p.DecisionOutcome, SignedAt: p.SignedAt}
		if err := domain.CheckTransition(facts, t); err != nil {
			return err
		}
		now := s.db.now()
		cols := map[string]any{"stage": string(t.To), "stage_entered_at": now, "last_progress_at": now,
			"version": p.Version + 1, "updated_at": now}
		switch {
		case t.To == domain.StageDropped:
			cols["prev_stage"] = string(p.Stage)
			cols["drop_reason"] = t.Reason
		case p.Stage == domain.StageDropped:
			cols["prev_stage"] = ""
		}
		if t.To == domain.StageDecision || (p.Stage == domain.StageDecision && t.To == domain.StageRisk) {
			cols["decision_outcome"] = "" // a new decision is due
		}
		var signed bool
		if t.To == domain.StageFollowUp && !t.SignedAt.IsZero() && t.SignedAt != p.SignedAt {
			if t.SignedAt.Before(p.DockedAt) {
				return &domain.Error{Code: domain.EINVALID, Message: "签约日期不能早于对接日期",
					Fields: map[string]string{"signed_at": "签约日期不能早于对接日期 (before docked_at)"}}
			}
			cols["signed_at"] = t.SignedAt
			signed = true
		}
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", id, p.Version).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		action := "stage_changed"
		switch {
		case t.To == domain.StageDropped:
			action = "dropped"
		case p.Stage == domain.StageDropped:
			action = "reopened"
		}
		if err := s.db.history(ctx, a, p.ZoneID, id, action, "stage", string(p.Stage), string(t.To)); err != nil {
			return err
		}
		if t.Reason != "" {
			if err := s.db.history(ctx, a, p.ZoneID, id, action, "reason", "", t.Reason); err != nil {
				return err
			}
		}
		if signed {
			if err := s.db.history(ctx, a, p.ZoneID, id, action, "signed_at", p.SignedAt.String(), t.SignedAt.String()); err != nil {
				return err
			}
		}
		if t.To == domain.StageDecision && p.Stage != domain.StageDecision { // the groups hear it (issue 16)
			return s.db.publishDecisionWaiting(ctx, p, displayName(a.User))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, id, false)
}

// SubmitRiskAssessment stores a (revised) risk assessment on a project in the risk or
// decision stage; every revision is kept.
func (s *ProjectService) SubmitRiskAssessment(ctx context.Context, id int64, ra domain.RiskAssessment) (*domain.RiskAssessment, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	fe := domain.FieldErrors{}
	switch ra.Level {
	case "low", "medium", "high":
	default:
		fe.Add("level", "风险等级应为 low / medium / high")
	}
	ra.Summary = strings.TrimSpace(ra.Summary)
	if ra.Summary == "" {
		fe.Add("summary", "必填 (required)")
	}
	for name, v := range map[string]string{"summary": ra.Summary, "finance": ra.Finance, "land": ra.Land, "energy": ra.Energy,
		"environment": ra.Environment, "tax_per_mu": ra.TaxPerMu, "employment": ra.Employment} {
		if len([]rune(v)) > domain.MaxTextLen {
			fe.Add(name, "过长 (too long)")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var row *riskRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.load(ctx, id, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("提交该项目的风险评估")
		}
		if p.Stage != domain.StageRisk && p.Stage != domain.StageDecision {
			return domain.Errorf(domain.ERULE, "只有处于风险评估或落地决策阶段的项目才能提交风险评估（当前：%s）(wrong stage)", p.Stage.Label())
		}
		var prev []string
		if err := s.db.conn(ctx).Model(&riskRow{}).Where("project_id = ?", id).Order("created_at DESC, id DESC").
			Limit(1).Pluck("level", &prev).Error; err != nil {
			return err
		}
		now := s.db.now()
		row = &riskRow{ZoneID: p.ZoneID, ProjectID: id, Level: ra.Level, Summary: ra.Summary, Finance: ra.Finance,
			Land: ra.Land, Energy: ra.Energy, Environment: ra.Environment, TaxPerMu: ra.TaxPerMu,
			Employment: ra.Employment, AuthorID: a.User.ID, CreatedAt: now}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", id, p.Version).Updates(map[string]any{
			"has_risk_assessment": true, "last_progress_at": now, "version": p.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		from := ""
		if len(prev) > 0 {
			from = prev[0]
		}
		return s.db.historyOf(ctx, a, p.ZoneID, id, fmt.Sprintf("risk_assessment/%d", row.ID), "risk_assessment", "risk_level", from, ra.Level)
	})
	if err != nil {
		return nil, err
	}
	ra.ID, ra.ProjectID, ra.Author, ra.CreatedAt = row.ID, id, a.User.Username, row.CreatedAt
	return &ra, nil
}

// Decide records a landing decision by a chain chief of the project's chain or the director.
func (s *ProjectService) Decide(ctx context.Context, id int64, outcome, notes string) (*domain.Decision, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if outcome != "approved" && outcome != "rejected" {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "决策结果应为 approved 或 rejected",
			Fields: map[string]string{"outcome": "应为 approved（批准）或 rejected（否决）"}}
	}
	if len([]rune(notes)) > domain.MaxTextLen {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "批示过长", Fields: map[string]string{"notes": "过长 (too long)"}}
	}
	var row *decisionRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.load(ctx, id, false)
		if err != nil {
			return err
		}
		if !domain.CanDecide(a, p) {
			return forbidden("对该项目作出落地决策（须为该产业链链长或开发区主任）")
		}
		if p.Stage != domain.StageDecision {
			return domain.Errorf(domain.ERULE, "项目不在落地决策阶段（当前：%s），不能作出决策 (not in decision)", p.Stage.Label())
		}
		if !p.HasRiskAssessment {
			return domain.Errorf(domain.ERULE, "项目尚无风险评估，不能决策 (no risk assessment)")
		}
		now := s.db.now()
		row = &decisionRow{ZoneID: p.ZoneID, ProjectID: id, Outcome: outcome, Notes: strings.TrimSpace(notes), DeciderID: a.User.ID, CreatedAt: now}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", id, p.Version).Updates(map[string]any{
			"decision_outcome": outcome, "last_progress_at": now, "version": p.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		object := fmt.Sprintf("decision/%d", row.ID)
		if err := s.db.historyOf(ctx, a, p.ZoneID, id, object, "decision", "decision", p.DecisionOutcome, outcome); err != nil {
			return err
		}
		if row.Notes == "" {
			return nil
		}
		return s.db.historyOf(ctx, a, p.ZoneID, id, object, "decision", "notes", "", row.Notes)
	})
	if err != nil {
		return nil, err
	}
	return &domain.Decision{ID: row.ID, ProjectID: id, Outcome: outcome, Notes: row.Notes, Decider: a.User.Username, CreatedAt: row.CreatedAt}, nil
}
