package api_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// TestReplicasSeeRoleChangesAtOnce (issue 19): a role granted or revoked on replica A
// decides B's very next request. B's casbin enforcer holds the policy in memory; it used to
// reload it every 5 s (serve's watcher; never in the in-process replicas), so a revoked
// administrator kept their rights on B for seconds. Now every decision first compares the
// policy version.
func TestReplicasSeeRoleChangesAtOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, a *apitest.Env) {
		b := a.Second()
		var users listBody
		a.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &users)
		var path string
		for _, u := range users.Items {
			if u["username"] == "viewer" {
				path = "/api/v1/users/" + strconv.FormatFloat(u["id"].(float64), 'f', 0, 64)
			}
		}
		viewer := freshToken(t, b, "viewer", apitest.DemoPassword)
		usersOnB := func() int { return b.Do(http.MethodGet, "/api/v1/users", viewer, nil).Status }
		if s := usersOnB(); s != http.StatusForbidden {
			t.Fatalf("a viewer reads the users on B: %d", s)
		}
		setRoles := func(roles ...string) {
			t.Helper()
			if r := a.As("admin", http.MethodPatch, path, map[string]any{"roles": roles}); r.Status != http.StatusOK {
				t.Fatalf("roles %v on A: %d %s", roles, r.Status, r.Body)
			}
		}
		setRoles("admin")
		if s := usersOnB(); s != http.StatusOK {
			t.Errorf("granted admin on A, B's next request: %d", s)
		}
		setRoles("viewer")
		if s := usersOnB(); s != http.StatusForbidden {
			t.Errorf("admin revoked on A, B's next request: %d (the revoked role still works on B)", s)
		}

		// replicas changing roles at once all move the version (no lost increment): each
		// bump is one statement
		before, err := a.DB.PolicyVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 8 {
			env := []*apitest.Env{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := env.DB.BumpPolicyVersion(t.Context()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if after, _ := b.DB.PolicyVersion(t.Context()); after != before+8 {
			t.Errorf("policy version %d after 8 bumps from %d", after, before)
		}
	})
}

// TestReplicasPlatformFiguresFollowWrites (issue 19): the province overview that replica B
// keeps (per change stamp) changes at B's next request after a project is docked on A.
func TestReplicasPlatformFiguresFollowWrites(t *testing.T) {
	eachDB(t, func(t *testing.T, a *apitest.Env) {
		b := a.Second()
		addProvinceUser(t, a, "prov_replicas", "laiyuan")
		tok := provinceLogin(t, b, "prov_replicas")
		docked := func() float64 {
			t.Helper()
			var o struct {
				Total struct {
					DockedTotal float64 `json:"docked_total"`
				} `json:"total"`
			}
			getJSON(t, b, tok, "/api/v1/platform/overview?year=2023", &o)
			return o.Total.DockedTotal
		}
		before := docked()
		if again := docked(); again != before { // kept now
			t.Fatalf("overview moved without a write: %v → %v", before, again)
		}
		create(t, a, "recruiter1", newProject("副本概览测试项目"))
		if after := docked(); after != before+1 {
			t.Errorf("B's overview after a docking on A: %v, want %v", after, before+1)
		}
	})
}

// TestReadyzWhileDraining (issue 19): a stopping replica (serve calls Drain on SIGTERM)
// answers /readyz 503 so that balancers polling it send no more requests, while it still
// serves every other request until its listener closes.
func TestReadyzWhileDraining(t *testing.T) {
	e := apitest.New(t, dbtest.Drivers()[0])
	if r := e.Do(http.MethodGet, "/readyz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("readyz: %d", r.Status)
	}
	tok := e.Token("director")
	e.Server.Drain()
	if r := e.Do(http.MethodGet, "/readyz", "", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining: %d %s", r.Status, r.Body)
	}
	if r := e.Do(http.MethodGet, "/api/v1/me", tok, nil); r.Status != http.StatusOK {
		t.Errorf("a request while draining: %d", r.Status)
	}
}
