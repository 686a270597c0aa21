package jobs

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Users of the rule tests' zone.
const (
	owner    = 10
	author   = 11
	chief    = 20
	director = 30
	disabled = 40
)

var chainFood int64 = 1

func recipients() *domain.ZoneRecipients {
	return &domain.ZoneRecipients{Directors: []int64{director}, Chiefs: map[int64][]int64{chainFood: {chief}},
		Active: map[int64]bool{owner: true, author: true, chief: true, director: true}}
}

// zoneMidday is a moment on day d in the zone, at 14:00 (06:00 UTC): the rules count
// calendar days of the zone, not 24-hour spans.
func zoneMidday(d domain.Date) time.Time {
	return time.Date(d.Year(), d.Time().Month(), d.Time().Day(), 14, 0, 0, 0, shanghai)
}

// got is "rule→user" for each reminder, sorted.
func got(rs []*domain.WantedReminder) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s→%d", r.Rule, r.UserID))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestRuleBoundaries(t *testing.T) {
	rules := Rules{Thresholds: DefaultThresholds(), Loc: shanghai}
	start := domain.MustDate("2023-03-01")
	at := func(days int) time.Time { return zoneMidday(start.AddDays(days)) }
	base := func(stage domain.Stage) *domain.ReminderFacts {
		return &domain.ReminderFacts{ProjectID: 7, ZoneID: 1, ChainID: &chainFood, OwnerID: owner, Stage: stage,
			StageEnteredAt: at(0), LastProgressAt: at(0)}
	}
	type tc struct {
		name  string
		facts *domain.ReminderFacts
		day   int // today = start + day
		want  string
	}
	var cases []tc
	// Each threshold: the day before, the day itself, the day after.
	for _, b := range []struct {
		name  string
		stage domain.Stage
		edit  func(*domain.ReminderFacts)
		days  int
		want  string // at and after the threshold, besides what lower thresholds raise
		below string // what lower thresholds raise on the day before
	}{
		{"lead idle", domain.StageLead, nil, 14, "lead_idle→10", ""},
		{"lead escalated", domain.StageLead, nil, 30, "lead_escalated→20 lead_idle→10", "lead_idle→10"},
		{"identification idle", domain.StageIdentification, func(f *domain.ReminderFacts) { f.LastProgressAt = at(10) }, 21,
			"identification_open→10", ""},
		{"risk missing", domain.StageRisk, nil, 14, "risk_overdue→10", ""},
		{"risk escalated", domain.StageRisk, nil, 28, "risk_escalated→20 risk_overdue→10", "risk_overdue→10"},
		{"decision pending", domain.StageDecision, func(f *domain.ReminderFacts) { f.HasRiskAssessment = true }, 7, "decision_pending→20", ""},
		{"decision escalated", domain.StageDecision, func(f *domain.ReminderFacts) { f.HasRiskAssessment = true }, 14,
			"decision_escalated→30 decision_pending→20", "decision_pending→20"},
		{"service idle", domain.StageFollowUp, nil, 30, "service_idle→10", ""},
	} {
		for _, d := range []struct {
			off  int
			want string
		}{{-1, b.below}, {0, b.want}, {1, b.want}} {
			f := base(b.stage)
			if b.edit != nil {
				b.edit(f)
			}
			cases = append(cases, tc{fmt.Sprintf("%s day %+d", b.name, d.off), f, b.days + d.off, d.want})
		}
	}
	// Identification idle for 14 days from its last progress, open 21 from entry.
	cases = append(cases,
		tc{"identification lead idle", base(domain.StageIdentification), 14, "lead_idle→10"},
		tc{"identification both", base(domain.StageIdentification), 21, "identification_open→10 lead_idle→10"},
	)
	// An activity resets idleness; activities count by their own day.
	withAct := base(domain.StageLead)
	withAct.LastActivity = start.AddDays(5)
	cases = append(cases,
		tc{"activity day 18", withAct, 18, ""},
		tc{"activity day 19", withAct, 19, "lead_idle→10"},
	)
	// Risk with the assessment in, decision decided: nothing.
	ra := base(domain.StageRisk)
	ra.HasRiskAssessment = true
	decided := base(domain.StageDecision)
	decided.DecisionOutcome = "approved"
	cases = append(cases, tc{"risk assessed", ra, 40, ""}, tc{"decided", decided, 40, ""})
	// Milestones: window 14 days before, overdue after; done ones are quiet.
	ms := func(planned, actual string) *domain.ReminderFacts {
		f := base(domain.StageFollowUp)
		f.LastService = start.AddDays(40) // keep service_idle out of the picture
		f.Milestones.ConstructionPlanned = domain.MustDate(planned)
		if actual != "" {
			f.Milestones.ConstructionActual = domain.MustDate(actual)
		}
		return f
	}
	// start+40 = 2023-04-10; planned 2023-04-25 is 15 days ahead.
	cases = append(cases,
		tc{"milestone 15 days ahead", ms("2023-04-25", ""), 40, ""},
		tc{"milestone 14 days ahead", ms("2023-04-24", ""), 40, "milestone_due→10"},
		tc{"milestone today", ms("2023-04-10", ""), 40, "milestone_due→10"},
		tc{"milestone a day late", ms("2023-04-09", ""), 40, "milestone_overdue→10 milestone_overdue→20"},
		tc{"milestone done", ms("2023-04-09", "2023-04-08"), 40, ""},
	)
	// Next steps: due within 3 days, or overdue; to their author.
	ns := func(due string, who int64) *domain.ReminderFacts {
		f := base(domain.StageLead)
		f.LastActivity = start.AddDays(9)
		f.NextStep = &domain.NextStep{ActivityID: 99, AuthorID: who, Due: domain.MustDate(due), Text: "补充项目资料"}
		return f
	}
	// start+10 = 2023-03-11.
	cases = append(cases,
		tc{"next step 4 days ahead", ns("2023-03-15", author), 10, ""},
		tc{"next step 3 days ahead", ns("2023-03-14", author), 10, "next_step_due→11"},
		tc{"next step overdue", ns("2023-03-08", author), 10, "next_step_due→11"},
		tc{"next step of a disabled author", ns("2023-03-14", disabled), 10, "next_step_due→10"},
	)
	// Dropped and deleted projects raise nothing.
	dropped := base(domain.StageDropped)
	deleted := base(domain.StageLead)
	deleted.Deleted = true
	cases = append(cases, tc{"dropped", dropped, 100, ""}, tc{"deleted", deleted, 100, ""})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			today := domain.DateOf(at(c.day), shanghai)
			if g := got(rules.Evaluate(c.facts, today, recipients())); g != c.want {
				t.Errorf("day %d: got %q, want %q", c.day, g, c.want)
			}
		})
	}
}

