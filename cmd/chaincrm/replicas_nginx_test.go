package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// runMainEnv makes the test binary act as the chaincrm binary (TestMain): the replica test
// starts real `chaincrm serve` processes from the very code under test, without a second
// build — hashing the passwords it makes at bcrypt's minimum cost, as every other test
// does (a log-in under the race detector at the default cost takes seconds). CHAINCRM_BIN,
// when set, names a built binary to start instead.
const runMainEnv = "CHAINCRM_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		runMain(&Main{Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ(), PasswordCost: bcrypt.MinCost})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// nginxBin is Debian's nginx (nginx-light; .ci/run installs it).
const nginxBin = "/usr/sbin/nginx"

// TestReplicasBehindNginx (issue 19): two `chaincrm serve` processes on one fresh MariaDB
// database behind a real load balancer — Debian's nginx, round-robin, no sticky sessions,
// the next replica tried on a refused connection — behave as one. Through nginx: a log-in;
// an export started, polled and downloaded wherever the requests land; failed log-ins
// spread over both replicas throttled after the shared limit (not N ×); a chain edited on
// one replica read on the other at once; both schedulers firing the outbox every two
// seconds, each fire run once; and one replica stopped (SIGTERM) and started again while
// clients loop GETs through nginx, with no failed request. MariaDB only: replicas share a
// server database (SQLite is one process).
func TestReplicasBehindNginx(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	if _, err := os.Stat(nginxBin); err != nil {
		if ci {
			t.Fatalf("%s is missing: the replica test needs Debian's nginx (apt-get install nginx-light; .ci/run does it)", nginxBin)
		}
		t.Skipf("%s is missing: apt-get install nginx-light to run the replica test behind a real load balancer", nginxBin)
	}
	if os.Getenv("CHAINCRM_TEST_SKIP_MYSQL") == "1" {
		if ci {
			t.Fatal("CHAINCRM_TEST_SKIP_MYSQL=1 under CI: the replica test needs MariaDB")
		}
		t.Skip("CHAINCRM_TEST_SKIP_MYSQL=1: the replica test runs on MariaDB only")
	}
	began := time.Now()
	phase := func(what string) { t.Logf("%5.1f s  %s", time.Since(began).Seconds(), what) }
	dsn := dbtest.EmptyDSN(t, repository.DriverMySQL)
	tmp := t.TempDir()
	filesDir := filepath.Join(tmp, "files") // attachments: the shared volume
	ports := freePorts(t, 3)
	a := &replica{t: t, name: "A", port: ports[0], dsn: dsn, dir: filepath.Join(tmp, "a"), files: filesDir}
	b := &replica{t: t, name: "B", port: ports[1], dsn: dsn, dir: filepath.Join(tmp, "b"), files: filesDir}
	// Both start at once on the empty database: the start lock lets one migrate and load
	// the demo zone, the other waits and finds it done.
	var wg sync.WaitGroup
	for _, r := range []*replica{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); r.start() }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() { a.stop(); b.stop() })
	phase("both replicas ready (one migrated and loaded the demo zone)")
	lb := startNginx(t, tmp, ports[2], a, b)
	c := &lbClient{t: t, base: lb}

	// 1. a log-in through the balancer is a session on both replicas
	tok := c.login("director", "Demo@2023", http.StatusOK)
	for _, r := range []*replica{a, b} {
		if s := r.get(t, "/api/v1/me", tok); s != http.StatusOK {
			t.Fatalf("the log-in made through nginx on replica %s: %d", r.name, s)
		}
	}

	phase("log-in")

	// 2. an export: started, polled and downloaded through nginx, so on both replicas
	var started struct {
		ID    string `json:"id"`
		Total int    `json:"total"`
	}
	resp := c.do(http.MethodPost, "/api/v1/export/projects", tok, nil)
	if resp.status != http.StatusAccepted {
		t.Fatalf("export: %d %s", resp.status, resp.body)
	}
	json.Unmarshal(resp.body, &started)
	upstreams := map[string]bool{resp.upstream: true}
	var job struct {
		Status string `json:"status"`
		Rows   int    `json:"rows"`
		Size   int64  `json:"size"`
		Error  string `json:"error"`
	}
	for i := 0; job.Status != "done"; i++ {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		r := c.do(http.MethodGet, "/api/v1/export/jobs/"+started.ID, tok, nil)
		if r.status != http.StatusOK {
			t.Fatalf("export status: %d %s", r.status, r.body)
		}
		upstreams[r.upstream] = true
		json.Unmarshal(r.body, &job)
		if job.Status == "failed" || job.Status == "cancelled" || i == 600 {
			t.Fatalf("export job: %+v", job)
		}
	}
	for range 2 { // round-robin: the file from each replica in turn
		r := c.do(http.MethodGet, "/api/v1/export/jobs/"+started.ID+"/file", tok, nil)
		upstreams[r.upstream] = true
		if r.status != http.StatusOK || int64(len(r.body)) != job.Size || job.Rows != started.Total || job.Size == 0 {
			t.Errorf("export file from %s: %d, %d bytes (job: %+v, total %d)", r.upstream, r.status, len(r.body), job, started.Total)
		}
	}
	if len(upstreams) != 2 {
		t.Errorf("the export's requests all landed on %v", upstreams)
	}

	phase("export")

	// 3. failed log-ins spread over both replicas: refused after the shared limit (5 per
	// user and address in 15 minutes), not after 5 on each
	failed := map[string]int{}
	for i := 0; ; i++ {
		r := c.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "recruiter2", "password": "wrong password"})
		if r.status == http.StatusTooManyRequests {
			break
		}
		if r.status != http.StatusUnauthorized || i == 10 {
			t.Fatalf("failed log-in %d: %d %s", i+1, r.status, r.body)
		}
		failed[r.upstream]++
	}
	if n := failed[a.addr()] + failed[b.addr()]; n != 5 || failed[a.addr()] == 0 || failed[b.addr()] == 0 {
		t.Errorf("throttled after %d failures (%v); want 5 across both replicas", n, failed)
	}
	for range 2 { // the right password now refused on both
		c.login("recruiter2", "Demo@2023", http.StatusTooManyRequests)
	}

	phase("throttle")

	// 4. a chain edited on A: B's map (cached a moment ago) has the new node at once
	chief := c.login("chief_food", "Demo@2023", http.StatusOK)
	mapOf := func(r *replica) string {
		t.Helper()
		s, body := r.request(t, http.MethodGet, "/api/v1/chains/food/map", chief, nil)
		if s != http.StatusOK {
			t.Fatalf("map on %s: %d %s", r.name, s, body)
		}
		return string(body)
	}
	mapOf(b)
	mapOf(b)
	if s, body := a.request(t, http.MethodPost, "/api/v1/chains/food/nodes", chief, map[string]any{"name": "负载均衡测试环节", "segment": "downstream"}); s != http.StatusCreated {
		t.Fatalf("node on A: %d %s", s, body)
	}
	if !strings.Contains(mapOf(b), "负载均衡测试环节") {
		t.Errorf("B serves its cached map after the edit on A")
	}
	for range 2 {
		if r := c.do(http.MethodGet, "/api/v1/chains/food/map", chief, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), "负载均衡测试环节") {
			t.Errorf("the map through nginx from %s: %d, new node there: %v", r.upstream, r.status, strings.Contains(string(r.body), "负载均衡测试环节"))
		}
	}

	phase("map")

	// 5. B stopped (SIGTERM) and started again while four clients loop GETs through nginx:
	// B answers what it has, refuses new connections (nginx tries A), and no request fails
	var stopLoad atomic.Bool
	var total, failures atomic.Int64
	var servedB atomic.Int64 // requests B answered after its restart
	var restarted atomic.Bool
	var failMu sync.Mutex
	var failNotes []string
	paths := []string{"/api/v1/projects?page_size=5", "/api/v1/me", "/api/v1/chains/food/map", "/api/v1/stats/overview?year=2022"}
	var load sync.WaitGroup
	for i := range 4 {
		load.Add(1)
		go func() {
			defer load.Done()
			for j := 0; !stopLoad.Load(); j++ {
				r := c.try(http.MethodGet, paths[(i+j)%len(paths)], tok, nil)
				total.Add(1)
				if r.err != nil || r.status != http.StatusOK {
					failures.Add(1)
					failMu.Lock()
					failNotes = append(failNotes, fmt.Sprintf("%s: %d %v %.200s", paths[(i+j)%len(paths)], r.status, r.err, r.body))
					failMu.Unlock()
				} else if restarted.Load() && r.upstream == b.addr() {
					servedB.Add(1)
				}
			}
		}()
	}
	waitFor(t, "requests under load", func() bool { return total.Load() >= 20 })
	b.terminate() // SIGTERM; waits for the exit
	if !strings.Contains(b.log(), "HTTP drained") {
		t.Errorf("B did not drain its requests:\n%s", tail(b.log(), 20))
	}
	b.start()
	restarted.Store(true)
	waitFor(t, "nginx to send requests to the restarted B", func() bool { return servedB.Load() >= 10 })
	stopLoad.Store(true)
	load.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed while B restarted: %s", failures.Load(), total.Load(), strings.Join(failNotes[:min(len(failNotes), 10)], "\n"))
	}
	t.Logf("restart under load: %d requests through nginx, %d failed, %d answered by B after its restart", total.Load(), failures.Load(), servedB.Load())

	phase("restart under load")

	// 6. the outbox, due every two seconds on both schedulers (B's two lives), ran once per
	// fire: every fire both attempted was won by one, lost by the other, and job_runs holds
	// one row per fire run
	a.terminate()
	b.terminate()
	wonA, lostA := fires(a.log())
	wonB, lostB := fires(b.log())
	both := 0
	for at := range wonA {
		if wonB[at] {
			t.Errorf("fire %s ran on both replicas", at)
		}
		if lostB[at] {
			both++
		}
	}
	for at := range wonB {
		if lostA[at] {
			both++
		}
	}
	for at := range lostA {
		if !wonB[at] {
			t.Errorf("fire %s: A lost it, B did not run it", at)
		}
	}
	for at := range lostB {
		if !wonA[at] {
			t.Errorf("fire %s: B lost it, A did not run it", at)
		}
	}
	if both == 0 {
		t.Errorf("no fire was attempted by both replicas (A won %d, lost %d; B won %d, lost %d)", len(wonA), len(lostA), len(wonB), len(lostB))
	}
	db, err := repository.Open(repository.DriverMySQL, dsn, repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int64
	db.Gorm().Table("job_runs").Where("job = ?", "outbox").Count(&rows)
	if int(rows) != len(wonA)+len(wonB) {
		t.Errorf("job_runs holds %d outbox runs; the replicas ran %d + %d", rows, len(wonA), len(wonB))
	}
	phase("outbox fires counted")
	t.Logf("outbox fires: %d run (A %d, B %d), %d attempted by both", rows, len(wonA), len(wonB), both)
	for _, r := range []*replica{a, b} {
		if strings.Contains(r.log(), "job claim failed") || strings.Contains(r.log(), "DATA RACE") {
			t.Errorf("replica %s:\n%s", r.name, tail(r.log(), 40))
		}
	}
}

