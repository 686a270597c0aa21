package jobs

import (
	"fmt"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Thresholds are the reminder rules' day counts (configs/config.yaml, reminders.*).
type Thresholds struct {
	LeadIdleDays           int // lead/identification without activity → owner
	LeadEscalateDays       int // … → chain chief too
	IdentificationOpenDays int // identification open → owner
	RiskMissingDays        int // risk stage without an assessment → owner
	RiskEscalateDays       int // … → chain chief too
	DecisionPendingDays    int // decision waiting → chain chief (director without one)
	DecisionEscalateDays   int // … → director
	MilestoneWindowDays    int // milestone due within → owner; overdue → owner and chief
	ServiceIdleDays        int // follow-up without a service visit → owner
	NextStepWindowDays     int // an activity's next step due within → its author
	RequestEscalateDays    int // a service request this many days overdue → director and a 督办 (service.escalate_after_days)
}

// DefaultThresholds are the product brief's numbers.
func DefaultThresholds() Thresholds {
	return Thresholds{LeadIdleDays: 14, LeadEscalateDays: 30, IdentificationOpenDays: 21, RiskMissingDays: 14,
		RiskEscalateDays: 28, DecisionPendingDays: 7, DecisionEscalateDays: 14, MilestoneWindowDays: 14,
		ServiceIdleDays: 30, NextStepWindowDays: 3, RequestEscalateDays: 7}
}

// withDefaults fills unset thresholds from DefaultThresholds.
func (t Thresholds) withDefaults() Thresholds {
	d := DefaultThresholds()
	fill := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&t.LeadIdleDays, d.LeadIdleDays)
	fill(&t.LeadEscalateDays, d.LeadEscalateDays)
	fill(&t.IdentificationOpenDays, d.IdentificationOpenDays)
	fill(&t.RiskMissingDays, d.RiskMissingDays)
	fill(&t.RiskEscalateDays, d.RiskEscalateDays)
	fill(&t.DecisionPendingDays, d.DecisionPendingDays)
	fill(&t.DecisionEscalateDays, d.DecisionEscalateDays)
	fill(&t.MilestoneWindowDays, d.MilestoneWindowDays)
	fill(&t.ServiceIdleDays, d.ServiceIdleDays)
	fill(&t.NextStepWindowDays, d.NextStepWindowDays)
	fill(&t.RequestEscalateDays, d.RequestEscalateDays)
	return t
}

// Rules are the reminder rules: a pure function from one project's facts and a day to the
// reminders that should be live. Days count in the zone's calendar (Loc).
type Rules struct {
	Thresholds
	Loc *time.Location
}

// milestone kinds in the order a project reaches them.
var milestoneKinds = []struct{ Key, Label, English string }{
	{"land_listing", "土地摘牌", "land listing"},
	{"construction", "开工", "construction start"},
	{"production", "投产", "production start"},
}

func milestoneDates(m domain.Milestones) [3][2]domain.Date {
	return [3][2]domain.Date{
		{m.LandListingPlanned, m.LandListingActual},
		{m.ConstructionPlanned, m.ConstructionActual},
		{m.ProductionPlanned, m.ProductionActual},
	}
}

func laterOf(ds ...domain.Date) domain.Date {
	var out domain.Date
	for _, d := range ds {
		if d.After(out) {
			out = d
		}
	}
	return out
}

