package jobs_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/jobs"
)

// TestDigestExample plays a week in the demo zone — the reminders and the digest ran on
// Monday 2023-03-13, then a lead advanced, a landing decision was taken and the project
// signed, a risk assessment filed — and runs the reminders and the digest on Monday
// 2023-03-20 08:30: the week's news comes first, the backlog is counted. With CHAINCRM_UPDATE_DOCS=1 it writes the director's
// and a chain chief's email to docs/ (digest-example.html, digest-example-chief.html) and a
// recruiter's plain-text part (digest-example.txt).
func TestDigestExample(t *testing.T) {
	e := apitest.New(t, "sqlite")
	// The Monday before: the reminders and the digest ran (the backlog is last week's).
	e.Clock.Set(zoneTime("2023-03-13 08:30"))
	runJob(t, e, jobs.JobReminders)
	runJob(t, e, jobs.JobDigest)
	advance(e, time.Hour)
	all := allProjects(t, e, "admin", "")
	byName := func(prefix string) projectJSON {
		for _, p := range all {
			if strings.HasPrefix(p.Name, prefix) {
				return p
			}
		}
		t.Fatalf("no project %s", prefix)
		return projectJSON{}
	}
	do := func(user, method, path string, body any) {
		t.Helper()
		if r := e.As(user, method, path, body); r.Status >= 300 {
			t.Fatalf("%s %s %s: %d %s", user, method, path, r.Status, r.Body)
		}
	}
	// Monday: a visit to the food chain's cold-chain lead, which moves on to identification.
	var coldChain projectJSON
	for _, p := range all {
		if chainOf(p) == "food" && p.Stage == "lead" && strings.Contains(p.Name, "冷链") {
			coldChain = p
			break
		}
	}
	do(coldChain.Owner, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/activities", coldChain.ID), map[string]any{
		"kind": "visit", "occurred_at": "2023-03-13", "place": "天津", "summary": "实地考察冷链物流中心选址，投资方确认投资意向",
		"next_step": "提交项目可行性研究报告", "next_due": "2023-03-22"})
	move(t, e, coldChain.Owner, coldChain, "identification")
	// Tuesday: the mining chief approves 中材绿建; Thursday it is signed.
	advance(e, 24*time.Hour)
	zc := byName("中材绿建")
	do("chief_mining", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/decision", zc.ID), map[string]string{"outcome": "approved", "notes": "原材料保障方案可行，同意落地"})
	advance(e, 48*time.Hour)
	do(zc.Owner, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/transition", zc.ID), map[string]string{"to": "follow_up", "signed_at": "2023-03-16"})
	// Friday: the risk assessment of 乾城绿色建材 is in, and it goes to the decision.
	advance(e, 24*time.Hour)
	qc := byName("乾城绿色建材")
	do(qc.Owner, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/risk-assessment", qc.ID), map[string]string{
		"level": "medium", "summary": "用地指标需统筹，能耗在可控范围", "land": "需调整用地计划", "energy": "能耗指标可保障"})
	move(t, e, qc.Owner, qc, "decision")

	advance(e, zoneTime("2023-03-20 08:00").Sub(e.Clock.Now()))
	runJob(t, e, jobs.JobReminders)
	advance(e, zoneTime("2023-03-20 08:30").Sub(e.Clock.Now()))
	runJob(t, e, jobs.JobDigest)
	mails := weekMails(t, e, "2023-w12")
	for _, u := range []string{"director", "chief_mining", "recruiter1"} {
		if _, ok := mails[u]; !ok {
			t.Fatalf("no email for %s", u)
		}
	}
	if !strings.Contains(mails["director"].BodyHTML, "中材绿建") || !strings.Contains(mails["chief_mining"].BodyHTML, "乾城绿色建材") {
		t.Error("the week's events are missing from the emails")
	}
	if os.Getenv("CHAINCRM_UPDATE_DOCS") != "1" {
		return
	}
	docs := filepath.Join("..", "docs")
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(docs, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("digest-example.html", mails["director"].BodyHTML)
	write("digest-example-chief.html", mails["chief_mining"].BodyHTML)
	write("digest-example.txt", "Subject: "+mails["recruiter1"].Subject+"\n\n"+mails["recruiter1"].BodyText)
}
