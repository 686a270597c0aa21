package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// A fake WeCom / DingTalk group server: POST /wecom/NAME and /dingtalk/NAME record the JSON
// the way the platforms read it; a DingTalk group with a secret checks the signature as
// DingTalk does (errcode 310000 when it is wrong). Scripted answers (a 5xx, a rate-limit
// errcode, any errcode) are given in order, then errcode 0.

type groupMsg struct {
	Path  string
	Query url.Values
	Body  map[string]any
}

type fakeGroups struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	got     []groupMsg
	secrets map[string]string   // path → DingTalk secret
	script  map[string][]string // path → answers: "500", "errcode:45009", …
	clock   func() time.Time
}

func newFakeGroups(t *testing.T, clock func() time.Time) *fakeGroups {
	f := &fakeGroups{t: t, secrets: map[string]string{}, script: map[string][]string{}, clock: clock}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGroups) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		fmt.Fprint(w, `{"errcode":40035,"errmsg":"invalid json"}`)
		return
	}
	if queue := f.script[r.URL.Path]; len(queue) > 0 {
		f.script[r.URL.Path] = queue[1:]
		f.got = append(f.got, groupMsg{Path: r.URL.Path + "#refused", Query: r.URL.Query(), Body: body})
		if code, ok := strings.CutPrefix(queue[0], "errcode:"); ok {
			fmt.Fprintf(w, `{"errcode":%s,"errmsg":"scripted"}`, code)
			return
		}
		n, _ := strconv.Atoi(queue[0])
		w.WriteHeader(n)
		return
	}
	if secret := f.secrets[r.URL.Path]; secret != "" {
		ts := r.URL.Query().Get("timestamp")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "\n" + secret))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		ms, _ := strconv.ParseInt(ts, 10, 64)
		// r.URL.Query() has undone the URL encoding: the sign must have been encoded once
		if r.URL.Query().Get("sign") != want || !strings.Contains(r.URL.RawQuery, "sign="+url.QueryEscape(want)) ||
			f.clock().Sub(time.UnixMilli(ms)).Abs() > time.Hour {
			fmt.Fprint(w, `{"errcode":310000,"errmsg":"sign not match"}`)
			return
		}
	}
	f.got = append(f.got, groupMsg{Path: r.URL.Path, Query: r.URL.Query(), Body: body})
	fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
}

// delivered are the accepted messages of a group.
func (f *fakeGroups) delivered(path string) []groupMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []groupMsg
	for _, m := range f.got {
		if m.Path == path {
			out = append(out, m)
		}
	}
	return out
}

func (f *fakeGroups) attempts(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.got {
		if m.Path == path || m.Path == path+"#refused" {
			n++
		}
	}
	return n
}

func (f *fakeGroups) url(path string) string { return f.srv.URL + path }

// robotEnv starts the API with the fake groups' host allowed (plain http: it is a test
// server) and quiet hours 21:00–08:00.
func robotEnv(t *testing.T, driver string) (*apitest.Env, *fakeGroups) {
	var e *apitest.Env
	f := newFakeGroups(t, func() time.Time { return e.Clock.Now() })
	host := strings.TrimPrefix(f.srv.URL, "http://")
	p, err := domain.ParseRobotPolicy(host+","+domain.DefaultRobotHosts, true, "21:00-08:00")
	if err != nil {
		t.Fatal(err)
	}
	e = apitest.New(t, driver, func(o *api.Options) { o.Robots = p })
	e.SetRobotPolicy(p)
	return e, f
}

func eachRobotDB(t *testing.T, fn func(t *testing.T, e *apitest.Env, f *fakeGroups)) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			e, f := robotEnv(t, d)
			fn(t, e, f)
		})
	}
}

func mkRobot(t *testing.T, e *apitest.Env, body map[string]any) map[string]any {
	t.Helper()
	r := e.As("admin", http.MethodPost, "/api/v1/robots", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create robot: %d %s", r.Status, r.Body)
	}
	return r.Map(t)
}

