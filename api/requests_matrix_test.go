package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// The service requests' rows of the authorization matrix (api/matrix_test.go), and the
// department role's own matrix: every route of the API as a liaison (dept_land).
//
// casbin: request/read for every role but agents; request/create and request/update for
// admin, director and recruiters; request/answer for department liaisons only (so 403 for
// every column of the main matrix); request/meeting for admin and director; department/read
// for every role but agents, department/manage for admin. Row rules: editing, resending and
// confirming are the project owner's (recruiter1), the director's and admins'
// (domain.CanEditRequest). Out of scope: another zone's request for everyone, a request on
// the semiconductor project for chief_food.

func init() { matrixRows = append(matrixRows, requestMatrixRows...) }

var (
	reqRead     = st(200, 200, 200, 200, 200, 403, 200)
	reqReadOut  = st(404, 404, 404, 404, 404, 403, 404)
	reqEdit     = st(200, 200, 403, 200, 403, 403, 403)
	reqEditOut  = st(404, 404, 403, 404, 404, 403, 403)
	reqMeet     = st(200, 200, 403, 403, 403, 403, 403)
	reqMeetOut  = st(404, 404, 403, 403, 403, 403, 403)
	allRefused  = mxAll(http.StatusForbidden)
	reqRaised   = st(201, 201, 403, 201, 201, 403, 403)
	reqRaiseOut = st(404, 404, 403, 404, 404, 403, 403)
)

var requestMatrixRows = []matrixRow{
	{Route: "GET /api/v1/departments", In: reqRead},
	{Route: "POST /api/v1/departments", Body: func(m *matrix, user string) any {
		return map[string]any{"code": fmt.Sprintf("matrix_%d", m.next()), "name": fmt.Sprintf("矩阵测试局%d", m.next())}
	}, In: st(201, 403, 403, 403, 403, 403, 403)},
	{Route: "POST /api/v1/projects/:id/requests", Body: map[string]any{"category": "land", "title": "矩阵测试诉求", "department": "natural_resources"},
		In: reqRaised, Out: reqRaiseOut},
	{Route: "GET /api/v1/requests", In: reqRead},
	{Route: "GET /api/v1/requests/agenda.xlsx", In: reqRead},
	{Route: "GET /api/v1/stats/service", In: reqRead},
	{Route: "GET /api/v1/requests/:id", Object: byID("GET /api/v1/requests/:id", sharedRequest, outRequests), In: reqRead, Out: reqReadOut},
	{Route: "PATCH /api/v1/requests/:id", Object: byID("PATCH /api/v1/requests/:id", requestAt("open"), outRequests),
		Body: map[string]any{"version": 1, "detail": "矩阵测试修改"}, In: reqEdit, Out: reqEditOut},
	{Route: "POST /api/v1/requests/:id/accept", Object: byID("POST /api/v1/requests/:id/accept", requestAt("open"), outRequests),
		In: allRefused, Out: allRefused},
	{Route: "POST /api/v1/requests/:id/reply", Object: byID("POST /api/v1/requests/:id/reply", requestAt("in_progress"), outRequests),
		Body: map[string]any{"reply": "矩阵测试答复", "resolved": true}, In: allRefused, Out: allRefused},
	{Route: "POST /api/v1/requests/:id/return", Object: byID("POST /api/v1/requests/:id/return", requestAt("open"), outRequests),
		Body: map[string]any{"reason": "矩阵测试退回"}, In: allRefused, Out: allRefused},
	{Route: "POST /api/v1/requests/:id/resend", Object: byID("POST /api/v1/requests/:id/resend", requestAt("returned"), outRequests),
		In: reqEdit, Out: reqEditOut},
	{Route: "POST /api/v1/requests/:id/confirm", Object: byID("POST /api/v1/requests/:id/confirm", requestAt("resolved"), outRequests),
		Body: map[string]any{"satisfaction": "satisfied"}, In: reqEdit, Out: reqEditOut},
	{Route: "POST /api/v1/requests/:id/meeting", Object: byID("POST /api/v1/requests/:id/meeting", requestAt("open"), outRequests),
		Body: map[string]any{"decision": "矩阵测试会议意见"}, In: reqMeet, Out: reqMeetOut},
}

// request fixtures of a matrix, made once.
type reqFixtures struct {
	once   sync.Once
	shared int64 // on the shared food project (owned by recruiter1)
	other  int64 // another zone's
	semi   int64 // on the semiconductor project (outside chief_food's scope)
}

var reqFix sync.Map // *matrix → *reqFixtures

