package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
	"github.com/laiyuan-edz/chaincrm/repository"
)

type reminderJSON struct {
	ID          int64  `json:"id"`
	Rule        string `json:"rule"`
	RuleLabel   string `json:"rule_label"`
	ProjectID   int64  `json:"project_id"`
	ProjectName string `json:"project_name"`
	Message     string `json:"message"`
	DueAt       string `json:"due_at"`
	Status      string `json:"status"`
}

func myReminders(t *testing.T, e *apitest.Env, user string) []reminderJSON {
	t.Helper()
	r := e.As(user, http.MethodGet, "/api/v1/reminders", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("reminders of %s: %d %s", user, r.Status, r.Body)
	}
	var body struct {
		Items []reminderJSON `json:"items"`
		Total int            `json:"total"`
	}
	r.JSON(t, &body)
	if body.Total != len(body.Items) {
		t.Fatalf("total %d for %d items", body.Total, len(body.Items))
	}
	return body.Items
}

func reminderCount(t *testing.T, e *apitest.Env, where string, args ...any) int {
	t.Helper()
	var n int64
	if err := e.DB.Gorm().Table("reminders").Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func find(rs []reminderJSON, pred func(reminderJSON) bool) *reminderJSON {
	for i := range rs {
		if pred(rs[i]) {
			return &rs[i]
		}
	}
	return nil
}

// The reminder job over the demo zone: reminders for the right people, re-runs that add
// nothing, reminders that go when their cause goes, done and snoozed ones that stay so.
func TestReminderJobLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(zoneTime("2023-01-16 09:00"))
		first := runJob(t, e, jobs.JobReminders)
		total := reminderCount(t, e, "1 = 1")
		if total == 0 || !strings.Contains(first.Detail, fmt.Sprintf("raised %d,", total)) {
			t.Fatalf("first run raised %d: %s", total, first.Detail)
		}
		// Every person gets reminders of their own kind only.
		allowed := map[string]string{
			"recruiter1": "lead_idle identification_open risk_overdue service_idle milestone_due milestone_overdue next_step_due",
			"recruiter2": "lead_idle identification_open risk_overdue service_idle milestone_due milestone_overdue next_step_due",
			"chief_food": "lead_escalated risk_escalated decision_pending milestone_overdue",
			"director":   "lead_escalated risk_escalated decision_pending decision_escalated milestone_overdue request_escalated",
			"admin":      "", "viewer": "", "agent1": "",
		}
		for user, rules := range allowed {
			for _, r := range myReminders(t, e, user) {
				if !strings.Contains(" "+rules+" ", " "+r.Rule+" ") {
					t.Errorf("%s got %s on %s", user, r.Rule, r.ProjectName)
				}
				if r.RuleLabel == "" || r.Message == "" || r.Status != "open" {
					t.Errorf("%s: incomplete reminder %+v", user, r)
				}
			}
		}
		// chief_food sees the food chain's reminders only.
		for _, r := range myReminders(t, e, "chief_food") {
			p := e.As("chief_food", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d", r.ProjectID), nil)
			if p.Status != http.StatusOK || p.Map(t)["chain"] != "food" {
				t.Errorf("chief_food reminded of project %d (%s): %d", r.ProjectID, r.ProjectName, p.Status)
			}
		}

		// A re-run an hour later changes nothing.
		e.Clock.Add(time.Hour)
		if again := runJob(t, e, jobs.JobReminders); !strings.Contains(again.Detail, "raised 0, reopened 0, resolved 0") {
			t.Fatalf("re-run: %s", again.Detail)
		}
		if n := reminderCount(t, e, "1 = 1"); n != total {
			t.Fatalf("re-run: %d reminders, had %d", n, total)
		}

		mine := myReminders(t, e, "recruiter1")
		idle := find(mine, func(r reminderJSON) bool { return r.Rule == domain.RuleLeadIdle })
		if idle == nil {
			t.Fatal("recruiter1 has no lead_idle reminder")
		}
		// Progress removes the cause: an activity on the project resolves its idle reminders
		// (the owner's and the chief's).
		r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/activities", idle.ProjectID), map[string]any{
			"kind": "visit", "occurred_at": "2023-01-16", "place": "北京", "summary": "回访投资方，确认投资意向"})
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("log activity: %d %s", r.Status, r.Body)
		}
		runJob(t, e, jobs.JobReminders)
		if find(myReminders(t, e, "recruiter1"), func(x reminderJSON) bool { return x.ID == idle.ID }) != nil {
			t.Error("the idle reminder survived the activity")
		}
		if n := reminderCount(t, e, "project_id = ? AND rule IN ? AND status IN ?", idle.ProjectID,
			[]string{domain.RuleLeadIdle, domain.RuleLeadEscalated}, []string{"open", "snoozed"}); n != 0 {
			t.Errorf("%d idle reminders still live on project %d", n, idle.ProjectID)
		}

		// Done stays done: the same cause never raises it again.
		mine = myReminders(t, e, "recruiter1")
		done, snoozed := mine[0], mine[1]
		if r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/reminders/%d/done", done.ID), nil); r.Status != http.StatusOK {
			t.Fatalf("done: %d %s", r.Status, r.Body)
		}
		// Snooze: gone from the list until the day comes.
		until := domain.DateOf(e.Clock.Now(), shanghai).AddDays(2)
		r = e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/reminders/%d/snooze", snoozed.ID), map[string]string{"until": until.String()})
		if r.Status != http.StatusOK || r.Map(t)["status"] != "snoozed" {
			t.Fatalf("snooze: %d %s", r.Status, r.Body)
		}
		runJob(t, e, jobs.JobReminders)
		mine = myReminders(t, e, "recruiter1")
		for _, x := range mine {
			if x.ID == done.ID || x.ID == snoozed.ID {
				t.Errorf("reminder %d (%s) still listed", x.ID, x.Rule)
			}
		}
		if n := reminderCount(t, e, "project_id = ? AND rule = ? AND user_id = (SELECT id FROM users WHERE username = 'recruiter1')",
			done.ProjectID, done.Rule); n != 1 {
			t.Errorf("the done reminder was raised again: %d rows", n)
		}
		advance(e, 48*time.Hour)
		woke := runJob(t, e, jobs.JobReminders)
		if find(myReminders(t, e, "recruiter1"), func(x reminderJSON) bool { return x.ID == snoozed.ID && x.Status == "open" }) == nil {
			t.Errorf("the snoozed reminder did not come back: %s", woke.Detail)
		}

		// Nobody else can touch recruiter1's reminders.
		for _, u := range []string{"recruiter2", "chief_food", "admin"} {
			if r := e.As(u, http.MethodPost, fmt.Sprintf("/api/v1/reminders/%d/done", snoozed.ID), nil); r.Status != http.StatusNotFound {
				t.Errorf("%s marking another's reminder: %d", u, r.Status)
			}
		}
		// A resolved reminder cannot be marked done.
		if r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/reminders/%d/done", idle.ID), nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("done on a resolved reminder: %d %s", r.Status, r.Body)
		}
	})
}

