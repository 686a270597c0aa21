package jobs_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
)

type projectJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Chain     *string `json:"chain"`
	Stage     string  `json:"stage"`
	Owner     string  `json:"owner"`
	CreatedBy string  `json:"created_by"`
}

func allProjects(t *testing.T, e *apitest.Env, user, query string) []projectJSON {
	t.Helper()
	var out []projectJSON
	for page := 1; ; page++ {
		r := e.As(user, http.MethodGet, fmt.Sprintf("/api/v1/projects?page_size=200&page=%d&%s", page, query), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("projects: %d %s", r.Status, r.Body)
		}
		var body struct {
			Items []projectJSON `json:"items"`
			Total int           `json:"total"`
		}
		r.JSON(t, &body)
		out = append(out, body.Items...)
		if len(out) >= body.Total || len(body.Items) == 0 {
			return out
		}
	}
}

func move(t *testing.T, e *apitest.Env, user string, p projectJSON, to string) {
	t.Helper()
	r := e.As(user, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/transition", p.ID), map[string]string{"to": to})
	if r.Status != http.StatusOK {
		t.Fatalf("move %s to %s: %d %s", p.Name, to, r.Status, r.Body)
	}
}

type mailRow struct {
	MessageID, ToAddr, Subject, BodyText, BodyHTML, Status string
}

func outboxMails(t *testing.T, e *apitest.Env) map[string]mailRow {
	t.Helper()
	return weekMails(t, e, "")
}

// weekMails are the weekly digests of one week ("2023-w12"; "": all) by user.
func weekMails(t *testing.T, e *apitest.Env, week string) map[string]mailRow {
	t.Helper()
	var rows []mailRow
	// the weekly digests only (the outbox also carries the demo's escalated service requests)
	if err := e.DB.Gorm().Table("outbox").Select("message_id, to_addr, subject, body_text, body_html, status").
		Where("message_id LIKE ?", "digest-"+week+"%").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]mailRow{}
	for _, r := range rows {
		user, _, _ := strings.Cut(r.ToAddr, "@")
		if _, dup := out[user]; dup {
			t.Errorf("%s got two emails", user)
		}
		out[user] = r
	}
	return out
}

func chainOf(p projectJSON) string {
	if p.Chain == nil {
		return ""
	}
	return *p.Chain
}

