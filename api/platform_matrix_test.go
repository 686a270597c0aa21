package api_test

import (
	"fmt"
	"strings"
)

// The provincial platform's rows of the authorization matrix (api/matrix_test.go): no zone
// role reads the platform, not even a zone's own pages through it; province users are
// tested in platform_test.go and platform_zones_test.go.

func init() { matrixRows = append(matrixRows, platformMatrixRows...) }

// platformZonePath fills a /platform/zones/:zone/… route with the demo zone and, where it
// has them, the shared project and the food chain (every zone role is refused before the
// zone is looked up).
func platformZonePath(route string) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		p := strings.TrimPrefix(route, "GET ")
		p = strings.Replace(p, ":zone", "laiyuan", 1)
		p = strings.Replace(p, ":id", fmt.Sprint(m.shared), 1)
		return []string{strings.Replace(p, ":code", "food", 1)}
	}
}

// platformUserPath names a user of the zone (the check refuses before the user is read).
func platformUserPath(m *matrix, user string, in bool) []string {
	return []string{fmt.Sprintf("/api/v1/platform/admin/users/%d/grants", m.target)}
}

var platformMatrixRows = func() []matrixRow {
	rows := []matrixRow{
		{Route: "GET /api/v1/platform/zones", In: mxAll(e403)},
		{Route: "GET /api/v1/platform/overview", In: mxAll(e403)},
		{Route: "GET /api/v1/platform/chains", In: mxAll(e403)},
		{Route: "GET /api/v1/platform/ranking", In: mxAll(e403)},
		// the platform administrator's: no zone role, not even a zone's administrator
		{Route: "GET /api/v1/platform/admin/zones", In: mxAll(e403)},
		{Route: "GET /api/v1/platform/admin/users", In: mxAll(e403)},
		{Route: "GET /api/v1/platform/admin/users/:id/grants", In: mxAll(e403), Object: platformUserPath},
		{Route: "PUT /api/v1/platform/admin/users/:id/grants", In: mxAll(e403), Object: platformUserPath,
			Body: map[string]any{"zones": []string{"laiyuan"}}},
	}
	for _, p := range []string{"/stats/overview", "/stats/service", "/indicators", "/projects", "/projects/:id",
		"/projects/:id/activities", "/projects/:id/history", "/chains", "/chains/:code/map", "/chains/:code/map.svg"} {
		r := "GET /api/v1/platform/zones/:zone" + p
		rows = append(rows, matrixRow{Route: r, In: mxAll(e403), Object: platformZonePath(r)})
	}
	return rows
}()
