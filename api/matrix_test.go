package api_test

// The authorization matrix: every route of the API × every role × (an object inside the
// caller's scope, objects outside it, no token), with the status each cell must answer. It
// fails when a route has no row here, when a row names a route that does not exist, when a
// route's casbin object/action is held by no role (casbin denies by default), and when a
// row expects anything but 403 from a role the default policy does not allow.
//
// HOW TO ADD A ROUTE: add one row to matrixRows, e.g.
//
//	{Route: "POST /api/v1/projects/:id/frob", Body: map[string]any{"level": 1},
//		In:  st(201, 201, 403, 201, 403, 403, 403),
//		Out: st(404, 404, 403, 404, 404, 403, 403)},
//
// The columns of st(...) are always: admin, director, chief_food, recruiter1, recruiter2,
// agent1, viewer. A role casbin refuses gets 403 on in and out alike (the check comes before
// the object is looked up); a role that passes casbin gets 404 for an object outside its scope.
//
//   - In: the object is one every role sees: a food-chain project submitted by agent1 and
//     owned by recruiter1 (so recruiter2 is "a recruiter on someone else's project"). Writes
//     (any method but GET) get a fresh one per cell; Fixture says at which stage it must be
//     ("risk", "decision", "deleted"; default "lead").
//   - Out: for every role, the other zone's object (apitest.AddZone); for chief_food and
//     agent1 also a laiyuan object they may not see (a semiconductor project recruiter2
//     submitted, the semiconductor chain, an investor of only semiconductor projects).
//     Routes without an object leave Out out.
//   - Path parameters: ":id" after /projects, /enterprises or /users and ":code" after
//     /chains are filled in as above; a route with any other parameter needs an Object func
//     that returns the concrete paths.
//   - NoToken defaults to 401 (the status without a token; 200 for Public rows).
//   - Body may be a func(*matrix, role string) any for bodies that must differ per cell
//     (unique names).

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/configs"
)

// matrixUsers are the matrix's columns; matrixRoles their casbin roles.
var (
	matrixUsers = [7]string{"admin", "director", "chief_food", "recruiter1", "recruiter2", "agent1", "viewer"}
	matrixRoles = [7]string{"admin", "director", "chain_chief", "recruiter", "recruiter", "agent", "viewer"}
)

type statuses [7]int

func st(s ...int) statuses {
	if len(s) != 7 {
		panic(fmt.Sprintf("st needs 7 statuses (admin, director, chief_food, recruiter1, recruiter2, agent1, viewer), got %d", len(s)))
	}
	return statuses(s)
}

// all is the same status for every role.
func mxAll(s int) statuses { return statuses{s, s, s, s, s, s, s} }

type matrixRow struct {
	Route      string // "METHOD /api/v1/path" exactly as registered
	Body       any
	Fixture    string
	Object     func(m *matrix, user string, in bool) []string
	In, Out    statuses
	NoToken    int
	Public     bool
	FreshToken bool // the cell logs in anew (the route ends its session)
}

const (
	ok200 = http.StatusOK
	ok201 = http.StatusCreated
	ok204 = http.StatusNoContent
	e400  = http.StatusBadRequest
	e403  = http.StatusForbidden
	e404  = http.StatusNotFound
)

var (
	projectWrite = st(200, 200, 403, 200, 403, 403, 403)
	projectOut   = st(404, 404, 403, 404, 404, 403, 403)
	readAll      = mxAll(ok200)
	readOut      = mxAll(e404)
	adminOnly    = st(200, 403, 403, 403, 403, 403, 403)
	adminOut     = st(404, 403, 403, 403, 403, 403, 403)
	mapRead      = st(200, 200, 200, 200, 200, 403, 200)
	mapOut       = st(404, 404, 404, 404, 404, 403, 404)
)

func activityBody() map[string]any {
	return map[string]any{"kind": "visit", "occurred_at": "2023-01-12", "place": "涞源", "summary": "矩阵测试走访"}
}