// fires reads a replica's log: the outbox fires it ran and those another replica took.
func fires(log string) (won, lost map[string]bool) {
	won, lost = map[string]bool{}, map[string]bool{}
	re := regexp.MustCompile(`msg="(job finished|job fire taken by another instance)" job=outbox fire_at=(\S+)`)
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		if m[1] == "job finished" {
			won[m[2]] = true
		} else {
			lost[m[2]] = true
		}
	}
	return won, lost
}

// replica is one `chaincrm serve` process.
type replica struct {
	t               *testing.T
	name            string
	port            int
	dsn, dir, files string
	mu              sync.Mutex
	cmd             *exec.Cmd
	out             *syncBuffer
	exited          chan error
	previous        string // the logs of earlier lives
}

func (r *replica) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

func (r *replica) start() {
	t := r.t
	bin, env := os.Getenv("CHAINCRM_BIN"), []string{}
	if bin == "" {
		bin, env = os.Args[0], []string{runMainEnv + "=1"}
	}
	cmd := exec.Command(bin, "serve")
	cmd.Dir = r.dir
	os.MkdirAll(r.dir, 0o755)
	cmd.Env = append(os.Environ(), append(env,
		"CHAINCRM_DB_DRIVER=mysql", "CHAINCRM_DB_DSN="+r.dsn,
		"CHAINCRM_HTTP_ADDR="+r.addr(), "CHAINCRM_HTTP_BASE_URL=http://chaincrm.test",
		"CHAINCRM_HTTP_TRUSTED_PROXIES=127.0.0.1",
		"CHAINCRM_DATA_DIR="+r.dir, "CHAINCRM_FILES_DIR="+r.files,
		"CHAINCRM_DEMO_SEED_ON_START=true", "CHAINCRM_LOG_LEVEL=debug",
		// the outbox every two seconds on both schedulers; the other jobs by hand only
		"CHAINCRM_JOBS_ENABLED=true", "CHAINCRM_JOBS_OUTBOX=*/2 * * * * *", "CHAINCRM_JOBS_REMINDERS=",
		"CHAINCRM_JOBS_DIGEST=", "CHAINCRM_JOBS_ROBOT_SUMMARY=", "CHAINCRM_JOBS_IDEMPOTENCY=")...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start replica %s: %v", r.name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	r.mu.Lock()
	r.cmd, r.out, r.exited = cmd, out, exited
	r.mu.Unlock()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if s := r.get(t, "/readyz", ""); s == http.StatusOK {
			return
		}
		select {
		case err := <-exited:
			exited <- err
			t.Errorf("replica %s exited: %v\n%s", r.name, err, tail(out.String(), 30))
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Errorf("replica %s did not become ready:\n%s", r.name, tail(out.String(), 30))
			return
		}
	}
}