func runOutboxAt(t *testing.T, e *apitest.Env, at time.Time) string {
	t.Helper()
	e.Clock.Set(at)
	d, err := e.Jobs.OutboxJob.Run(context.Background(), at)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	return d
}

func setMobile(t *testing.T, e *apitest.Env, user, mobile string) {
	t.Helper()
	if r := e.As(user, http.MethodPatch, "/api/v1/me/settings", map[string]any{"mobile": mobile}); r.Status != http.StatusOK {
		t.Fatalf("%s mobile: %d %s", user, r.Status, r.Body)
	}
}

// shanghai is a wall-clock time in the zone.
func shanghai(s string) time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRobotsCRUD(t *testing.T) {
	eachRobotDB(t, func(t *testing.T, e *apitest.Env, f *fakeGroups) {
		wh := f.url("/wecom/food")
		r := mkRobot(t, e, map[string]any{"kind": "dingtalk", "name": "食品产业链群", "webhook": wh, "secret": "SECabc123",
			"chain": "food", "events": []string{"weekly_digest", "decision_waiting", "decision_waiting"}})
		if _, ok := r["secret"]; ok || r["has_secret"] != true || r["chain"] != "food" || r["webhook"] != wh {
			t.Fatalf("created: %v", r)
		}
		if evs, _ := json.Marshal(r["events"]); string(evs) != `["decision_waiting","weekly_digest"]` {
			t.Errorf("events %s", evs)
		}
		id := int64(r["id"].(float64))
		path := fmt.Sprintf("/api/v1/robots/%d", id)
		list := e.As("admin", http.MethodGet, "/api/v1/robots", nil)
		if list.Status != 200 || strings.Contains(string(list.Body), "SECabc123") || !strings.Contains(string(list.Body), "食品产业链群") {
			t.Fatalf("list: %d %s", list.Status, list.Body)
		}
		// edit: zone-wide, secret removed, events changed
		p := e.As("admin", http.MethodPatch, path, map[string]any{"chain": nil, "secret": "", "events": []string{"supervision"}})
		if m := p.Map(t); p.Status != 200 || m["chain"] != nil || m["has_secret"] != false || m["name"] != "食品产业链群" {
			t.Fatalf("patch: %d %s", p.Status, p.Body)
		}
		// the audit log has the changes, never the secret
		var details []string
		e.DB.Gorm().Table("audit_log").Where("action LIKE ?", "robot_%").Pluck("detail", &details)
		if len(details) != 2 || strings.Contains(strings.Join(details, ""), "SECabc123") {
			t.Errorf("audit: %v", details)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"kind": "feishu", "name": "x", "webhook": wh, "events": []string{}}, "kind"},
			{map[string]any{"kind": "wecom", "name": " ", "webhook": wh, "events": []string{}}, "name"},
			{map[string]any{"kind": "wecom", "name": "x", "webhook": "https://example.com/hook", "events": []string{}}, "webhook"},
			{map[string]any{"kind": "wecom", "name": "x", "webhook": "http://127.0.0.1:1/internal", "events": []string{}}, "webhook"},
			{map[string]any{"kind": "wecom", "name": "x", "webhook": "ftp://qyapi.weixin.qq.com/x", "events": []string{}}, "webhook"},
			{map[string]any{"kind": "wecom", "name": "x", "webhook": wh, "events": []string{"everything"}}, "events"},
			{map[string]any{"kind": "wecom", "name": "x", "webhook": wh, "chain": "textiles", "events": []string{}}, "chain"},
		} {
			r := e.As("admin", http.MethodPost, "/api/v1/robots", c.body)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("%v: %d %s, want 400 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}
		for _, u := range []string{"director", "chief_food", "recruiter1", "viewer"} {
			if r := e.As(u, http.MethodGet, "/api/v1/robots", nil); r.Status != 403 {
				t.Errorf("%s lists robots: %d", u, r.Status)
			}
		}
		if r := e.As("admin", http.MethodDelete, path, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodGet, path, nil); r.Status != 404 {
			t.Errorf("deleted robot: %d", r.Status)
		}
	})
}