// The zone's calendar decides the day: 23:30 in Shanghai is already the next UTC-less day
// of the zone, whatever the UTC date says.
func TestRulesCountZoneDays(t *testing.T) {
	rules := Rules{Thresholds: DefaultThresholds(), Loc: shanghai}
	// Last progress 2023-03-01 23:30 in Shanghai = 15:30 UTC the same day.
	last := time.Date(2023, 3, 1, 23, 30, 0, 0, shanghai)
	f := &domain.ReminderFacts{ProjectID: 1, ZoneID: 1, OwnerID: owner, Stage: domain.StageLead, StageEnteredAt: last, LastProgressAt: last}
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2023, 3, 14, 23, 59, 0, 0, shanghai), ""},
		{time.Date(2023, 3, 15, 0, 1, 0, 0, shanghai), "lead_idle→10"}, // 16:01 UTC on the 14th
	} {
		if g := got(rules.Evaluate(f, domain.DateOf(c.now, shanghai), recipients())); g != c.want {
			t.Errorf("%s: got %q, want %q", c.now, g, c.want)
		}
	}
}

func TestRuleRecipients(t *testing.T) {
	rules := Rules{Thresholds: DefaultThresholds(), Loc: shanghai}
	entered := zoneMidday(domain.MustDate("2023-03-01"))
	today := domain.MustDate("2023-04-01")
	var mining int64 = 2
	for _, c := range []struct {
		name  string
		chain *int64
		rc    func(*domain.ZoneRecipients)
		want  string
	}{
		{"chain with chief", &chainFood, nil, "decision_escalated→30 decision_pending→20"},
		{"no chain: the director decides", nil, nil, "decision_escalated→30 decision_pending→30"},
		{"chain without chief", &mining, nil, "decision_escalated→30 decision_pending→30"},
		{"two chiefs", &chainFood, func(rc *domain.ZoneRecipients) {
			rc.Chiefs[chainFood] = []int64{chief, 21}
			rc.Active[21] = true
		}, "decision_escalated→30 decision_pending→20 decision_pending→21"},
		{"disabled director", &chainFood, func(rc *domain.ZoneRecipients) { delete(rc.Active, director) }, "decision_pending→20"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := recipients()
			if c.rc != nil {
				c.rc(rc)
			}
			f := &domain.ReminderFacts{ProjectID: 1, ZoneID: 1, ChainID: c.chain, OwnerID: owner, Stage: domain.StageDecision,
				StageEnteredAt: entered, LastProgressAt: entered, HasRiskAssessment: true}
			if g := got(rules.Evaluate(f, today, rc)); g != c.want {
				t.Errorf("got %q, want %q", g, c.want)
			}
		})
	}
	// A disabled owner gets nothing; the escalation still goes out.
	rc := recipients()
	delete(rc.Active, owner)
	f := &domain.ReminderFacts{ProjectID: 1, ZoneID: 1, ChainID: &chainFood, OwnerID: owner, Stage: domain.StageLead,
		StageEnteredAt: entered, LastProgressAt: entered}
	if g := got(rules.Evaluate(f, today, rc)); g != "lead_escalated→20" {
		t.Errorf("disabled owner: got %q", g)
	}
}