var matrixRows = []matrixRow{
	{Route: "POST /api/v1/auth/login", Public: true, Body: map[string]string{"username": "viewer", "password": apitest.DemoPassword}, In: readAll, NoToken: ok200},
	{Route: "GET /api/v1/openapi.json", Public: true, In: readAll, NoToken: ok200},
	{Route: "POST /api/v1/auth/logout", FreshToken: true, In: mxAll(ok204)},
	{Route: "GET /api/v1/me", In: readAll},
	{Route: "POST /api/v1/me/password", Body: map[string]string{"current": "x"}, In: mxAll(e400)}, // reached the handler: a missing new password

	{Route: "GET /api/v1/projects", In: readAll},
	{Route: "POST /api/v1/projects", Body: newProject("矩阵测试新建项目"), In: st(201, 201, 403, 201, 201, 201, 403)},
	{Route: "GET /api/v1/projects/:id", In: readAll, Out: readOut},
	{Route: "PATCH /api/v1/projects/:id", Body: map[string]any{"version": 2, "notes": "矩阵测试"}, In: projectWrite, Out: projectOut},
	{Route: "DELETE /api/v1/projects/:id", In: st(204, 204, 403, 204, 403, 403, 403), Out: projectOut},
	{Route: "POST /api/v1/projects/:id/restore", Fixture: "deleted", In: adminOnly, Out: adminOut},
	{Route: "POST /api/v1/projects/:id/transition", Body: map[string]any{"to": "identification"}, In: projectWrite, Out: projectOut},
	{Route: "POST /api/v1/projects/:id/risk-assessment", Fixture: "risk", Body: map[string]any{"level": "low", "summary": "风险可控"},
		In: st(201, 201, 403, 201, 403, 403, 403), Out: projectOut},
	{Route: "POST /api/v1/projects/:id/decision", Fixture: "decision", Body: map[string]any{"outcome": "approved", "notes": "同意"},
		In: st(403, 201, 201, 403, 403, 403, 403), Out: st(403, 404, 404, 403, 403, 403, 403)},
	{Route: "GET /api/v1/projects/:id/history", In: readAll, Out: readOut},
	{Route: "GET /api/v1/projects/:id/activities", In: readAll, Out: readOut},
	{Route: "POST /api/v1/projects/:id/activities", Body: activityBody(),
		In: st(201, 201, 403, 201, 201, 201, 403), Out: st(404, 404, 403, 404, 404, 404, 403)},

	{Route: "GET /api/v1/chains", In: readAll},
	{Route: "GET /api/v1/chains/:code/map", In: mapRead, Out: mapOut},
	{Route: "GET /api/v1/chains/:code/map.svg", In: mapRead, Out: mapOut},
	{Route: "GET /api/v1/chains/:code/targets.xlsx", In: mapRead, Out: mapOut},

	{Route: "GET /api/v1/enterprises", In: mapRead},
	{Route: "POST /api/v1/enterprises", Body: func(m *matrix, user string) any {
		return map[string]any{"name": fmt.Sprintf("矩阵测试企业%d", m.next()), "kind": "target"}
	}, In: st(201, 201, 403, 201, 201, 403, 403)},
	{Route: "GET /api/v1/enterprises/:id", In: mapRead, Out: mapOut},

	{Route: "GET /api/v1/campaigns", In: mapRead},
	{Route: "POST /api/v1/campaigns", Body: map[string]any{"kind": "trip", "title": "矩阵测试招商", "city": "北京", "start_date": "2023-02-01"},
		In: st(201, 201, 403, 201, 201, 403, 403)},

	{Route: "GET /api/v1/users", In: adminOnly},
	{Route: "POST /api/v1/users", Body: func(m *matrix, user string) any {
		return map[string]any{"username": fmt.Sprintf("matrix%d", m.next()), "display_name": "矩阵测试", "email": "m@example.cn",
			"password": "Matrix-pass-2023", "roles": []string{"viewer"}}
	}, In: st(201, 403, 403, 403, 403, 403, 403)},
	{Route: "GET /api/v1/users/:id", In: adminOnly, Out: adminOut},
	{Route: "PATCH /api/v1/users/:id", Body: map[string]any{"display_name": "矩阵测试（改）"}, In: adminOnly, Out: adminOut},
	{Route: "POST /api/v1/users/:id/password", Body: map[string]any{"password": "Matrix-reset-2023"}, In: st(204, 403, 403, 403, 403, 403, 403), Out: adminOut},
	{Route: "POST /api/v1/users/:id/unlock", In: st(204, 403, 403, 403, 403, 403, 403), Out: adminOut},
	{Route: "GET /api/v1/audit", In: adminOnly},
}