// TestRobotsHTTPNeedsSwitch: plain http is refused unless CHAINCRM_ROBOTS_ALLOW_HTTP.
func TestRobotsHTTPNeedsSwitch(t *testing.T) {
	p, _ := domain.ParseRobotPolicy("127.0.0.1:8999,qyapi.weixin.qq.com", false, "")
	if err := p.CheckWebhook("http://127.0.0.1:8999/wecom"); err == nil {
		t.Error("http accepted without the switch")
	}
	if err := p.CheckWebhook("https://127.0.0.1:8999/wecom"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"https://127.0.0.1:9000/", "https://qyapi.weixin.qq.com.evil.cn/", "https://user:pw@qyapi.weixin.qq.com/", "https://10.0.0.1/"} {
		if err := p.CheckWebhook(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := p.CheckWebhook("https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=x"); err != nil {
		t.Errorf("bare host, any port: %v", err)
	}
	e := apitest.New(t, repository.DriverSQLite, func(o *api.Options) { o.Robots = p })
	r := e.As("admin", http.MethodPost, "/api/v1/robots", map[string]any{"kind": "wecom", "name": "x", "webhook": "http://127.0.0.1:8999/wecom", "events": []string{}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "https") {
		t.Errorf("http webhook: %d %s", r.Status, r.Body)
	}
}

// TestRobotsEvents: moving a food project into decision posts once to the food group (@ the
// chief's mobile) and to the zone-wide DingTalk group (signed), not to the semiconductor
// group; a 督办 @s the project's owner; re-runs post nothing twice.
func TestRobotsEvents(t *testing.T) {
	eachRobotDB(t, func(t *testing.T, e *apitest.Env, f *fakeGroups) {
		setMobile(t, e, "chief_food", "138-0000-0001")
		mkRobot(t, e, map[string]any{"kind": "wecom", "name": "食品群", "webhook": f.url("/wecom/food") + "?key=abc",
			"chain": "food", "events": []string{"decision_waiting", "supervision"}})
		f.secrets["/dingtalk/zone"] = "SEC0123456789"
		mkRobot(t, e, map[string]any{"kind": "dingtalk", "name": "园区群", "webhook": f.url("/dingtalk/zone") + "?access_token=t",
			"secret": "SEC0123456789", "chain": nil, "events": []string{"decision_waiting"}})
		mkRobot(t, e, map[string]any{"kind": "wecom", "name": "半导体群", "webhook": f.url("/wecom/semi"),
			"chain": "semiconductor", "events": []string{"decision_waiting", "supervision"}})

		// a food project of recruiter1's into decision
		created := e.As("recruiter1", http.MethodPost, "/api/v1/projects", map[string]any{"name": "机器人测试食品项目", "investor": "涞源测试食品有限公司",
			"channel": "self_sourced", "chain": "food", "asset_type": "heavy", "planned_investment_wan": 12000, "docked_at": "2023-01-10"})
		if created.Status != 201 {
			t.Fatalf("project: %d %s", created.Status, created.Body)
		}
		id := int64(created.Map(t)["id"].(float64))
		pp := fmt.Sprintf("/api/v1/projects/%d", id)
		for _, step := range []map[string]any{{"to": "identification"}, {"to": "risk"}} {
			if r := e.As("recruiter1", http.MethodPost, pp+"/transition", step); r.Status != 200 {
				t.Fatalf("%v: %d %s", step, r.Status, r.Body)
			}
		}
		if r := e.As("recruiter1", http.MethodPost, pp+"/risk-assessment", map[string]any{"level": "low", "summary": "风险可控"}); r.Status != 201 {
			t.Fatalf("risk: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodPost, pp+"/transition", map[string]any{"to": "decision"}); r.Status != 200 {
			t.Fatalf("decision: %d %s", r.Status, r.Body)
		}
		at := shanghai("2023-01-16 10:00")
		runOutboxAt(t, e, at)
		runOutboxAt(t, e, at.Add(time.Minute))
		food := f.delivered("/wecom/food")
		if len(food) != 1 {
			t.Fatalf("food group got %d messages: %+v", len(food), food)
		}
		text := food[0].Body["text"].(map[string]any)
		if food[0].Body["msgtype"] != "text" || fmt.Sprint(text["mentioned_mobile_list"]) != "[13800000001]" ||
			!strings.Contains(text["content"].(string), "机器人测试食品项目") || !strings.Contains(text["content"].(string), pp[len("/api/v1"):]) ||
			food[0].Query.Get("key") != "abc" {
			t.Errorf("wecom payload: %+v", food[0])
		}
		zone := f.delivered("/dingtalk/zone")
		if len(zone) != 1 {
			t.Fatalf("zone group got %d (signature refused: %d attempts)", len(zone), f.attempts("/dingtalk/zone"))
		}
		md := zone[0].Body["markdown"].(map[string]any)
		at2 := zone[0].Body["at"].(map[string]any)
		if zone[0].Body["msgtype"] != "markdown" || md["title"] == "" || !strings.Contains(md["text"].(string), "@13800000001") ||
			fmt.Sprint(at2["atMobiles"]) != "[13800000001]" || zone[0].Query.Get("access_token") != "t" {
			t.Errorf("dingtalk payload: %+v", zone[0])
		}
		if n := len(f.delivered("/wecom/semi")); n != 0 {
			t.Errorf("semiconductor group got %d", n)
		}

		// a 督办 by the director @s the owner (recruiter1)
		setMobile(t, e, "recruiter1", "13900000002")
		if r := e.As("director", http.MethodPost, pp+"/supervisions", map[string]any{"instruction": "本周内补齐用地材料", "due": "2023-01-20"}); r.Status != 201 {
			t.Fatalf("supervision: %d %s", r.Status, r.Body)
		}
		runOutboxAt(t, e, at.Add(2*time.Minute))
		food = f.delivered("/wecom/food")
		if len(food) != 2 {
			t.Fatalf("food group got %d after the 督办", len(food))
		}
		text = food[1].Body["text"].(map[string]any)
		if fmt.Sprint(text["mentioned_mobile_list"]) != "[13900000002]" || !strings.Contains(text["content"].(string), "本周内补齐用地材料") {
			t.Errorf("督办 payload: %+v", food[1])
		}
		if len(f.delivered("/dingtalk/zone")) != 1 {
			t.Error("the zone group does not hear supervision")
		}
		// the outbox shows them as robot messages, sent
		var ob struct {
			Items []map[string]any `json:"items"`
		}
		e.As("admin", http.MethodGet, "/api/v1/outbox?status=sent", nil).JSON(t, &ob)
		robots := 0
		for _, m := range ob.Items {
			if m["channel"] == "robot" {
				robots++
			}
		}
		if robots != 3 {
			t.Errorf("outbox robot messages sent: %d: %+v", robots, ob.Items)
		}
	})
}

// TestRobotsRetries: a 5xx, the rate-limit errcodes and a network error are retried (the
// first retry within ten minutes, the backoff capped at one hour) and delivered once; any
// other errcode is a failure in GET /outbox. request_overdue is published directly, as the
// service requests will.
func TestRobotsRetries(t *testing.T) {
	eachRobotDB(t, func(t *testing.T, e *apitest.Env, f *fakeGroups) {
		w := mkRobot(t, e, map[string]any{"kind": "wecom", "name": "企业诉求群", "webhook": f.url("/wecom/req"), "events": []string{"request_overdue"}})
		d := mkRobot(t, e, map[string]any{"kind": "dingtalk", "name": "诉求钉钉群", "webhook": f.url("/dingtalk/req"), "events": []string{"request_overdue"}})
		mkRobot(t, e, map[string]any{"kind": "wecom", "name": "坏群", "webhook": f.url("/wecom/bad"), "events": []string{"request_overdue"}})
		f.script["/wecom/req"] = []string{"502", "errcode:45009", "errcode:45009"}
		f.script["/dingtalk/req"] = []string{"errcode:130101"}
		f.script["/wecom/bad"] = []string{"errcode:93000"}
		pub := repository.NewRobotService(e.DB)
		var zoneID int64
		e.DB.Gorm().Table("zones").Where("code = ?", "laiyuan").Pluck("id", &zoneID)
		ev := &domain.RobotEvent{ZoneID: zoneID, Event: domain.RobotEventRequestOverdue, Key: "request_overdue:request:7:2023-01-16",
			Title: "企业诉求逾期：用地指标", Markdown: "**用地指标** 已逾期 3 天，请自然资源和规划局尽快办理。", Link: "/requests/7"}
		for i := 0; i < 2; i++ { // published twice: stored once
			n, err := pub.PublishRobotEvent(context.Background(), ev)
			if err != nil || (i == 0 && n != 3) || (i == 1 && n != 0) {
				t.Fatalf("publish %d: %d, %v", i, n, err)
			}
		}
		at := shanghai("2023-01-16 10:00")
		runOutboxAt(t, e, at)
		var next []time.Time
		e.DB.Gorm().Table("outbox").Where("robot_id = ? AND status = ?", int64(w["id"].(float64)), "pending").Pluck("next_attempt_at", &next)
		if len(next) != 1 || next[0].Sub(at) > 10*time.Minute || next[0].Sub(at) <= 0 {
			t.Fatalf("first retry at %v (run at %v)", next, at)
		}
		// a failure is visible at once
		var dead struct {
			Items []map[string]any `json:"items"`
		}
		e.As("admin", http.MethodGet, "/api/v1/outbox?status=dead", nil).JSON(t, &dead)
		if len(dead.Items) != 1 || dead.Items[0]["channel"] != "robot" || dead.Items[0]["event"] != "request_overdue" ||
			!strings.Contains(fmt.Sprint(dead.Items[0]["last_error"]), "93000") {
			t.Errorf("dead letters: %+v", dead.Items)
		}
		// run every minute for two hours: each group gets it exactly once
		for m := 1; m <= 120; m++ {
			runOutboxAt(t, e, at.Add(time.Duration(m)*time.Minute))
		}
		if n := len(f.delivered("/wecom/req")); n != 1 || f.attempts("/wecom/req") != 4 {
			t.Errorf("wecom: delivered %d after %d attempts", n, f.attempts("/wecom/req"))
		}
		if n := len(f.delivered("/dingtalk/req")); n != 1 || f.attempts("/dingtalk/req") != 2 {
			t.Errorf("dingtalk: delivered %d after %d attempts", n, f.attempts("/dingtalk/req"))
		}
		if f.attempts("/wecom/bad") != 1 {
			t.Errorf("a failure was retried: %d", f.attempts("/wecom/bad"))
		}
		_ = d
		// a network error (the group's server gone) is retried, never lost
		f.srv.Close()
		ev.Key = "request_overdue:request:8:2023-01-16"
		if _, err := pub.PublishRobotEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		runOutboxAt(t, e, at.Add(3*time.Hour))
		var st []string
		e.DB.Gorm().Table("outbox").Where("channel = ? AND message_id LIKE ?", "robot", "robot-"+strconv.FormatInt(int64(w["id"].(float64)), 10)+"-%").
			Order("id").Pluck("status", &st)
		if len(st) != 2 || st[0] != "sent" || st[1] != "pending" {
			t.Errorf("after a network error: %v", st)
		}
	})
}

// TestRobotsRateLimitAndQuietHours: at most 20 messages a minute per robot; quiet hours hold
// the summaries only.
func TestRobotsRateLimitAndQuietHours(t *testing.T) {
	eachRobotDB(t, func(t *testing.T, e *apitest.Env, f *fakeGroups) {
		mkRobot(t, e, map[string]any{"kind": "wecom", "name": "忙碌群", "webhook": f.url("/wecom/busy"),
			"events": []string{"request_overdue", "weekly_digest", "daily_summary"}})
		pub := repository.NewRobotService(e.DB)
		var zoneID int64
		e.DB.Gorm().Table("zones").Where("code = ?", "laiyuan").Pluck("id", &zoneID)
		for i := 0; i < 25; i++ {
			if _, err := pub.PublishRobotEvent(context.Background(), &domain.RobotEvent{ZoneID: zoneID, Event: domain.RobotEventRequestOverdue,
				Key: fmt.Sprintf("ro:%d", i), Title: fmt.Sprintf("逾期诉求%d", i), Markdown: "逾期"}); err != nil {
				t.Fatal(err)
			}
		}
		at := shanghai("2023-01-16 10:00")
		runOutboxAt(t, e, at)
		if n := len(f.delivered("/wecom/busy")); n != 20 {
			t.Fatalf("first minute: %d messages", n)
		}
		runOutboxAt(t, e, at.Add(30*time.Second))
		if n := len(f.delivered("/wecom/busy")); n != 20 {
			t.Fatalf("within the minute: %d messages", n)
		}
		runOutboxAt(t, e, at.Add(61*time.Second))
		if n := len(f.delivered("/wecom/busy")); n != 25 {
			t.Fatalf("next minute: %d messages", n)
		}
		// 22:00: the digest waits for 08:00, an event goes at once
		night := shanghai("2023-01-16 22:00")
		for _, ev := range []string{domain.RobotEventWeeklyDigest, domain.RobotEventDailySummary, domain.RobotEventRequestOverdue} {
			if _, err := pub.PublishRobotEvent(context.Background(), &domain.RobotEvent{ZoneID: zoneID, Event: ev, Key: ev + ":night",
				Audience: domain.AudienceZone, Title: ev, Markdown: "夜间"}); err != nil {
				t.Fatal(err)
			}
		}
		runOutboxAt(t, e, night)
		runOutboxAt(t, e, shanghai("2023-01-17 07:59"))
		if n := len(f.delivered("/wecom/busy")); n != 26 {
			t.Fatalf("quiet hours: %d messages, want 26", n)
		}
		runOutboxAt(t, e, shanghai("2023-01-17 08:00"))
		got := f.delivered("/wecom/busy")
		if len(got) != 28 {
			t.Fatalf("after quiet hours: %d messages, want 28", len(got))
		}
		last := got[27].Body["markdown"].(map[string]any)["content"].(string)
		if got[27].Body["msgtype"] != "markdown" || !strings.Contains(last, "夜间") {
			t.Errorf("markdown payload: %+v", got[27].Body)
		}
		var attempts []int
		e.DB.Gorm().Table("outbox").Where("message_id LIKE ?", "robot-%").Pluck("attempts", &attempts)
		for _, a := range attempts {
			if a != 1 {
				t.Errorf("a held message counted attempts: %v", attempts)
				break
			}
		}
	})
}

// TestRobotsTestAndDigest: the test button posts at once; the Monday digest and the daily
// summary reach each group once however often they run.
func TestRobotsTestAndDigest(t *testing.T) {
	eachRobotDB(t, func(t *testing.T, e *apitest.Env, f *fakeGroups) {
		setMobile(t, e, "admin", "13700000003")
		f.secrets["/dingtalk/test"] = "SECtest"
		r := mkRobot(t, e, map[string]any{"kind": "dingtalk", "name": "测试群", "webhook": f.url("/dingtalk/test"), "secret": "SECtest",
			"chain": "food", "events": []string{"weekly_digest", "daily_summary"}})
		zone := mkRobot(t, e, map[string]any{"kind": "wecom", "name": "园区群", "webhook": f.url("/wecom/zone"),
			"events": []string{"weekly_digest", "daily_summary"}})
		res := e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/robots/%v/test", r["id"]), nil)
		if m := res.Map(t); res.Status != 200 || m["ok"] != true || m["status"] != "sent" {
			t.Fatalf("test: %d %s", res.Status, res.Body)
		}
		got := f.delivered("/dingtalk/test")
		if len(got) != 1 || !strings.Contains(fmt.Sprint(got[0].Body["markdown"]), "测试消息") || fmt.Sprint(got[0].Body["at"].(map[string]any)["atMobiles"]) != "[13700000003]" {
			t.Fatalf("test message: %+v", got)
		}
		// a failing group: the answer says why
		f.script["/wecom/zone"] = []string{"errcode:93000"}
		res = e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/robots/%v/test", zone["id"]), nil)
		if m := res.Map(t); res.Status != 200 || m["ok"] != false || !strings.Contains(fmt.Sprint(m["error"]), "93000") {
			t.Errorf("failing test: %d %s", res.Status, res.Body)
		}
		if r := e.As("director", http.MethodPost, fmt.Sprintf("/api/v1/robots/%v/test", zone["id"]), nil); r.Status != 403 {
			t.Errorf("director tests a robot: %d", r.Status)
		}
		monday := shanghai("2023-01-23 08:30")
		e.Clock.Set(monday)
		for i := 0; i < 2; i++ {
			if _, err := e.Jobs.DigestJob.Run(context.Background(), monday); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Jobs.ReminderJob.Run(context.Background(), monday); err != nil { // publishes the summary after 08:30
				t.Fatal(err)
			}
			if _, err := e.Jobs.SummaryJob.Run(context.Background(), monday); err != nil {
				t.Fatal(err)
			}
			runOutboxAt(t, e, monday.Add(time.Duration(i)*time.Minute))
		}
		weekly, daily := 0, 0
		for _, m := range f.delivered("/dingtalk/test") {
			title := fmt.Sprint(m.Body["markdown"].(map[string]any)["title"])
			switch {
			case strings.Contains(title, "每周简报"):
				weekly++
				if !strings.HasPrefix(title, "现代食品") && !strings.Contains(title, "食品") {
					t.Errorf("food digest title %q", title)
				}
			case strings.Contains(title, "今日待办"):
				daily++
			}
		}
		if weekly != 1 || daily != 1 {
			t.Errorf("food group: weekly %d, daily %d", weekly, daily)
		}
		weekly, daily = 0, 0
		for _, m := range f.delivered("/wecom/zone") {
			c := fmt.Sprint(m.Body["markdown"])
			if strings.Contains(c, "全区每周简报") {
				weekly++
			}
			if strings.Contains(c, "全区今日待办") {
				daily++
			}
		}
		if weekly != 1 || daily != 1 {
			t.Errorf("zone group: weekly %d, daily %d", weekly, daily)
		}
	})
}

func TestMobileSetting(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		r := e.As("viewer", http.MethodPatch, "/api/v1/me/settings", map[string]any{"mobile": "+86 139 1234 5678"})
		if m := r.Map(t); r.Status != 200 || m["mobile"] != "13912345678" {
			t.Fatalf("set: %d %s", r.Status, r.Body)
		}
		if m := e.As("viewer", http.MethodGet, "/api/v1/me", nil).Map(t); m["mobile"] != "13912345678" {
			t.Errorf("me: %v", m)
		}
		r = e.As("viewer", http.MethodPatch, "/api/v1/me/settings", map[string]any{"mobile": "12345"})
		if r.Status != 400 || !strings.Contains(string(r.Body), `"mobile"`) {
			t.Errorf("bad mobile: %d %s", r.Status, r.Body)
		}
		r = e.As("viewer", http.MethodPatch, "/api/v1/me/settings", map[string]any{"mobile": "", "elder_mode": true})
		if m := r.Map(t); r.Status != 200 || m["mobile"] != "" || m["elder_mode"] != true {
			t.Errorf("clear: %d %s", r.Status, r.Body)
		}
	})
}
