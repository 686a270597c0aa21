package api_test

// Issue 12's security regression suite, the data half: each finding about what a write may
// store and what the figures make of it is a test that failed on the code before the fix,
// on SQLite and MariaDB (the auth half is security_auth_test.go).

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// sdProject is a valid new food project as recruiter1 would post it, with changes.
func sdProject(name string, change map[string]any) map[string]any {
	p := map[string]any{"name": name, "investor": "安全测试投资有限公司", "channel": "self_sourced", "chain": "food",
		"asset_type": "heavy", "planned_investment_wan": 1000, "docked_at": "2023-01-02"}
	for k, v := range change {
		p[k] = v
	}
	return p
}

// sdField fails unless r is a 400 whose fields name field with a Chinese reason.
func sdField(t *testing.T, what string, r *apitest.Response, field string) {
	t.Helper()
	var b struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if r.Status != http.StatusBadRequest {
		t.Errorf("%s: %d %s, want 400 naming %s", what, r.Status, r.Body, field)
		return
	}
	r.JSON(t, &b)
	why, ok := b.Error.Fields[field]
	if b.Error.Code != "invalid" || !ok || !hasHan(why) {
		t.Errorf("%s: want field %s with a Chinese reason, got %s", what, field, r.Body)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

// Finding 2: planned_investment_wan took 99 999 999 999 999, and ten such signed projects
// made the figures answer 500 for everyone. Every money field is now 0 … 10 000 000 万元,
// and the figures sum so that even rows stored before the bound cannot overflow.
func TestSecurityDataMoneyBounds(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		post := func(v any) *apitest.Response {
			return e.As("recruiter1", http.MethodPost, "/api/v1/projects", sdProject(fmt.Sprint("金额", v), map[string]any{"planned_investment_wan": v}))
		}
		for _, v := range []any{99999999999999, "10000000.0001", 10000001, -1, "-0.5"} {
			sdField(t, fmt.Sprint("planned ", v), post(v), "planned_investment_wan")
		}
		r := post(10000000)
		if r.Status != http.StatusCreated {
			t.Fatalf("the bound itself: %d %s", r.Status, r.Body)
		}
		p := r.Map(t)
		sdField(t, "PATCH over the bound", e.As("recruiter1", http.MethodPatch, fmt.Sprintf("/api/v1/projects/%v", p["id"]),
			map[string]any{"version": p["version"], "planned_investment_wan": 10000000.5}), "planned_investment_wan")

		// 到资 beyond the bound, on a signed project
		signed := newProject("到资上限项目")
		signed["chain"] = "food"
		sp := e.As("recruiter1", http.MethodPost, "/api/v1/projects", signed).Map(t)
		wfCarry(t, e, "recruiter1", sp, "2023-01-12")
		inv := fmt.Sprintf("/api/v1/projects/%v/investments", sp["id"])
		sdField(t, "到资 over the bound", e.As("recruiter1", http.MethodPost, inv, map[string]any{"date": "2023-01-13", "amount_wan": 20000000}), "amount_wan")
		if r := e.As("recruiter1", http.MethodPost, inv, map[string]any{"date": "2023-01-13", "amount_wan": 10000000}); r.Status != http.StatusCreated {
			t.Fatalf("到资 at the bound: %d %s", r.Status, r.Body)
		}
		sdField(t, "到资 past the project's total", e.As("recruiter1", http.MethodPost, inv, map[string]any{"date": "2023-01-14", "amount_wan": 1}), "amount_wan")

		// Rows stored before the bound existed: ten signed projects of 2022 at the old
		// maximum (99 999 999 999 999 万元), arrivals as large, a negative one.
		g := e.DB.Gorm()
		var ids []int64
		if err := g.Raw("SELECT id FROM projects WHERE zone_id = 1 AND deleted_at IS NULL ORDER BY id LIMIT 10").Scan(&ids).Error; err != nil || len(ids) != 10 {
			t.Fatalf("projects: %v %v", ids, err)
		}
		const old = int64(999999999999990000) // 元
		for i, id := range ids {
			if err := g.Exec("UPDATE projects SET stage = 'follow_up', signed_at = ?, planned_investment = ?, realised_investment = ? WHERE id = ?",
				fmt.Sprintf("2022-0%d-15", 1+i%9), old, old, id).Error; err != nil {
				t.Fatal(err)
			}
			if err := g.Exec("INSERT INTO investments (zone_id, project_id, date, amount, notes, author_id, created_at) VALUES (1, ?, ?, ?, '', 1, ?)",
				id, "2022-06-01", old, apitest.StartTime).Error; err != nil {
				t.Fatal(err)
			}
		}
		g.Exec("UPDATE projects SET planned_investment = -5000 WHERE id = ?", sp["id"])
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/stats/overview?year=2022"},
			{http.MethodGet, "/api/v1/reports/annual?year=2022"},
			{http.MethodGet, "/api/v1/investments/summary?year=2022"},
			{http.MethodGet, "/api/v1/investments/summary"},
			{http.MethodGet, "/api/v1/targets?year=2022"},
			{http.MethodGet, "/api/v1/stats/overview?year=2023"},
		} {
			for _, who := range []string{"director", "chief_food", "viewer"} {
				if r := e.As(who, c.method, c.path, nil); r.Status != http.StatusOK {
					t.Errorf("%s %s as %s: %d %s", c.method, c.path, who, r.Status, r.Body)
				}
			}
		}
		r = e.As("director", http.MethodPost, "/api/v1/targets", map[string]any{"year": 2022, "metric": "investment_signed_wan", "target": 10000000})
		if r.Status != http.StatusCreated {
			t.Errorf("POST /targets over the old rows: %d %s", r.Status, r.Body)
		}
		sdField(t, "a target past the bound", e.As("director", http.MethodPost, "/api/v1/targets",
			map[string]any{"year": 2022, "metric": "signed_projects", "target": int64(1) << 62}), "target")
		var o struct {
			Signed struct {
				Count   int     `json:"count"`
				Planned float64 `json:"planned_investment_wan"`
			} `json:"signed"`
		}
		e.As("director", http.MethodGet, "/api/v1/stats/overview?year=2022", nil).JSON(t, &o)
		if o.Signed.Count < 10 || o.Signed.Planned < 10*10000000 || o.Signed.Planned > float64(o.Signed.Count)*10000000 {
			t.Errorf("the old rows count at the bound each: %+v", o.Signed)
		}
	})
}

