package api_test

import (
	"net/http"
	"strings"
	"sync"
)

// The background exports' rows of the authorization matrix (api/matrix_test.go). A job is
// seen only by the user who started it: In is a job of the cell's user, Out one of another
// user of the same zone (its id exists, the answer is still 404).

func init() { matrixRows = append(matrixRows, exportJobMatrixRows...) }

// exportMxJobs holds, per matrix and user, a finished job of that user.
var exportMxJobs sync.Map // matrixJobKey → job id

type matrixJobKey struct {
	m    *matrix
	user string
}

// noJob stands in for the job of a role that may not export: casbin refuses it first.
const noJob = "00000000000000000000000000000000"

func exportJob(m *matrix, user string, fresh bool) string {
	if !policyAllows(roleOf(user), "export", "run") {
		return noJob
	}
	key := matrixJobKey{m, user}
	if id, ok := exportMxJobs.Load(key); ok && !fresh {
		return id.(string)
	}
	r := m.e.As(user, http.MethodPost, "/api/v1/export/projects?chain=food", nil)
	if r.Status != http.StatusAccepted {
		m.t.Fatalf("matrix fixture: export job of %s: %d %s", user, r.Status, r.Body)
	}
	var b struct{ ID string }
	r.JSON(m.t, &b)
	m.e.Server.WaitExportJobs()
	if !fresh {
		exportMxJobs.Store(key, b.ID)
	}
	return b.ID
}

func roleOf(user string) string {
	for i, u := range matrixUsers {
		if u == user {
			return matrixRoles[i]
		}
	}
	return ""
}

// exportJobPaths fills :id with the user's own job (in) or another user's (out); DELETE gets
// a fresh job per cell, since it removes the job.
func exportJobPaths(path string, fresh bool) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		owner := user
		if !in {
			owner = "director"
			if user == "director" {
				owner = "admin"
			}
		}
		return []string{strings.Replace(path, ":id", exportJob(m, owner, fresh && in), 1)}
	}
}

var (
	exportRun = st(200, 200, 200, 200, 200, 403, 200) // casbin export/run, as GET /export/projects.xlsx
	exportOut = st(404, 404, 404, 404, 404, 403, 404)
)

var exportJobMatrixRows = []matrixRow{
	{Route: "POST /api/v1/export/projects", In: st(202, 202, 202, 202, 202, 403, 202)},
	{Route: "GET /api/v1/export/jobs/:id", Object: exportJobPaths("/api/v1/export/jobs/:id", false), In: exportRun, Out: exportOut},
	{Route: "GET /api/v1/export/jobs/:id/file", Object: exportJobPaths("/api/v1/export/jobs/:id/file", false), In: exportRun, Out: exportOut},
	{Route: "DELETE /api/v1/export/jobs/:id", Object: exportJobPaths("/api/v1/export/jobs/:id", true),
		In: st(204, 204, 204, 204, 204, 403, 204), Out: exportOut},
}
