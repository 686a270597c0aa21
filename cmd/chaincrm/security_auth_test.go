package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServe runs `chaincrm serve` on the database in dir until the test's stop call, and
// returns its address and what it printed.
func startServe(t *testing.T, dir string, env ...string) (addr, printed string, stop func()) {
	t.Helper()
	m, out := jobsTestMain(t, dir, append([]string{"CHAINCRM_JOBS_ENABLED=false"}, env...)...)
	ready := make(chan string, 1)
	m.Ready = ready
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	return addr, out.String(), func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
		m.Close()
	}
}

func loginStatus(t *testing.T, addr, username, password string) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	r, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	return r.StatusCode, body
}

// Finding 9: every start printed the demo administrator's password, and a production
// install came up with the demo's known password unless one remembered to turn the demo
// off. Now a bare serve on an empty database creates the zone's administrator with a
// generated password, printed once, to be changed at the first log-in; the demo zone (and
// its log-ins) only when asked for, printed only when just loaded.
func TestSecurityAuthFirstStart(t *testing.T) {
	generated := regexp.MustCompile(`初始密码 first password: (\S{16})\n`)
	t.Run("production", func(t *testing.T) {
		dir := t.TempDir()
		addr, out, stop := startServe(t, dir)
		m := generated.FindStringSubmatch(out)
		if m == nil || strings.Contains(out, "演示账号") || strings.Contains(out, "Demo@2023") {
			t.Fatalf("first start printed:\n%s", out)
		}
		if s, _ := loginStatus(t, addr, "admin", "Demo@2023"); s != http.StatusUnauthorized {
			t.Errorf("the demo password: %d", s)
		}
		s, body := loginStatus(t, addr, "admin", m[1])
		if user, _ := body["user"].(map[string]any); s != http.StatusOK || user["must_change_password"] != true {
			t.Errorf("the generated password: %d %v", s, body)
		}
		stop()
		_, out, stop = startServe(t, dir)
		stop()
		if generated.MatchString(out) || strings.Contains(out, "演示账号") || strings.Contains(out, "首次启动") {
			t.Errorf("second start printed:\n%s", out)
		}
	})
	t.Run("admin password from the environment", func(t *testing.T) {
		const pw = "Quarry-heron-lantern-88"
		addr, out, stop := startServe(t, t.TempDir(), "CHAINCRM_ADMIN_PASSWORD="+pw, "CHAINCRM_ZONE_CODE=xushui", "CHAINCRM_ZONE_NAME=徐水经济开发区")
		defer stop()
		if strings.Contains(out, pw) || !strings.Contains(out, "CHAINCRM_ADMIN_PASSWORD") || !strings.Contains(out, "徐水经济开发区") {
			t.Errorf("printed:\n%s", out)
		}
		if s, _ := loginStatus(t, addr, "admin", pw); s != http.StatusOK {
			t.Errorf("log-in with CHAINCRM_ADMIN_PASSWORD: %d", s)
		}
	})
	t.Run("a weak admin password is refused", func(t *testing.T) {
		m, _ := jobsTestMain(t, t.TempDir(), "CHAINCRM_ADMIN_PASSWORD=Admin@123", "CHAINCRM_JOBS_ENABLED=false")
		err := m.Run(context.Background(), []string{"serve"})
		m.Close()
		if err == nil || !strings.Contains(err.Error(), "CHAINCRM_ADMIN_PASSWORD") {
			t.Errorf("serve with a weak admin password: %v", err)
		}
	})
	t.Run("make run: the demo", func(t *testing.T) {
		dir := t.TempDir()
		addr, out, stop := startServe(t, dir, "CHAINCRM_DEMO_SEED_ON_START=true")
		if !strings.Contains(out, "演示账号 demo log-ins (密码 password: Demo@2023)") || !strings.Contains(out, "recruiter1") || generated.MatchString(out) {
			t.Errorf("first demo start printed:\n%s", out)
		}
		if s, _ := loginStatus(t, addr, "admin", "Demo@2023"); s != http.StatusOK {
			t.Errorf("demo admin: %d", s)
		}
		stop()
		_, out, stop = startServe(t, dir, "CHAINCRM_DEMO_SEED_ON_START=true")
		stop()
		if strings.Contains(out, "演示账号") || strings.Contains(out, "Demo@2023") {
			t.Errorf("second demo start printed the log-ins again:\n%s", out)
		}
	})
}
