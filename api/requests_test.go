package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// Enterprise service requests (企业诉求, issue 15): the lifecycle, the department's narrow
// scope, escalation with a fake clock, the agenda, the figures and the report sentence.

type requestBody struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	DueOn   string `json:"due_on"`
	Version int64  `json:"version"`
	Overdue bool   `json:"overdue"`
	Project struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Owner string `json:"owner"`
	} `json:"project"`
	Department    string   `json:"department"`
	Satisfaction  string   `json:"satisfaction"`
	SupervisionID *int64   `json:"supervision_id"`
	Moves         []string `json:"moves"`
	Replies       []struct {
		Text     string `json:"text"`
		Resolved bool   `json:"resolved"`
		Kind     string `json:"kind"`
	} `json:"replies"`
	History []struct {
		Action string `json:"action"`
		Actor  string `json:"actor"`
		From   string `json:"from"`
		To     string `json:"to"`
	} `json:"history"`
}

// raise creates a request as user on project; fails the test unless 201.
func raise(t *testing.T, e *apitest.Env, user string, project int64, body map[string]any) requestBody {
	t.Helper()
	r := e.As(user, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", project), body)
	expect(t, r, http.StatusCreated, "raise request")
	var out requestBody
	r.JSON(t, &out)
	return out
}

func landRequest(title string) map[string]any {
	return map[string]any{"category": "land", "title": title, "detail": "请求协调用地指标", "department": "natural_resources"}
}

// moveReq runs a move and returns the answer.
func moveReq(e *apitest.Env, user string, id int64, move string, body any) *apitest.Response {
	return e.As(user, http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/%s", id, move), body)
}

func projectID(t *testing.T, e *apitest.Env, user, name string) int64 {
	t.Helper()
	return int64(create(t, e, user, newProject(name))["id"].(float64))
}

func TestDepartmentsAndDemoRequests(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		var depts []struct{ Code, Name string }
		e.As("dept_land", http.MethodGet, "/api/v1/departments", nil).JSON(t, &depts)
		want := "natural_resources 自然资源和规划局,environment 生态环境分局,development 发展和改革局,power 供电公司,human_resources 人力资源和社会保障局,finance 金融工作办公室"
		var got []string
		for _, d := range depts {
			got = append(got, d.Code+" "+d.Name)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("departments: %v", got)
		}
		me := e.As("dept_land", http.MethodGet, "/api/v1/me", nil).Map(t)
		if fmt.Sprint(me["roles"]) != "[department]" || me["department"] != "natural_resources" {
			t.Errorf("me: %v", me)
		}
		if me := e.As("dept_power", http.MethodGet, "/api/v1/me", nil).Map(t); me["department"] != "power" {
			t.Errorf("dept_power: %v", me)
		}
		// administrators add departments; a taken code is 409; others 403
		expect(t, e.As("admin", http.MethodPost, "/api/v1/departments", map[string]any{"code": "water", "name": "水务局"}), http.StatusCreated, "add")
		expect(t, e.As("admin", http.MethodPost, "/api/v1/departments", map[string]any{"code": "water", "name": "水利局"}), http.StatusConflict, "dup")
		expect(t, e.As("admin", http.MethodPost, "/api/v1/departments", map[string]any{"code": "Water!", "name": "水"}), http.StatusBadRequest, "bad code")
		expect(t, e.As("director", http.MethodPost, "/api/v1/departments", map[string]any{"code": "tax", "name": "税务局"}), http.StatusForbidden, "director")
		// an administrator makes a liaison: the department is required with the role, and known
		user := func(name string, roles []string, dept string) *apitest.Response {
			return e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": name, "display_name": "水务局联络员",
				"email": name + "@example.cn", "password": "Liaison-pass-2023", "roles": roles, "department": dept})
		}
		expect(t, user("water1", []string{"department"}, ""), http.StatusBadRequest, "liaison without department")
		expect(t, user("water1", []string{"viewer"}, "water"), http.StatusBadRequest, "department without the role")
		expect(t, user("water1", []string{"department"}, "nowhere"), http.StatusBadRequest, "unknown department")
		expect(t, user("water1", []string{"department"}, "water"), http.StatusCreated, "liaison")
		tok := freshToken(t, e, "water1", "Liaison-pass-2023")
		if me := e.Do(http.MethodGet, "/api/v1/me", tok, nil).Map(t); me["department"] != "water" {
			t.Errorf("water1: %v", me)
		}
		expect(t, e.Do(http.MethodGet, "/api/v1/projects", tok, nil), http.StatusForbidden, "liaison lists projects")

		// the demo's requests: dept_land sees its two, overdue first by deadline
		var l struct {
			Items []requestBody
			Total int
		}
		e.As("dept_land", http.MethodGet, "/api/v1/requests", nil).JSON(t, &l)
		if l.Total != 4 { // 中材绿建原材料保障, 土地组卷报批 (open) and 甲村部队道路平交 (closed) … and nothing of power
			for _, it := range l.Items {
				if it.Department != "natural_resources" {
					t.Errorf("dept_land sees %s's request", it.Department)
				}
			}
		}
		for _, it := range l.Items {
			if it.Department != "natural_resources" {
				t.Errorf("dept_land sees %+v", it)
			}
		}
		var over struct{ Items []map[string]any }
		e.As("director", http.MethodGet, "/api/v1/requests?overdue=true", nil).JSON(t, &over)
		if len(over.Items) != 1 || over.Items[0]["title"] != "中材绿建原材料保障" || over.Items[0]["overdue"] != true {
			t.Errorf("overdue: %v", over.Items)
		}
		var all struct{ Total int }
		e.As("viewer", http.MethodGet, "/api/v1/requests", nil).JSON(t, &all)
		if all.Total != 8 {
			t.Errorf("viewer sees %d requests, want the demo's 8", all.Total)
		}
		e.As("chief_food", http.MethodGet, "/api/v1/requests", nil).JSON(t, &all)
		if all.Total != 2 { // 千喜鹤's two
			t.Errorf("chief_food sees %d requests, want 2", all.Total)
		}
		expect(t, e.As("agent1", http.MethodGet, "/api/v1/requests", nil), http.StatusForbidden, "agent")
		expect(t, e.As("admin", http.MethodGet, "/api/v1/requests?status=bogus", nil), http.StatusBadRequest, "bad status")
	})
}

func TestRequestLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		pid := projectID(t, e, "recruiter1", "诉求测试项目")
		// validation: every bad field named
		r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", pid),
			map[string]any{"category": "weather", "title": "", "department": "nowhere", "due_on": "2022-01-01"})
		expect(t, r, http.StatusBadRequest, "invalid")
		fields := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
		for _, f := range []string{"category", "title", "due_on"} {
			if fields[f] == nil {
				t.Errorf("no field error for %s: %v", f, fields)
			}
		}
		// an amount out of the bounds every write obeys is refused as the body is read
		r = e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", pid),
			map[string]any{"category": "finance", "title": "贷款", "department": "finance", "amount_wan": -1})
		expect(t, r, http.StatusBadRequest, "negative amount")
		if fields := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any); fields["amount_wan"] == nil {
			t.Errorf("no field error for amount_wan: %v", fields)
		}
		r = e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", pid),
			map[string]any{"category": "land", "title": "用地", "department": "nowhere"})
		expect(t, r, http.StatusBadRequest, "unknown department")
		r = e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", pid),
			map[string]any{"category": "land", "title": "用地\u202e", "department": "natural_resources"})
		expect(t, r, http.StatusBadRequest, "bidi override")
		expect(t, e.As("viewer", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", pid), landRequest("x")), http.StatusForbidden, "viewer raises")
		expect(t, e.As("dept_land", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", pid), landRequest("x")), http.StatusForbidden, "liaison raises")

		// due_on defaults by category: land 30 days, utilities 10 (the test clock's today is 2023-01-16)
		q := raise(t, e, "recruiter1", pid, landRequest("中材绿建原材料保障（测试）"))
		if q.Status != "open" || q.DueOn != "2023-02-15" || q.Version != 1 {
			t.Fatalf("raised: %+v", q)
		}
		if u := raise(t, e, "recruiter2", pid, map[string]any{"category": "utilities", "title": "供水", "department": "development"}); u.DueOn != "2023-01-26" {
			t.Errorf("utilities due %s", u.DueOn)
		}
		f := raise(t, e, "recruiter1", pid, map[string]any{"category": "finance", "title": "融资", "department": "finance", "amount_wan": 800, "due_on": "2023-03-01"})
		if f.DueOn != "2023-03-01" {
			t.Errorf("explicit due: %s", f.DueOn)
		}
		path := fmt.Sprintf("/api/v1/requests/%d", q.ID)
		// visibility: the other department does not see it; the liaison sees the minimum of the project
		expect(t, e.As("dept_power", http.MethodGet, path, nil), http.StatusNotFound, "other department")
		expect(t, moveReq(e, "dept_power", q.ID, "accept", nil), http.StatusNotFound, "other department accepts")
		d := e.As("dept_land", http.MethodGet, path, nil).Map(t)
		proj := d["project"].(map[string]any)
		for _, k := range []string{"id", "name", "investor", "chain", "stage", "owner", "owner_name"} {
			if _, ok := proj[k]; !ok {
				t.Errorf("project lacks %s: %v", k, proj)
			}
		}
		if len(proj) != 7 || fmt.Sprint(d["moves"]) != "[accept return]" {
			t.Errorf("liaison's view: %v moves %v", proj, d["moves"])
		}
		// staff cannot accept; a wrong-status move is 422 with the reason
		expect(t, moveReq(e, "recruiter1", q.ID, "accept", nil), http.StatusForbidden, "staff accepts")
		r = moveReq(e, "dept_land", q.ID, "reply", map[string]any{"reply": "正在协调", "resolved": true})
		expect(t, r, http.StatusUnprocessableEntity, "reply before accept")
		if !strings.Contains(r.Map(t)["error"].(map[string]any)["message"].(string), "请先受理") {
			t.Errorf("422 message: %s", r.Body)
		}
		expect(t, moveReq(e, "recruiter1", q.ID, "confirm", map[string]any{"satisfaction": "satisfied"}), http.StatusUnprocessableEntity, "confirm open")
		expect(t, moveReq(e, "dept_land", q.ID, "accept", nil), http.StatusOK, "accept")
		expect(t, moveReq(e, "dept_land", q.ID, "accept", nil), http.StatusUnprocessableEntity, "accept twice")
		expect(t, moveReq(e, "dept_land", q.ID, "reply", map[string]any{"reply": ""}), http.StatusBadRequest, "empty reply")
		var b requestBody
		moveReq(e, "dept_land", q.ID, "reply", map[string]any{"reply": "已对接县内矿山，正在协商供货协议", "resolved": false}).JSON(t, &b)
		if b.Status != "in_progress" || len(b.Replies) != 1 {
			t.Errorf("partial reply: %+v", b)
		}
		moveReq(e, "dept_land", q.ID, "reply", map[string]any{"reply": "已签订砂石骨料长期供货协议", "resolved": true}).JSON(t, &b)
		if b.Status != "resolved" || len(b.Replies) != 2 || !b.Replies[1].Resolved {
			t.Errorf("resolved: %+v", b)
		}
		// confirm: the liaison may not; recruiter2 (not the owner) may not; unsatisfied reopens
		expect(t, moveReq(e, "dept_land", q.ID, "confirm", map[string]any{"satisfaction": "satisfied"}), http.StatusForbidden, "liaison confirms")
		expect(t, moveReq(e, "recruiter2", q.ID, "confirm", map[string]any{"satisfaction": "satisfied"}), http.StatusForbidden, "other recruiter confirms")
		expect(t, moveReq(e, "recruiter1", q.ID, "confirm", map[string]any{"satisfaction": "great"}), http.StatusBadRequest, "bad satisfaction")
		moveReq(e, "recruiter1", q.ID, "confirm", map[string]any{"satisfaction": "unsatisfied", "notes": "供货价格偏高"}).JSON(t, &b)
		if b.Status != "in_progress" {
			t.Errorf("unsatisfied: %+v", b)
		}
		expect(t, moveReq(e, "dept_land", q.ID, "reply", map[string]any{"reply": "已协调价格", "resolved": true}), http.StatusOK, "resolve again")
		moveReq(e, "director", q.ID, "confirm", map[string]any{"satisfaction": "satisfied", "notes": "企业满意"}).JSON(t, &b)
		if b.Status != "closed" || b.Satisfaction != "satisfied" {
			t.Errorf("closed: %+v", b)
		}
		var actions []string
		for _, h := range b.History {
			actions = append(actions, h.Action+":"+h.From+">"+h.To)
		}
		wantHist := "created:>open accepted:open>in_progress reply:in_progress>in_progress reply:in_progress>resolved reopened:resolved>in_progress reply:in_progress>resolved confirmed:resolved>closed"
		if strings.Join(actions, " ") != wantHist {
			t.Errorf("history:\n got %s\nwant %s", strings.Join(actions, " "), wantHist)
		}
		// the project's history has every move
		var ph []struct{ Action, Object string }
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d/history", pid), nil).JSON(t, &ph)
		n := 0
		for _, h := range ph {
			if h.Object == fmt.Sprintf("request/%d", q.ID) {
				n++
			}
		}
		if n != 7 {
			t.Errorf("project history has %d lines of the request, want 7: %v", n, ph)
		}

		// return and resend, with an edit in between; a stale edit is 409
		x := raise(t, e, "recruiter1", pid, landRequest("用地指标"))
		expect(t, moveReq(e, "dept_land", x.ID, "return", map[string]any{"reason": ""}), http.StatusBadRequest, "return without reason")
		expect(t, moveReq(e, "dept_land", x.ID, "return", map[string]any{"reason": "请补充用地规划图"}), http.StatusOK, "return")
		expect(t, moveReq(e, "recruiter1", x.ID, "resend", nil), http.StatusOK, "resend")
		expect(t, moveReq(e, "dept_land", x.ID, "return", map[string]any{"reason": "此事属发改局职责"}), http.StatusOK, "return again")
		xp := fmt.Sprintf("/api/v1/requests/%d", x.ID)
		expect(t, e.As("recruiter1", http.MethodPatch, xp, map[string]any{"version": 1, "department": "development"}), http.StatusConflict, "stale")
		var cur requestBody
		e.As("recruiter1", http.MethodGet, xp, nil).JSON(t, &cur)
		expect(t, e.As("recruiter2", http.MethodPatch, xp, map[string]any{"version": cur.Version, "department": "development"}), http.StatusForbidden, "not owner")
		e.As("recruiter1", http.MethodPatch, xp, map[string]any{"version": cur.Version, "department": "development"}).JSON(t, &cur)
		if cur.Department != "development" || cur.Status != "returned" {
			t.Errorf("edited: %+v", cur)
		}
		expect(t, e.As("dept_land", http.MethodGet, xp, nil), http.StatusNotFound, "moved away from dept_land")
		moveReq(e, "recruiter1", x.ID, "resend", nil).JSON(t, &cur)
		if cur.Status != "open" {
			t.Errorf("resent: %+v", cur)
		}
		expect(t, e.As("recruiter1", http.MethodPatch, xp, map[string]any{"version": cur.Version, "title": "用地指标（改）"}), http.StatusOK, "edit open")
		// a joint meeting's decision (director, admin)
		expect(t, moveReq(e, "recruiter1", x.ID, "meeting", map[string]any{"decision": "由发改局牵头"}), http.StatusForbidden, "recruiter meeting")
		moveReq(e, "director", x.ID, "meeting", map[string]any{"decision": "联席会议议定：由发改局牵头，月底前答复"}).JSON(t, &cur)
		if len(cur.Replies) != 1 || cur.Replies[0].Kind != "meeting" {
			t.Errorf("meeting: %+v", cur.Replies)
		}
		// the list's filters
		var l struct{ Items []requestBody }
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/requests?project_id=%d&status=closed", pid), nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != q.ID {
			t.Errorf("filtered: %+v", l.Items)
		}
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/requests?project_id=%d&department=finance", pid), nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != f.ID {
			t.Errorf("by department: %+v", l.Items)
		}
	})
}

