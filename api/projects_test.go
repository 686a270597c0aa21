package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

func newProject(name string) map[string]any {
	return map[string]any{"name": name, "investor": "测试投资有限公司", "channel": "self_sourced", "chain": "food",
		"asset_type": "heavy", "planned_investment_wan": 12345.5, "land_area_mu": 30.25, "docked_at": "2023-01-10"}
}

func create(t *testing.T, e *apitest.Env, user string, body map[string]any) map[string]any {
	t.Helper()
	r := e.As(user, http.MethodPost, "/api/v1/projects", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create as %s: %d %s", user, r.Status, r.Body)
	}
	return r.Map(t)
}

func TestCreateReadUpdateDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("中央厨房扩建项目"))
		if p["stage"] != "lead" || p["version"] != 1.0 || p["owner"] != "recruiter1" || p["owner_name"] != "招商专员（一组）" || p["chain"] != "food" ||
			p["planned_investment_wan"] != 12345.5 || p["land_area_mu"] != 30.25 || p["docked_at"] != "2023-01-10" || p["investor"] != "测试投资有限公司" {
			t.Fatalf("created: %v", p)
		}
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		if got := e.As("viewer", http.MethodGet, path, nil).Map(t); got["name"] != "中央厨房扩建项目" {
			t.Errorf("read: %v", got)
		}
		// a stale version writes nothing
		r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "land_area_mu": 40, "notes": "已实地踏勘"})
		if r.Status != http.StatusOK {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		if got := r.Map(t); got["version"] != 2.0 || got["land_area_mu"] != 40.0 || got["notes"] != "已实地踏勘" {
			t.Errorf("patched: %v", got)
		}
		r = e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "name": "改名"})
		if r.Status != http.StatusConflict || r.ErrorCode() != "conflict" {
			t.Errorf("stale patch: %d %s", r.Status, r.Body)
		}
		if got := e.As("recruiter1", http.MethodGet, path, nil).Map(t); got["name"] != "中央厨房扩建项目" || got["version"] != 2.0 {
			t.Errorf("stale patch wrote: %v", got)
		}
		// history has who, field, from, to
		var hist []map[string]any
		e.As("admin", http.MethodGet, path+"/history", nil).JSON(t, &hist)
		fields := map[string]bool{}
		for _, h := range hist {
			if h["actor"] != "recruiter1" {
				t.Errorf("history actor: %v", h)
			}
			if f, _ := h["field"].(string); f != "" {
				fields[f] = true
			}
		}
		if !fields["land_area_mu"] || !fields["notes"] || hist[0]["action"] != "created" {
			t.Errorf("history: %v", hist)
		}
		// others may not edit it; recruiter2 sees it but may not change it
		if r := e.As("recruiter2", http.MethodPatch, path, map[string]any{"version": 2, "notes": "x"}); r.Status != http.StatusForbidden {
			t.Errorf("recruiter2 patch: %d", r.Status)
		}
		if r := e.As("viewer", http.MethodDelete, path, nil); r.Status != http.StatusForbidden {
			t.Errorf("viewer delete: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodDelete, path, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodGet, path, nil); r.Status != http.StatusNotFound {
			t.Errorf("deleted still readable: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodPost, path+"/restore", nil); r.Status != http.StatusForbidden {
			t.Errorf("recruiter restore: %d", r.Status)
		}
		if r := e.As("admin", http.MethodPost, path+"/restore", nil); r.Status != http.StatusOK {
			t.Fatalf("restore: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodGet, path, nil); r.Status != http.StatusOK {
			t.Errorf("restored not readable: %d", r.Status)
		}
	})
}

