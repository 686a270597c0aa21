package jobs_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/jobs"
)

var subjectCounts = regexp.MustCompile(`本周(\d+)项新事项，另有(\d+)项待办`)

// section is the part of a digest's plain text under the heading that starts with head,
// up to the next "== " heading.
func section(text, head string) string {
	i := strings.Index(text, head)
	if i < 0 {
		return ""
	}
	rest := text[i+len(head):]
	if j := strings.Index(rest, "\n== "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestDigestLeadsWithNews is the measurement: a lead created today with no
// activity, the reminders job run three times weeks later, the digest run — the
// recruiter's email names that stale lead first, before any backlog item; the backlog is
// counted with only its worst five named; the subject counts the news; a re-run and a
// second replica see the same window; a week later the lead is no longer news.
func TestDigestLeadsWithNews(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// Monday 2023-01-16 10:00: the demo's backlog is raised and the first digest goes out.
		e.Clock.Set(zoneTime("2023-01-16 10:00"))
		runJob(t, e, jobs.JobReminders)
		first := runJob(t, e, jobs.JobDigest)
		if !strings.Contains(first.Detail, "news since 2023-01-09T02:00:00Z") {
			t.Errorf("a first-ever digest's news covers the seven days before it: %s", first.Detail)
		}
		const lead = "涞源冷链物流新线索项目"
		r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", map[string]any{"name": lead, "investor": "保定某冷链物流有限公司",
			"channel": "self_sourced", "chain": "food", "asset_type": "heavy", "planned_investment_wan": 5000, "docked_at": "2023-01-16"})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		// Weeks later the reminders run three times; then Monday's digest.
		for _, at := range []string{"2023-01-31 08:00", "2023-02-03 08:00", "2023-02-06 08:00"} {
			advance(e, zoneTime(at).Sub(e.Clock.Now()))
			runJob(t, e, jobs.JobReminders)
		}
		advance(e, zoneTime("2023-02-06 08:30").Sub(e.Clock.Now()))
		run := runJob(t, e, jobs.JobDigest)
		if !strings.Contains(run.Detail, "news since 2023-01-16T02:00:00Z") {
			t.Errorf("the news window does not start at the previous digest: %s", run.Detail)
		}
		m, ok := weekMails(t, e, "2023-w06")["recruiter1"]
		if !ok {
			t.Fatal("no email for recruiter1")
		}
		text := m.BodyText
		news := section(text, "== 本周新事项")
		backlog := section(text, "== 我的待办 · 此前未办结")
		if !strings.Contains(news, lead) || !strings.Contains(news, "洽谈无进展") {
			t.Fatalf("the stale lead is not in the news:\n%s", text)
		}
		if backlog == "" || strings.Contains(backlog, lead) {
			t.Fatalf("backlog section:\n%s", backlog)
		}
		// First: before every item of the backlog, in both parts.
		items := regexp.MustCompile(`(?m)^  - \[[^\]]+\] ([^：]+)：`).FindAllStringSubmatch(backlog, -1)
		if len(items) != 5 {
			t.Errorf("backlog names %d items, want the worst 5:\n%s", len(items), backlog)
		}
		for _, body := range []string{text, m.BodyHTML} {
			at := strings.Index(body, lead)
			for _, it := range items {
				if j := strings.Index(body, it[1]); j >= 0 && j < at {
					t.Errorf("%s comes before the stale lead", it[1])
				}
			}
		}
		// The backlog: counted, the overdue ones counted, the worst named first.
		sub := subjectCounts.FindStringSubmatch(m.Subject)
		if sub == nil {
			t.Fatalf("subject %q does not count the news", m.Subject)
		}
		nNews, _ := strconv.Atoi(sub[1])
		nBacklog, _ := strconv.Atoi(sub[2])
		if !strings.Contains(text, fmt.Sprintf("== 本周新事项（%d）", nNews)) || !strings.Contains(text, fmt.Sprintf("此前未办结（%d）", nBacklog)) ||
			nBacklog < 40 || !strings.Contains(backlog, fmt.Sprintf("其余 %d 项未列出", nBacklog-5)) || !strings.Contains(backlog, "按类型：洽谈无进展") {
			t.Errorf("subject %q, counts in the body:\n%s", m.Subject, text)
		}
		listedNews := strings.Count(news, "\n  - ")
		if listedNews != nNews {
			t.Errorf("news named %d, counted %d:\n%s", listedNews, nNews, news)
		}
		days := regexp.MustCompile(`逾期(\d+)天`).FindAllStringSubmatch(backlog, -1)
		for i := 1; i < len(days); i++ {
			a, _ := strconv.Atoi(days[i-1][1])
			b, _ := strconv.Atoi(days[i][1])
			if b > a {
				t.Errorf("backlog not most overdue first: %v", days)
			}
		}
		// A re-run, and another replica, use the same window and store nothing new.
		advance(e, 30*60e9)
		again := runJob(t, e, jobs.JobDigest)
		other := e.Second()
		third := runJob(t, other, jobs.JobDigest)
		for _, d := range []string{again.Detail, third.Detail} {
			if !strings.Contains(d, "news since 2023-01-16T02:00:00Z") || !strings.Contains(d, "queued 0,") {
				t.Errorf("re-run: %s", d)
			}
		}
		// A week later the lead is backlog, not news.
		advance(e, zoneTime("2023-02-13 08:00").Sub(e.Clock.Now()))
		runJob(t, e, jobs.JobReminders)
		advance(e, zoneTime("2023-02-13 08:30").Sub(e.Clock.Now()))
		next := runJob(t, e, jobs.JobDigest)
		if !strings.Contains(next.Detail, "news since 2023-02-06T00:30:00Z") {
			t.Errorf("second week's window: %s", next.Detail)
		}
		m2 := weekMails(t, e, "2023-w07")["recruiter1"]
		if strings.Contains(section(m2.BodyText, "== 本周新事项"), lead) {
			t.Errorf("the lead is news again:\n%s", m2.BodyText)
		}
		if sub := subjectCounts.FindStringSubmatch(m2.Subject); sub != nil {
			if n, _ := strconv.Atoi(sub[2]); n <= nBacklog {
				t.Errorf("second week's backlog %d, first week's %d: the lead's reminder is not counted in it", n, nBacklog)
			}
		}
	})
}
