package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// TestZonesAreIsolated: a second zone with its own users (two of them named as demo users),
// chains (one with the demo's code) and projects. Neither zone ever sees the other: every
// read and write of the other zone's objects is 404, lists leave them out.
func TestZonesAreIsolated(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		z := e.AddZone("xiongan")
		tok := func(user string) string { return e.TokenIn("xiongan", user) }
		theirs := fmt.Sprintf("/api/v1/projects/%d", z.ProjectIDs["food"])
		ours := fmt.Sprintf("/api/v1/projects/%v", list(t, e, "admin", "chain=food").Items[0]["id"])

		// the same username in two zones is two people
		if me := e.Do(http.MethodGet, "/api/v1/me", tok("admin"), nil).Map(t); me["zone"].(map[string]any)["code"] != "xiongan" {
			t.Errorf("xiongan admin: %v", me)
		}
		if me := e.As("admin", http.MethodGet, "/api/v1/me", nil).Map(t); me["zone"].(map[string]any)["code"] != "laiyuan" {
			t.Errorf("laiyuan admin: %v", me)
		}
		// laiyuan's users never reach xiongan's objects
		for _, u := range []string{"admin", "director", "chief_food", "recruiter1", "viewer", "agent1"} {
			for _, p := range []string{theirs, theirs + "/history", theirs + "/activities"} {
				if r := e.As(u, http.MethodGet, p, nil); r.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d", u, p, r.Status)
				}
			}
		}
		writes := []struct {
			method, path string
			body         any
		}{
			{http.MethodPatch, theirs, map[string]any{"version": 1, "notes": "x"}},
			{http.MethodDelete, theirs, nil},
			{http.MethodPost, theirs + "/restore", nil},
			{http.MethodPost, theirs + "/transition", map[string]any{"to": "identification"}},
			{http.MethodPost, theirs + "/activities", map[string]any{"kind": "call", "occurred_at": "2023-01-10", "summary": "x"}},
			{http.MethodGet, "/api/v1/chains/textiles/map", nil},
			{http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", z.EnterpriseID), nil},
			{http.MethodGet, fmt.Sprintf("/api/v1/users/%d", z.UserIDs["admin"]), nil},
			{http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", z.UserIDs["zone2_viewer"]), map[string]any{"disabled": true}},
			{http.MethodPost, fmt.Sprintf("/api/v1/users/%d/password", z.UserIDs["admin"]), map[string]any{"password": "Taken-over-2023"}},
		}
		for _, w := range writes {
			if r := e.As("admin", w.method, w.path, w.body); r.Status != http.StatusNotFound {
				t.Errorf("laiyuan admin %s %s: %d %s", w.method, w.path, r.Status, r.Body)
			}
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", tok("zone2_viewer"), nil); r.Status != http.StatusOK {
			t.Errorf("the other zone's viewer was disabled: %d", r.Status)
		}
		// lists leave the other zone out
		if n := list(t, e, "admin", "q=xiongan").Total; n != 0 {
			t.Errorf("laiyuan admin finds %d xiongan projects", n)
		}
		var users struct{ Items []userBody }
		e.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &users)
		for _, u := range users.Items {
			if strings.Contains(u.Email, "xiongan") {
				t.Errorf("laiyuan admin lists %+v", u)
			}
		}
		var chains []map[string]any
		e.As("admin", http.MethodGet, "/api/v1/chains", nil).JSON(t, &chains)
		if len(chains) != 3 {
			t.Errorf("laiyuan chains: %v", chains)
		}
		// and the other way round
		mine := listWith(t, e, tok("admin"), "page_size=200")
		if mine.Total != 2 {
			t.Errorf("xiongan admin sees %d projects", mine.Total)
		}
		for _, u := range []string{"admin", "recruiter1", "zone2_viewer", "zone2_chief"} {
			if r := e.Do(http.MethodGet, ours, tok(u), nil); r.Status != http.StatusNotFound {
				t.Errorf("xiongan %s reads a laiyuan project: %d", u, r.Status)
			}
		}
		if r := e.Do(http.MethodPatch, ours, tok("admin"), map[string]any{"version": 1, "notes": "x"}); r.Status != http.StatusNotFound {
			t.Errorf("xiongan admin patches a laiyuan project: %d", r.Status)
		}
		for _, p := range []string{"/api/v1/chains/semiconductor/map", fmt.Sprintf("/api/v1/users/%s", userID(t, e, "admin"))} {
			if r := e.Do(http.MethodGet, p, tok("admin"), nil); r.Status != http.StatusNotFound {
				t.Errorf("xiongan admin GET %s: %d", p, r.Status)
			}
		}
		// "food" is a code in both zones: each sees its own
		if r := e.Do(http.MethodGet, "/api/v1/chains/food/map", tok("admin"), nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "xiongan") {
			t.Errorf("xiongan food map: %d %.300s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodGet, "/api/v1/chains/food/map", nil); strings.Contains(string(r.Body), "xiongan") {
			t.Error("laiyuan's food map shows xiongan's project")
		}
		// the other zone's chief sees their chain only
		for _, p := range listWith(t, e, tok("zone2_chief"), "page_size=200").Items {
			if p["chain"] != "textiles" {
				t.Errorf("zone2_chief sees %v", p["chain"])
			}
		}
		// a project cannot be moved onto the other zone's chain or owner
		id := create(t, e, "recruiter1", newProject("跨区移动测试"))["id"]
		path := fmt.Sprintf("/api/v1/projects/%v", id)
		for _, body := range []map[string]any{{"version": 1, "chain": "textiles"}, {"version": 1, "owner": "zone2_viewer"}} {
			if r := e.As("admin", http.MethodPatch, path, body); r.Status != http.StatusBadRequest {
				t.Errorf("admin PATCH %v: %d %s", body, r.Status, r.Body)
			}
		}
		if r := e.As("admin", http.MethodPost, "/api/v1/projects", map[string]any{"name": "x", "investor": "y", "channel": "entrusted",
			"chain": "textiles", "asset_type": "heavy", "docked_at": "2023-01-01"}); r.Status != http.StatusBadRequest {
			t.Errorf("create on the other zone's chain: %d", r.Status)
		}
		// roles are per zone: xiongan's viewer holds nothing in laiyuan, and the audit logs
		// are apart
		if ok, _ := e.Enforcer.Enforce("zone2_viewer", "laiyuan", "project", "read"); ok {
			t.Error("zone2_viewer may read laiyuan projects")
		}
		var audit struct {
			Items []struct{ Actor, Action, Object string }
		}
		e.Do(http.MethodGet, "/api/v1/audit?page_size=200", tok("admin"), nil).JSON(t, &audit)
		for _, it := range audit.Items {
			if it.Actor == "chief_food" || it.Actor == "director" || strings.Contains(it.Object, "laiyuan") {
				t.Errorf("xiongan's audit shows %+v", it)
			}
		}
		if len(audit.Items) == 0 {
			t.Error("xiongan's audit log is empty")
		}
	})
}