func TestBadInputIsRefusedWhole(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		before := list(t, e, "admin", "").Total
		cases := []struct {
			name   string
			body   any
			fields []string
		}{
			{"malformed json", []byte(`{"name": "x",`), nil},
			{"not an object", []byte(`[1,2]`), nil},
			{"empty", []byte(``), nil},
			{"enums", map[string]any{"name": "x", "investor": "y", "channel": "cold_call", "asset_type": "medium", "chain": "textiles", "docked_at": "2023-01-01"},
				[]string{"channel", "asset_type", "chain"}},
			{"negative amounts", map[string]any{"name": "x", "investor": "y", "channel": "entrusted", "asset_type": "heavy", "planned_investment_wan": -1, "land_area_mu": -2, "docked_at": "2023-01-01"},
				[]string{"planned_investment_wan", "land_area_mu"}},
			{"wrong types", map[string]any{"name": 5, "investor": "y", "channel": "entrusted", "asset_type": "heavy", "planned_investment_wan": "lots", "docked_at": "2023-01-01"},
				[]string{"name", "planned_investment_wan"}},
			{"impossible date", map[string]any{"name": "x", "investor": "y", "channel": "entrusted", "asset_type": "heavy", "docked_at": "2023-02-30", "signed_at": "2023/01/01"},
				[]string{"docked_at", "signed_at"}},
			{"too long and missing", map[string]any{"name": strings.Repeat("长", 201), "channel": "entrusted", "asset_type": "heavy", "docked_at": "2023-01-01"},
				[]string{"name", "investor"}},
			{"bad credit code", map[string]any{"name": "x", "investor": "y", "credit_code": "91130630MA0000000X", "channel": "entrusted", "asset_type": "heavy", "docked_at": "2023-01-01"},
				[]string{"credit_code"}},
			{"too many decimals", map[string]any{"name": "x", "investor": "y", "channel": "entrusted", "asset_type": "heavy", "planned_investment_wan": 1.00001, "docked_at": "2023-01-01"},
				[]string{"planned_investment_wan"}},
		}
		for _, c := range cases {
			r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", c.body)
			if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid" {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
				continue
			}
			var body struct {
				Error struct{ Fields map[string]string }
			}
			r.JSON(t, &body)
			for _, f := range c.fields {
				if body.Error.Fields[f] == "" {
					t.Errorf("%s: no field error for %s in %s", c.name, f, r.Body)
				}
			}
		}
		if after := list(t, e, "admin", "").Total; after != before {
			t.Errorf("bad requests wrote projects: %d → %d", before, after)
		}
		for _, q := range []string{"channel=x", "stage=won", "docked_from=2023-13-01", "page=0", "page_size=201", "page=abc"} {
			if r := e.As("admin", http.MethodGet, "/api/v1/projects?"+q, nil); r.Status != http.StatusBadRequest {
				t.Errorf("list %s: %d", q, r.Status)
			}
		}
		big := map[string]any{"name": strings.Repeat("x", 2<<20)}
		if r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", big); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB body: %d", r.Status)
		}
		for _, p := range []string{"/api/v1/projects/999999", "/api/v1/projects/abc", "/api/v1/projects/-1"} {
			if r := e.As("admin", http.MethodGet, p, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
	})
}

func TestListFiltersAndPaging(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		all := list(t, e, "admin", "page_size=200")
		if all.Total < 90 || len(all.Items) != min(all.Total, 200) || all.PageSize != 200 {
			t.Errorf("all: total %d items %d", all.Total, len(all.Items))
		}
		p2 := list(t, e, "admin", "page=2&page_size=10")
		if p2.Page != 2 || p2.PageSize != 10 || len(p2.Items) != 10 {
			t.Errorf("page 2: %+v", p2)
		}
		beyond := list(t, e, "admin", "page=999&page_size=10")
		if len(beyond.Items) != 0 || beyond.Total != all.Total {
			t.Errorf("beyond the end: %+v", beyond)
		}
		for _, p := range list(t, e, "admin", "chain=semiconductor&page_size=200").Items {
			if p["chain"] != "semiconductor" {
				t.Errorf("chain filter: %v", p["chain"])
			}
		}
		for _, p := range list(t, e, "admin", "stage=follow_up&owner=recruiter1&page_size=200").Items {
			if p["stage"] != "follow_up" || p["owner"] != "recruiter1" {
				t.Errorf("stage/owner filter: %v", p)
			}
		}
		q := list(t, e, "admin", "q=千喜鹤")
		if q.Total != 1 || q.Items[0]["name"] != "千喜鹤中央厨房项目" {
			t.Errorf("q: %+v", q)
		}
		if n := list(t, e, "admin", "q=100%25").Total; n != 0 {
			t.Errorf("LIKE wildcards not escaped: %d", n)
		}
		if n := list(t, e, "admin", "owner=nobody").Total; n != 0 {
			t.Errorf("unknown owner: %d", n)
		}
	})
}