// Finding 3: a PATCH set signed_at on a lead (the year's signed count and the annual report
// changed) and 到资 then succeeded on it. signed_at and stage change only through
// /transition; 到资 only on signed projects.
func TestSecurityDataStageOnlyThroughTransition(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		before := e.As("director", http.MethodGet, "/api/v1/stats/overview?year=2019", nil).Map(t)
		p := e.As("recruiter1", http.MethodPost, "/api/v1/projects", sdProject("未签约项目", nil)).Map(t)
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		sdField(t, "PATCH signed_at", e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "signed_at": "2019-06-01"}), "signed_at")
		sdField(t, "PATCH signed_at null", e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "signed_at": nil}), "signed_at")
		sdField(t, "PATCH stage", e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "stage": "follow_up"}), "stage")
		sdField(t, "PATCH stage as admin", e.As("admin", http.MethodPatch, path, map[string]any{"version": 1, "stage": "follow_up", "name": "改名"}), "stage")
		sdField(t, "POST with signed_at", e.As("recruiter1", http.MethodPost, "/api/v1/projects",
			sdProject("带签约日期的新项目", map[string]any{"signed_at": "2023-01-05"})), "signed_at")
		got := e.As("recruiter1", http.MethodGet, path, nil).Map(t)
		if got["version"] != 1.0 || got["signed_at"] != nil || got["stage"] != "lead" || got["name"] != "未签约项目" {
			t.Errorf("the refused PATCHes wrote: %v", got)
		}
		after := e.As("director", http.MethodGet, "/api/v1/stats/overview?year=2019", nil).Map(t)
		if fmt.Sprint(before["signed"]) != fmt.Sprint(after["signed"]) {
			t.Errorf("2019's signed figures changed: %v → %v", before["signed"], after["signed"])
		}
		r := e.As("recruiter1", http.MethodPost, path+"/investments", map[string]any{"date": "2023-01-12", "amount_wan": 100})
		if r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "rule" || !strings.Contains(string(r.Body), "尚未签约") {
			t.Errorf("到资 on a lead: %d %s, want 422 saying it is not signed", r.Status, r.Body)
		}
		// a signing date set before this fix (by the old PATCH) is not a signing either
		e.DB.Gorm().Exec("UPDATE projects SET signed_at = '2023-01-05' WHERE id = ?", p["id"])
		if r := e.As("recruiter1", http.MethodPost, path+"/investments", map[string]any{"date": "2023-01-12", "amount_wan": 100}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("到资 on a lead with an old signing date: %d %s", r.Status, r.Body)
		}
		// the transition still signs
		e.DB.Gorm().Exec("UPDATE projects SET signed_at = NULL WHERE id = ?", p["id"])
		wfCarry(t, e, "recruiter1", p, "2023-01-10")
		if r := e.As("recruiter1", http.MethodPost, path+"/investments", map[string]any{"date": "2023-01-12", "amount_wan": 100}); r.Status != http.StatusCreated {
			t.Errorf("到资 after the transition: %d %s", r.Status, r.Body)
		}
		// an import cannot sign an existing project either
		csv := "项目名称,投资主体,招商渠道,产业链,资产类型,计划投资(万元),阶段,对接日期,签约日期\n" +
			"导入签约项目,安全测试投资有限公司,自主招商,现代食品,重资产,1000,洽谈对接,2023-03-01,\n"
		if b := imported(t, upload(t, e, "admin", "", "a.csv", []byte(csv)), http.StatusOK); b.Created != 1 {
			t.Fatalf("import: %+v", b)
		}
		csv = strings.Replace(csv, "洽谈对接,2023-03-01,", "跟踪服务,2023-03-01,2023-03-20", 1)
		b := imported(t, upload(t, e, "admin", "", "a.csv", []byte(csv)), http.StatusUnprocessableEntity)
		if len(b.Errors) == 0 || !hasHan(b.Errors[0].Message) {
			t.Errorf("an import that signs: %+v", b)
		}
	})
}

