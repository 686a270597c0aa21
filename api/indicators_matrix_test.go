package api_test

import "fmt"

// The economic indicators' and project operations' rows of the authorization matrix
// (api/matrix_test.go; issue 17). Indicators are the zone's, so they have no out-of-scope
// object; a project's operations follow the project (read with it, written by whoever may
// edit it: recruiter2 is not the shared project's owner).

func init() { matrixRows = append(matrixRows, indicatorMatrixRows...) }

// operationsPaths is a fresh project of the cell (in), or the other zone's project and, for
// the narrow roles, a laiyuan project they may not see (out), with a period.
func operationsPaths(m *matrix, user string, in bool) []string {
	p := func(id int64) string { return fmt.Sprintf("/api/v1/projects/%d/operations/2022", id) }
	if in {
		return []string{p(m.project(""))}
	}
	out := []string{p(m.zone.ProjectIDs["food"])}
	if narrow(user) {
		out = append(out, p(m.semi))
	}
	return out
}

func fixedPath(path string) func(*matrix, string, bool) []string {
	return func(*matrix, string, bool) []string { return []string{path} }
}

var indicatorMatrixRows = []matrixRow{
	{Route: "GET /api/v1/indicators", In: st(200, 200, 200, 200, 200, 403, 200)},
	{Route: "PUT /api/v1/indicators/:month", Object: fixedPath("/api/v1/indicators/2022-09"), Body: map[string]any{"revenue_wan": 1},
		In: st(200, 200, 403, 403, 403, 403, 403)},
	{Route: "GET /api/v1/indicators/:month/history", Object: fixedPath("/api/v1/indicators/2022-10/history"),
		In: st(200, 200, 200, 200, 200, 403, 200)},
	{Route: "GET /api/v1/projects/:id/operations", In: readAll, Out: readOut},
	{Route: "PUT /api/v1/projects/:id/operations/:period", Object: operationsPaths, Body: map[string]any{"tax_wan": 1, "in_statistics": true},
		In: st(200, 200, 403, 200, 403, 403, 403), Out: st(404, 404, 403, 404, 404, 403, 403)},
	{Route: "GET /api/v1/operations", In: st(200, 200, 200, 200, 200, 403, 200)},
}