// matrix holds the objects the cells act on.
type matrix struct {
	t       *testing.T
	e       *apitest.Env
	zone    *apitest.Zone
	shared  int64 // the in-scope project for reads
	semi    int64 // a laiyuan project outside chief_food's and agent1's scope
	semiV   float64
	inEnt   int64 // the shared project's investor: seen by everyone who reads enterprises
	semiEnt int64 // an investor of semiconductor projects only
	target  int64 // a user the users routes act on
	seq     atomic.Int64
}

func (m *matrix) next() int64 { return m.seq.Add(1) }

// project creates an in-scope project (agent1's food lead, owned by recruiter1) at stage.
func (m *matrix) project(stage string) int64 {
	t, e := m.t, m.e
	t.Helper()
	body := newProject(fmt.Sprintf("矩阵测试项目%d", m.next()))
	body["investor"] = "矩阵测试投资有限公司"
	p := create(t, e, "agent1", body)
	id := int64(p["id"].(float64))
	path := fmt.Sprintf("/api/v1/projects/%d", id)
	do := func(method, p string, body any) {
		t.Helper()
		if r := e.As("admin", method, path+p, body); r.Status >= 300 {
			t.Fatalf("fixture %s %s%s: %d %s", method, path, p, r.Status, r.Body)
		}
	}
	do(http.MethodPatch, "", map[string]any{"version": 1, "owner": "recruiter1"})
	switch stage {
	case "", "lead":
	case "risk", "decision":
		do(http.MethodPost, "/transition", map[string]any{"to": "identification"})
		do(http.MethodPost, "/transition", map[string]any{"to": "risk"})
		if stage == "decision" {
			do(http.MethodPost, "/risk-assessment", map[string]any{"level": "low", "summary": "可控"})
			do(http.MethodPost, "/transition", map[string]any{"to": "decision"})
		}
	case "deleted":
		do(http.MethodDelete, "", nil)
	default:
		t.Fatalf("unknown fixture %q", stage)
	}
	return id
}

func newMatrix(t *testing.T, e *apitest.Env) *matrix {
	m := &matrix{t: t, e: e, zone: e.AddZone("xiongan")}
	m.shared = m.project("lead")
	semi := create(t, e, "recruiter2", map[string]any{"name": "矩阵测试半导体项目", "investor": "矩阵测试半导体投资有限公司",
		"channel": "self_sourced", "chain": "semiconductor", "asset_type": "heavy", "docked_at": "2023-01-10"})
	m.semi, m.semiV = int64(semi["id"].(float64)), semi["version"].(float64)
	ent := func(q string) int64 {
		var b struct{ Items []struct{ ID int64 } }
		e.As("admin", http.MethodGet, "/api/v1/enterprises?q="+q, nil).JSON(t, &b)
		if len(b.Items) != 1 {
			t.Fatalf("enterprise %s: %v", q, b.Items)
		}
		return b.Items[0].ID
	}
	m.inEnt, m.semiEnt = ent("矩阵测试投资有限公司"), ent("矩阵测试半导体投资有限公司")
	r := e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "matrix_target", "display_name": "矩阵测试对象",
		"email": "target@example.cn", "password": "Matrix-pass-2023", "roles": []string{"viewer"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("target user: %d %s", r.Status, r.Body)
	}
	var u struct{ ID int64 }
	r.JSON(t, &u)
	m.target = u.ID
	return m
}

