package api_test

import (
	"fmt"
	"net/http"
	"sync"
)

// The figures', targets' and spreadsheets' rows of the authorization matrix
// (api/matrix_test.go). The import takes a multipart upload; the matrix sends JSON, so a
// role that passes casbin reaches the handler and is told 400.

func init() { matrixRows = append(matrixRows, figuresMatrixRows...) }

var (
	figuresRead = st(200, 200, 200, 200, 200, 403, 200) // stats, report, target read; export run
	targetWrite = st(200, 200, 403, 403, 403, 403, 403)
	targetOut   = st(404, 404, 403, 403, 403, 403, 403)
)

// figMxTargets holds, per matrix, a laiyuan target and one of the other zone.
var figMxTargets sync.Map // *matrix → [2]int64

func targetPaths(m *matrix, user string, in bool) []string {
	ids, ok := figMxTargets.Load(m)
	if !ok {
		t, e := m.t, m.e
		t.Helper()
		var list struct{ Items []struct{ ID int64 } }
		e.As("admin", http.MethodGet, "/api/v1/targets?year=2023", nil).JSON(t, &list)
		if len(list.Items) == 0 {
			t.Fatal("matrix fixture: no demo target")
		}
		r := e.Do(http.MethodPost, "/api/v1/targets", e.TokenIn(m.zone.Code, "admin"), map[string]any{"year": 2023, "metric": "trips_made", "target": 2})
		if r.Status != http.StatusCreated {
			t.Fatalf("matrix fixture: other zone's target: %d %s", r.Status, r.Body)
		}
		var z struct{ ID int64 }
		r.JSON(t, &z)
		ids, _ = figMxTargets.LoadOrStore(m, [2]int64{list.Items[0].ID, z.ID})
	}
	id := ids.([2]int64)[1]
	if in {
		id = ids.([2]int64)[0]
	}
	return []string{fmt.Sprintf("/api/v1/targets/%d", id)}
}

var figuresMatrixRows = []matrixRow{
	{Route: "GET /api/v1/stats/overview", In: figuresRead},
	{Route: "GET /api/v1/reports/annual", In: figuresRead},
	{Route: "GET /api/v1/targets", In: figuresRead},
	{Route: "POST /api/v1/targets", Body: func(m *matrix, user string) any {
		return map[string]any{"year": 2030 + m.next()%60, "metric": "conferences_held", "target": 3}
	}, In: st(201, 201, 403, 403, 403, 403, 403)},
	{Route: "PATCH /api/v1/targets/:id", Object: targetPaths, Body: map[string]any{"target": 6}, In: targetWrite, Out: targetOut},
	{Route: "POST /api/v1/import/projects", Body: map[string]any{"file": "not a file"}, In: st(400, 400, 403, 403, 403, 403, 403)},
	{Route: "GET /api/v1/import/template.xlsx", In: st(200, 200, 403, 403, 403, 403, 403)},
	{Route: "GET /api/v1/export/projects.xlsx", In: figuresRead},
	{Route: "GET /api/v1/export/activities.xlsx", In: figuresRead},
}