func TestScopes(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		food := list(t, e, "chief_food", "page_size=200")
		if food.Total == 0 {
			t.Fatal("chief_food sees nothing")
		}
		for _, p := range food.Items {
			if p["chain"] != "food" {
				t.Errorf("chief_food sees %v", p["chain"])
			}
		}
		mine := list(t, e, "agent1", "page_size=200")
		if mine.Total == 0 {
			t.Fatal("agent sees nothing")
		}
		for _, p := range mine.Items {
			if p["created_by"] != "agent1" {
				t.Errorf("agent sees %v's project", p["created_by"])
			}
		}
		// out of scope reads as 404
		semi := list(t, e, "admin", "chain=semiconductor").Items[0]
		path := fmt.Sprintf("/api/v1/projects/%v", semi["id"])
		for _, u := range []string{"chief_food", "agent1"} {
			if r := e.As(u, http.MethodGet, path, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s reads a semiconductor project: %d", u, r.Status)
			}
			if r := e.As(u, http.MethodGet, path+"/history", nil); r.Status != http.StatusNotFound {
				t.Errorf("%s reads its history: %d", u, r.Status)
			}
		}
		// an agent's lead is forced to entrusted with the agency
		body := newProject("代理机构推荐的项目")
		body["channel"] = "self_sourced"
		p := create(t, e, "agent1", body)
		if p["channel"] != "entrusted" || p["agency"] == "" || p["owner"] != "agent1" {
			t.Errorf("agent lead: %v", p)
		}
		if r := e.As("chief_food", http.MethodPost, "/api/v1/projects", newProject("x")); r.Status != http.StatusForbidden {
			t.Errorf("chief creates: %d", r.Status)
		}
		// only admins and the director name another owner
		body = newProject("指派项目")
		body["owner"] = "recruiter2"
		if r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", body); r.Status != http.StatusForbidden {
			t.Errorf("recruiter assigns: %d %s", r.Status, r.Body)
		}
		if p := create(t, e, "director", body); p["owner"] != "recruiter2" {
			t.Errorf("director assigns: %v", p["owner"])
		}
	})
}

func TestStagesThroughTheAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("碳化硅外延片项目"))
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		move := func(user, to string, extra map[string]any) *apitest.Response {
			body := map[string]any{"to": to}
			for k, v := range extra {
				body[k] = v
			}
			return e.As(user, http.MethodPost, path+"/transition", body)
		}
		if r := move("recruiter1", "risk", nil); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "不能跳过") {
			t.Errorf("skip: %d %s", r.Status, r.Body)
		}
		for _, to := range []string{"identification", "risk"} {
			if r := move("recruiter1", to, nil); r.Status != http.StatusOK {
				t.Fatalf("→ %s: %d %s", to, r.Status, r.Body)
			}
		}
		if r := move("recruiter1", "decision", nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("decision without assessment: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "extreme"}); r.Status != http.StatusBadRequest {
			t.Errorf("bad assessment: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "medium", "summary": "能耗指标需协调", "energy": "需省里调剂"}); r.Status != http.StatusCreated {
			t.Fatalf("assessment: %d %s", r.Status, r.Body)
		}
		if r := move("recruiter1", "decision", nil); r.Status != http.StatusOK {
			t.Fatalf("→ decision: %d %s", r.Status, r.Body)
		}
		if r := e.As("chief_mining", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved"}); r.Status != http.StatusNotFound {
			t.Errorf("another chain's chief decides: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved"}); r.Status != http.StatusForbidden {
			t.Errorf("recruiter decides: %d", r.Status)
		}
		if r := move("recruiter1", "follow_up", map[string]any{"signed_at": "2023-02-01"}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("follow-up before approval: %d", r.Status)
		}
		if r := e.As("chief_food", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved", "notes": "同意，抓紧签约"}); r.Status != http.StatusCreated {
			t.Fatalf("chief decides: %d %s", r.Status, r.Body)
		}
		if r := move("recruiter1", "follow_up", nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("follow-up without signed_at: %d", r.Status)
		}
		r := move("recruiter1", "follow_up", map[string]any{"signed_at": "2023-02-01"})
		if r.Status != http.StatusOK || r.Map(t)["signed_at"] != "2023-02-01" {
			t.Fatalf("→ follow_up: %d %s", r.Status, r.Body)
		}
		if r := move("recruiter1", "dropped", nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("drop without reason: %d", r.Status)
		}
		if r := move("recruiter1", "dropped", map[string]any{"reason": "投资方资金链断裂"}); r.Status != http.StatusOK {
			t.Fatalf("drop: %d %s", r.Status, r.Body)
		}
		if r := move("recruiter1", "lead", nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("reopen elsewhere: %d", r.Status)
		}
		if r := move("recruiter1", "follow_up", nil); r.Status != http.StatusOK {
			t.Errorf("reopen: %d %s", r.Status, r.Body)
		}
		var hist []map[string]any
		e.As("admin", http.MethodGet, path+"/history", nil).JSON(t, &hist)
		var moves []string
		for _, h := range hist {
			if h["field"] == "stage" {
				moves = append(moves, fmt.Sprintf("%v>%v", h["from"], h["to"]))
			}
		}
		want := "lead>identification identification>risk risk>decision decision>follow_up follow_up>dropped dropped>follow_up"
		if strings.Join(moves, " ") != want {
			t.Errorf("stage history = %v", moves)
		}
	})
}

func TestActivities(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("冷链物流中心项目"))
		path := fmt.Sprintf("/api/v1/projects/%v/activities", p["id"])
		r := e.As("recruiter2", http.MethodPost, path, map[string]any{"kind": "visit", "occurred_at": "2023-01-12", "place": "北京", "summary": "拜访投资方总部", "next_step": "邀请来涞源考察", "next_due": "2023-01-30"})
		if r.Status != http.StatusCreated || r.Map(t)["author"] != "recruiter2" {
			t.Fatalf("log: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodPost, path, map[string]any{"kind": "party", "summary": ""}); r.Status != http.StatusBadRequest {
			t.Errorf("bad activity: %d", r.Status)
		}
		if r := e.As("viewer", http.MethodPost, path, map[string]any{"kind": "call", "occurred_at": "2023-01-12", "summary": "x"}); r.Status != http.StatusForbidden {
			t.Errorf("viewer logs: %d", r.Status)
		}
		var got struct{ Items []map[string]any }
		e.As("viewer", http.MethodGet, path, nil).JSON(t, &got)
		if len(got.Items) != 1 || got.Items[0]["next_due"] != "2023-01-30" {
			t.Errorf("activities: %v", got.Items)
		}
	})
}

func TestConcurrentUpdatesOneWins(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("并发修改测试项目"))
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		tok := e.Token("recruiter1")
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				statuses[i] = e.Do(http.MethodPatch, path, tok, map[string]any{"version": 1, "notes": fmt.Sprint("writer ", i)}).Status
			}(i)
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != len(statuses)-1 {
			t.Errorf("statuses %v: want exactly one 200, the rest 409", statuses)
		}
		if got := e.As("recruiter1", http.MethodGet, path, nil).Map(t); got["version"] != 2.0 {
			t.Errorf("version after the race: %v", got["version"])
		}
	})
}