// The weekly digest over the demo zone: one email per person with something to report,
// content by role, and never a project outside the person's scope.
func TestDigestPerRoleAndScope(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(zoneTime("2023-03-14 10:00")) // Tuesday of ISO week 11
		all := allProjects(t, e, "admin", "")
		pick := func(pred func(projectJSON) bool) projectJSON {
			for _, p := range all {
				if pred(p) {
					return p
				}
			}
			t.Fatal("no such project")
			return projectJSON{}
		}
		// This week's moves: one per chain, one without a chain, one of the agent's leads.
		food := pick(func(p projectJSON) bool { return chainOf(p) == "food" && p.Stage == "lead" && p.Owner == "recruiter1" })
		semi := pick(func(p projectJSON) bool { return chainOf(p) == "semiconductor" && p.Stage == "lead" })
		none := pick(func(p projectJSON) bool { return p.Chain == nil && p.Stage == "lead" && p.CreatedBy != "agent1" })
		agents := pick(func(p projectJSON) bool {
			return p.CreatedBy == "agent1" && p.Stage == "lead" && p.ID != food.ID && p.ID != semi.ID
		})
		for _, p := range []projectJSON{food, semi, none, agents} {
			move(t, e, p.Owner, p, "identification")
		}
		// A hostile project name must come out escaped.
		r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", map[string]any{"name": "<script>alert(1)</script>冷链项目",
			"investor": "某冷链企业", "channel": "self_sourced", "chain": "food", "asset_type": "heavy", "planned_investment_wan": 1000,
			"docked_at": "2023-03-13"})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var hostile projectJSON
		r.JSON(t, &hostile)
		move(t, e, "recruiter1", hostile, "identification")
		// recruiter2 opts out of the email.
		if r := e.As("recruiter2", http.MethodPatch, "/api/v1/me/settings", map[string]bool{"digest_opt_out": true}); r.Status != http.StatusOK ||
			r.Map(t)["digest_opt_out"] != true {
			t.Fatalf("opt out: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodGet, "/api/v1/users", nil); r.Status == http.StatusOK {
			if !strings.Contains(string(r.Body), `"username":"recruiter2"`) || !strings.Contains(string(r.Body), `"digest_opt_out":true`) {
				t.Errorf("administrators cannot see the opt-out: %s", r.Body)
			}
		}

		advance(e, zoneTime("2023-03-20 08:30").Sub(e.Clock.Now()))
		runJob(t, e, jobs.JobReminders)
		// A stale reminder of chief_food on a mining project (as if they had chiefed it
		// once): the digest must not show it.
		mining := pick(func(p projectJSON) bool { return chainOf(p) == "mining" && p.Stage == "lead" })
		if err := e.DB.Gorm().Exec(`INSERT INTO reminders (zone_id, rule, project_id, user_id, period_key, message, due_at, status, created_at)
			SELECT 1, 'lead_escalated', ?, id, 'test', 'x', '2023-03-01', 'open', ? FROM users WHERE username = 'chief_food'`,
			mining.ID, e.Clock.Now()).Error; err != nil {
			t.Fatal(err)
		}
		run := runJob(t, e, jobs.JobDigest)
		mails := outboxMails(t, e)
		var got []string
		for u := range mails {
			got = append(got, u)
		}
		want := []string{"agent1", "chief_food", "chief_mining", "chief_semi", "director", "recruiter1"}
		if len(mails) != len(want) {
			t.Fatalf("mails to %v, want %v (%s)", got, want, run.Detail)
		}
		for _, u := range want {
			m, ok := mails[u]
			if !ok {
				t.Fatalf("no mail for %s; got %v", u, got)
			}
			uid := userID(t, e, u)
			if wantID := fmt.Sprintf("digest-2023-w12-laiyuan-u%d@laiyuan-edz.example.cn", uid); m.MessageID != wantID {
				t.Errorf("%s: Message-ID %s, want %s", u, m.MessageID, wantID)
			}
			if !strings.Contains(m.Subject, "2023年第12周") || !strings.Contains(m.BodyHTML, "<html") ||
				!strings.Contains(m.BodyText, "2023年3月13日—2023年3月19日") || strings.Contains(m.BodyText, "<td") {
				t.Errorf("%s: subject %q / bodies malformed", u, m.Subject)
			}
			if strings.Contains(m.BodyHTML, "<script>") {
				t.Errorf("%s: unescaped project name in HTML", u)
			}
		}
		// Scope: every project named in an email is one its reader may see.
		inScope := map[string]func(projectJSON) bool{
			"chief_food":   func(p projectJSON) bool { return chainOf(p) == "food" },
			"chief_mining": func(p projectJSON) bool { return chainOf(p) == "mining" },
			"chief_semi":   func(p projectJSON) bool { return chainOf(p) == "semiconductor" },
			"agent1":       func(p projectJSON) bool { return p.CreatedBy == "agent1" },
		}
		for u, ok := range inScope {
			body := mails[u].BodyText + mails[u].BodyHTML
			for _, p := range all {
				if !ok(p) && strings.Contains(body, p.Name) {
					t.Errorf("%s's email names %s (chain %q, by %s)", u, p.Name, chainOf(p), p.CreatedBy)
				}
			}
		}
		// Content by role.
		has := func(u string, parts ...string) {
			t.Helper()
			for _, s := range parts {
				if !strings.Contains(mails[u].BodyText, s) || !strings.Contains(mails[u].BodyHTML, s) {
					t.Errorf("%s's email lacks %q", u, s)
				}
			}
		}
		lacks := func(u string, parts ...string) {
			t.Helper()
			for _, s := range parts {
				if strings.Contains(mails[u].BodyText+mails[u].BodyHTML, s) {
					t.Errorf("%s's email has %q", u, s)
				}
			}
		}
		has("chief_food", "现代食品产业链", "本周推进", food.Name, "项目识别", "http://chaincrm.test/map/food")
		if !strings.Contains(mails["chief_food"].BodyHTML, "&lt;script&gt;alert(1)&lt;/script&gt;冷链项目") {
			t.Error("the hostile name is missing or not escaped in the HTML")
		}
		lacks("chief_food", "开发区全局", "矿业产业链", "第三代半导体产业链", semi.Name)
		has("chief_mining", "矿业产业链", "待落地决策", "中材绿建超低能耗被动式节能建筑产业园项目（一期）")
		has("chief_semi", "第三代半导体产业链", semi.Name)
		has("director", "开发区全局", "年度目标进度", "科创园轻资产项目签约落地不少于5个", "待落地决策", "中科纳米新材料产业园项目",
			food.Name, semi.Name, none.Name, "我的待办")
		has("recruiter1", "我的待办", "http://chaincrm.test/projects/")
		lacks("recruiter1", "开发区全局", "产业链招商地图", "待落地决策")
		has("agent1", "您报送的项目", agents.Name)
		lacks("agent1", "我的待办", "开发区全局")

		// A re-run in the same week writes nothing new.
		again := runJob(t, e, jobs.JobDigest)
		if !strings.Contains(again.Detail, "queued 0, already 6") || len(outboxMails(t, e)) != 6 {
			t.Errorf("re-run: %s", again.Detail)
		}
		// Without an SMTP host the outbox writes one .eml file per email.
		runJob(t, e, jobs.JobOutbox)
		emls, _ := os.ReadDir(e.MailDir)
		var files []os.DirEntry
		for _, f := range emls {
			if strings.HasPrefix(f.Name(), "digest-") {
				files = append(files, f)
			}
		}
		if len(files) != 6 {
			t.Errorf("%d digest .eml files, want 6", len(files))
		}
		for _, m := range outboxMails(t, e) {
			if m.Status != domain.OutboxSent {
				t.Errorf("%s: %s", m.MessageID, m.Status)
			}
		}
		// Next week is a new email.
		advance(e, 7*24*time.Hour)
		next := runJob(t, e, jobs.JobDigest)
		if strings.Contains(next.Detail, "queued 0,") {
			t.Errorf("next week: %s", next.Detail)
		}
	})
}