// terminate sends SIGTERM and waits for a clean exit.
func (r *replica) terminate() {
	r.mu.Lock()
	cmd, exited, out := r.cmd, r.exited, r.out
	r.cmd = nil
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			r.t.Errorf("replica %s exited with %v:\n%s", r.name, err, tail(out.String(), 30))
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		r.t.Errorf("replica %s did not stop within 60 s of SIGTERM", r.name)
	}
	r.mu.Lock()
	r.previous += out.String()
	r.out = nil
	r.mu.Unlock()
}

func (r *replica) stop() {
	r.mu.Lock()
	cmd, exited := r.cmd, r.exited
	r.cmd = nil
	r.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		<-exited
	}
}

// log is everything the replica printed in all its lives.
func (r *replica) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.previous
	if r.out != nil {
		s += r.out.String()
	}
	return s
}

func (r *replica) get(t *testing.T, path, token string) int {
	s, _ := r.request(t, http.MethodGet, path, token, nil)
	return s
}

// request calls the replica directly (not through nginx); 0 when it does not answer.
func (r *replica) request(t *testing.T, method, path, token string, body any) (int, []byte) {
	res := doRequest("http://"+r.addr(), method, path, token, body)
	return res.status, res.body
}

// startNginx runs Debian's nginx in front of the replicas: round-robin, a refused
// connection, a timeout, a 502 or a 503 tried on the next replica (for the idempotent
// methods, nginx's default), the answering replica in X-Upstream.
func startNginx(t *testing.T, tmp string, port int, replicas ...*replica) string {
	dir := filepath.Join(tmp, "nginx")
	for _, d := range []string{"logs", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var servers strings.Builder
	for _, r := range replicas {
		fmt.Fprintf(&servers, "    server %s max_fails=1 fail_timeout=2s;\n", r.addr())
	}
	user := ""
	if os.Geteuid() == 0 { // workers as root: they write under the test's private temp dir
		user = "user root;\n"
	}
	conf := fmt.Sprintf(`%sworker_processes 1;
events { worker_connections 512; }
http {
  access_log %[2]s/logs/access.log;
  client_body_temp_path %[2]s/client_body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  upstream chaincrm {
%[3]s  }
  server {
    listen 127.0.0.1:%[4]d;
    client_max_body_size 25m;
    location / {
      proxy_pass http://chaincrm;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`, user, dir, servers.String(), port)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginxBin, "-p", dir, "-c", "nginx.conf", "-e", "stderr",
		"-g", fmt.Sprintf("daemon off; pid %s/nginx.pid; error_log stderr;", dir))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("nginx:\n%s", tail(out.String(), 30))
			if b, err := os.ReadFile(filepath.Join(dir, "logs", "access.log")); err == nil {
				t.Logf("nginx access log (end):\n%s", tail(string(b), 30))
			}
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for i := 0; ; i++ {
		if r := doRequest(base, http.MethodGet, "/readyz", "", nil); r.status == http.StatusOK {
			return base
		}
		select {
		case err := <-exited:
			t.Fatalf("nginx exited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if i == 300 {
			t.Fatalf("nginx did not answer:\n%s", out.String())
		}
	}
}

// lbClient calls through the balancer.
type lbClient struct {
	t    *testing.T
	base string
}

type result struct {
	status   int
	body     []byte
	upstream string // the replica that answered (nginx's $upstream_addr)
	err      error
}

var httpClient = &http.Client{Timeout: 60 * time.Second}

func doRequest(base, method, path, token string, body any) result {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return result{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return result{status: res.StatusCode, body: b, upstream: res.Header.Get("X-Upstream"), err: err}
}

func (c *lbClient) try(method, path, token string, body any) result {
	return doRequest(c.base, method, path, token, body)
}

func (c *lbClient) do(method, path, token string, body any) result {
	c.t.Helper()
	r := c.try(method, path, token, body)
	if r.err != nil {
		c.t.Fatalf("%s %s through nginx: %v", method, path, r.err)
	}
	return r
}

// login logs in through nginx, expecting status, and returns the token.
func (c *lbClient) login(username, password string, status int) string {
	c.t.Helper()
	r := c.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	if r.status != status {
		c.t.Fatalf("log-in %s through nginx (%s): %d %s", username, r.upstream, r.status, r.body)
	}
	var body struct{ Token string }
	json.Unmarshal(r.body, &body)
	return body.Token
}

// waitFor waits (up to a minute) until cond holds: progress, never a time measured.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i == 1200 {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePorts(t *testing.T, n int) []int {
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

func tail(s string, lines int) string {
	var all []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// syncBuffer is a bytes.Buffer safe for a process's output and the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