// TestRequestMoveTable: every status × every move, made by the role the move belongs to:
// only the lifecycle's moves pass, the others are 422.
func TestRequestMoveTable(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		pid := projectID(t, e, "recruiter1", "诉求状态表项目")
		to := func(status string) int64 {
			q := raise(t, e, "recruiter1", pid, landRequest("状态表 "+status))
			steps := map[string][][2]string{
				"open":        nil,
				"in_progress": {{"dept_land", "accept"}},
				"resolved":    {{"dept_land", "accept"}, {"dept_land", "reply-resolved"}},
				"returned":    {{"dept_land", "return"}},
				"closed":      {{"dept_land", "accept"}, {"dept_land", "reply-resolved"}, {"recruiter1", "confirm"}},
			}[status]
			for _, s := range steps {
				expect(t, moveReq(e, s[0], q.ID, strings.TrimSuffix(s[1], "-resolved"), bodyOf(s[1])), http.StatusOK, status+" fixture "+s[1])
			}
			return q.ID
		}
		moves := []struct{ user, move string }{{"dept_land", "accept"}, {"dept_land", "reply"}, {"dept_land", "return"},
			{"recruiter1", "resend"}, {"recruiter1", "confirm"}, {"recruiter1", "edit"}}
		allowed := map[string]string{"accept": "open", "reply": "in_progress", "return": "open in_progress", "resend": "returned",
			"confirm": "resolved", "edit": "open returned"}
		for _, status := range []string{"open", "in_progress", "resolved", "returned", "closed"} {
			for _, m := range moves {
				id := to(status)
				var r *apitest.Response
				if m.move == "edit" {
					var cur requestBody
					e.As("recruiter1", http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", id), nil).JSON(t, &cur)
					r = e.As("recruiter1", http.MethodPatch, fmt.Sprintf("/api/v1/requests/%d", id), map[string]any{"version": cur.Version, "detail": "改"})
				} else {
					r = moveReq(e, m.user, id, m.move, bodyOf(m.move))
				}
				want := http.StatusUnprocessableEntity
				if strings.Contains(" "+allowed[m.move]+" ", " "+status+" ") {
					want = http.StatusOK
				}
				if r.Status != want {
					t.Errorf("%s on %s: %d, want %d: %s", m.move, status, r.Status, want, r.Body)
				}
			}
		}
	})
}