func TestChainsEnterprisesCampaigns(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		var chains []map[string]any
		e.As("viewer", http.MethodGet, "/api/v1/chains", nil).JSON(t, &chains)
		if len(chains) != 3 || chains[2]["code"] != "semiconductor" || chains[2]["chief"].(map[string]any)["username"] != "chief_semi" || chains[0]["node_count"].(float64) < 10 {
			t.Errorf("chains: %v", chains)
		}
		m := e.As("chief_semi", http.MethodGet, "/api/v1/chains/semiconductor/map", nil)
		if m.Status != http.StatusOK {
			t.Fatalf("map: %d %s", m.Status, m.Body)
		}
		var mp struct {
			Nodes []struct {
				Name, Segment, Status string
				ParentID              *int64 `json:"parent_id"`
			}
		}
		m.JSON(t, &mp)
		segs, statuses := map[string]bool{}, map[string]bool{}
		for _, n := range mp.Nodes {
			segs[n.Segment], statuses[n.Status] = true, true
		}
		if len(segs) != 3 || !statuses["missing"] || !statuses["weak"] {
			t.Errorf("map segments %v statuses %v", segs, statuses)
		}
		if r := e.As("chief_semi", http.MethodGet, "/api/v1/chains/food/map", nil); r.Status != http.StatusNotFound {
			t.Errorf("another chain's map: %d", r.Status)
		}
		svg := e.As("admin", http.MethodGet, "/api/v1/chains/semiconductor/map.svg", nil)
		if svg.Status != http.StatusOK || !strings.HasPrefix(svg.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(string(svg.Body), "碳化硅单晶衬底") {
			t.Errorf("svg: %d %s", svg.Status, svg.Header.Get("Content-Type"))
		}
		if r := e.As("agent1", http.MethodGet, "/api/v1/chains/food/map", nil); r.Status != http.StatusForbidden {
			t.Errorf("agent map: %d", r.Status)
		}
		// enterprises
		r := e.As("recruiter1", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "保定某新材料有限公司", "credit_code": "91130600MA0CX9YQ3L", "kind": "target"})
		if r.Status != http.StatusBadRequest {
			t.Errorf("bad credit code accepted: %d %s", r.Status, r.Body)
		}
		r = e.As("recruiter1", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "保定某新材料有限公司", "credit_code": "91350100M000100Y43", "kind": "target"})
		if r.Status != http.StatusCreated {
			t.Fatalf("enterprise: %d %s", r.Status, r.Body)
		}
		ent := r.Map(t)
		if r := e.As("recruiter1", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "保定某新材料有限公司"}); r.Status != http.StatusConflict {
			t.Errorf("duplicate enterprise: %d", r.Status)
		}
		if r := e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%v", ent["id"]), nil); r.Status != http.StatusOK || r.Map(t)["credit_code"] != "91350100M000100Y43" {
			t.Errorf("read enterprise: %d %s", r.Status, r.Body)
		}
		var ents listBody
		e.As("viewer", http.MethodGet, "/api/v1/enterprises?q=河北同光", nil).JSON(t, &ents)
		if ents.Total != 1 { // 同光 alone also finds the demo's duplicate, 同光晶体（河北）有限公司
			t.Errorf("enterprise search: %+v", ents)
		}
		// campaigns
		var camps struct{ Items []map[string]any }
		e.As("viewer", http.MethodGet, "/api/v1/campaigns?year=2022", nil).JSON(t, &camps)
		if len(camps.Items) != 15 {
			t.Errorf("2022 trips: %d", len(camps.Items))
		}
		r = e.As("director", http.MethodPost, "/api/v1/campaigns", map[string]any{"kind": "conference", "title": "涞源经济开发区（北京）招商推介会", "city": "北京", "start_date": "2023-04-18"})
		if r.Status != http.StatusCreated || r.Map(t)["end_date"] != "2023-04-18" {
			t.Errorf("campaign: %d %s", r.Status, r.Body)
		}
		if r := e.As("director", http.MethodPost, "/api/v1/campaigns", map[string]any{"kind": "party", "start_date": "2023-04-31"}); r.Status != http.StatusBadRequest {
			t.Errorf("bad campaign: %d", r.Status)
		}
	})
}