// The key of a reminder names the occurrence of its cause: the same cause keeps its key
// day after day (so re-runs never duplicate), a new occurrence gets a new one.
func TestRulePeriodsAreStable(t *testing.T) {
	rules := Rules{Thresholds: DefaultThresholds(), Loc: shanghai}
	entered := zoneMidday(domain.MustDate("2023-03-01"))
	f := &domain.ReminderFacts{ProjectID: 1, ZoneID: 1, ChainID: &chainFood, OwnerID: owner, Stage: domain.StageLead,
		StageEnteredAt: entered, LastProgressAt: entered}
	keys := func(day string) string {
		var ks []string
		for _, r := range rules.Evaluate(f, domain.MustDate(day), recipients()) {
			ks = append(ks, r.Key()+"|"+r.Message+"|"+r.Due.String())
		}
		sort.Strings(ks)
		return strings.Join(ks, "\n")
	}
	a, b := keys("2023-04-05"), keys("2023-04-20")
	if a == "" || a != b {
		t.Fatalf("keys and messages changed from day to day:\n%s\n---\n%s", a, b)
	}
	f.LastActivity = domain.MustDate("2023-04-06")
	if c := keys("2023-05-20"); c == a || !strings.Contains(c, "since:2023-04-06") {
		t.Fatalf("a new idle spell kept the old key:\n%s", c)
	}
}

func TestOutboxBackoff(t *testing.T) {
	o := OutboxOptions{BaseDelay: time.Minute, MaxDelay: time.Hour}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if g := o.Backoff(i + 1); g != w {
			t.Errorf("attempt %d: %v, want %v", i+1, g, w)
		}
	}
}