func TestReminderSnoozeValidation(t *testing.T) {
	e := apitest.New(t, "sqlite")
	e.Clock.Set(zoneTime("2023-01-16 09:00"))
	runJob(t, e, jobs.JobReminders)
	id := myReminders(t, e, "recruiter2")[0].ID
	path := fmt.Sprintf("/api/v1/reminders/%d/snooze", id)
	for _, c := range []struct {
		body   any
		status int
		field  string
	}{
		{map[string]string{"until": "2023-01-16"}, 400, "until"}, // today
		{map[string]string{"until": "2023-01-10"}, 400, "until"},
		{map[string]string{"until": "2023-02-30"}, 400, "until"},
		{map[string]string{"until": "2024-01-16"}, 400, "until"}, // more than 180 days
		{map[string]any{"until": 5}, 400, "until"},
		{map[string]string{}, 400, "until"},
		{[]byte("{"), 400, ""},
		{map[string]string{"until": "2023-01-17"}, 200, ""},
	} {
		r := e.As("recruiter2", http.MethodPost, path, c.body)
		if r.Status != c.status {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
			continue
		}
		if c.field != "" && !strings.Contains(string(r.Body), `"`+c.field+`"`) {
			t.Errorf("%v: no field error: %s", c.body, r.Body)
		}
	}
	for _, p := range []string{"/api/v1/reminders/abc/done", "/api/v1/reminders/999999/done"} {
		if r := e.As("recruiter2", http.MethodPost, p, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	if r := e.Do(http.MethodGet, "/api/v1/reminders", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.Status)
	}
}

// Decisions wait on the chain's chief, then the director; deleting a project or deciding
// takes its reminders away.
func TestReminderEscalationAndResolution(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(zoneTime("2023-01-16 09:00"))
		runJob(t, e, jobs.JobReminders)
		pending := func(user string) *reminderJSON {
			return find(myReminders(t, e, user), func(r reminderJSON) bool { return r.Rule == domain.RuleDecisionPending })
		}
		// 中材绿建 (mining, in decision since 2022): its chief and, escalated, the director.
		p := pending("chief_mining")
		if p == nil || !strings.Contains(p.ProjectName, "中材绿建") {
			t.Fatalf("chief_mining's pending decision: %+v", p)
		}
		if find(myReminders(t, e, "director"), func(r reminderJSON) bool {
			return r.Rule == domain.RuleDecisionEscalated && r.ProjectID == p.ProjectID
		}) == nil {
			t.Error("the director was not told of the overdue decision")
		}
		// 中科纳米 has no chain: the director decides, so the director is reminded.
		if find(myReminders(t, e, "director"), func(r reminderJSON) bool {
			return r.Rule == domain.RuleDecisionPending && strings.Contains(r.ProjectName, "中科纳米")
		}) == nil {
			t.Error("no pending-decision reminder for the director on a chainless project")
		}
		// The chief decides: both reminders go.
		r := e.As("chief_mining", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/decision", p.ProjectID),
			map[string]string{"outcome": "approved", "notes": "同意"})
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		// A deleted project's reminders go too.
		owned := myReminders(t, e, "recruiter2")[0]
		if r := e.As("recruiter2", http.MethodDelete, fmt.Sprintf("/api/v1/projects/%d", owned.ProjectID), nil); r.Status >= 300 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		run := runJob(t, e, jobs.JobReminders)
		// (中材绿建's service request is still pending: its reminders stay until the department answers)
		if n := reminderCount(t, e, "project_id IN ? AND status = 'open' AND rule NOT LIKE 'request_%'", []int64{p.ProjectID, owned.ProjectID}); n != 0 {
			t.Errorf("%d reminders left on decided/deleted projects: %s", n, run.Detail)
		}
		if pending("chief_mining") != nil {
			t.Error("chief_mining still has a pending decision")
		}
	})
}