func bodyOf(move string) any {
	switch move {
	case "reply":
		return map[string]any{"reply": "答复", "resolved": false}
	case "reply-resolved":
		return map[string]any{"reply": "已解决", "resolved": true}
	case "return":
		return map[string]any{"reason": "请补充材料"}
	case "confirm":
		return map[string]any{"satisfaction": "satisfied"}
	}
	return nil
}

// TestDepartmentSeesNothingElse: a liaison reads their requests and nothing else.
func TestDepartmentSeesNothingElse(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for _, p := range []string{"/api/v1/projects", "/api/v1/projects/1", "/api/v1/chains", "/api/v1/chains/food/map",
			"/api/v1/stats/overview", "/api/v1/stats/service", "/api/v1/reports/annual", "/api/v1/enterprises", "/api/v1/supervisions",
			"/api/v1/export/projects.xlsx", "/api/v1/users", "/api/v1/campaigns"} {
			if r := e.As("dept_land", http.MethodGet, p, nil); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
				t.Errorf("dept_land GET %s: %d", p, r.Status)
			}
		}
		var power struct{ Items []requestBody }
		e.As("dept_power", http.MethodGet, "/api/v1/requests", nil).JSON(t, &power)
		if len(power.Items) != 1 || power.Items[0].Department != "power" {
			t.Fatalf("dept_power: %+v", power.Items)
		}
		expect(t, e.As("dept_land", http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", power.Items[0].ID), nil), http.StatusNotFound, "another department's")
		expect(t, e.As("dept_land", http.MethodGet, fmt.Sprintf("/api/v1/requests?project_id=%d", power.Items[0].Project.ID), nil), http.StatusOK, "filter")
		var none struct{ Items []requestBody }
		e.As("dept_land", http.MethodGet, fmt.Sprintf("/api/v1/requests?project_id=%d", power.Items[0].Project.ID), nil).JSON(t, &none)
		if len(none.Items) != 0 {
			t.Errorf("dept_land lists power's: %+v", none.Items)
		}
		// another zone's liaison of the same department code sees nothing here
		z := e.AddZone("xiongan")
		_ = z
		var l struct{ Total int }
		e.Do(http.MethodGet, "/api/v1/requests", e.TokenIn("xiongan", "admin"), nil).JSON(t, &l)
		if l.Total != 0 {
			t.Errorf("xiongan's admin sees %d of laiyuan's requests", l.Total)
		}
		expect(t, e.Do(http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", power.Items[0].ID), e.TokenIn("xiongan", "admin"), nil), http.StatusNotFound, "other zone")
	})
}

// TestRequestEscalation: on the due date the liaisons get a reminder; the day after, the
// request is overdue (once); service.escalate_after_days (7) after it the director gets a
// reminder and an email and a 督办 opens on the project — once, also when two replicas run
// the job at the same moment and when it runs again.
func TestRequestEscalation(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		pid := projectID(t, e, "recruiter1", "诉求逾期项目")
		q := raise(t, e, "recruiter1", pid, map[string]any{"category": "energy", "title": "临时用电接入", "department": "natural_resources", "due_on": "2023-01-20"})
		ctx := context.Background()
		loc, _ := time.LoadLocation("Asia/Shanghai")
		run := func(day string) {
			t.Helper()
			d, _ := time.ParseInLocation("2006-01-02 15:04", day+" 09:00", loc)
			e.Clock.Set(d.UTC())
			e.ForgetSessions()
			if _, err := e.Jobs.ReminderJob.Run(ctx, d.UTC()); err != nil {
				t.Fatal(err)
			}
		}
		reminders := func(user string) []string {
			t.Helper()
			var rs struct {
				Items []struct{ Rule, Message string }
			}
			e.As(user, http.MethodGet, "/api/v1/reminders", nil).JSON(t, &rs)
			var out []string
			for _, r := range rs.Items {
				if strings.HasPrefix(r.Rule, "request_") && strings.Contains(r.Message, "临时用电接入") {
					out = append(out, r.Rule)
				}
			}
			return out
		}
		run("2023-01-19")
		if got := reminders("dept_land"); len(got) != 0 {
			t.Errorf("before the due date: %v", got)
		}
		run("2023-01-20")
		if got := reminders("dept_land"); fmt.Sprint(got) != "[request_due]" {
			t.Errorf("on the due date, dept_land: %v", got)
		}
		if got := reminders("dept_power"); len(got) != 0 {
			t.Errorf("dept_power: %v", got)
		}
		run("2023-01-21")
		run("2023-01-22")
		var d requestBody
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", q.ID), nil).JSON(t, &d)
		overdue := 0
		for _, h := range d.History {
			if h.Action == "overdue" {
				overdue++
			}
		}
		if overdue != 1 || !d.Overdue || d.SupervisionID != nil {
			t.Errorf("overdue once: %d, %+v", overdue, d)
		}
		run("2023-01-26")
		if got := reminders("director"); len(got) != 0 {
			t.Errorf("6 days overdue, director: %v", got)
		}
		// day 7 after the deadline, two replicas at once, then again
		d27, _ := time.ParseInLocation("2006-01-02 15:04", "2023-01-27 09:00", loc)
		e.Clock.Set(d27.UTC())
		// replicas share MySQL only (the embedded SQLite has one process, whose scheduler never
		// runs a job twice at once): there two runs at the same moment, on SQLite one after the other
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			runOnce := func() {
				defer wg.Done()
				if _, err := e.Jobs.ReminderJob.Run(ctx, d27.UTC()); err != nil {
					t.Error(err)
				}
			}
			if e.Driver == "mysql" {
				go runOnce()
			} else {
				runOnce()
			}
		}
		wg.Wait()
		run("2023-01-27")
		run("2023-01-28")
		if got := reminders("director"); fmt.Sprint(got) != "[request_escalated]" {
			t.Errorf("escalated, director: %v", got)
		}
		var sups []struct {
			ID          int64
			ProjectID   int64  `json:"project_id"`
			Owner       string `json:"owner"`
			Issuer      string `json:"issuer"`
			Instruction string `json:"instruction"`
		}
		e.As("director", http.MethodGet, "/api/v1/supervisions", nil).JSON(t, &struct {
			Items *[]struct {
				ID          int64
				ProjectID   int64  `json:"project_id"`
				Owner       string `json:"owner"`
				Issuer      string `json:"issuer"`
				Instruction string `json:"instruction"`
			}
		}{&sups})
		n := 0
		for _, s := range sups {
			if s.ProjectID == pid {
				n++
				if s.Owner != "recruiter1" || s.Issuer != "director" || !strings.Contains(s.Instruction, "临时用电接入") {
					t.Errorf("supervision: %+v", s)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d supervisions on the project, want 1", n)
		}
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", q.ID), nil).JSON(t, &d)
		if d.SupervisionID == nil {
			t.Errorf("request not linked to its supervision: %+v", d)
		}
		var out struct {
			Items []struct{ To, Subject string }
		}
		e.As("admin", http.MethodGet, "/api/v1/outbox?page_size=200", nil).JSON(t, &out)
		mails := 0
		for _, m := range out.Items {
			if strings.Contains(m.Subject, "临时用电接入") {
				mails++
				if m.To != "director@laiyuan-edz.example.cn" {
					t.Errorf("escalation mail to %s", m.To)
				}
			}
		}
		if mails != 1 {
			t.Errorf("%d escalation emails, want 1", mails)
		}
		// the department answers: the reminders resolve
		expect(t, moveReq(e, "dept_land", q.ID, "accept", nil), http.StatusOK, "accept")
		expect(t, moveReq(e, "dept_land", q.ID, "reply", map[string]any{"reply": "已接入", "resolved": true}), http.StatusOK, "resolve")
		run("2023-01-29")
		if got := reminders("dept_land"); len(got) != 0 {
			t.Errorf("after the answer, dept_land: %v", got)
		}
		if got := reminders("director"); len(got) != 0 {
			t.Errorf("after the answer, director: %v", got)
		}
	})
}