func requestFixtures(m *matrix) *reqFixtures {
	v, _ := reqFix.LoadOrStore(m, &reqFixtures{})
	f := v.(*reqFixtures)
	f.once.Do(func() {
		t, e := m.t, m.e
		f.shared = raiseFor(m, "admin", m.shared)
		f.semi = raiseFor(m, "admin", m.semi)
		xiongan := e.TokenIn("xiongan", "admin")
		if r := e.Do(http.MethodPost, "/api/v1/departments", xiongan, map[string]any{"code": "natural_resources", "name": "自然资源局（雄安）"}); r.Status != http.StatusCreated {
			t.Fatalf("xiongan department: %d %s", r.Status, r.Body)
		}
		r := e.Do(http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", m.zone.ProjectIDs["food"]), e.TokenIn("xiongan", "recruiter1"),
			map[string]any{"category": "land", "title": "雄安的诉求", "department": "natural_resources"})
		if r.Status != http.StatusCreated {
			t.Fatalf("xiongan request: %d %s", r.Status, r.Body)
		}
		f.other = int64(r.Map(t)["id"].(float64))
	})
	return f
}

func raiseFor(m *matrix, user string, project int64) int64 {
	r := m.e.As(user, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", project),
		map[string]any{"category": "land", "title": fmt.Sprintf("矩阵测试诉求%d", m.next()), "department": "natural_resources"})
	if r.Status != http.StatusCreated {
		m.t.Fatalf("matrix request: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(m.t)["id"].(float64))
}

func sharedRequest(m *matrix) int64 { return requestFixtures(m).shared }

func outRequests(m *matrix, user string) []int64 {
	f := requestFixtures(m)
	if user == "chief_food" {
		return []int64{f.other, f.semi}
	}
	return []int64{f.other}
}

// requestAt makes a fresh request on the shared project (owned by recruiter1) at status.
func requestAt(status string) func(m *matrix) int64 {
	return func(m *matrix) int64 {
		id := raiseFor(m, "admin", m.shared)
		steps := map[string][]string{"open": nil, "in_progress": {"accept"}, "resolved": {"accept", "reply"}, "returned": {"return"}}[status]
		for _, s := range steps {
			body := map[string]map[string]any{"reply": {"reply": "已解决", "resolved": true}, "return": {"reason": "请补充材料"}}[s]
			if r := m.e.As("dept_land", http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/%s", id, s), body); r.Status != http.StatusOK {
				m.t.Fatalf("matrix request %s: %d %s", s, r.Status, r.Body)
			}
		}
		return id
	}
}

// deptCell is what one route answers a liaison, for the routes the department role holds.
type deptCell struct {
	Body   any
	In     int // the status on an object in the liaison's scope (or the route without object)
	Out    int // on each object outside it (0: the route has none)
	Object func() (in int64, out []int64)
	Fresh  bool // log in anew (the route ends the session)
}

var pathParam = regexp.MustCompile(`:[a-z_]+`)

// TestDepartmentRoleMatrix: every route of the API as dept_land (natural_resources). Routes
// the department role holds no casbin rule for are 403 forbidden, whatever the object; the
// ones it holds answer as listed, with 404 for a request of another department or zone and
// for another user's reminders and tokens. It fails when the role gains a route without a
// row here. Afterwards nothing outside the liaison's scope changed.
func TestDepartmentRoleMatrix(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		m := newMatrix(t, e)
		f := requestFixtures(m)
		var power struct{ Items []struct{ ID int64 } }
		e.As("admin", http.MethodGet, "/api/v1/requests?department=power", nil).JSON(t, &power)
		if len(power.Items) != 1 {
			t.Fatalf("power's requests: %+v", power.Items)
		}
		powerReq := power.Items[0].ID
		outReq := []int64{powerReq, f.other}
		land := func(status string) func() (int64, []int64) {
			return func() (int64, []int64) { return requestAt(status)(m), outReq }
		}
		// two reminders of dept_land's (the demo's overdue request, one due today) and one of
		// recruiter1's
		if r := e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/requests", m.shared), map[string]any{"category": "land",
			"title": "今天到期的诉求", "department": "natural_resources", "due_on": "2023-01-16"}); r.Status != http.StatusCreated {
			t.Fatalf("due today: %d %s", r.Status, r.Body)
		}
		if _, err := e.Jobs.ReminderJob.Run(t.Context(), e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		reminders := func(user string) []int64 {
			var rs struct{ Items []struct{ ID int64 } }
			e.As(user, http.MethodGet, "/api/v1/reminders", nil).JSON(t, &rs)
			var ids []int64
			for _, r := range rs.Items {
				ids = append(ids, r.ID)
			}
			if len(ids) == 0 {
				t.Fatalf("%s has no reminder", user)
			}
			return ids
		}
		mineAll, theirs := reminders("dept_land"), reminders("recruiter1")[0]
		if len(mineAll) != 2 {
			t.Fatalf("dept_land's reminders: %v", mineAll)
		}
		token := func(user string) int64 {
			r := e.As(user, http.MethodPost, "/api/v1/tokens", map[string]any{"name": fmt.Sprintf("矩阵%d", m.next()), "expires_on": "2023-12-31"})
			if r.Status != http.StatusCreated {
				t.Fatalf("token: %d %s", r.Status, r.Body)
			}
			return int64(r.Map(t)["id"].(float64))
		}
		theirToken := token("recruiter1")
		cells := map[string]deptCell{
			"POST /api/v1/auth/logout":        {In: 204, Fresh: true},
			"GET /api/v1/me":                  {In: 200},
			"POST /api/v1/me/password":        {Body: map[string]string{"current": "x"}, In: 400},
			"PATCH /api/v1/me/settings":       {Body: map[string]any{"digest_opt_out": true}, In: 200},
			"GET /api/v1/reminders":           {In: 200},
			"POST /api/v1/reminders/:id/done": {In: 200, Out: 404, Object: func() (int64, []int64) { return mineAll[0], []int64{theirs} }},
			"POST /api/v1/reminders/:id/snooze": {Body: map[string]any{"until": "2023-02-01"}, In: 200, Out: 404,
				Object: func() (int64, []int64) { return mineAll[1], []int64{theirs} }},
			"GET /api/v1/tokens":  {In: 200},
			"POST /api/v1/tokens": {Body: map[string]any{"name": "部门令牌", "expires_on": "2023-12-31"}, In: 201},
			"DELETE /api/v1/tokens/:id": {In: 204, Out: 404,
				Object: func() (int64, []int64) { return token("dept_land"), []int64{theirToken} }},
			"GET /api/v1/departments":          {In: 200},
			"GET /api/v1/requests":             {In: 200},
			"GET /api/v1/requests/agenda.xlsx": {In: 200},
			"GET /api/v1/requests/:id":         {In: 200, Out: 404, Object: func() (int64, []int64) { return f.shared, outReq }},
			"POST /api/v1/requests/:id/accept": {In: 200, Out: 404, Object: land("open")},
			"POST /api/v1/requests/:id/reply":  {Body: map[string]any{"reply": "已办结", "resolved": true}, In: 200, Out: 404, Object: land("in_progress")},
			"POST /api/v1/requests/:id/return": {Body: map[string]any{"reason": "非本部门职责"}, In: 200, Out: 404, Object: land("open")},
		}
		token0 := e.Token("dept_land")
		seen := map[string]bool{}
		rules := e.Server.RouteRules()
		sort.Slice(rules, func(i, j int) bool { return rules[i].Path+rules[i].Method < rules[j].Path+rules[j].Method })
		n := 0
		for _, rule := range rules {
			key := rule.Method + " " + rule.Path
			if rule.Public {
				continue
			}
			check := func(path, tok string, body any, want int) {
				t.Helper()
				n++
				r := e.Do(rule.Method, path, tok, body)
				if r.Status != want {
					t.Errorf("dept_land %s %s: %d, want %d: %.200s", rule.Method, path, r.Status, want, r.Body)
					return
				}
				if code := map[int]string{403: "forbidden", 404: "not_found"}[want]; code != "" && r.ErrorCode() != code {
					t.Errorf("dept_land %s %s: code %q, want %q", rule.Method, path, r.ErrorCode(), code)
				}
			}
			if !policyAllows("department", rule.Obj, rule.Act) {
				path := pathParam.ReplaceAllStringFunc(rule.Path, func(p string) string {
					if p == ":code" {
						return "food"
					}
					return fmt.Sprint(m.shared)
				})
				var body any = map[string]any{}
				if rule.Upload {
					body = photo()
				}
				if rule.Method == http.MethodGet || rule.Method == http.MethodDelete {
					body = nil
				}
				check(path, token0, body, http.StatusForbidden)
				if _, ok := cells[key]; ok {
					t.Errorf("%s: the department matrix lists it but casbin refuses the role", key)
				}
				continue
			}
			c, ok := cells[key]
			if !ok {
				t.Errorf("%s: the department role holds %s %s; add its cell to TestDepartmentRoleMatrix", key, rule.Obj, rule.Act)
				continue
			}
			seen[key] = true
			tok := token0
			if c.Fresh {
				tok = freshToken(t, e, "dept_land", apitest.DemoPassword)
			}
			if c.Object == nil {
				check(rule.Path, tok, c.Body, c.In)
				continue
			}
			in, outs := c.Object()
			check(strings.Replace(rule.Path, ":id", fmt.Sprint(in), 1), tok, c.Body, c.In)
			for _, o := range outs {
				check(strings.Replace(rule.Path, ":id", fmt.Sprint(o), 1), tok, c.Body, c.Out)
			}
		}
		for key := range cells {
			if !seen[key] {
				t.Errorf("the department matrix has a cell for %s, which the role does not hold or which is not a route", key)
			}
		}
		t.Logf("department matrix: %d routes, %d requests", len(rules), n)
		// nothing outside the scope moved
		var r struct{ Status string }
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", powerReq), nil).JSON(t, &r)
		if r.Status != "in_progress" {
			t.Errorf("power's request moved: %s", r.Status)
		}
		var x struct{ Status string }
		e.Do(http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", f.other), e.TokenIn("xiongan", "admin"), nil).JSON(t, &x)
		if x.Status != "open" {
			t.Errorf("xiongan's request moved: %s", x.Status)
		}
	})
}
