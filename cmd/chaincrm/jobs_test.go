package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func jobsTestMain(t *testing.T, dir string, extra ...string) (*Main, *bytes.Buffer) {
	out := &bytes.Buffer{}
	env := append([]string{"CHAINCRM_DB_DSN=" + filepath.Join(dir, "c.db"), "CHAINCRM_DATA_DIR=" + dir,
		"CHAINCRM_HTTP_ADDR=127.0.0.1:0", "CHAINCRM_HTTP_BASE_URL=http://crm.test"}, extra...)
	return &Main{Stdout: out, Stderr: &bytes.Buffer{}, Environ: env}, out
}

// run runs one command on a fresh Main and closes it.
func runJobsCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	m, out := jobsTestMain(t, dir)
	err := m.Run(context.Background(), args)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), err
}

func TestJobsRunCommand(t *testing.T) {
	dir := t.TempDir()
	// the demo's present laid as of the day the jobs run (issue 16)
	if _, err := runJobsCmd(t, dir, "seed", "--demo", "--at", "2023-01-16T08:00:00+08:00"); err != nil {
		t.Fatal(err)
	}
	out, err := runJobsCmd(t, dir, "jobs", "run", "reminders", "--at", "2023-01-16T09:00:00+08:00")
	if err != nil || !strings.HasPrefix(out, "reminders ok (as of 2023-01-16T09:00:00+08:00)") || !strings.Contains(out, "raised") {
		t.Fatalf("reminders: %v %q", err, out)
	}
	// Flags before the command work too.
	out, err = runJobsCmd(t, dir, "--at", "2023-01-16T08:30:00+08:00", "jobs", "run", "digest")
	if err != nil || !strings.Contains(out, "queued 6,") {
		t.Fatalf("digest: %v %q", err, out)
	}
	// six digests and the director's email about the demo's escalated service request (raised
	// when the seed replayed the present's reminders)
	if out, err = runJobsCmd(t, dir, "jobs", "run", "outbox"); err != nil || !strings.Contains(out, "sent 7,") {
		t.Fatalf("outbox: %v %q", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mail", "digest-*.eml"))
	if len(files) != 6 {
		t.Errorf("%d digest .eml files under data_dir/mail", len(files))
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "Message-ID: <digest-2023-w03-laiyuan-u") {
		t.Errorf("eml:\n%.400s", b)
	}
	for _, bad := range [][]string{
		{"jobs", "run", "nope"},
		{"jobs", "run", "reminders", "--at", "monday"},
		{"jobs", "reminders"},
		{"jobs"},
	} {
		if _, err := runJobsCmd(t, dir, bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// serve starts the scheduler when jobs.enabled and stops it on shutdown, after HTTP.
func TestServeStartsAndStopsTheScheduler(t *testing.T) {
	dir := t.TempDir()
	m, _ := jobsTestMain(t, dir, "CHAINCRM_JOBS_OUTBOX=@every 1s", "CHAINCRM_DEMO_SEED_ON_START=true")
	ready := make(chan string, 1)
	m.Ready = ready
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	if m.Jobs == nil {
		t.Fatal("the scheduler was not started")
	}
	login, _ := json.Marshal(map[string]string{"username": "admin", "password": "Demo@2023"})
	r, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	json.NewDecoder(r.Body).Decode(&tok)
	r.Body.Close()
	var jobs struct {
		Items []struct {
			Name     string `json:"name"`
			Enabled  bool   `json:"enabled"`
			Schedule string `json:"schedule"`
			LastRun  *struct {
				Status string `json:"status"`
			} `json:"last_run"`
		} `json:"items"`
	}
	// the outbox fires every second; on a loaded machine a run may be under way (a freshly
	// loaded demo has the escalated service request's email to write): wait for one to end ok
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/jobs", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(res.Body).Decode(&jobs)
		res.Body.Close()
		if len(jobs.Items) == 5 && jobs.Items[2].LastRun != nil && jobs.Items[2].LastRun.Status == "ok" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(jobs.Items) != 5 || !jobs.Items[0].Enabled || jobs.Items[1].Schedule != "30 8 * * 1" || jobs.Items[3].Schedule != "17 * * * *" || jobs.Items[4].Schedule != "30 8 * * 1-5" {
		t.Fatalf("jobs: %+v", jobs.Items)
	}
	if lr := jobs.Items[2].LastRun; lr == nil || lr.Status != "ok" {
		t.Errorf("the outbox never fired on its own: %+v", lr)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if m.Jobs != nil {
		t.Error("serve returned with the scheduler still running")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
