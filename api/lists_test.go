package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// Issue 13 through HTTP: the search by a Chinese substring (name bigrams), its total and
// paging, and that renames through the API are found by the new name and not the old.
func TestListsSearchAfterRenames(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		find := func(q string, page int) listBody {
			t.Helper()
			var b listBody
			r := e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/projects?page_size=2&page=%d&q=%s", page, url.QueryEscape(q)), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("q=%s: %d %s", q, r.Status, r.Body)
			}
			r.JSON(t, &b)
			return b
		}
		var ids []any
		for i, name := range []string{"青山绿水食品加工项目", "青山绿水冷链物流项目", "绿水青山文旅项目"} {
			body := newProject(name)
			body["docked_at"] = fmt.Sprintf("2023-0%d-10", i+1)
			ids = append(ids, create(t, e, "recruiter1", body)["id"])
		}
		// two of three hold 青山绿水; pages of two: total 2, then an empty page 2 with the total
		b := find("山绿", 1)
		if b.Total != 2 || b.Page != 1 || b.PageSize != 2 || len(b.Items) != 2 || b.Items[0]["id"] != ids[1] || b.Items[1]["id"] != ids[0] {
			t.Fatalf("q=山绿: %+v", b)
		}
		if b := find("山绿", 2); b.Total != 2 || len(b.Items) != 0 {
			t.Fatalf("q=山绿 page 2: %+v", b)
		}
		if b := find("水青", 1); b.Total != 1 || b.Items[0]["id"] != ids[2] {
			t.Fatalf("q=水青: %+v", b)
		}
		// renamed through PATCH: found by the new name only
		path := fmt.Sprintf("/api/v1/projects/%v", ids[2])
		if r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "name": "白云黑土农业项目"}); r.Status != http.StatusOK {
			t.Fatalf("rename: %d %s", r.Status, r.Body)
		}
		if b := find("云黑", 1); b.Total != 1 || b.Items[0]["id"] != ids[2] {
			t.Errorf("q=云黑 after the rename: %+v", b)
		}
		if b := find("水青", 1); b.Total != 0 || len(b.Items) != 0 {
			t.Errorf("q=水青 after the rename: %+v", b)
		}
		// the investor renamed through PATCH /enterprises/{id}
		var p map[string]any
		e.As("admin", http.MethodGet, path, nil).JSON(t, &p)
		var ent map[string]any
		e.As("admin", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%v", p["investor_id"]), nil).JSON(t, &ent)
		r := e.As("admin", http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%v", p["investor_id"]),
			map[string]any{"version": ent["version"], "name": "紫荆花开投资有限公司"})
		if r.Status != http.StatusOK {
			t.Fatalf("enterprise rename: %d %s", r.Status, r.Body)
		}
		if b := find("紫荆花", 1); b.Total != 3 {
			t.Errorf("q=紫荆花 (the investor's new name): %+v", b)
		}
		if b := find("测试投资", 1); b.Total != 0 {
			t.Errorf("q=测试投资 (the investor's old name): %+v", b)
		}
		var el listBody
		e.As("admin", http.MethodGet, "/api/v1/enterprises?q="+url.QueryEscape("荆花开"), nil).JSON(t, &el)
		if el.Total != 1 || len(el.Items) != 1 {
			t.Errorf("enterprise list q=荆花开: %+v", el)
		}
	})
}