// TestRequestAgenda: the joint meeting's agenda holds the open and overdue requests by
// department, overdue first; ?department= narrows it; a liaison gets only their own.
func TestRequestAgenda(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		read := func(user, query string) [][]string {
			t.Helper()
			r := e.As(user, http.MethodGet, "/api/v1/requests/agenda.xlsx"+query, nil)
			expect(t, r, http.StatusOK, "agenda")
			f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows("联席会议议题")
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		rows := read("director", "")
		if !strings.Contains(rows[0][0], "待办结企业诉求4件，其中逾期1件") {
			t.Errorf("title: %v", rows[0])
		}
		if strings.Join(rows[1][:3], ",") != "序号,承办部门,企业" {
			t.Errorf("headers: %v", rows[1])
		}
		var titles []string
		for _, r := range rows[2:] {
			titles = append(titles, r[1]+"/"+r[5]+"/"+r[7])
		}
		want := "自然资源和规划局/中材绿建原材料保障/待受理,自然资源和规划局/土地组卷报批加快办理/待受理,供电公司/双回路供电接入/办理中,生态环境分局/环评批复办理/已退回"
		if strings.Join(titles, ",") != want {
			t.Errorf("agenda:\n got %s\nwant %s", strings.Join(titles, ","), want)
		}
		if rows[2][9] != "10" {
			t.Errorf("overdue days: %v", rows[2])
		}
		if rows := read("director", "?department=power"); len(rows) != 3 || rows[2][5] != "双回路供电接入" {
			t.Errorf("power's agenda: %v", rows)
		}
		if rows := read("dept_land", ""); len(rows) != 4 {
			t.Errorf("dept_land's agenda: %v", rows)
		}
		expect(t, e.As("agent1", http.MethodGet, "/api/v1/requests/agenda.xlsx", nil), http.StatusForbidden, "agent")
	})
}

