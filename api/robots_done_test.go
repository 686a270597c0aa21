package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// TestRobotsDoneWhen is issue 16's "Done when", on the live demo (loaded Monday 2026-06-08)
// with a fake WeCom group for the food chain and a fake DingTalk group for the zone (signed;
// the fake checks the signature): moving a food project into 落地决策 puts one message in
// the food group that @s chief_food's mobile; a 督办 @s the project's owner; Monday's digest
// arrives once in each group and once by email however often the digest and the outbox run
// (on two replicas); and the recruiter's email names this week's stale lead first.
func TestRobotsDoneWhen(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			var e *apitest.Env
			f := newFakeGroups(t, func() time.Time { return e.Clock.Now() })
			p, err := domain.ParseRobotPolicy(strings.TrimPrefix(f.srv.URL, "http://")+","+domain.DefaultRobotHosts, true, "21:00-08:00")
			if err != nil {
				t.Fatal(err)
			}
			e = apitest.NewLive(t, d, shanghai("2026-06-08 10:00"), func(o *api.Options) { o.Robots = p })
			e.SetRobotPolicy(p)
			ctx := context.Background()
			jump := func(at string) {
				e.Clock.Set(shanghai(at))
				e.ForgetSessions()
			}
			run := func(env *apitest.Env, job string) *domain.JobRun {
				t.Helper()
				r, err := env.Jobs.Run(ctx, job, env.Clock.Now(), "test")
				if err != nil || r.Status != domain.JobOK {
					t.Fatalf("%s: %v %+v", job, err, r)
				}
				return r
			}

			setMobile(t, e, "chief_food", "13800000001")
			setMobile(t, e, "recruiter1", "13900000002")
			events := []string{"decision_waiting", "supervision", "weekly_digest"}
			mkRobot(t, e, map[string]any{"kind": "wecom", "name": "现代食品产业链工作群", "webhook": f.url("/wecom/food") + "?key=food",
				"chain": "food", "events": events})
			f.secrets["/dingtalk/zone"] = "SECzone0123456789"
			mkRobot(t, e, map[string]any{"kind": "dingtalk", "name": "开发区招商工作群", "webhook": f.url("/dingtalk/zone") + "?access_token=zone",
				"secret": "SECzone0123456789", "chain": nil, "events": events})

			// A food project of recruiter1's in identification goes on to 落地决策.
			var food map[string]any
			for _, pr := range list(t, e, "admin", "chain=food&stage=identification&page_size=200").Items {
				if pr["owner"] == "recruiter1" {
					food = pr
					break
				}
			}
			if food == nil {
				t.Fatal("no food project of recruiter1's in identification")
			}
			pp := fmt.Sprintf("/api/v1/projects/%v", food["id"])
			name := food["name"].(string)
			for _, step := range []struct {
				path string
				body map[string]any
				want int
			}{
				{"/transition", map[string]any{"to": "risk"}, 200},
				{"/risk-assessment", map[string]any{"level": "low", "summary": "用地、能耗条件具备，风险可控"}, 201},
				{"/transition", map[string]any{"to": "decision"}, 200},
			} {
				if r := e.As("recruiter1", http.MethodPost, pp+step.path, step.body); r.Status != step.want {
					t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
				}
			}
			runOutboxAt(t, e, shanghai("2026-06-08 10:05"))
			wecom := f.delivered("/wecom/food")
			if len(wecom) != 1 {
				t.Fatalf("food group: %d messages after the move, want 1", len(wecom))
			}
			text := wecom[0].Body["text"].(map[string]any)
			if fmt.Sprint(text["mentioned_mobile_list"]) != "[13800000001]" || !strings.Contains(text["content"].(string), name) ||
				!strings.Contains(text["content"].(string), "待决策") {
				t.Errorf("decision message: %+v", wecom[0].Body)
			}
			ding := f.delivered("/dingtalk/zone")
			if len(ding) != 1 || fmt.Sprint(ding[0].Body["at"].(map[string]any)["atMobiles"]) != "[13800000001]" {
				t.Fatalf("zone group after the move: %+v (attempts %d)", ding, f.attempts("/dingtalk/zone"))
			}

			// The director opens a 督办 on it: the owner is @-ed.
			if r := e.As("director", http.MethodPost, pp+"/supervisions", map[string]any{"instruction": "本周内补齐用地预审材料", "due": "2026-06-12"}); r.Status != 201 {
				t.Fatalf("supervision: %d %s", r.Status, r.Body)
			}
			runOutboxAt(t, e, shanghai("2026-06-08 10:10"))
			if wecom = f.delivered("/wecom/food"); len(wecom) != 2 {
				t.Fatalf("food group: %d messages after the 督办", len(wecom))
			}
			text = wecom[1].Body["text"].(map[string]any)
			if fmt.Sprint(text["mentioned_mobile_list"]) != "[13900000002]" || !strings.Contains(text["content"].(string), "本周内补齐用地预审材料") {
				t.Errorf("督办 message: %+v", wecom[1].Body)
			}
			if ding = f.delivered("/dingtalk/zone"); len(ding) != 2 || fmt.Sprint(ding[1].Body["at"].(map[string]any)["atMobiles"]) != "[13900000002]" {
				t.Errorf("zone group after the 督办: %+v", ding)
			}

			// The weeks go by: the reminders every morning of the digest days, the digest on
			// Mondays. After the digest of 06-15 recruiter1 enters a lead and does nothing with
			// it; the reminders run three days in a row weeks later, then Monday's digest.
			const lead = "涞源县冷链仓储新线索项目"
			for _, day := range []string{"2026-06-15", "2026-06-22"} {
				jump(day + " 08:00")
				run(e, "reminders")
				jump(day + " 08:30")
				run(e, "digest")
				if day == "2026-06-15" {
					jump(day + " 10:00")
					if r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", map[string]any{"name": lead, "investor": "保定某冷链仓储有限公司",
						"channel": "self_sourced", "chain": "food", "asset_type": "heavy", "planned_investment_wan": 6000, "docked_at": day}); r.Status != 201 {
						t.Fatalf("lead: %d %s", r.Status, r.Body)
					}
				}
			}
			for _, at := range []string{"2026-06-27 08:00", "2026-06-28 08:00", "2026-06-29 08:00"} {
				jump(at)
				run(e, "reminders")
			}
			jump("2026-06-29 08:30")
			run(e, "digest")
			other := e.Second()
			for i := 0; i < 2; i++ { // the digest and the outbox again, on both replicas
				runOutboxAt(t, e, shanghai("2026-06-29 08:31").Add(time.Duration(i)*time.Minute))
				run(e, "digest")
				run(other, "digest")
				if _, err := other.Jobs.OutboxJob.Run(ctx, shanghai("2026-06-29 08:35").Add(time.Duration(i)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			weekly := func(path, title string) []groupMsg {
				var out []groupMsg
				for _, m := range f.delivered(path) {
					if strings.Contains(fmt.Sprint(m.Body), title) {
						out = append(out, m)
					}
				}
				return out
			}
			fw, zw := weekly("/wecom/food", "现代食品每周简报（2026年第27周）"), weekly("/dingtalk/zone", "全区每周简报（2026年第27周）")
			if len(fw) != 1 || len(zw) != 1 {
				t.Fatalf("Monday's weekly digest: food group %d, zone group %d, want 1 each", len(fw), len(zw))
			}
			for _, m := range []groupMsg{fw[0], zw[0]} {
				md, _ := m.Body["markdown"].(map[string]any)["content"].(string) // WeCom
				if md == "" {
					md, _ = m.Body["markdown"].(map[string]any)["text"].(string) // DingTalk
				}
				if _, body, _ := strings.Cut(md, "\n"); !strings.HasPrefix(strings.TrimLeft(body, "\n"), "本周新事项 **") {
					t.Errorf("the weekly message does not lead with the news: %s", md)
				}
			}
			if md := fmt.Sprint(fw[0].Body["markdown"]); !strings.Contains(md, "新待办："+lead) {
				t.Errorf("the food group's weekly message does not name the stale lead: %s", md)
			}
			for _, g := range []string{"/wecom/food", "/dingtalk/zone"} { // nothing twice
				seen := map[string]bool{}
				for _, m := range f.delivered(g) {
					k := fmt.Sprint(m.Body["text"], m.Body["markdown"])
					if seen[k] {
						t.Errorf("%s got a message twice: %.200s", g, k)
					}
					seen[k] = true
				}
			}
			var mails []struct{ MessageID, Subject, BodyText, BodyHTML, Status string }
			e.DB.Gorm().Table("outbox").Select("message_id, subject, body_text, body_html, status").
				Where("message_id LIKE ? AND to_addr = ?", "digest-2026-w27-%", "recruiter1@laiyuan-edz.example.cn").Scan(&mails)
			if len(mails) != 1 || mails[0].Status != domain.OutboxSent {
				t.Fatalf("recruiter1's digests: %+v", mails)
			}
			emls, _ := os.ReadDir(e.MailDir)
			sent := 0
			for _, eml := range emls {
				if strings.HasPrefix(eml.Name(), "digest-2026-w27-") && strings.Contains(eml.Name(), fmt.Sprintf("-u%d@", userIDOf(t, e, "recruiter1"))) {
					sent++
				}
			}
			if sent != 1 {
				t.Errorf("recruiter1's digest written %d times", sent)
			}
			m := mails[0]
			at := strings.Index(m.BodyText, lead)
			if at < 0 || !strings.Contains(m.Subject, "项新事项") {
				t.Fatalf("recruiter1's email (%s) does not name the stale lead:\n%s", m.Subject, m.BodyText)
			}
			news := strings.Index(m.BodyText, "== 本周新事项")
			if b := strings.Index(m.BodyText, "== 我的待办 · 此前未办结"); news < 0 || news > at || (b >= 0 && b < at) {
				t.Errorf("the stale lead is not named first:\n%s", m.BodyText)
			}
			// Newest first: whatever the news names before the lead was raised the same morning.
			before := strings.Split(m.BodyText[news:at], "\n")
			for _, line := range before[:len(before)-1] { // the last is the lead's own line
				if strings.HasPrefix(line, "  - [") && !strings.HasSuffix(line, "2026年6月29日）") {
					t.Errorf("named before this week's stale lead: %s", line)
				}
			}
		})
	}
}

func userIDOf(t *testing.T, e *apitest.Env, username string) int64 {
	t.Helper()
	var id int64
	if err := e.DB.Gorm().Table("users").Where("username = ?", username).Pluck("id", &id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}