// TestPatchCannotMoveOutOfReach: a recruiter edits their own project but cannot give it
// to someone else; only administrators and the director assign owners.
func TestPatchCannotMoveOutOfReach(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("负责人变更测试"))
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		if r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "owner": "recruiter2"}); r.Status != http.StatusForbidden {
			t.Errorf("recruiter gives away: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "chain": "mining"}); r.Status != http.StatusOK {
			t.Errorf("recruiter moves own project to another chain: %d %s", r.Status, r.Body)
		}
		// and the chief of the old chain no longer sees it, the new chief does
		if r := e.As("chief_food", http.MethodGet, path, nil); r.Status != http.StatusNotFound {
			t.Errorf("chief_food after the move: %d", r.Status)
		}
		if r := e.As("chief_mining", http.MethodGet, path, nil); r.Status != http.StatusOK {
			t.Errorf("chief_mining after the move: %d", r.Status)
		}
		if r := e.As("director", http.MethodPatch, path, map[string]any{"version": 2, "owner": "recruiter2"}); r.Status != http.StatusOK {
			t.Errorf("director assigns: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 3, "notes": "x"}); r.Status != http.StatusForbidden {
			t.Errorf("former owner edits: %d", r.Status)
		}
		if r := e.As("admin", http.MethodPatch, path, map[string]any{"version": 3, "owner": "nobody"}); r.Status != http.StatusBadRequest {
			t.Errorf("unknown owner: %d", r.Status)
		}
	})
}

