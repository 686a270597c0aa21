package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// The map as these tests read it.
type mapBody struct {
	Chain struct {
		Code    string   `json:"code"`
		Masters []string `json:"chain_masters"`
	} `json:"chain"`
	Nodes []struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		Segment     string `json:"segment"`
		ParentID    *int64 `json:"parent_id"`
		SortOrder   int    `json:"sort_order"`
		Status      string `json:"status"`
		GapFilled   bool   `json:"gap_filled"`
		Enterprises []struct {
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			ChainMaster bool   `json:"chain_master"`
		} `json:"enterprises"`
		Targets []struct {
			ID int64 `json:"id"`
		} `json:"targets"`
		Projects []struct {
			ID int64 `json:"id"`
		} `json:"projects"`
	} `json:"nodes"`
	Summary struct {
		Gaps            []struct{ ID int64 } `json:"gaps"`
		GapsBeingFilled []struct{ ID int64 } `json:"gaps_being_filled"`
		ChainMasters    []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"chain_masters"`
		Recommendations []struct {
			NodeID      int64  `json:"node_id"`
			NodeName    string `json:"node_name"`
			Enterprises []struct {
				ID         int64    `json:"id"`
				Name       string   `json:"name"`
				Sources    []string `json:"sources"`
				ReferredBy []string `json:"referred_by"`
			} `json:"enterprises"`
		} `json:"recommendations"`
	} `json:"summary"`
}

func chainMapOf(t *testing.T, e *apitest.Env, user, code string) *mapBody {
	t.Helper()
	r := e.As(user, http.MethodGet, "/api/v1/chains/"+code+"/map", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("map %s as %s: %d %s", code, user, r.Status, r.Body)
	}
	var m mapBody
	r.JSON(t, &m)
	return &m
}

// nodeID finds a node of a chain by name.
func (m *mapBody) nodeID(t *testing.T, name string) int64 {
	t.Helper()
	for _, n := range m.Nodes {
		if n.Name == name {
			return n.ID
		}
	}
	t.Fatalf("no node %q on the %s map", name, m.Chain.Code)
	return 0
}

func (m *mapBody) node(t *testing.T, id int64) int {
	t.Helper()
	for i, n := range m.Nodes {
		if n.ID == id {
			return i
		}
	}
	t.Fatalf("node %d is not on the %s map", id, m.Chain.Code)
	return 0
}

func (m *mapBody) has(id int64) bool {
	for _, n := range m.Nodes {
		if n.ID == id {
			return true
		}
	}
	return false
}

// enterpriseID finds an enterprise by its exact name.
func enterpriseID(t *testing.T, e *apitest.Env, name string) int64 {
	t.Helper()
	r := e.As("admin", http.MethodGet, "/api/v1/enterprises?page_size=200&q="+name, nil)
	var body struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	r.JSON(t, &body)
	for _, it := range body.Items {
		if it.Name == name {
			return it.ID
		}
	}
	t.Fatalf("no enterprise %q: %s", name, r.Body)
	return 0
}

type historyBody struct {
	Items []struct {
		Chain       string `json:"chain"`
		Actor       string `json:"actor"`
		Action      string `json:"action"`
		Object      string `json:"object"`
		ObjectName  string `json:"object_name"`
		Subject     string `json:"subject"`
		SubjectName string `json:"subject_name"`
		Field       string `json:"field"`
		From        string `json:"from"`
		To          string `json:"to"`
	} `json:"items"`
	Total int `json:"total"`
}

func chainHistoryOf(t *testing.T, e *apitest.Env, user, code string) historyBody {
	t.Helper()
	r := e.As(user, http.MethodGet, "/api/v1/chains/"+code+"/history?page_size=200", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("history %s: %d %s", code, r.Status, r.Body)
	}
	var h historyBody
	r.JSON(t, &h)
	return h
}

func expect(t *testing.T, r *apitest.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, status)
	}
}

func createNode(t *testing.T, e *apitest.Env, user, code string, body map[string]any) int64 {
	t.Helper()
	r := e.As(user, http.MethodPost, "/api/v1/chains/"+code+"/nodes", body)
	expect(t, r, http.StatusCreated, "create node")
	var n struct{ ID int64 }
	r.JSON(t, &n)
	return n.ID
}

func TestChainNodeEditing(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		base := "/api/v1/chains/food/nodes"
		top := createNode(t, e, "admin", "food", map[string]any{"name": "调味品加工", "segment": "midstream", "sort_order": 3})
		child := createNode(t, e, "admin", "food", map[string]any{"name": "复合调味料", "parent_id": top})
		m := chainMapOf(t, e, "admin", "food")
		i, j := m.node(t, top), m.node(t, child)
		if n := m.Nodes[i]; n.Segment != "midstream" || n.Status != "missing" || n.ParentID != nil || n.SortOrder != 3 {
			t.Fatalf("new node on the map: %+v", n)
		}
		if n := m.Nodes[j]; n.Segment != "midstream" || n.ParentID == nil || *n.ParentID != top || j != i+1 {
			t.Fatalf("child takes its parent's segment and follows it: %+v at %d (parent at %d)", n, j, i)
		}

		// Rename, move under another node, reorder, change segment.
		slaughter := m.nodeID(t, "屠宰与肉类加工")
		r := e.As("admin", http.MethodPatch, fmt.Sprintf("%s/%d", base, child), map[string]any{"name": "复合调味料生产", "parent_id": slaughter, "sort_order": 9})
		expect(t, r, http.StatusOK, "rename and move")
		if got := r.Map(t); got["name"] != "复合调味料生产" || got["parent_id"] != float64(slaughter) || got["sort_order"] != 9.0 {
			t.Fatalf("patched node: %v", got)
		}
		expect(t, e.As("admin", http.MethodPatch, fmt.Sprintf("%s/%d", base, top), map[string]any{"segment": "downstream"}), http.StatusOK, "change segment")
		expect(t, e.As("admin", http.MethodPatch, fmt.Sprintf("%s/%d", base, child), map[string]any{"parent_id": nil}), http.StatusOK, "to the top level")
		m = chainMapOf(t, e, "admin", "food")
		if n := m.Nodes[m.node(t, child)]; n.ParentID != nil || n.Name != "复合调味料生产" {
			t.Fatalf("moved to the top: %+v", n)
		}
		if n := m.Nodes[m.node(t, top)]; n.Segment != "downstream" {
			t.Fatalf("segment not changed: %+v", n)
		}

		// Moves that would break the tree, and bad input: 400 with the field.
		cutMeat := m.nodeID(t, "冷鲜肉分割")
		mining := chainMapOf(t, e, "admin", "mining")
		for _, c := range []struct {
			name  string
			path  string
			body  any
			field string
		}{
			{"own parent", fmt.Sprintf("%s/%d", base, slaughter), map[string]any{"parent_id": slaughter}, "parent_id"},
			{"under its own child", fmt.Sprintf("%s/%d", base, slaughter), map[string]any{"parent_id": cutMeat}, "parent_id"},
			{"parent in another chain", fmt.Sprintf("%s/%d", base, top), map[string]any{"parent_id": mining.nodeID(t, "选矿")}, "parent_id"},
			{"unknown parent", fmt.Sprintf("%s/%d", base, top), map[string]any{"parent_id": 999999}, "parent_id"},
			{"negative parent", fmt.Sprintf("%s/%d", base, top), map[string]any{"parent_id": -1}, "parent_id"},
			{"bad segment", fmt.Sprintf("%s/%d", base, top), map[string]any{"segment": "sideways"}, "segment"},
			{"empty name", fmt.Sprintf("%s/%d", base, top), map[string]any{"name": "  "}, "name"},
			{"long name", fmt.Sprintf("%s/%d", base, top), map[string]any{"name": strings.Repeat("链", 101)}, "name"},
			{"name not text", fmt.Sprintf("%s/%d", base, top), map[string]any{"name": 12}, "name"},
			{"sort order", fmt.Sprintf("%s/%d", base, top), map[string]any{"sort_order": -5}, "sort_order"},
			{"create without segment", base, map[string]any{"name": "无位置环节"}, "segment"},
			{"create without name", base, map[string]any{"segment": "upstream"}, "name"},
			{"create under a node of another chain", base, map[string]any{"name": "x", "segment": "upstream", "parent_id": mining.nodeID(t, "选矿")}, "parent_id"},
			{"create with a control character", base, map[string]any{"name": "a\x07b", "segment": "upstream"}, "name"},
		} {
			method := http.MethodPatch
			if c.path == base {
				method = http.MethodPost
			}
			r := e.As("admin", method, c.path, c.body)
			var body struct {
				Error struct{ Fields map[string]string }
			}
			r.JSON(t, &body)
			if r.Status != http.StatusBadRequest || body.Error.Fields[c.field] == "" {
				t.Errorf("%s: %d %s, want 400 on %s", c.name, r.Status, r.Body, c.field)
			}
		}
		if r := e.As("admin", http.MethodPost, base, map[string]any{"name": "冷鲜肉分割", "segment": "upstream"}); r.Status != http.StatusConflict {
			t.Errorf("duplicate name: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodPatch, fmt.Sprintf("%s/%d", base, top), map[string]any{"name": "冷鲜肉分割"}); r.Status != http.StatusConflict {
			t.Errorf("rename to a duplicate: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodPatch, fmt.Sprintf("%s/%d", base, top), []byte("{")); r.Status != http.StatusBadRequest {
			t.Errorf("malformed JSON: %d", r.Status)
		}
		if m2 := chainMapOf(t, e, "admin", "food"); len(m2.Nodes) != len(m.Nodes) {
			t.Fatalf("refused edits changed the map: %d nodes, want %d", len(m2.Nodes), len(m.Nodes))
		}

		// Deleting: refused while anything hangs on the node, named in the message.
		r = e.As("admin", http.MethodDelete, fmt.Sprintf("%s/%d", base, slaughter), nil)
		expect(t, r, http.StatusUnprocessableEntity, "delete a linked node")
		var refusal struct {
			Error struct{ Code, Message string }
		}
		r.JSON(t, &refusal)
		for _, want := range []string{"屠宰与肉类加工", "下级环节 2 个", "冷鲜肉分割", "关联企业 1 家", "涞源县桃木疙瘩食品有限公司", "关联项目", "桃木疙瘩屠宰厂项目"} {
			if !strings.Contains(refusal.Error.Message, want) {
				t.Errorf("refusal %q does not name %q", refusal.Error.Message, want)
			}
		}
		if refusal.Error.Code != "rule" {
			t.Errorf("refusal code %q", refusal.Error.Code)
		}
		expect(t, e.As("admin", http.MethodDelete, fmt.Sprintf("%s/%d", base, child), nil), http.StatusNoContent, "delete a free node")
		expect(t, e.As("admin", http.MethodDelete, fmt.Sprintf("%s/%d", base, child), nil), http.StatusNotFound, "delete it again")
		expect(t, e.As("admin", http.MethodDelete, fmt.Sprintf("%s/%d", base, mining.nodeID(t, "地质勘探")), nil), http.StatusNotFound, "a node of another chain")
		expect(t, e.As("admin", http.MethodDelete, base+"/abc", nil), http.StatusNotFound, "not an id")
		if m = chainMapOf(t, e, "admin", "food"); m.has(child) || !m.has(slaughter) {
			t.Fatal("the deleted node is still on the map, or the refused one is gone")
		}

		// The history has every change, newest first, with the names as they were.
		h := chainHistoryOf(t, e, "admin", "food")
		var got []string
		for _, it := range h.Items {
			got = append(got, it.Action+":"+it.Field)
			if it.Actor != "admin" || it.Chain != "food" {
				t.Errorf("history line %+v", it)
			}
		}
		want := []string{"node_deleted:name", "node_updated:parent_id", "node_updated:segment",
			"node_updated:sort_order", "node_updated:name", "node_updated:parent_id", "node_created:segment", "node_created:segment"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("history %v, want %v", got, want)
		}
		if h.Total != len(want) {
			t.Errorf("history total %d, want %d", h.Total, len(want))
		}
		if last := h.Items[0]; last.ObjectName != "复合调味料生产" || last.From != "复合调味料生产" || last.Object != fmt.Sprintf("node/%d", child) {
			t.Errorf("delete line: %+v", last)
		}
		if first := h.Items[len(h.Items)-1]; first.ObjectName != "调味品加工" || first.To != "midstream" {
			t.Errorf("create line: %+v", first)
		}
		if mv := h.Items[5]; mv.From != "调味品加工" || mv.To != "屠宰与肉类加工" || mv.ObjectName != "复合调味料生产" {
			t.Errorf("move line: %+v", mv)
		}
		if mv := h.Items[1]; mv.From != "屠宰与肉类加工" || mv.To != "" {
			t.Errorf("move to the top line: %+v", mv)
		}
	})
}

func TestChainEditingScope(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		food := chainMapOf(t, e, "admin", "food")
		mining := chainMapOf(t, e, "admin", "mining")
		feed, ore := food.nodeID(t, "饲料加工"), mining.nodeID(t, "选矿")
		hongwei := enterpriseID(t, e, "涞源县宏伟集团有限公司")
		taomu := enterpriseID(t, e, "涞源县桃木疙瘩食品有限公司")
		guoke := enterpriseID(t, e, "江苏国科智能科技有限公司") // invests in a semiconductor project only
		other := e.AddZone("xiongan")
		r := e.Do(http.MethodPost, "/api/v1/chains/food/nodes", e.TokenIn("xiongan", "admin"), map[string]any{"name": "他区环节", "segment": "upstream"})
		expect(t, r, http.StatusCreated, "a node in the other zone")
		var otherNode struct{ ID int64 }
		r.JSON(t, &otherNode)
		for _, c := range []struct {
			user, method, path string
			body               any
			want               int
		}{
			{"chief_food", http.MethodPost, "/api/v1/chains/food/nodes", map[string]any{"name": "牛肉干", "segment": "midstream"}, http.StatusCreated},
			{"chief_food", http.MethodPatch, fmt.Sprintf("/api/v1/chains/food/nodes/%d", feed), map[string]any{"sort_order": 2}, http.StatusOK},
			{"chief_food", http.MethodPost, "/api/v1/chains/mining/nodes", map[string]any{"name": "x", "segment": "upstream"}, http.StatusNotFound},
			{"chief_food", http.MethodPatch, fmt.Sprintf("/api/v1/chains/mining/nodes/%d", ore), map[string]any{"name": "x"}, http.StatusNotFound},
			{"chief_food", http.MethodPatch, fmt.Sprintf("/api/v1/chains/food/nodes/%d", ore), map[string]any{"name": "x"}, http.StatusNotFound},
			{"chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/mining/masters/%d", hongwei), nil, http.StatusNotFound},
			{"chief_food", http.MethodGet, "/api/v1/chains/mining/history", nil, http.StatusNotFound},
			{"chief_food", http.MethodGet, "/api/v1/chains/food/history", nil, http.StatusOK},
			{"chief_mining", http.MethodDelete, fmt.Sprintf("/api/v1/chains/food/nodes/%d", feed), nil, http.StatusNotFound},
			{"chief_mining", http.MethodPut, fmt.Sprintf("/api/v1/chains/mining/nodes/%d/enterprises/%d", ore, hongwei), nil, http.StatusOK},
			{"director", http.MethodPost, "/api/v1/chains/food/nodes", map[string]any{"name": "x", "segment": "upstream"}, http.StatusForbidden},
			{"recruiter1", http.MethodPatch, fmt.Sprintf("/api/v1/chains/food/nodes/%d", feed), map[string]any{"name": "x"}, http.StatusForbidden},
			{"viewer", http.MethodDelete, fmt.Sprintf("/api/v1/chains/food/nodes/%d", feed), nil, http.StatusForbidden},
			{"agent1", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/masters/%d", hongwei), nil, http.StatusForbidden},
			{"viewer", http.MethodGet, "/api/v1/chains/mining/history", nil, http.StatusOK},
			{"agent1", http.MethodGet, "/api/v1/chains/food/history", nil, http.StatusForbidden},
			{"admin", http.MethodPost, "/api/v1/chains/textiles/nodes", map[string]any{"name": "x", "segment": "upstream"}, http.StatusNotFound},
			{"chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", feed, guoke), nil, http.StatusNotFound},
			{"chief_food", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", taomu, guoke), nil, http.StatusNotFound},
			{"admin", http.MethodPatch, fmt.Sprintf("/api/v1/chains/food/nodes/%d", otherNode.ID), map[string]any{"name": "x"}, http.StatusNotFound},
			{"admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", feed, other.EnterpriseID), nil, http.StatusNotFound},
			{"admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%d", feed, other.ProjectIDs["food"]), nil, http.StatusNotFound},
			{"", http.MethodPost, "/api/v1/chains/food/nodes", map[string]any{"name": "x", "segment": "upstream"}, http.StatusUnauthorized},
		} {
			var r *apitest.Response
			if c.user == "" {
				r = e.Do(c.method, c.path, "", c.body)
			} else {
				r = e.As(c.user, c.method, c.path, c.body)
			}
			if r.Status != c.want {
				t.Errorf("%s %s %s: %d %s, want %d", c.user, c.method, c.path, r.Status, r.Body, c.want)
			}
		}
		// Only the allowed edits are in the histories.
		if h := chainHistoryOf(t, e, "admin", "food"); h.Total != 2 {
			t.Errorf("food history has %d lines, want 2: %+v", h.Total, h.Items)
		}
		if h := chainHistoryOf(t, e, "admin", "mining"); h.Total != 1 || h.Items[0].Actor != "chief_mining" || h.Items[0].SubjectName != "涞源县宏伟集团有限公司" {
			t.Errorf("mining history: %+v", h)
		}
	})
}

// TestMapFollowsLinks is the issue's "the map changes as soon as a project or enterprise
// is linked".
func TestMapFollowsLinks(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		m := chainMapOf(t, e, "chief_food", "food")
		slaughter, feed := m.nodeID(t, "屠宰与肉类加工"), m.nodeID(t, "饲料加工")
		if st := m.Nodes[m.node(t, slaughter)].Status; st != "weak" {
			t.Fatalf("屠宰与肉类加工 starts %s, want weak", st)
		}
		if n := m.Nodes[m.node(t, feed)]; n.Status != "missing" || n.GapFilled || len(n.Projects) != 0 {
			t.Fatalf("饲料加工 starts %+v, want an empty gap", n)
		}

		// A second local enterprise on the node makes it strong.
		r := e.As("admin", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "涞源县肉食品加工有限公司", "kind": "local"})
		expect(t, r, http.StatusCreated, "create a local enterprise")
		var ent struct{ ID int64 }
		r.JSON(t, &ent)
		link := fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/%d", slaughter, ent.ID)
		r = e.As("chief_food", http.MethodPut, link, nil)
		expect(t, r, http.StatusOK, "link the enterprise")
		if got := r.Map(t); got["changed"] != true || got["linked"] != true {
			t.Fatalf("link answer %v", got)
		}
		if got := e.As("chief_food", http.MethodPut, link, nil).Map(t); got["changed"] != false {
			t.Fatalf("linking twice changed something: %v", got)
		}
		if st := chainMapOf(t, e, "chief_food", "food").Nodes[m.node(t, slaughter)].Status; st != "strong" {
			t.Fatalf("after linking, 屠宰与肉类加工 is %s, want strong", st)
		}

		// A project on the gap fills it; the project's version and history follow.
		p := create(t, e, "recruiter1", newProject("饲料加工厂项目"))
		pid := int64(p["id"].(float64))
		plink := fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%d", feed, pid)
		r = e.As("chief_food", http.MethodPut, plink, nil)
		expect(t, r, http.StatusOK, "link the project")
		if got := r.Map(t); got["project_version"] != 2.0 || got["changed"] != true {
			t.Fatalf("project link answer %v", got)
		}
		m = chainMapOf(t, e, "chief_food", "food")
		n := m.Nodes[m.node(t, feed)]
		if n.Status != "missing" || !n.GapFilled || len(n.Projects) != 1 || n.Projects[0].ID != pid {
			t.Fatalf("after linking the project, 饲料加工 is %+v, want a gap being filled", n)
		}
		filling := false
		for _, g := range m.Summary.GapsBeingFilled {
			filling = filling || g.ID == feed
		}
		if !filling {
			t.Fatal("饲料加工 is not among the gaps being filled")
		}
		proj := e.As("recruiter1", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d", pid), nil).Map(t)
		if proj["version"] != 2.0 || fmt.Sprint(proj["chain_node_ids"]) != fmt.Sprintf("[%d]", feed) {
			t.Fatalf("project after linking: version %v nodes %v", proj["version"], proj["chain_node_ids"])
		}
		if r := e.As("recruiter1", http.MethodPatch, fmt.Sprintf("/api/v1/projects/%d", pid), map[string]any{"version": 1, "notes": "x"}); r.Status != http.StatusConflict {
			t.Fatalf("an edit on the old version after a link: %d, want 409", r.Status)
		}
		var hist []map[string]any
		e.As("recruiter1", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d/history", pid), nil).JSON(t, &hist)
		if last := hist[len(hist)-1]; last["field"] != "chain_node_ids" || last["actor"] != "chief_food" || last["to"] != fmt.Sprint(feed) {
			t.Fatalf("project history ends with %v", last)
		}

		// Unlinking reverses both.
		expect(t, e.As("chief_food", http.MethodDelete, plink, nil), http.StatusOK, "unlink the project")
		expect(t, e.As("chief_food", http.MethodDelete, link, nil), http.StatusOK, "unlink the enterprise")
		m = chainMapOf(t, e, "chief_food", "food")
		if n := m.Nodes[m.node(t, feed)]; n.GapFilled {
			t.Fatal("the gap is still being filled after unlinking")
		}
		if st := m.Nodes[m.node(t, slaughter)].Status; st != "weak" {
			t.Fatalf("after unlinking, 屠宰与肉类加工 is %s", st)
		}
		if got := e.As("chief_food", http.MethodDelete, plink, nil).Map(t); got["changed"] != false || got["project_version"] != 3.0 {
			t.Fatalf("unlinking twice: %v", got)
		}

		// A project without a chain joins the node's chain; one of another chain is refused;
		// a chief cannot reach a project outside their chain.
		body := newProject("无链项目")
		delete(body, "chain")
		free := create(t, e, "recruiter1", body)
		freeID := int64(free["id"].(float64))
		expect(t, e.As("chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%d", feed, freeID), nil), http.StatusNotFound, "chief and a chain-less project")
		expect(t, e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%d", feed, freeID), nil), http.StatusOK, "admin and a chain-less project")
		if got := e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects/%d", freeID), nil).Map(t); got["chain"] != "food" {
			t.Fatalf("chain-less project after linking: chain %v", got["chain"])
		}
		body = newProject("矿业项目")
		body["chain"] = "mining"
		other := create(t, e, "recruiter1", body)
		r = e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%v", feed, other["id"]), nil)
		expect(t, r, http.StatusUnprocessableEntity, "a project of another chain")
		if !strings.Contains(string(r.Body), "矿业") {
			t.Errorf("refusal does not name the project's chain: %s", r.Body)
		}
		expect(t, e.As("chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%v", feed, other["id"]), nil), http.StatusNotFound, "chief and another chain's project")
		expect(t, e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/999999", feed), nil), http.StatusNotFound, "unknown project")
		expect(t, e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/enterprises/999999", feed), nil), http.StatusNotFound, "unknown enterprise")
		expect(t, e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/999999/enterprises/%d", ent.ID), nil), http.StatusNotFound, "unknown node")

		// The linked project now holds the node: deleting it is refused.
		r = e.As("admin", http.MethodDelete, fmt.Sprintf("/api/v1/chains/food/nodes/%d", feed), nil)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "无链项目") {
			t.Fatalf("delete a node with a project: %d %s", r.Status, r.Body)
		}

		h := chainHistoryOf(t, e, "admin", "food")
		var got []string
		for _, it := range h.Items {
			got = append(got, it.Action)
		}
		want := "project_linked enterprise_unlinked project_unlinked project_linked enterprise_linked"
		if strings.Join(got, " ") != want {
			t.Fatalf("history %v, want %s", got, want)
		}
	})
}

func TestChainMastersAndReferrals(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		tongguang := enterpriseID(t, e, "河北同光晶体有限公司")
		siqian := enterpriseID(t, e, "河北驷乾新能源科技有限公司")
		guoke := enterpriseID(t, e, "江苏国科智能科技有限公司")
		masters := "/api/v1/chains/semiconductor/masters/"

		r := e.As("chief_semi", http.MethodPut, fmt.Sprint(masters, siqian), nil)
		expect(t, r, http.StatusOK, "mark a master")
		if got := r.Map(t); got["changed"] != true {
			t.Fatalf("mark: %v", got)
		}
		if got := e.As("chief_semi", http.MethodPut, fmt.Sprint(masters, siqian), nil).Map(t); got["changed"] != false {
			t.Fatalf("mark twice: %v", got)
		}
		m := chainMapOf(t, e, "chief_semi", "semiconductor")
		if strings.Join(m.Chain.Masters, ",") != "河北同光晶体有限公司,河北驷乾新能源科技有限公司" || len(m.Summary.ChainMasters) != 2 {
			t.Fatalf("masters on the map: %v %v", m.Chain.Masters, m.Summary.ChainMasters)
		}
		pv := m.nodeID(t, "光伏组件")
		if ents := m.Nodes[m.node(t, pv)].Enterprises; len(ents) == 0 || !ents[0].ChainMaster {
			t.Fatalf("the new master is not marked on its node: %+v", ents)
		}
		r = e.As("chief_semi", http.MethodPut, fmt.Sprint(masters, guoke), nil)
		expect(t, r, http.StatusUnprocessableEntity, "an investor as master")
		if !strings.Contains(string(r.Body), "区内企业") {
			t.Errorf("refusal: %s", r.Body)
		}
		expect(t, e.As("chief_semi", http.MethodPut, masters+"999999", nil), http.StatusNotFound, "unknown enterprise")
		expect(t, e.As("chief_semi", http.MethodDelete, fmt.Sprint(masters, siqian), nil), http.StatusOK, "unmark")
		if m := chainMapOf(t, e, "chief_semi", "semiconductor"); len(m.Chain.Masters) != 1 {
			t.Fatalf("masters after unmarking: %v", m.Chain.Masters)
		}

		// Referrals: a chief for their chain's master; the map recommends at once.
		target := createEnterprise(t, e, map[string]any{"name": "【测试】晶体生长设备企业", "kind": "target"})
		furnace := m.nodeID(t, "晶体生长设备")
		expect(t, e.As("chief_semi", http.MethodPut, fmt.Sprintf("/api/v1/chains/semiconductor/nodes/%d/enterprises/%d", furnace, target), nil), http.StatusOK, "link the target")
		ref := fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", tongguang, target)
		// another chain's master is out of a chief's reach altogether (issue 12): 404, not 403
		expect(t, e.As("chief_food", http.MethodPut, ref, nil), http.StatusNotFound, "another chain's chief")
		r = e.As("chief_semi", http.MethodPut, ref, nil)
		expect(t, r, http.StatusOK, "add a referral")
		if got := r.Map(t); got["changed"] != true || got["from_id"] != float64(tongguang) {
			t.Fatalf("referral answer %v", got)
		}
		m = chainMapOf(t, e, "chief_semi", "semiconductor")
		found := false
		for _, rec := range m.Summary.Recommendations {
			for _, en := range rec.Enterprises {
				if rec.NodeID == furnace && en.ID == target {
					found = strings.Join(en.ReferredBy, ",") == "河北同光晶体有限公司" && strings.Contains(strings.Join(en.Sources, ","), "referral_node")
				}
			}
		}
		if !found {
			t.Fatalf("the referral does not show in the recommendations: %+v", m.Summary.Recommendations)
		}
		expect(t, e.As("chief_semi", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", tongguang, tongguang), nil), http.StatusBadRequest, "a self-referral")
		expect(t, e.As("chief_semi", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/999999", tongguang), nil), http.StatusNotFound, "unknown enterprise")
		expect(t, e.As("chief_semi", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", guoke, target), nil), http.StatusForbidden, "a chief and a non-master")
		expect(t, e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", guoke, target), nil), http.StatusOK, "an admin and a non-master")
		expect(t, e.As("chief_semi", http.MethodDelete, ref, nil), http.StatusOK, "remove the referral")

		h := chainHistoryOf(t, e, "chief_semi", "semiconductor")
		var got []string
		for _, it := range h.Items {
			got = append(got, it.Action+":"+it.ObjectName)
		}
		want := "referral_removed:河北同光晶体有限公司 referral_added:河北同光晶体有限公司 enterprise_linked:晶体生长设备 " +
			"master_removed:河北驷乾新能源科技有限公司 master_added:河北驷乾新能源科技有限公司"
		if strings.Join(got, " ") != want {
			t.Fatalf("history %v\nwant %s", got, want)
		}
	})
}

func createEnterprise(t *testing.T, e *apitest.Env, body map[string]any) int64 {
	t.Helper()
	r := e.As("admin", http.MethodPost, "/api/v1/enterprises", body)
	expect(t, r, http.StatusCreated, "create enterprise")
	var ent struct{ ID int64 }
	r.JSON(t, &ent)
	return ent.ID
}

// TestConcurrentMovesKeepTheTree: two administrators move two nodes under each other at
// the same moment; one move wins, the other is refused as a cycle, and the tree stays a
// tree. Without the chain lock both would pass their check on MariaDB.
func TestConcurrentMovesKeepTheTree(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for round := 0; round < 5; round++ {
			a := createNode(t, e, "admin", "mining", map[string]any{"name": fmt.Sprintf("并发甲%d", round), "segment": "upstream"})
			b := createNode(t, e, "admin", "mining", map[string]any{"name": fmt.Sprintf("并发乙%d", round), "segment": "upstream"})
			e.Token("chief_mining")
			var wg sync.WaitGroup
			status := make([]int, 2)
			for i, mv := range [][3]any{{"admin", a, b}, {"chief_mining", b, a}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := e.As(mv[0].(string), http.MethodPatch, fmt.Sprintf("/api/v1/chains/mining/nodes/%d", mv[1]), map[string]any{"parent_id": mv[2]})
					status[i] = r.Status
				}()
			}
			wg.Wait()
			ok := 0
			for _, s := range status {
				if s == http.StatusOK {
					ok++
				} else if s != http.StatusBadRequest {
					t.Fatalf("round %d: status %v", round, status)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d moves succeeded (%v), want exactly 1", round, ok, status)
			}
			m := chainMapOf(t, e, "admin", "mining")
			pa, pb := m.Nodes[m.node(t, a)].ParentID, m.Nodes[m.node(t, b)].ParentID
			if (pa != nil) == (pb != nil) {
				t.Fatalf("round %d: parents %v %v", round, pa, pb)
			}
		}
	})
}

// TestDemoMapsAreMeaningful is the "each demo chain shows a meaningful map": all
// three segments, covered links beside real gaps, gaps the pipeline is filling, and in every
// segment with gaps someone to approach, some of them through a chain master.
func TestDemoMapsAreMeaningful(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for _, code := range []string{"food", "mining", "semiconductor"} {
			m := chainMapOf(t, e, "viewer", code)
			segments, covered := map[string]bool{}, 0
			for _, n := range m.Nodes {
				segments[n.Segment] = true
				if n.Status != "missing" {
					covered++
				}
			}
			if len(segments) != 3 || covered == 0 || len(m.Summary.Gaps) == 0 || len(m.Summary.GapsBeingFilled) == 0 {
				t.Errorf("%s: segments %v, %d covered nodes, %d gaps, %d being filled", code, segments, covered, len(m.Summary.Gaps), len(m.Summary.GapsBeingFilled))
			}
			if len(m.Summary.ChainMasters) == 0 {
				t.Errorf("%s: no chain master", code)
			}
			recSegments, referred := map[string]bool{}, 0
			for _, r := range m.Summary.Recommendations {
				for _, en := range r.Enterprises {
					recSegments[m.Nodes[m.node(t, r.NodeID)].Segment] = true
					if len(en.ReferredBy) > 0 {
						referred++
					}
				}
			}
			gapSegments := map[string]bool{}
			for _, n := range m.Nodes {
				if n.Status == "missing" {
					gapSegments[n.Segment] = true
				}
			}
			for seg := range gapSegments {
				if !recSegments[seg] {
					t.Errorf("%s: the %s gaps have nobody to approach", code, seg)
				}
			}
			if referred == 0 {
				t.Errorf("%s: no recommendation through a chain master", code)
			}
		}
	})
}
