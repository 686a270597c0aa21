package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

type userBody struct {
	ID          int64
	Username    string
	DisplayName string `json:"display_name"`
	Email       string
	Agency      string
	Roles       []string
	Chains      []string
	Disabled    bool
}

// userID returns a user's id as a path segment, as the administrators' list shows it.
func userID(t *testing.T, e *apitest.Env, username string) string {
	t.Helper()
	var list struct{ Items []userBody }
	e.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &list)
	for _, u := range list.Items {
		if u.Username == username {
			return fmt.Sprint(u.ID)
		}
	}
	t.Fatalf("no user %s", username)
	return ""
}

func TestUsersAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		var list struct {
			Items []userBody
			Total int
		}
		e.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &list)
		if list.Total != 11 { // the contract's nine and the two department liaisons (issue 15)
			t.Fatalf("demo users: %d", list.Total)
		}
		for _, u := range list.Items {
			if u.Email == "" || len(u.Roles) == 0 {
				t.Errorf("demo user %+v", u)
			}
		}
		v0, _ := e.DB.PolicyVersion(ctx)
		// a user with two roles and a chain
		r := e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "li.wei", "display_name": "李伟",
			"email": "li.wei@laiyuan-edz.example.cn", "password": "Laiyuan-招商-01", "roles": []string{"recruiter", "chain_chief"}, "chains": []string{"mining"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var u userBody
		r.JSON(t, &u)
		if fmt.Sprint(u.Roles) != "[chain_chief recruiter]" || fmt.Sprint(u.Chains) != "[mining]" || strings.Contains(string(r.Body), "password") {
			t.Errorf("created: %s", r.Body)
		}
		path := fmt.Sprintf("/api/v1/users/%d", u.ID)
		if v, _ := e.DB.PolicyVersion(ctx); v <= v0 {
			t.Errorf("policy version %d → %d", v0, v)
		}
		// the roles take effect at once: recruiter + chief sees the zone and creates
		tok := freshToken(t, e, "li.wei", "Laiyuan-招商-01")
		all := listWith(t, e, tok, "page_size=1").Total
		if all != listAll(t, e) {
			t.Errorf("recruiter and chief sees %d of %d", all, listAll(t, e))
		}
		if r := e.Do(http.MethodPost, "/api/v1/projects", tok, newProject("两个角色的项目")); r.Status != http.StatusCreated {
			t.Errorf("create as recruiter: %d", r.Status)
		}
		// chief only: their chain, no creating
		if r := e.As("admin", http.MethodPatch, path, map[string]any{"roles": []string{"chain_chief"}}); r.Status != http.StatusOK {
			t.Fatalf("patch roles: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodPost, "/api/v1/projects", tok, newProject("x")); r.Status != http.StatusForbidden {
			t.Errorf("chief creates: %d", r.Status)
		}
		for _, p := range listWith(t, e, tok, "page_size=200").Items {
			if p["chain"] != "mining" {
				t.Errorf("chief of mining sees %v", p["chain"])
			}
		}
		// another chain
		if r := e.As("admin", http.MethodPatch, path, map[string]any{"chains": []string{"food", "semiconductor"}}); r.Status != http.StatusOK {
			t.Fatalf("patch chains: %d %s", r.Status, r.Body)
		}
		seen := map[any]bool{}
		for _, p := range listWith(t, e, tok, "page_size=200").Items {
			seen[p["chain"]] = true
		}
		if !seen["food"] || !seen["semiconductor"] || seen["mining"] || len(seen) != 2 {
			t.Errorf("chief of food and semiconductor sees %v", seen)
		}
		// no longer a chief: the chains go with the role
		r = e.As("admin", http.MethodPatch, path, map[string]any{"roles": []string{"viewer"}, "display_name": "李伟（督查）", "email": "liwei@laiyuan-edz.example.cn"})
		r.JSON(t, &u)
		if r.Status != http.StatusOK || fmt.Sprint(u.Roles) != "[viewer]" || len(u.Chains) != 0 || u.DisplayName != "李伟（督查）" {
			t.Errorf("to viewer: %d %s", r.Status, r.Body)
		}
		// an agent needs an agency; their leads carry it
		r = e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "agent2", "display_name": "新机构",
			"email": "agent2@agency.example.cn", "password": "Agency-pass-2023", "roles": []string{"agent"}})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"agency"`) {
			t.Errorf("agent without agency: %d %s", r.Status, r.Body)
		}
		r = e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "agent2", "display_name": "新机构",
			"email": "agent2@agency.example.cn", "password": "Agency-pass-2023", "roles": []string{"agent"}, "agency": "雄安招商服务公司"})
		if r.Status != http.StatusCreated {
			t.Fatalf("agent: %d %s", r.Status, r.Body)
		}
		lead := e.Do(http.MethodPost, "/api/v1/projects", freshToken(t, e, "agent2", "Agency-pass-2023"), newProject("新机构推荐的项目")).Map(t)
		if lead["agency"] != "雄安招商服务公司" || lead["channel"] != "entrusted" {
			t.Errorf("agent2's lead: %v", lead)
		}
		// refusals
		bad := []struct {
			name   string
			method string
			path   string
			body   map[string]any
			status int
			field  string
		}{
			{"taken", http.MethodPost, "/api/v1/users", map[string]any{"username": "viewer", "display_name": "x", "email": "x@example.cn", "password": "Good-pass-2023", "roles": []string{"viewer"}}, http.StatusConflict, "username"},
			{"common password", http.MethodPost, "/api/v1/users", map[string]any{"username": "u1", "display_name": "x", "email": "x@example.cn", "password": "qwerty123", "roles": []string{"viewer"}}, http.StatusBadRequest, "password"},
			{"short password", http.MethodPost, "/api/v1/users", map[string]any{"username": "u1", "display_name": "x", "email": "x@example.cn", "password": "Ab1!", "roles": []string{"viewer"}}, http.StatusBadRequest, "password"},
			{"unknown role", http.MethodPost, "/api/v1/users", map[string]any{"username": "u1", "display_name": "x", "email": "x@example.cn", "password": "Good-pass-2023", "roles": []string{"root"}}, http.StatusBadRequest, "roles"},
			{"unknown chain", http.MethodPost, "/api/v1/users", map[string]any{"username": "u1", "display_name": "x", "email": "x@example.cn", "password": "Good-pass-2023", "roles": []string{"chain_chief"}, "chains": []string{"textiles"}}, http.StatusBadRequest, "chains"},
			{"chains without chief", http.MethodPatch, path, map[string]any{"chains": []string{"food"}}, http.StatusBadRequest, "chains"},
			{"bad email", http.MethodPatch, path, map[string]any{"email": "nowhere"}, http.StatusBadRequest, "email"},
			{"no roles", http.MethodPatch, path, map[string]any{"roles": []string{}}, http.StatusBadRequest, "roles"},
			{"reset to a common password", http.MethodPost, path + "/password", map[string]any{"password": "12345678"}, http.StatusBadRequest, "password"},
			{"disable oneself", http.MethodPatch, "/api/v1/users/" + userID(t, e, "admin"), map[string]any{"disabled": true}, http.StatusUnprocessableEntity, ""},
			{"drop one's own admin role", http.MethodPatch, "/api/v1/users/" + userID(t, e, "admin"), map[string]any{"roles": []string{"viewer"}}, http.StatusUnprocessableEntity, ""},
			{"no such user", http.MethodPatch, "/api/v1/users/999999", map[string]any{"display_name": "x"}, http.StatusNotFound, ""},
		}
		for _, c := range bad {
			r := e.As("admin", c.method, c.path, c.body)
			if r.Status != c.status || (c.field != "" && !strings.Contains(string(r.Body), `"`+c.field+`"`)) {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			}
		}
		if r := login(t, e, "u1", "Good-pass-2023"); r.Status != http.StatusUnauthorized {
			t.Errorf("a refused user was created")
		}
		// only administrators
		for _, who := range []string{"director", "chief_food", "recruiter1", "agent1", "viewer"} {
			for _, req := range [][2]string{{http.MethodGet, "/api/v1/users"}, {http.MethodPost, "/api/v1/users"}, {http.MethodPatch, path}, {http.MethodPost, path + "/password"}, {http.MethodGet, "/api/v1/audit"}} {
				if r := e.As(who, req[0], req[1], map[string]any{"display_name": "x"}); r.Status != http.StatusForbidden {
					t.Errorf("%s %s %s: %d", who, req[0], req[1], r.Status)
				}
			}
		}
		// every change is in the audit log, with who, what and from where
		var audit struct {
			Items []struct{ Actor, Action, Object, Detail, IP, At string }
		}
		e.As("admin", http.MethodGet, "/api/v1/audit?page_size=200&actor=admin", nil).JSON(t, &audit)
		got := map[string]int{}
		for _, it := range audit.Items {
			if it.Object == fmt.Sprintf("user:%d", u.ID) {
				got[it.Action]++
				if it.IP != "127.0.0.1" || it.At == "" || strings.Contains(it.Detail, "Laiyuan-招商-01") {
					t.Errorf("entry %+v", it)
				}
			}
		}
		want := map[string]int{"user_created": 1, "role_granted": 3, "role_revoked": 2, "chain_chief_assigned": 3, "chain_chief_unassigned": 3, "user_updated": 1}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("audit %s = %d, want %d (all: %v)", k, got[k], n, got)
			}
		}
	})
}

func listWith(t *testing.T, e *apitest.Env, token, query string) listBody {
	t.Helper()
	r := e.Do(http.MethodGet, "/api/v1/projects?"+query, token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	var b listBody
	r.JSON(t, &b)
	return b
}

func listAll(t *testing.T, e *apitest.Env) int { return list(t, e, "admin", "page_size=1").Total }