// Finding 4: chief_food linked the semiconductor chain's master to a food node and made it
// a food master, then read and deleted the semiconductor chain's referrals through it.
func TestSecurityDataChainEditorScope(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		tongguang := enterpriseID(t, e, "河北同光晶体有限公司") // the semiconductor chain's master
		fresh := e.As("admin", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "涞源县新落户食品有限公司", "kind": "local"})
		if fresh.Status != http.StatusCreated {
			t.Fatalf("a new local enterprise: %d %s", fresh.Status, fresh.Body)
		}
		siqian := int64(fresh.Map(t)["id"].(float64)) // local, of no chain yet
		var m struct {
			Nodes []struct {
				ID int64 `json:"id"`
			} `json:"nodes"`
		}
		e.As("chief_food", http.MethodGet, "/api/v1/chains/food/map", nil).JSON(t, &m)
		if len(m.Nodes) == 0 {
			t.Fatal("no food nodes")
		}
		node := m.Nodes[0].ID
		var refs struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/referrals", tongguang), nil).JSON(t, &refs)
		if len(refs.Items) == 0 {
			t.Fatal("the semiconductor master has no referrals in the demo")
		}
		target := refs.Items[0].ID
		for _, c := range []struct{ method, path string }{
			{http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", node, tongguang)},
			{http.MethodPut, fmt.Sprintf("/api/v1/chains/food/masters/%d", tongguang)},
			{http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/referrals", tongguang)},
			{http.MethodDelete, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", tongguang, target)},
			{http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/referrals", tongguang)},
		} {
			if r := e.As("chief_food", c.method, c.path, nil); r.Status != http.StatusNotFound {
				t.Errorf("chief_food %s %s: %d %s, want 404", c.method, c.path, r.Status, r.Body)
			}
		}
		var after struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/referrals", tongguang), nil).JSON(t, &after)
		if len(after.Items) != len(refs.Items) {
			t.Errorf("the semiconductor referrals changed: %d → %d", len(refs.Items), len(after.Items))
		}
		// what belongs to no chain, and the chief's own, stay within reach; the zone-wide
		// editor reaches everything
		if r := e.As("chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", node, siqian), nil); r.Status != http.StatusOK {
			t.Errorf("chief_food links an enterprise of no chain: %d %s", r.Status, r.Body)
		}
		if r := e.As("chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/masters/%d", siqian), nil); r.Status != http.StatusOK {
			t.Errorf("chief_food marks it master: %d %s", r.Status, r.Body)
		}
		if r := e.As("chief_semi", http.MethodPut, fmt.Sprintf("/api/v1/chains/semiconductor/masters/%d", siqian), nil); r.Status != http.StatusNotFound {
			t.Errorf("chief_semi reaches the food master now: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", node, tongguang), nil); r.Status != http.StatusOK {
			t.Errorf("admin links across chains: %d %s", r.Status, r.Body)
		}
	})
}

