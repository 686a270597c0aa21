package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// eachDB runs fn against a fresh demo API on every database.
func eachDB(t *testing.T, fn func(t *testing.T, e *apitest.Env)) {
	for _, d := range dbtest.Drivers() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.New(t, d))
		})
	}
}

type listBody struct {
	Items    []map[string]any `json:"items"`
	Total    int              `json:"total"`
	Page     int              `json:"page"`
	PageSize int              `json:"page_size"`
}

func list(t *testing.T, e *apitest.Env, user, query string) listBody {
	t.Helper()
	r := e.As(user, http.MethodGet, "/api/v1/projects?"+query, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list %s: %d %s", query, r.Status, r.Body)
	}
	var b listBody
	r.JSON(t, &b)
	return b
}

func TestDemoFigures(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		year := "docked_from=2022-01-01&docked_to=2022-12-31"
		if got := list(t, e, "admin", year).Total; got != 87 {
			t.Errorf("2022 dockings = %d, want 87", got)
		}
		for ch, want := range map[string]int{"entrusted": 26, "business_referral": 15, "self_sourced": 21, "resource_plus": 25} {
			if got := list(t, e, "viewer", year+"&channel="+ch).Total; got != want {
				t.Errorf("%s = %d, want %d", ch, got, want)
			}
		}
		signed := list(t, e, "director", "signed_from=2022-01-01&signed_to=2022-12-31&page_size=200")
		if signed.Total != 4 {
			t.Fatalf("signed in 2022 = %d, want 4", signed.Total)
		}
		var sum float64
		for _, p := range signed.Items {
			sum += p["planned_investment_wan"].(float64)
		}
		if sum != 80500 {
			t.Errorf("signed investment = %v 万元, want 80500", sum)
		}
		for asset, want := range map[string]int{"heavy": 3, "light": 3} {
			n := 0
			for _, st := range []string{"risk", "decision"} {
				n += list(t, e, "admin", year+"&asset_type="+asset+"&stage="+st).Total
			}
			if n != want {
				t.Errorf("intended %s = %d, want %d", asset, n, want)
			}
		}
	})
}

func TestEveryAPIRouteNeedsAToken(t *testing.T) {
	e := apitest.New(t, "sqlite")
	public := map[string]bool{"POST /api/v1/auth/login": true, "GET /api/v1/openapi.json": true}
	n := 0
	for _, rt := range e.Server.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if !strings.HasPrefix(path, "/api/v1") || public[rt] {
			continue
		}
		path = strings.NewReplacer(":id", "1", ":aid", "1", ":code", "food", ":name", "x").Replace(path)
		for _, token := range []string{"", "not-a-token"} {
			r := e.Do(method, path, token, nil)
			if r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
				t.Errorf("%s %s token=%q: %d %s", method, path, token, r.Status, r.Body)
			}
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d protected routes walked", n)
	}
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	e := apitest.New(t, "sqlite")
	r := e.Do(http.MethodGet, "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	r.JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	seen := 0
	for _, rt := range e.Server.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if !strings.HasPrefix(path, "/api/v1") {
			continue
		}
		p := strings.NewReplacer(":id", "{id}", ":aid", "{aid}", ":code", "{code}", ":name", "{name}",
			":enterprise_id", "{enterprise_id}", ":project_id", "{project_id}", ":to_id", "{to_id}",
			":month", "{month}", ":period", "{period}", ":zone", "{zone}").Replace(path)
		if _, ok := doc.Paths[p][strings.ToLower(method)]; !ok {
			t.Errorf("%s %s is not in openapi.json", method, p)
		}
		seen++
	}
	total := 0
	for _, ops := range doc.Paths {
		total += len(ops)
	}
	if total != seen {
		t.Errorf("openapi.json has %d operations, the router %d", total, seen)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := apitest.New(t, "sqlite")
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.Do(http.MethodGet, p, "", nil); r.Status != http.StatusOK {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	e.As("admin", http.MethodGet, "/api/v1/projects", nil)
	r := e.Do(http.MethodGet, "/metrics", "", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `chaincrm_http_requests_total{method="GET",route="/api/v1/projects",status="200"}`) ||
		!strings.Contains(string(r.Body), "chaincrm_http_request_duration_seconds_bucket") {
		t.Errorf("metrics: %d %.500s", r.Status, r.Body)
	}
	if r := e.Do(http.MethodGet, "/api/v1/nope", "", nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
		t.Errorf("unknown api route: %d %s", r.Status, r.Body)
	}
	if r := e.Do(http.MethodGet, "/projects/12", "", nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "<html") {
		t.Errorf("deep link: %d", r.Status)
	}
	if id := e.Do(http.MethodGet, "/healthz", "", nil).Header.Get("X-Request-ID"); id == "" {
		t.Error("no request id")
	}
}

func TestLogin(t *testing.T) {
	e := apitest.New(t, "sqlite")
	r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "chief_food", "password": apitest.DemoPassword})
	if r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var body struct {
		Token string
		User  struct {
			Username, Email string
			Roles, Chains   []string
		}
	}
	r.JSON(t, &body)
	if len(body.Token) < 22 || body.User.Username != "chief_food" || body.User.Email == "" ||
		fmt.Sprint(body.User.Roles) != "[chain_chief]" || fmt.Sprint(body.User.Chains) != "[food]" {
		t.Errorf("login body: %+v", body)
	}
	me := e.Do(http.MethodGet, "/api/v1/me", body.Token, nil).Map(t)
	if me["username"] != "chief_food" || me["zone"].(map[string]any)["code"] != "laiyuan" {
		t.Errorf("me: %v", me)
	}
	for _, bad := range []map[string]string{{"username": "chief_food", "password": "wrong-password"}, {"username": "nobody", "password": "x"}} {
		r := e.Do(http.MethodPost, "/api/v1/auth/login", "", bad)
		if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "用户名或密码错误") {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := e.Do(http.MethodPost, "/api/v1/auth/logout", body.Token, nil); r.Status != http.StatusNoContent {
		t.Errorf("logout: %d", r.Status)
	}
	if r := e.Do(http.MethodGet, "/api/v1/me", body.Token, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("token after logout: %d", r.Status)
	}
}

func TestLoginThrottle(t *testing.T) {
	e := apitest.New(t, "sqlite")
	bad := map[string]string{"username": "recruiter1", "password": "wrong-password"}
	for i := 0; i < 5; i++ {
		if r := e.Do(http.MethodPost, "/api/v1/auth/login", "", bad); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.Status)
		}
	}
	r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "recruiter1", "password": apitest.DemoPassword})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: %d %s", r.Status, r.Body)
	}
	e.Clock.Add(16 * 60 * 1e9)
	if r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "recruiter1", "password": apitest.DemoPassword}); r.Status != http.StatusOK {
		t.Fatalf("after the window: %d %s", r.Status, r.Body)
	}
}