// An activity's next step with a due date reminds its author when it comes near.
func TestReminderNextStep(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(zoneTime("2023-01-16 09:00"))
		list := e.As("recruiter2", http.MethodGet, "/api/v1/projects?owner=recruiter2&stage=lead&page_size=1", nil)
		var body struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		list.JSON(t, &body)
		pid := body.Items[0].ID
		r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/activities", pid), map[string]any{
			"kind": "call", "occurred_at": "2023-01-16", "summary": "电话沟通", "next_step": "寄送园区招商手册", "next_due": "2023-01-20"})
		if r.Status >= 300 {
			t.Fatalf("log: %d %s", r.Status, r.Body)
		}
		has := func() bool {
			return find(myReminders(t, e, "recruiter1"), func(x reminderJSON) bool {
				return x.Rule == domain.RuleNextStepDue && x.ProjectID == pid && strings.Contains(x.Message, "寄送园区招商手册")
			}) != nil
		}
		runJob(t, e, jobs.JobReminders)
		if has() {
			t.Error("reminded four days early")
		}
		advance(e, 24*time.Hour)
		runJob(t, e, jobs.JobReminders)
		if !has() {
			t.Error("no reminder three days before the next step")
		}
		// The next contact takes the step's place.
		e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/activities", pid), map[string]any{
			"kind": "visit", "occurred_at": "2023-01-17", "summary": "手册已送达"})
		runJob(t, e, jobs.JobReminders)
		if has() {
			t.Error("the next-step reminder outlived the next activity")
		}
	})
}

// Two schedulers (two replicas) on one database: each scheduled fire runs exactly once.
func TestTwoSchedulersOneDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		var mu sync.Mutex
		ran := map[string][]string{} // fire time → instances that ran it
		clock := e.Clock
		clock.Set(zoneTime("2023-01-16 09:00").Add(300 * time.Millisecond))
		mk := func(name string, c domain.Clock) *jobs.Scheduler {
			s := jobs.NewScheduler(jobs.SchedulerOptions{Location: shanghai, Runs: repository.NewJobRunStore(e.DB),
				Instance: name, Clock: c, Log: log})
			job := func(job string) jobs.Func {
				return func(ctx context.Context, at time.Time) (string, error) {
					k := job + "@" + at.UTC().Format(time.RFC3339Nano)
					mu.Lock()
					ran[k] = append(ran[k], name)
					mu.Unlock()
					time.Sleep(5 * time.Millisecond)
					return "", nil
				}
			}
			if err := s.Register("hourly", "", "0 * * * *", job("hourly")); err != nil {
				t.Fatal(err)
			}
			if err := s.Register("tick", "", "* * * * * *", job("tick")); err != nil {
				t.Fatal(err)
			}
			return s
		}
		a, b := mk("replica-a", clock), mk("replica-b", clock)
		// Both replicas fire the same hour at once, several times over.
		for hour := 0; hour < 3; hour++ {
			var wg sync.WaitGroup
			var wins atomic.Int32
			for i := 0; i < 6; i++ {
				wg.Add(1)
				go func(s *jobs.Scheduler) {
					defer wg.Done()
					if s.Fire("hourly") {
						wins.Add(1)
					}
				}([]*jobs.Scheduler{a, b}[i%2])
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Errorf("hour %d: %d runs", hour, wins.Load())
			}
			clock.Add(time.Hour)
		}
		// The real cron: every second on both replicas, on the real clock.
		ra := mk("cron-a", domain.SystemClock{})
		rb := mk("cron-b", domain.SystemClock{})
		for _, s := range []*jobs.Scheduler{ra, rb} {
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(3500 * time.Millisecond)
		for _, s := range []*jobs.Scheduler{ra, rb} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.Stop(ctx); err != nil {
				t.Error(err)
			}
			cancel()
		}
		mu.Lock()
		defer mu.Unlock()
		var runs int64
		e.DB.Gorm().Table("job_runs").Where("job = ?", "tick").Count(&runs)
		ticks := 0
		for at, who := range ran {
			if len(who) != 1 {
				t.Errorf("fire %s ran %d times: %v", at, len(who), who)
			}
			if strings.HasPrefix(at, "tick@") {
				ticks++
			}
		}
		if ticks < 2 || int64(ticks) != runs {
			t.Errorf("%d ticks ran, %d recorded in job_runs", ticks, runs)
		}
	})
}