// Finding 9 (data): dates 0000-01-01 and 9999-12-31 and NUL or bidi characters were stored.
func TestSecurityDataDatesAndText(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		n := 0
		post := func(change map[string]any) *apitest.Response {
			n++
			return e.As("recruiter1", http.MethodPost, "/api/v1/projects", sdProject(fmt.Sprint("日期文本", n), change))
		}
		for _, d := range []string{"0000-01-01", "9999-12-31", "1989-12-31", "2101-01-01"} {
			sdField(t, "docked_at "+d, post(map[string]any{"docked_at": d}), "docked_at")
		}
		for _, d := range []string{"1990-01-01", "2100-12-31"} {
			if r := post(map[string]any{"docked_at": d}); r.Status != http.StatusCreated {
				t.Errorf("docked_at %s: %d %s", d, r.Status, r.Body)
			}
		}
		for _, s := range []string{"a\x00b", "发票\u202Efdp.exe", "\u2066隔离\u2069", "名\u202A称", "换\n行", "\x1b[31m红"} {
			sdField(t, fmt.Sprintf("name %q", s), post(map[string]any{"name": s}), "name")
			sdField(t, fmt.Sprintf("investor %q", s), post(map[string]any{"investor": s}), "investor")
		}
		sdField(t, "notes with NUL", post(map[string]any{"notes": "备注\x00"}), "notes")
		sdField(t, "notes with an override", post(map[string]any{"notes": "备注\u202E"}), "notes")
		if r := post(map[string]any{"notes": "第一行\n第二行\t制表"}); r.Status != http.StatusCreated {
			t.Errorf("notes over two lines: %d %s", r.Status, r.Body)
		}
		p := post(map[string]any{"name": "文本检查项目"}).Map(t)
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		sdField(t, "PATCH name", e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": p["version"], "name": "x\u202Ey"}), "name")
		sdField(t, "PATCH docked_at", e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": p["version"], "docked_at": "9999-12-31"}), "docked_at")
		sdField(t, "activity", e.As("recruiter1", http.MethodPost, path+"/activities",
			map[string]any{"kind": "call", "occurred_at": "2023-01-10", "summary": "通话\x00"}), "summary")
		sdField(t, "activity date", e.As("recruiter1", http.MethodPost, path+"/activities",
			map[string]any{"kind": "call", "occurred_at": "0000-01-01", "summary": "通话"}), "occurred_at")
		sdField(t, "enterprise", e.As("recruiter1", http.MethodPost, "/api/v1/enterprises",
			map[string]any{"name": "某\u202E公司", "kind": "target"}), "name")
		// the import applies the same limits, by row and column
		csv := "项目名称,投资主体,招商渠道,资产类型,计划投资(万元),对接日期\n" +
			"导入\u202E项目,某公司,自主招商,重资产,1,2023-01-05\n" +
			"导入项目二,某公司,自主招商,重资产,10000001,2023-01-05\n" +
			"导入项目三,某公司,自主招商,重资产,1,1900-01-05\n"
		b := imported(t, upload(t, e, "admin", "", "t.csv", []byte(csv)), http.StatusUnprocessableEntity)
		want := map[int]string{2: "项目名称", 3: "计划投资(万元)", 4: "对接日期"}
		for _, er := range b.Errors {
			if want[er.Row] == er.Column && hasHan(er.Message) {
				delete(want, er.Row)
			}
		}
		if len(want) > 0 {
			t.Errorf("import rows not refused %v: %+v", want, b.Errors)
		}
	})
}

// Finding 9 (data): a database outage answered 500; it is 503 with Retry-After.
func TestSecurityDataDatabaseOutage(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		tok := e.Token("viewer")
		if r := e.Do(http.MethodGet, "/api/v1/projects", tok, nil); r.Status != http.StatusOK {
			t.Fatalf("before: %d", r.Status)
		}
		e.DB.Close()
		for _, c := range []struct{ method, path, token string }{
			{http.MethodGet, "/api/v1/projects", tok},
			{http.MethodGet, "/api/v1/stats/overview?year=2022", tok},
		} {
			r := e.Do(c.method, c.path, c.token, nil)
			if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "unavailable" || r.Header.Get("Retry-After") == "" {
				t.Errorf("%s %s during the outage: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}
		r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "viewer", "password": apitest.DemoPassword})
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("log-in during the outage: %d %s", r.Status, r.Body)
		}
	})
}