// narrow reports whether user sees less than the whole zone, so that a laiyuan object can
// lie outside their scope.
func narrow(user string) bool { return user == "chief_food" || user == "agent1" }

// paths fills the route's parameters with an in-scope object, or the out-of-scope ones.
func (m *matrix) paths(row matrixRow, path, user string, in bool) []string {
	if row.Object != nil {
		return row.Object(m, user, in)
	}
	if !strings.Contains(path, ":") {
		return []string{path}
	}
	fill := func(param string, ids ...any) []string {
		var out []string
		for _, id := range ids {
			out = append(out, strings.Replace(path, param, fmt.Sprint(id), 1))
		}
		return out
	}
	var out []string
	switch {
	case strings.HasPrefix(path, "/api/v1/projects/:id"):
		if in {
			id := m.shared
			if !strings.HasPrefix(row.Route, "GET ") {
				id = m.project(row.Fixture)
			}
			out = fill(":id", id)
		} else {
			out = fill(":id", m.zone.ProjectIDs["food"])
			if narrow(user) {
				out = append(out, fill(":id", m.semi)...)
			}
		}
	case strings.HasPrefix(path, "/api/v1/chains/:code"):
		if in {
			out = fill(":code", "food")
		} else {
			out = fill(":code", "textiles")
			if narrow(user) {
				out = append(out, fill(":code", "semiconductor")...)
			}
		}
	case strings.HasPrefix(path, "/api/v1/enterprises/:id"):
		if in {
			out = fill(":id", m.inEnt)
		} else {
			out = fill(":id", m.zone.EnterpriseID)
			if user == "chief_food" {
				out = append(out, fill(":id", m.semiEnt)...)
			}
		}
	case strings.HasPrefix(path, "/api/v1/users/:id"):
		if in {
			out = fill(":id", m.target)
		} else {
			out = fill(":id", m.zone.UserIDs["zone2_viewer"])
		}
	default:
		m.t.Fatalf("%s: the matrix cannot fill the parameters of %s; give its row an Object func", row.Route, path)
	}
	for _, p := range out {
		if strings.Contains(p, ":") {
			m.t.Fatalf("%s: unfilled parameter in %s; give its row an Object func", row.Route, p)
		}
	}
	return out
}

func (m *matrix) body(row matrixRow, user string) any {
	if f, ok := row.Body.(func(*matrix, string) any); ok {
		return f(m, user)
	}
	return row.Body
}

// policyAllows tells whether the default policy (configs/policy.csv) lets role do act on obj.
func policyAllows(role, obj, act string) bool {
	for _, r := range configs.DefaultPolicy() {
		if r.Role == role && r.Obj == obj && r.Act == act {
			return true
		}
	}
	return false
}