// TestServiceFiguresAndReport: /stats/service and the annual report's sentence for a year
// the demo does not have (2024), and the demo's 2022.
func TestServiceFiguresAndReport(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		var st map[string]any
		e.As("director", http.MethodGet, "/api/v1/stats/service?year=2022", nil).JSON(t, &st)
		// received: the four solved and 中材绿建原材料保障 (raised on 2022-12-22)
		if st["received"] != 5.0 || st["resolved"] != 4.0 || st["closed"] != 4.0 || st["financing_wan"] != 800.0 ||
			st["on_time_rate"] != 1.0 || st["satisfaction_rate"] != 1.0 {
			t.Errorf("2022: %v", st)
		}
		if dep := st["by_department"].(map[string]any)["development"].(map[string]any); dep["resolved"] != 2.0 {
			t.Errorf("2022 development: %v", dep)
		}
		e.As("director", http.MethodGet, "/api/v1/stats/service?year=2024", nil).JSON(t, &st)
		if st["received"] != 0.0 || st["on_time_rate"] != nil || len(st["by_department"].(map[string]any)) != 6 {
			t.Errorf("2024 empty: %v", st)
		}
		text, _ := annual(t, e, "director", 2024)
		if strings.Contains(text, "先后解决了") {
			t.Errorf("2024 with nothing solved: %s", text)
		}
		// in 2024: three requests resolved (one late), a finance one with 350万元, one still open
		loc, _ := time.LoadLocation("Asia/Shanghai")
		day := func(s string) {
			d, _ := time.ParseInLocation("2006-01-02 15:04", s+" 10:00", loc)
			e.Clock.Set(d.UTC())
			e.ForgetSessions()
		}
		day("2024-03-01")
		pid := projectID(t, e, "recruiter1", "2024年诉求项目")
		solve := func(title, cat, dept string, amount float64, due, on string) int64 {
			body := map[string]any{"category": cat, "title": title, "department": dept, "due_on": due}
			if amount > 0 {
				body["amount_wan"] = amount
			}
			day("2024-03-01")
			q := raise(t, e, "recruiter1", pid, body)
			day(on)
			liaison := map[string]string{"natural_resources": "dept_land", "power": "dept_power"}[dept]
			expect(t, moveReq(e, liaison, q.ID, "accept", nil), http.StatusOK, "accept")
			expect(t, moveReq(e, liaison, q.ID, "reply", map[string]any{"reply": "已解决", "resolved": true}), http.StatusOK, "resolve")
			return q.ID
		}
		a := solve("厂区道路硬化", "infrastructure", "natural_resources", 0, "2024-04-01", "2024-03-20")
		b := solve("专线供电", "energy", "power", 0, "2024-03-10", "2024-03-25")
		c := solve("项目贷款", "finance", "power", 350, "2024-05-01", "2024-04-02")
		day("2024-04-03")
		raise(t, e, "recruiter1", pid, landRequest("未解决的用地问题"))
		expect(t, moveReq(e, "recruiter1", a, "confirm", map[string]any{"satisfaction": "satisfied"}), http.StatusOK, "confirm a")
		expect(t, moveReq(e, "recruiter1", b, "confirm", map[string]any{"satisfaction": "unsatisfied"}), http.StatusOK, "reopen b")
		expect(t, moveReq(e, "dept_power", b, "reply", map[string]any{"reply": "已改造线路", "resolved": true}), http.StatusOK, "resolve b")
		expect(t, moveReq(e, "recruiter1", c, "confirm", map[string]any{"satisfaction": "basic"}), http.StatusOK, "confirm c")
		e.As("director", http.MethodGet, "/api/v1/stats/service?year=2024", nil).JSON(t, &st)
		if st["received"] != 4.0 || st["resolved"] != 3.0 || st["closed"] != 2.0 || st["financing_wan"] != 350.0 {
			t.Errorf("2024: %v", st)
		}
		if v := st["on_time_rate"].(float64); v < 0.66 || v > 0.67 { // 专线供电 solved after its deadline
			t.Errorf("on time: %v", v)
		}
		if v := st["satisfaction_rate"].(float64); v < 0.66 || v > 0.67 { // 2 of 3 verdicts
			t.Errorf("satisfaction: %v", v)
		}
		if pw := st["by_department"].(map[string]any)["power"].(map[string]any); pw["received"] != 2.0 || pw["resolved"] != 2.0 {
			t.Errorf("power: %v", pw)
		}
		if ct := st["by_category"].(map[string]any)["land"].(map[string]any); ct["received"] != 1.0 || ct["resolved"] != 0.0 {
			t.Errorf("land: %v", ct)
		}
		text, figures := annual(t, e, "director", 2024)
		if !strings.Contains(text, "先后解决了厂区道路硬化、专线供电等具体问题，帮助在建企业融资到位350万元。") {
			t.Errorf("2024 report: %s", text)
		}
		if svc := figures["service"].(map[string]any); svc["financing_wan"] != 350.0 {
			t.Errorf("figures: %v", svc)
		}
		// scope: a liaison has no figures; chief_food sees only the food chain's (none in 2024)
		expect(t, e.As("dept_land", http.MethodGet, "/api/v1/stats/service?year=2024", nil), http.StatusForbidden, "liaison stats")
		e.As("chief_semi", http.MethodGet, "/api/v1/stats/service?year=2024", nil).JSON(t, &st)
		if st["received"] != 0.0 {
			t.Errorf("chief_semi sees food's: %v", st)
		}
	})
}
