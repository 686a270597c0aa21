package api_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/cmd/chaincrm/wire"
	"github.com/laiyuan-edz/chaincrm/jobs"
)

// TestReplicasBehaveAsOne (issue 19): two API servers — two "chaincrm serve" processes, each
// with its own connection pool, enforcer, scheduler, export directory and caches — on one
// database behave as one: a log-in, an export job, the log-in throttle, the chain maps and
// every scheduled run are shared (or run once). On MariaDB, as a province runs it, and on
// SQLite (one file, two pools).
func TestReplicasBehaveAsOne(t *testing.T) {
	eachDB(t, func(t *testing.T, a *apitest.Env) {
		b := a.Second()

		// 1. a log-in on A is a session on B; a log-out on B ends it on A
		tok := freshToken(t, a, "director", apitest.DemoPassword)
		if r := b.Do(http.MethodGet, "/api/v1/me", tok, nil); r.Status != http.StatusOK {
			t.Fatalf("A's session on B: %d %s", r.Status, r.Body)
		}
		if r := b.Do(http.MethodPost, "/api/v1/auth/logout", tok, nil); r.Status != http.StatusNoContent {
			t.Fatalf("log-out on B: %d", r.Status)
		}
		if r := a.Do(http.MethodGet, "/api/v1/me", tok, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("A after the log-out on B: %d", r.Status)
		}

		// 2. an export started on A: its progress and its file on B (read from the database,
		// B has no copy), the same bytes as A's copy; B's download starts the grace period
		tok = freshToken(t, a, "director", apitest.DemoPassword)
		r := a.Do(http.MethodPost, "/api/v1/export/projects?chain=food", tok, nil)
		if r.Status != http.StatusAccepted {
			t.Fatalf("export on A: %d %s", r.Status, r.Body)
		}
		var started exportJobBody
		r.JSON(t, &started)
		a.Server.WaitExportJobs()
		var st exportJobBody
		b.Do(http.MethodGet, "/api/v1/export/jobs/"+started.ID, tok, nil).JSON(t, &st)
		if st.Status != "done" || st.Rows != started.Total || st.Size == 0 {
			t.Fatalf("A's job seen on B: %+v (total %d)", st, started.Total)
		}
		if files := dirFiles(t, b.ExportDir); len(files) != 0 {
			t.Fatalf("B has export files of its own: %v", files)
		}
		fromB := b.Do(http.MethodGet, "/api/v1/export/jobs/"+started.ID+"/file", tok, nil)
		fromA := a.Do(http.MethodGet, "/api/v1/export/jobs/"+started.ID+"/file", tok, nil)
		if fromB.Status != http.StatusOK || fromA.Status != http.StatusOK || !bytes.Equal(fromA.Body, fromB.Body) ||
			int64(len(fromB.Body)) != st.Size || len(parseRows(t, fromB.Body)) != int(started.Total) {
			t.Errorf("file on B: %d (%d bytes), on A: %d (%d bytes), size %d", fromB.Status, len(fromB.Body), fromA.Status, len(fromA.Body), st.Size)
		}
		// a job running on A, cancelled on B, stops on A and leaves nothing behind
		reached, release := blockAtFirstRow(a)
		r = a.Do(http.MethodPost, "/api/v1/export/projects", tok, nil)
		if r.Status != http.StatusAccepted {
			t.Fatalf("second export on A: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &started)
		arrive(t, reached)
		var running exportJobBody
		b.Do(http.MethodGet, "/api/v1/export/jobs/"+started.ID, tok, nil).JSON(t, &running)
		if running.Status != "running" {
			t.Errorf("running job on B: %+v", running)
		}
		if r := b.Do(http.MethodDelete, "/api/v1/export/jobs/"+started.ID, tok, nil); r.Status != http.StatusNoContent {
			t.Fatalf("cancel on B: %d %s", r.Status, r.Body)
		}
		close(release)
		a.Server.WaitExportJobs()
		a.Server.SetExportRowHook(nil) // once the job's goroutine is gone: it reads the hook
		if r := a.Do(http.MethodGet, "/api/v1/export/jobs/"+started.ID, tok, nil); r.Status != http.StatusNotFound {
			t.Errorf("the cancelled job on A: %d %s", r.Status, r.Body)
		}
		for _, f := range dirFiles(t, a.ExportDir) {
			if strings.Contains(f, started.ID) {
				t.Errorf("the cancelled job's file stays on A: %s", f)
			}
		}

		// 3. the throttle counts attempts on both: five wrong passwords alternating, then
		// even the right one is refused on either
		for i := range 5 {
			env := []*apitest.Env{a, b}[i%2]
			if r := login(t, env, "recruiter2", "wrong password"); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		for _, env := range []*apitest.Env{b, a} {
			if r := login(t, env, "recruiter2", apitest.DemoPassword); r.Status != http.StatusTooManyRequests {
				t.Errorf("after five failures across the replicas: %d %s", r.Status, r.Body)
			}
		}

		// 4. a map edit on A is on B's map at once, though B had the map cached
		chief := freshToken(t, a, "chief_food", apitest.DemoPassword)
		mapOn := func(env *apitest.Env) string {
			r := env.Do(http.MethodGet, "/api/v1/chains/food/map", chief, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("map: %d %s", r.Status, r.Body)
			}
			return string(r.Body)
		}
		mapOn(b)
		mapOn(b) // cached now
		if r := a.Do(http.MethodPost, "/api/v1/chains/food/nodes", chief, map[string]any{"name": "副本测试环节", "segment": "downstream"}); r.Status != http.StatusCreated {
			t.Fatalf("node on A: %d %s", r.Status, r.Body)
		}
		if !strings.Contains(mapOn(b), "副本测试环节") {
			t.Errorf("B serves a stale map after the edit on A")
		}

		// 5. a scheduled fire runs once, whichever replicas fire it together: each replica's
		// scheduler on its own connection pool, with the shipped schedules
		sched := map[string]string{"reminders": "0 * * * *", "digest": "30 8 * * 1", "outbox": "* * * * *"}
		a.Clock.Set(time.Date(2023, 1, 16, 0, 30, 0, 0, time.UTC)) // Monday 08:30 in Shanghai: every job is due
		var schedulers []*jobs.Service
		for i, env := range []*apitest.Env{a, b} {
			mailer, err := jobs.NewMailer(jobs.MailConfig{From: "chaincrm <noreply@laiyuan-edz.example.cn>", Dir: t.TempDir(), Clock: a.Clock})
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := time.LoadLocation("Asia/Shanghai")
			js, err := jobs.New(jobs.Config{Location: loc, Instance: fmt.Sprintf("replica-%c", 'A'+i), Schedules: sched,
				BaseURL: "http://chaincrm.test", MailFrom: "noreply@laiyuan-edz.example.cn", Clock: a.Clock,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, wire.JobStores(env.DB, mailer))
			if err != nil {
				t.Fatal(err)
			}
			schedulers = append(schedulers, js)
		}
		for _, job := range []string{"reminders", "digest", "outbox"} {
			var wg sync.WaitGroup
			won := make([]bool, 2)
			for i, js := range schedulers {
				wg.Add(1)
				go func() { defer wg.Done(); won[i] = js.Fire(job) }()
			}
			wg.Wait()
			var runs int64
			if err := a.DB.Gorm().Table("job_runs").Where("job = ? AND instance LIKE ?", job, "replica-%").Count(&runs).Error; err != nil {
				t.Fatal(err)
			}
			if won[0] == won[1] || runs != 1 {
				t.Errorf("job %s: A ran it %v, B %v; %d runs recorded", job, won[0], won[1], runs)
			}
		}
	})
}

func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, fmt.Sprint(e.Name()))
	}
	return out
}
