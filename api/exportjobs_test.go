package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

type exportJobBody struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Rows     int64  `json:"rows"`
	Total    int64  `json:"total"`
	Error    string `json:"error"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
}

// startExport starts a background export as user and returns its id and total.
func startExport(t *testing.T, e *apitest.Env, user, query string) (string, int64) {
	t.Helper()
	r := e.As(user, http.MethodPost, "/api/v1/export/projects?"+query, nil)
	if r.Status != http.StatusAccepted {
		t.Fatalf("start export as %s: %d %s", user, r.Status, r.Body)
	}
	var b exportJobBody
	r.JSON(t, &b)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(b.ID) {
		t.Fatalf("job id %q", b.ID)
	}
	return b.ID, b.Total
}

func jobStatus(t *testing.T, e *apitest.Env, user, id string) exportJobBody {
	t.Helper()
	r := e.As(user, http.MethodGet, "/api/v1/export/jobs/"+id, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("job %s as %s: %d %s", id, user, r.Status, r.Body)
	}
	var b exportJobBody
	r.JSON(t, &b)
	return b
}

func exportFiles(t *testing.T, e *apitest.Env) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(e.ExportDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// blockAtFirstRow makes every job stop after its first row until release is closed (or the
// job is cancelled); reached receives the job's id when it gets there.
func blockAtFirstRow(e *apitest.Env) (reached chan string, release chan struct{}) {
	reached, release = make(chan string, 16), make(chan struct{})
	e.Server.SetExportRowHook(func(ctx context.Context, id string, rows int64) {
		if rows != 1 {
			return
		}
		reached <- id
		select {
		case <-release:
		case <-ctx.Done():
		}
	})
	return reached, release
}

// arrive waits for a job to reach the hook; a job that never does fails the test instead
// of hanging it.
func arrive(t *testing.T, reached chan string) string {
	t.Helper()
	select {
	case id := <-reached:
		return id
	case <-time.After(time.Minute):
		t.Fatal("no export job reached its first row")
		return ""
	}
}

func TestExportJobScopeProgressAndFile(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// the caller's scope and the list's filters, counted as the list counts
		for _, c := range []struct{ user, query string }{
			{"director", ""}, {"chief_food", ""}, {"viewer", "channel=entrusted&docked_from=2022-01-01&docked_to=2022-12-31"},
		} {
			id, total := startExport(t, e, c.user, c.query)
			if want := list(t, e, c.user, c.query).Total; total != int64(want) || want == 0 {
				t.Errorf("%s %q: total %d, the list %d", c.user, c.query, total, want)
			}
			e.Server.WaitExportJobs()
			st := jobStatus(t, e, c.user, id)
			if st.Status != "done" || st.Rows != total || st.Total != total || st.Error != "" || st.Size == 0 {
				t.Errorf("%s: finished job %+v, want done with %d rows", c.user, st, total)
			}
			// the file: a length, the GET's disposition, the GET's rows
			r := e.As(c.user, http.MethodGet, "/api/v1/export/jobs/"+id+"/file", nil)
			if r.Status != http.StatusOK {
				t.Fatalf("file: %d %s", r.Status, r.Body)
			}
			if cl := r.Header.Get("Content-Length"); cl != strconv.Itoa(len(r.Body)) || int64(len(r.Body)) != st.Size {
				t.Errorf("Content-Length %q, body %d bytes, size %d", cl, len(r.Body), st.Size)
			}
			stream := e.As(c.user, http.MethodGet, "/api/v1/export/projects.xlsx?"+c.query, nil)
			if got, want := r.Header.Get("Content-Disposition"), stream.Header.Get("Content-Disposition"); got != want || want == "" {
				t.Errorf("Content-Disposition %q, the GET's %q", got, want)
			}
			if ct := r.Header.Get("Content-Type"); ct != stream.Header.Get("Content-Type") {
				t.Errorf("Content-Type %q", ct)
			}
			jobRows, streamRows := parseRows(t, r.Body), parseRows(t, stream.Body)
			if len(jobRows) != int(total) || !reflect.DeepEqual(jobRows, streamRows) {
				t.Errorf("%s: the job's file has %d rows, the GET %d (or they differ)", c.user, len(jobRows), len(streamRows))
			}
		}
		director, _ := startExport(t, e, "director", "")
		chief, _ := startExport(t, e, "chief_food", "")
		e.Server.WaitExportJobs()
		if a, b := jobStatus(t, e, "director", director).Total, jobStatus(t, e, "chief_food", chief).Total; a <= b {
			t.Errorf("director exports %d rows, chief_food %d: the chief sees only the food chain", a, b)
		}

		// only the user who started a job sees it; agents may not export at all
		for _, user := range []string{"admin", "chief_food", "viewer"} {
			for _, req := range []struct{ method, path string }{
				{http.MethodGet, "/api/v1/export/jobs/" + director},
				{http.MethodGet, "/api/v1/export/jobs/" + director + "/file"},
				{http.MethodDelete, "/api/v1/export/jobs/" + director},
			} {
				if r := e.As(user, req.method, req.path, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
					t.Errorf("%s %s as %s: %d %s", req.method, req.path, user, r.Status, r.Body)
				}
			}
		}
		if r := e.As("agent1", http.MethodPost, "/api/v1/export/projects", nil); r.Status != http.StatusForbidden {
			t.Errorf("agent export: %d", r.Status)
		}
		if r := e.As("director", http.MethodPost, "/api/v1/export/projects?stage=signed", nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad filter: %d %s", r.Status, r.Body)
		}
		if r := e.As("director", http.MethodGet, "/api/v1/export/jobs/nonsense", nil); r.Status != http.StatusNotFound {
			t.Errorf("unknown job: %d", r.Status)
		}
		jobStatus(t, e, "director", director) // still there for its owner
	})
}

func TestExportJobRunningLimitAndCancel(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		reached, release := blockAtFirstRow(e)
		first, total := startExport(t, e, "director", "")
		if got := arrive(t, reached); got != first {
			t.Fatalf("hook saw %s, want %s", got, first)
		}
		st := jobStatus(t, e, "director", first)
		if st.Status != "running" || st.Rows != 1 || st.Total != total || total < 2 {
			t.Errorf("running job: %+v (total %d)", st, total)
		}
		r := e.As("director", http.MethodGet, "/api/v1/export/jobs/"+first+"/file", nil)
		if r.Status != http.StatusConflict || r.ErrorCode() != "conflict" || !regexp.MustCompile(`[\p{Han}]`).Match(r.Body) {
			t.Errorf("file while running: %d %s", r.Status, r.Body)
		}

		// two running jobs per user; the third is throttled with a Chinese message
		second, _ := startExport(t, e, "director", "chain=food")
		arrive(t, reached)
		r = e.As("director", http.MethodPost, "/api/v1/export/projects", nil)
		if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "throttled" || !regexp.MustCompile(`导出任务`).Match(r.Body) {
			t.Errorf("third job: %d %s", r.Status, r.Body)
		}
		other, _ := startExport(t, e, "admin", "") // the limit is per user
		arrive(t, reached)

		// cancelling frees the place and removes the job and its file
		if r := e.As("director", http.MethodDelete, "/api/v1/export/jobs/"+second, nil); r.Status != http.StatusNoContent {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		if r := e.As("director", http.MethodGet, "/api/v1/export/jobs/"+second, nil); r.Status != http.StatusNotFound {
			t.Errorf("cancelled job: %d", r.Status)
		}
		third, _ := startExport(t, e, "director", "chain=mining")
		arrive(t, reached)

		close(release)
		e.Server.WaitExportJobs()
		for user, id := range map[string]string{"director": first, "admin": other} {
			if st := jobStatus(t, e, user, id); st.Status != "done" || st.Rows != st.Total {
				t.Errorf("%s's job after release: %+v", user, st)
			}
		}
		if st := jobStatus(t, e, "director", third); st.Status != "done" {
			t.Errorf("third job: %+v", st)
		}
		if files := exportFiles(t, e); len(files) != 3 {
			t.Errorf("files after a cancel: %v, want the 3 finished jobs'", files)
		}
		if r := e.As("director", http.MethodGet, "/api/v1/export/jobs/"+first+"/file", nil); r.Status != http.StatusOK || len(parseRows(t, r.Body)) != int(total) {
			t.Errorf("file after release: %d", r.Status)
		}
	})
}

func TestExportJobCleanup(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// never downloaded: removed 15 minutes after it ended
		kept, _ := startExport(t, e, "viewer", "chain=food")
		// downloaded: kept a minute for a retry, then removed
		fetched, _ := startExport(t, e, "viewer", "chain=mining")
		e.Server.WaitExportJobs()
		if n := len(exportFiles(t, e)); n != 2 {
			t.Fatalf("%d files, want 2", n)
		}
		file := func(id string) int {
			return e.As("viewer", http.MethodGet, "/api/v1/export/jobs/"+id+"/file", nil).Status
		}
		if s := file(fetched); s != http.StatusOK {
			t.Fatalf("download: %d", s)
		}
		e.Clock.Add(50 * time.Second)
		if s := file(fetched); s != http.StatusOK {
			t.Errorf("a retry within the grace period: %d", s)
		}
		e.Clock.Add(15 * time.Second) // 65 s after the first download
		if s := file(fetched); s != http.StatusNotFound {
			t.Errorf("after the grace period: %d", s)
		}
		if n := len(exportFiles(t, e)); n != 1 {
			t.Errorf("%d files after the downloaded one expired, want 1", n)
		}
		e.Clock.Add(13 * time.Minute) // 14 min 5 s after both ended
		jobStatus(t, e, "viewer", kept)
		e.Clock.Add(time.Minute)
		if r := e.As("viewer", http.MethodGet, "/api/v1/export/jobs/"+kept, nil); r.Status != http.StatusNotFound {
			t.Errorf("after the TTL: %d %s", r.Status, r.Body)
		}
		if files := exportFiles(t, e); len(files) != 0 {
			t.Errorf("files after the TTL: %v", files)
		}

		// shutting down cancels the running jobs and removes every file
		_, release := blockAtFirstRow(e)
		defer close(release)
		startExport(t, e, "viewer", "")
		startExport(t, e, "director", "chain=food")
		if err := e.Server.Close(); err != nil {
			t.Fatal(err)
		}
		if files := exportFiles(t, e); len(files) != 0 {
			t.Errorf("files after Close: %v", files)
		}
		if _, err := os.Stat(e.ExportDir); err != nil {
			t.Errorf("the configured directory itself stays: %v", err)
		}
	})
}
