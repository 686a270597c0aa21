package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// TestMergeMovesEverything: 同光晶体（河北）有限公司 is merged into 河北同光晶体有限公司, and
// every kind of link that named it names the survivor — projects as investor, referrer and
// agency, contacts (and so the visits that met them), chain-node links, chain-master marks,
// referrals both ways, attachments — with no link row twice; the merged one leaves every
// list, reading it is 404, both histories and the audit log say so, and the chain maps
// (cached) follow at once.
func TestMergeMovesEverything(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		a := enterpriseID(t, e, "河北同光晶体有限公司")
		// the demo's duplicate, with its 2023 sample project and a visit that met its contact;
		// made local (so that it can be a chain master) and given a website a lacks
		bName := "同光晶体（河北）有限公司"
		b := enterpriseID(t, e, bName)
		r := e.As("admin", http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%d", b), map[string]any{"version": 1, "kind": "local", "website": "www.tankeblue.example.cn"})
		expect(t, r, http.StatusOK, "the duplicate made local")
		x := createEnterprise(t, e, map[string]any{"name": "合并测试目标企业", "kind": "target"})
		y := createEnterprise(t, e, map[string]any{"name": "合并测试推荐企业", "kind": "local"})
		do := func(user, method, path string, body any, status int) *apitest.Response {
			t.Helper()
			r := e.As(user, method, path, body)
			expect(t, r, status, method+" "+path)
			return r
		}
		// chain links: a node both have, a node only b has; b is master of mining
		nodes := map[string]int64{}
		var mp struct {
			Nodes []struct {
				ID   int64
				Name string
			}
		}
		e.As("admin", http.MethodGet, "/api/v1/chains/semiconductor/map", nil).JSON(t, &mp)
		for _, n := range mp.Nodes {
			nodes[n.Name] = n.ID
		}
		var aNodes []int64
		e.DB.Gorm().Table("enterprise_nodes").Where("enterprise_id = ?", a).Pluck("node_id", &aNodes)
		if len(aNodes) == 0 {
			t.Fatal("河北同光晶体有限公司 has no node links in the demo")
		}
		var onlyB int64
		for _, id := range nodes {
			shared := false
			for _, n := range aNodes {
				shared = shared || n == id
			}
			if !shared {
				onlyB = id
				break
			}
		}
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/semiconductor/nodes/%d/enterprises/%d", aNodes[0], b), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/semiconductor/nodes/%d/enterprises/%d", onlyB, b), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/mining/masters/%d", b), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/semiconductor/masters/%d", b), nil, http.StatusOK) // a is master there already
		// referrals both ways, one between the two
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", b, x), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", a, x), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", b, a), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/mining/masters/%d", y), nil, http.StatusOK)
		do("admin", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", y, b), nil, http.StatusOK)
		// projects: b as investor (by its exact name), as referrer, as agency
		inv := create(t, e, "recruiter1", map[string]any{"name": "合并测试投资项目", "investor": bName, "channel": "self_sourced",
			"chain": "semiconductor", "asset_type": "heavy", "docked_at": "2023-01-03"})
		if inv["investor"] != bName {
			t.Fatalf("project's investor = %v", inv["investor"])
		}
		ref := create(t, e, "recruiter2", map[string]any{"name": "合并测试推荐项目", "investor": "合并测试投资方有限公司", "referrer": bName,
			"channel": "business_referral", "asset_type": "light", "docked_at": "2023-01-04"})
		ag := create(t, e, "director", map[string]any{"name": "合并测试委托项目", "investor": "合并测试投资方二有限公司", "agency": bName,
			"channel": "entrusted", "asset_type": "light", "docked_at": "2023-01-04"})
		// a contact of b met at a visit; an attachment on b
		ct := do("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/contacts", b), map[string]any{"name": "陈总", "mobile": "13700001111"}, http.StatusCreated).Map(t)
		visit := activityBody()
		visit["contact_ids"] = []any{ct["id"]}
		do("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%v/activities", inv["id"]), visit, http.StatusCreated)
		do("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/attachments", b),
			apitest.Multipart{FileName: "营业执照.jpg", File: testJPEG(50, 40, 0)}, http.StatusCreated)
		// maps built (and cached) before the merge
		masters := func(code string) string {
			var m struct {
				Chain struct {
					Masters []string `json:"chain_masters"`
				}
			}
			e.As("admin", http.MethodGet, "/api/v1/chains/"+code+"/map", nil).JSON(t, &m)
			return strings.Join(m.Chain.Masters, ",")
		}
		if got := masters("mining"); !strings.Contains(got, bName) {
			t.Fatalf("mining masters before = %q", got)
		}

		// not for recruiters; not into itself
		if r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/merge", b), map[string]any{"into": a}); r.Status != http.StatusForbidden {
			t.Errorf("recruiter merge: %d", r.Status)
		}
		if r := e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/merge", b), map[string]any{"into": b}); r.Status != http.StatusBadRequest {
			t.Errorf("merge into itself: %d", r.Status)
		}
		res := do("director", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/merge", b), map[string]any{"into": a}, http.StatusOK).Map(t)
		if res["projects"] != 4.0 || res["contacts"] != 2.0 || res["attachments"] != 1.0 || res["chain_masters"] != 2.0 {
			t.Errorf("merge result = %v", res)
		}

		// b is gone: 404 naming a, absent from lists and the duplicates
		r = e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", b), nil)
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "河北同光晶体有限公司") {
			t.Errorf("GET merged: %d %s", r.Status, r.Body)
		}
		var l listBody
		e.As("admin", http.MethodGet, "/api/v1/enterprises?q=同光", nil).JSON(t, &l)
		for _, it := range l.Items {
			if it["id"] == float64(b) {
				t.Errorf("merged enterprise still listed")
			}
		}
		if got := masters("mining"); strings.Contains(got, bName) || !strings.Contains(got, "河北同光晶体有限公司") {
			t.Errorf("mining masters after = %q (the cached map must follow)", got)
		}
		// everything names a
		for _, id := range []any{inv["id"], ref["id"], ag["id"]} {
			p := e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v", id), nil).Map(t)
			if p["investor"] == bName || p["referrer"] == bName || p["agency"] == bName {
				t.Errorf("project %v still names the merged enterprise: %v", id, p)
			}
			var hist []map[string]any
			e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%v/history", id), nil).JSON(t, &hist)
			if last := hist[len(hist)-1]; last["action"] != "enterprise_merged" || last["from"] != bName {
				t.Errorf("project %v history ends %v", id, last)
			}
		}
		page := e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", a), nil).Map(t)
		if n := len(page["projects"].([]any)); n < 4 {
			t.Errorf("a's projects = %d", n)
		}
		hasContact, demoContact := false, false
		for _, c := range page["contacts"].([]any) {
			c := c.(map[string]any)
			hasContact = hasContact || (c["name"] == "陈总" && c["meetings"] == 1.0)
			demoContact = demoContact || (c["name"] == "刘经理" && c["meetings"] == 1.0)
		}
		if !hasContact || !demoContact {
			t.Errorf("a's contacts %v lack 陈总 and his visit", page["contacts"])
		}
		if page["website"] != "www.tankeblue.example.cn" || page["kind"] != "local" {
			t.Errorf("a did not take b's website: %v", page)
		}
		count := func(table, where string, args ...any) int64 {
			var n int64
			e.DB.Gorm().Table(table).Where(where, args...).Count(&n)
			return n
		}
		if n := count("enterprise_nodes", "enterprise_id = ?", b) + count("chain_masters", "enterprise_id = ?", b) +
			count("enterprise_relations", "from_id = ? OR to_id = ?", b, b) + count("contacts", "enterprise_id = ?", b) +
			count("attachments", "enterprise_id = ?", b) + count("projects", "investor_id = ? OR referrer_id = ?", b, b); n != 0 {
			t.Errorf("%d rows still name the merged enterprise", n)
		}
		if count("enterprise_nodes", "enterprise_id = ? AND node_id = ?", a, onlyB) != 1 || count("enterprise_nodes", "enterprise_id = ? AND node_id = ?", a, aNodes[0]) != 1 {
			t.Error("node links not moved once each")
		}
		if count("enterprise_relations", "from_id = ? AND to_id = ?", a, x) != 1 || count("enterprise_relations", "from_id = ? AND to_id = ?", y, a) != 1 ||
			count("enterprise_relations", "from_id = to_id") != 0 {
			t.Error("referrals not moved once each")
		}
		if count("chain_masters", "enterprise_id = ?", a) != 2 {
			t.Errorf("a is master of %d chains, want 2", count("chain_masters", "enterprise_id = ?", a))
		}
		var atts listBody
		e.As("viewer", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/attachments", a), nil).JSON(t, &atts)
		if atts.Total != 1 {
			t.Errorf("a's attachments = %d", atts.Total)
		}
		// both histories, the audit log
		if count("enterprise_history", "enterprise_id = ? AND action = 'merged'", a) != 1 || count("enterprise_history", "enterprise_id = ? AND action = 'merged_into'", b) != 1 {
			t.Error("histories lack the merge")
		}
		var audit listBody
		e.As("admin", http.MethodGet, "/api/v1/audit?action=enterprise_merged", nil).JSON(t, &audit)
		if audit.Total != 1 || audit.Items[0]["actor"] != "director" {
			t.Errorf("audit = %+v", audit.Items)
		}
		// the merged name now finds the survivor
		p := create(t, e, "recruiter1", map[string]any{"name": "合并后新项目", "investor": bName, "channel": "self_sourced",
			"asset_type": "light", "docked_at": "2023-01-09"})
		if p["investor"] != "河北同光晶体有限公司" {
			t.Errorf("a new project naming the merged enterprise invests as %v", p["investor"])
		}
		if r := e.As("admin", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/merge", b), map[string]any{"into": a}); r.Status != http.StatusNotFound {
			t.Errorf("merging a merged enterprise again: %d", r.Status)
		}
	})
}