func TestAuthorizationMatrix(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		rows := map[string]matrixRow{}
		for _, r := range matrixRows {
			if _, dup := rows[r.Route]; dup {
				t.Errorf("two matrix rows for %s", r.Route)
			}
			rows[r.Route] = r
		}
		// every route has a row and a rule some role holds; every row a route
		rules := e.Server.RouteRules()
		routes := map[string]bool{}
		for _, rule := range rules {
			key := rule.Method + " " + rule.Path
			routes[key] = true
			row, ok := rows[key]
			if !ok {
				t.Errorf("route %s has no row in the authorization matrix (api/matrix_test.go)", key)
				continue
			}
			if rule.Public != row.Public {
				t.Errorf("%s: public = %v, the matrix says %v", key, rule.Public, row.Public)
			}
			if rule.Public {
				continue
			}
			held := false
			for i, role := range matrixRoles {
				allowed := policyAllows(role, rule.Obj, rule.Act)
				held = held || allowed
				if !allowed && (row.In[i] != e403 || (row.Out != statuses{} && row.Out[i] != e403)) {
					t.Errorf("%s: casbin refuses %s (%s %s) but the matrix expects in %d, out %d", key, matrixUsers[i], rule.Obj, rule.Act, row.In[i], row.Out[i])
				}
			}
			held = held || policyAllows("department", rule.Obj, rule.Act) // issue 15: its own matrix, requests_matrix_test.go
			// roles outside the zone's columns (province, issue 19) hold rules too
			held = held || slices.ContainsFunc(configs.DefaultPolicy(), func(r configs.Rule) bool { return r.Obj == rule.Obj && r.Act == rule.Act })
			if rule.Obj == "" || rule.Act == "" || !held {
				t.Errorf("%s: no role holds its casbin rule %q %q (configs/policy.csv); casbin denies it to everyone", key, rule.Obj, rule.Act)
			}
		}
		for key := range rows {
			if !routes[key] {
				t.Errorf("the matrix has a row for %s, which is not a route", key)
			}
		}
		if t.Failed() {
			return
		}
		m := newMatrix(t, e)
		keys := make([]string, 0, len(rows))
		for k := range rows {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		cells := 0
		for _, key := range keys {
			row := rows[key]
			method, path, _ := strings.Cut(key, " ")
			check := func(who, p string, token string, want int) {
				t.Helper()
				r := e.Do(method, p, token, m.body(row, who))
				cells++
				if r.Status != want {
					t.Errorf("%s %s as %s: %d, want %d: %.200s", method, p, who, r.Status, want, r.Body)
					return
				}
				code := map[int]string{e403: "forbidden", e404: "not_found", http.StatusUnauthorized: "unauthorized"}[want]
				if code != "" && r.ErrorCode() != code {
					t.Errorf("%s %s as %s: error code %q, want %q", method, p, who, r.ErrorCode(), code)
				}
			}
			noToken := row.NoToken
			if noToken == 0 {
				noToken = http.StatusUnauthorized
			}
			for _, p := range m.paths(row, path, "admin", true) {
				check("nobody", p, "", noToken)
			}
			for i, user := range matrixUsers {
				token := e.Token(user)
				if row.FreshToken {
					token = freshToken(t, e, user, apitest.DemoPassword)
				}
				for _, p := range m.paths(row, path, user, true) {
					check(user, p, token, row.In[i])
				}
				if row.Out == (statuses{}) {
					continue
				}
				for _, p := range m.paths(row, path, user, false) {
					check(user, p, token, row.Out[i])
				}
			}
		}
		t.Logf("matrix: %d routes × %d roles, %d requests", len(rows), len(matrixUsers), cells)
		// nothing outside the scopes changed
		for chain, id := range m.zone.ProjectIDs {
			r := e.Do(http.MethodGet, fmt.Sprintf("/api/v1/projects/%d", id), e.TokenIn("xiongan", "admin"), nil)
			if r.Status != http.StatusOK || r.Map(t)["version"] != 1.0 {
				t.Errorf("xiongan's %s project changed: %d %s", chain, r.Status, r.Body)
			}
		}
		if p := e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d", m.semi), nil).Map(t); p["version"] != m.semiV {
			t.Errorf("the semiconductor project changed: %v", p)
		}
		var z2 userBody
		e.Do(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", m.zone.UserIDs["zone2_viewer"]), e.TokenIn("xiongan", "admin"), nil).JSON(t, &z2)
		if z2.DisplayName != "zone2_viewer（xiongan）" || zoneLoginStatus(t, e, "xiongan", "zone2_viewer") != http.StatusOK {
			t.Errorf("xiongan's user changed: %+v", z2)
		}
	})
}

func zoneLoginStatus(t *testing.T, e *apitest.Env, zone, user string) int {
	t.Helper()
	return e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"zone": zone, "username": user, "password": apitest.DemoPassword}).Status
}