// Evaluate returns the reminders f calls for on today. Recipients come from rc: only
// enabled users; escalations go to the chain's chiefs, or the directors when the project
// has no chain or the chain no chief.
func (r Rules) Evaluate(f *domain.ReminderFacts, today domain.Date, rc *domain.ZoneRecipients) []*domain.WantedReminder {
	if f.Deleted || f.Stage == domain.StageDropped || rc == nil {
		return nil
	}
	t := r.Thresholds
	loc := r.Loc
	if loc == nil {
		loc = time.UTC
	}
	var out []*domain.WantedReminder
	add := func(users []int64, rule, period, msg string, due domain.Date) {
		for _, u := range users {
			if rc.Active[u] {
				out = append(out, &domain.WantedReminder{ZoneID: f.ZoneID, ProjectID: f.ProjectID, UserID: u,
					Rule: rule, Period: period, Message: msg, Due: due})
			}
		}
	}
	owner := []int64{f.OwnerID}
	escalate := func() []int64 {
		if f.ChainID != nil {
			if cs := rc.Chiefs[*f.ChainID]; len(cs) > 0 {
				return cs
			}
		}
		return rc.Directors
	}
	entered := domain.DateOf(f.StageEnteredAt, loc)
	inStage := today.DaysSince(entered)
	enteredKey := "entered:" + entered.String()

	switch f.Stage {
	case domain.StageLead, domain.StageIdentification:
		last := laterOf(domain.DateOf(f.LastProgressAt, loc), f.LastActivity)
		idle := today.DaysSince(last)
		key := "since:" + last.String()
		if idle >= t.LeadIdleDays {
			add(owner, domain.RuleLeadIdle, key,
				fmt.Sprintf("最近一次进展在%s，已超过%d天没有走访或洽谈，请尽快跟进 (no activity for over %d days)", last.Chinese(), t.LeadIdleDays, t.LeadIdleDays),
				last.AddDays(t.LeadIdleDays))
		}
		if idle >= t.LeadEscalateDays {
			add(escalate(), domain.RuleLeadEscalated, key,
				fmt.Sprintf("最近一次进展在%s，已超过%d天没有走访或洽谈，请督促负责人跟进 (no activity for over %d days; escalated)", last.Chinese(), t.LeadEscalateDays, t.LeadEscalateDays),
				last.AddDays(t.LeadEscalateDays))
		}
		if f.Stage == domain.StageIdentification && inStage >= t.IdentificationOpenDays {
			add(owner, domain.RuleIdentificationOpen, enteredKey,
				fmt.Sprintf("%s进入项目识别阶段，已超过%d天仍未完成研判 (identification open for over %d days)", entered.Chinese(), t.IdentificationOpenDays, t.IdentificationOpenDays),
				entered.AddDays(t.IdentificationOpenDays))
		}
	case domain.StageRisk:
		if f.HasRiskAssessment {
			break
		}
		if inStage >= t.RiskMissingDays {
			add(owner, domain.RuleRiskOverdue, enteredKey,
				fmt.Sprintf("%s进入风险评估阶段，已超过%d天仍未提交风险评估 (risk assessment missing after %d days)", entered.Chinese(), t.RiskMissingDays, t.RiskMissingDays),
				entered.AddDays(t.RiskMissingDays))
		}
		if inStage >= t.RiskEscalateDays {
			add(escalate(), domain.RuleRiskEscalated, enteredKey,
				fmt.Sprintf("%s进入风险评估阶段，已超过%d天仍未提交风险评估，请督办 (risk assessment missing after %d days; escalated)", entered.Chinese(), t.RiskEscalateDays, t.RiskEscalateDays),
				entered.AddDays(t.RiskEscalateDays))
		}
	case domain.StageDecision:
		if f.DecisionOutcome != "" {
			break // decided: the owner moves it on (signing, or back to risk)
		}
		if inStage >= t.DecisionPendingDays {
			add(escalate(), domain.RuleDecisionPending, enteredKey,
				fmt.Sprintf("%s提请落地决策，已等待超过%d天，请审定 (decision pending for over %d days)", entered.Chinese(), t.DecisionPendingDays, t.DecisionPendingDays),
				entered.AddDays(t.DecisionPendingDays))
		}
		if inStage >= t.DecisionEscalateDays {
			add(rc.Directors, domain.RuleDecisionEscalated, enteredKey,
				fmt.Sprintf("%s提请落地决策，已超过%d天未决，上报开发区主任 (decision pending for over %d days; escalated to the director)", entered.Chinese(), t.DecisionEscalateDays, t.DecisionEscalateDays),
				entered.AddDays(t.DecisionEscalateDays))
		}
	case domain.StageFollowUp:
		for i, m := range milestoneDates(f.Milestones) {
			planned, actual := m[0], m[1]
			if planned.IsZero() || !actual.IsZero() {
				continue
			}
			k := milestoneKinds[i]
			key := k.Key + ":" + planned.String()
			left := planned.DaysSince(today)
			switch {
			case left < 0:
				msg := fmt.Sprintf("计划于%s%s，已逾期，尚未登记实际完成日期 (%s overdue since %s)", planned.Chinese(), k.Label, k.English, planned)
				add(owner, domain.RuleMilestoneOverdue, key, msg, planned)
				add(escalate(), domain.RuleMilestoneOverdue, key, msg, planned)
			case left <= t.MilestoneWindowDays:
				add(owner, domain.RuleMilestoneDue, key,
					fmt.Sprintf("计划于%s%s，请提前协调落实 (%s due %s)", planned.Chinese(), k.Label, k.English, planned), planned)
			}
		}
		last := laterOf(f.LastService, entered, f.SignedAt)
		if today.DaysSince(last) >= t.ServiceIdleDays {
			add(owner, domain.RuleServiceIdle, "since:"+last.String(),
				fmt.Sprintf("自%s起已超过%d天没有跟踪服务走访，请上门了解企业建设和生产情况 (no service visit for over %d days)", last.Chinese(), t.ServiceIdleDays, t.ServiceIdleDays),
				last.AddDays(t.ServiceIdleDays))
		}
	}

	if ns := f.NextStep; ns != nil && ns.Due.DaysSince(today) <= t.NextStepWindowDays {
		to := []int64{ns.AuthorID}
		if !rc.Active[ns.AuthorID] {
			to = owner
		}
		what := shorten(ns.Text, 60)
		if what == "" {
			what = "走访记录中约定的下一步工作"
		}
		add(to, domain.RuleNextStepDue, fmt.Sprintf("activity:%d", ns.ActivityID),
			fmt.Sprintf("下一步：%s，应于%s前完成 (next step due %s)", what, ns.Due.Chinese(), ns.Due), ns.Due)
	}
	r.requestReminders(f, today, rc, add) // issue 15
	return out
}

func shorten(s string, n int) string {
	s = domain.CleanHeader(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