func userID(t *testing.T, e *apitest.Env, username string) int64 {
	t.Helper()
	var id int64
	if err := e.DB.Gorm().Table("users").Where("username = ?", username).Pluck("id", &id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// Long lists are capped and counted; an empty digest is not sent.
func TestDigestCapsAndEmptiness(t *testing.T) {
	loc := shanghai
	week := jobs.WeekOf(zoneTime("2023-03-20 08:30"), loc)
	chain := &domain.Chain{ID: 1, Code: "food", Name: "现代食品"}
	chief := &domain.User{ID: 1, ZoneID: 1, Username: "chief", DisplayName: "链长", Email: "chief@x.cn",
		Roles: []domain.Role{domain.RoleChainChief}, ChainIDs: []int64{1}}
	data := &domain.DigestData{Zone: &domain.Zone{ID: 1, Code: "z", Name: "开发区"}, Users: []*domain.User{chief}, Chains: []*domain.Chain{chain}}
	j := &jobs.DigestJob{Opts: jobs.DigestOptions{Loc: loc, BaseURL: "http://x.test/", MaxListItems: 5}}
	if d := j.Compose(data, chief, week); !d.Empty() {
		t.Fatal("an empty chain is something to report")
	}
	var cid int64 = 1
	for i := 0; i < 12; i++ {
		data.Projects = append(data.Projects, &domain.DigestProject{ID: int64(i + 1), Name: fmt.Sprintf("项目%02d", i), ChainID: &cid,
			Stage: domain.StageIdentification, Channel: domain.ChannelSelfSourced})
		data.Moves = append(data.Moves, &domain.StageMove{ProjectID: int64(i + 1), At: week.From.Add(time.Hour),
			From: domain.StageLead, To: domain.StageIdentification})
	}
	d := j.Compose(data, chief, week)
	if d.Empty() || d.Chains[0].Moves.Total != 12 || len(d.Chains[0].Moves.Items) != 5 {
		t.Fatalf("moves: %+v", d.Chains[0].Moves)
	}
	_, text, html, err := jobs.RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "另有 7 项未列出") || !strings.Contains(html, "另有 7 项未列出") || strings.Contains(text, "项目07") {
		t.Errorf("cap not shown:\n%s", text)
	}
	if !strings.Contains(html, `href="http://x.test/projects/1"`) {
		t.Error("links do not use the base URL")
	}
	// the footer's opt-out points at the web app's settings page (frontend route /settings)
	if !strings.Contains(html, `href="http://x.test/settings"`) || !strings.Contains(text, "http://x.test/settings") {
		t.Error("the footer does not link to the settings page")
	}
	// Moves outside the chief's chain do not count.
	var other int64 = 2
	for _, p := range data.Projects {
		p.ChainID = &other
	}
	if d := j.Compose(data, chief, week); !d.Empty() {
		t.Error("another chain's moves made the digest non-empty")
	}
}
