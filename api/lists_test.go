package api_test

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

// Issue 13: ?sort= through HTTP: each order is the list sorted by that column (ties by id
// in the same direction), the default is unchanged, and an unknown order is a 400 naming
// the field in Chinese.
func TestListsSortParam(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		all := func(sort string) []map[string]any {
			t.Helper()
			var out []map[string]any
			for page := 1; ; page++ {
				var b listBody
				path := fmt.Sprintf("/api/v1/projects?page_size=7&page=%d", page)
				if sort != "" {
					path += "&sort=" + url.QueryEscape(sort)
				}
				r := e.As("admin", http.MethodGet, path, nil)
				if r.Status != http.StatusOK {
					t.Fatalf("sort=%s: %d %s", sort, r.Status, r.Body)
				}
				r.JSON(t, &b)
				if len(b.Items) == 0 {
					if len(out) != b.Total {
						t.Fatalf("sort=%s: %d rows, total %d", sort, len(out), b.Total)
					}
					return out
				}
				out = append(out, b.Items...)
			}
		}
		def := all("")
		if len(def) < 5 {
			t.Fatalf("the demo zone lists %d projects", len(def))
		}
		id := func(p map[string]any) float64 { return p["id"].(float64) }
		// cmp(a, b) < 0 when a's column value comes first in ascending order
		cmps := map[string]func(a, b map[string]any) int{
			"docked_at": func(a, b map[string]any) int {
				return strings.Compare(a["docked_at"].(string), b["docked_at"].(string))
			},
			"planned_investment": func(a, b map[string]any) int {
				return cmp.Compare(a["planned_investment_wan"].(float64), b["planned_investment_wan"].(float64))
			},
			// days in stage grow as the stage's entry time falls: the order is that time's,
			// reversed, ties by id reversed too (the stored column's direction)
			"days_in_stage": func(a, b map[string]any) int {
				if c := strings.Compare(b["stage_entered_at"].(string), a["stage_entered_at"].(string)); c != 0 {
					return c
				}
				return cmp.Compare(id(b), id(a))
			},
		}
		for field, byField := range cmps {
			for _, desc := range []bool{false, true} {
				sort := field
				if desc {
					sort = "-" + field
				}
				got := all(sort)
				if len(got) != len(def) {
					t.Fatalf("sort=%s: %d rows, default %d", sort, len(got), len(def))
				}
				for i := 1; i < len(got); i++ {
					c := byField(got[i-1], got[i])
					if c == 0 {
						c = cmp.Compare(id(got[i-1]), id(got[i]))
					}
					if (!desc && c > 0) || (desc && c < 0) {
						t.Fatalf("sort=%s: rows %d and %d out of order: %v then %v", sort, i-1, i, got[i-1], got[i])
					}
				}
			}
		}
		// -docked_at is the default order; name and -name are each other's reverse
		if fmt.Sprint(ids(all("-docked_at"))) != fmt.Sprint(ids(def)) {
			t.Errorf("sort=-docked_at differs from the default order")
		}
		byName, byNameDesc := ids(all("name")), ids(all("-name"))
		slices.Reverse(byNameDesc)
		if fmt.Sprint(byName) != fmt.Sprint(byNameDesc) {
			t.Errorf("sort=-name is not sort=name reversed")
		}
		// filters combine with the order
		var b listBody
		e.As("admin", http.MethodGet, "/api/v1/projects?stage=lead&sort=-planned_investment&page_size=200", nil).JSON(t, &b)
		for i := 1; i < len(b.Items); i++ {
			if b.Items[i]["stage"] != "lead" || b.Items[i-1]["planned_investment_wan"].(float64) < b.Items[i]["planned_investment_wan"].(float64) {
				t.Fatalf("stage=lead&sort=-planned_investment: %v then %v", b.Items[i-1], b.Items[i])
			}
		}
		// an unknown order: 400, the field named in Chinese
		r := e.As("admin", http.MethodGet, "/api/v1/projects?sort=investment", nil)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("sort=investment: %d %s", r.Status, r.Body)
		}
		var eb struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		r.JSON(t, &eb)
		if !strings.Contains(eb.Error.Fields["sort"], "未知的排序字段") {
			t.Errorf("sort=investment: fields %v", eb.Error.Fields)
		}
	})
}

func ids(ps []map[string]any) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p["id"]
	}
	return out
}