// TestEnterpriseScope: a chain chief reads the zone's enterprises except investors of
// projects outside their chains.
func TestEnterpriseScope(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		find := func(user, q string) []map[string]any {
			var b struct{ Items []map[string]any }
			e.As(user, http.MethodGet, "/api/v1/enterprises?page_size=200&q="+q, nil).JSON(t, &b)
			return b.Items
		}
		semiInvestor := find("admin", "京能巽欣")
		foodInvestor := find("admin", "千喜鹤")
		local := find("admin", "河北同光晶体")
		if len(semiInvestor) != 1 || len(foodInvestor) != 1 || len(local) != 1 {
			t.Fatalf("demo enterprises: %v %v %v", semiInvestor, foodInvestor, local)
		}
		if len(find("chief_food", "京能巽欣")) != 0 || len(find("chief_food", "千喜鹤")) != 1 || len(find("chief_food", "河北同光晶体")) != 1 {
			t.Error("chief_food's enterprise list")
		}
		for _, c := range []struct {
			user string
			id   any
			want int
		}{
			{"chief_food", semiInvestor[0]["id"], http.StatusNotFound},
			{"chief_food", foodInvestor[0]["id"], http.StatusOK},
			{"chief_food", local[0]["id"], http.StatusOK},
			{"chief_semi", semiInvestor[0]["id"], http.StatusOK},
			{"viewer", semiInvestor[0]["id"], http.StatusOK},
			{"agent1", local[0]["id"], http.StatusForbidden},
		} {
			if r := e.As(c.user, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%v", c.id), nil); r.Status != c.want {
				t.Errorf("%s reads enterprise %v: %d, want %d", c.user, c.id, r.Status, c.want)
			}
		}
	})
}

// TestCountsFollowTheScope: the counts beside chains and campaigns count only the projects
// the caller sees.
func TestCountsFollowTheScope(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		chains := func(user string) map[string]float64 {
			var cs []map[string]any
			e.As(user, http.MethodGet, "/api/v1/chains", nil).JSON(t, &cs)
			out := map[string]float64{}
			for _, c := range cs {
				out[c["code"].(string)] = c["project_count"].(float64)
			}
			return out
		}
		all, food := chains("admin"), chains("chief_food")
		if all["food"] == 0 || all["mining"] == 0 || food["food"] != all["food"] || food["mining"] != 0 || food["semiconductor"] != 0 {
			t.Errorf("chain counts: admin %v, chief_food %v", all, food)
		}
		agent := chains("agent1")
		mine := list(t, e, "agent1", "page_size=200")
		n := 0.0
		for _, v := range agent {
			n += v
		}
		withChain := 0.0
		for _, p := range mine.Items {
			if p["chain"] != nil {
				withChain++
			}
		}
		if n != withChain {
			t.Errorf("agent1's chain counts %v add up to %v, their projects with a chain %v", agent, n, withChain)
		}
		campaigns := func(user string) map[float64]float64 {
			var b struct{ Items []map[string]any }
			e.As(user, http.MethodGet, "/api/v1/campaigns", nil).JSON(t, &b)
			out := map[float64]float64{}
			for _, c := range b.Items {
				out[c["id"].(float64)] = c["project_count"].(float64)
			}
			return out
		}
		ca, cf := campaigns("admin"), campaigns("chief_food")
		sumA, sumF := 0.0, 0.0
		for id, v := range ca {
			sumA += v
			sumF += cf[id]
			if cf[id] > v {
				t.Errorf("campaign %v: chief_food counts %v of %v", id, cf[id], v)
			}
		}
		foodOnCampaigns := 0.0
		for _, p := range list(t, e, "chief_food", "page_size=200").Items {
			if p["campaign_id"] != nil {
				foodOnCampaigns++
			}
		}
		if sumA == 0 || sumF == 0 || sumF != foodOnCampaigns || sumF >= sumA {
			t.Errorf("campaign counts: admin %v, chief_food %v, food projects on campaigns %v", sumA, sumF, foodOnCampaigns)
		}
	})
}
