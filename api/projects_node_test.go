package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// GET /projects?node_id= lists the caller's projects linked to a chain node, dropped ones
// included (the chain editor unlinks them from there; the map leaves them out).
func TestProjectsOnANode(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		m := chainMapOf(t, e, "chief_food", "food")
		feed := m.nodeID(t, "饲料加工")
		list := func(user string, node any) (*apitest.Response, listBody) {
			t.Helper()
			r := e.As(user, http.MethodGet, fmt.Sprintf("/api/v1/projects?node_id=%v&page_size=100", node), nil)
			var b listBody
			if r.Status == http.StatusOK {
				r.JSON(t, &b)
			}
			return r, b
		}
		if _, b := list("director", feed); b.Total != 0 {
			t.Fatalf("饲料加工 starts with %d projects", b.Total)
		}
		p := create(t, e, "recruiter1", newProject("饲料加工厂项目"))
		pid := p["id"].(float64)
		expect(t, e.As("chief_food", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/nodes/%d/projects/%v", feed, pid), nil), http.StatusOK, "link")
		drop := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%v/transition", pid), map[string]any{"to": "dropped", "reason": "投资方放弃"})
		expect(t, drop, http.StatusOK, "drop")
		for _, user := range []string{"director", "chief_food", "recruiter2"} {
			if _, b := list(user, feed); b.Total != 1 || len(b.Items) != 1 || b.Items[0]["id"] != pid || b.Items[0]["stage"] != "dropped" {
				t.Errorf("%s: node %d lists %d %v, want the dropped project", user, feed, b.Total, b.Items)
			}
		}
		if _, b := list("chief_mining", feed); b.Total != 0 {
			t.Errorf("chief_mining sees %d food projects on the node", b.Total)
		}
		if r, _ := list("director", "abc"); r.Status != http.StatusBadRequest {
			t.Errorf("node_id=abc: %d", r.Status)
		}
	})
}
