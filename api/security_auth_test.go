package api_test

// The security regression suite of issue 12, log-in, sessions and the browser: each test
// reproduces one finding against the server as it was and proves the defence
// (docs/security.md, "Log-in, sessions and the browser (issue 12)").

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// sendFrom sends a request to h as if from the address ip (the test server's clients are
// all 127.0.0.1); body is JSON unless it is a string (sent as it is).
func sendFrom(t testing.TB, h http.Handler, ip, method, path string, body any, header map[string]string) *apitest.Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = ip + ":40123"
	if _, isString := body.(string); body != nil && !isString {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func loginFrom(t testing.TB, h http.Handler, ip, username, password string) *apitest.Response {
	t.Helper()
	return sendFrom(t, h, ip, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password}, nil)
}

func auditRows(t testing.TB, e *apitest.Env) int64 {
	t.Helper()
	var n int64
	if err := e.DB.Gorm().Table("audit_log").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Finding 1: 3,000 refused log-ins with a 190-character name wrote 3,000 audit rows (5 MB
// in 3 s, with no bound). Refused attempts are aggregated: the first refusal of a key in
// its window is one row, the window's total one more row when the window is over.
func TestSecurityAuthLoginFloodAddsFewAuditRows(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		const n, workers = 3000, 8
		name := strings.Repeat("n", 190)
		before := auditRows(t, e)
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range next {
					r := loginFrom(t, e.Server, "198.51.100.7", name, "wrong-password")
					if r.Status == http.StatusTooManyRequests && (r.Header.Get("Retry-After") == "" || r.ErrorCode() != "throttled") {
						t.Errorf("429 without Retry-After or code: %v %s", r.Header, r.Body)
					}
					mu.Lock()
					statuses[r.Status]++
					mu.Unlock()
				}
			}()
		}
		for i := 0; i < n; i++ {
			next <- struct{}{}
		}
		close(next)
		wg.Wait()
		// concurrent attempts cannot pass the limit together: at most 5 passwords checked
		if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != n {
			t.Fatalf("statuses: %v", statuses)
		}
		added := auditRows(t, e) - before
		if added > 6 { // the failures (≤ 5) and one row for the refusals
			t.Errorf("%d refused log-ins added %d audit rows", n, added)
		}
		// when the window is over, the next attempt anywhere writes the refusals' total
		e.Clock.Add(16 * time.Minute)
		if r := loginFrom(t, e.Server, "192.0.2.1", "viewer", apitest.DemoPassword); r.Status != http.StatusOK {
			t.Fatalf("log-in after the window: %d %s", r.Status, r.Body)
		}
		var audit struct {
			Items []struct{ Actor, Detail, IP string }
		}
		e.As("admin", http.MethodGet, "/api/v1/audit?action=login_throttled_total", nil).JSON(t, &audit)
		refused := statuses[http.StatusTooManyRequests]
		if len(audit.Items) != 1 || !strings.Contains(audit.Items[0].Detail, `"refused":`+strconv.Itoa(refused)) ||
			!strings.HasPrefix(name, audit.Items[0].Actor) {
			t.Errorf("total of the window (want refused %d): %+v", refused, audit.Items)
		}
		var logins int64
		e.DB.Gorm().Table("audit_log").Where("action = ?", "login").Count(&logins)
		if added := auditRows(t, e) - before - logins; added > 7 {
			t.Errorf("after the window: %d audit rows besides log-ins", added)
		}
	})
}

// Finding 8: five wrong passwords from any address locked a name for everyone, the
// administrator included, indefinitely. Now a pair (name, address) locks only itself, an
// address spraying names only itself, many addresses slow a name down everywhere but at
// the places its owner logs in from; the counters are in the database (shared by replicas,
// kept across restarts); an administrator can unlock a user.
func TestSecurityAuthNoOneLocksOutAnyone(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		const home, attacker, spray, elsewhere = "192.0.2.10", "203.0.113.66", "198.51.100.9", "100.64.0.1"
		h := e.Server
		expect := func(r *apitest.Response, status int, what string) {
			t.Helper()
			if r.Status != status {
				t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, status)
			}
			if status == http.StatusTooManyRequests {
				if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 900 || r.ErrorCode() != "throttled" {
					t.Fatalf("%s: Retry-After %q, %s", what, r.Header.Get("Retry-After"), r.Body)
				}
			}
		}
		expect(loginFrom(t, h, home, "recruiter1", apitest.DemoPassword), 200, "recruiter1 at home")
		for i := 0; i < 5; i++ {
			expect(loginFrom(t, h, attacker, "recruiter1", "wrong-password"), 401, "a wrong password")
		}
		expect(loginFrom(t, h, attacker, "recruiter1", apitest.DemoPassword), 429, "the attacker's pair")
		expect(loginFrom(t, h, home, "recruiter1", apitest.DemoPassword), 200, "the owner at home, while the attacker is locked")
		expect(loginFrom(t, h, attacker, "viewer", apitest.DemoPassword), 200, "another name from the attacker's address")
		// the counters are in the database: another replica (or this one restarted) agrees
		expect(loginFrom(t, e.Replica(), attacker, "recruiter1", apitest.DemoPassword), 429, "the pair on a second replica")

		// guessing from many addresses slows the name down at unknown places only
		for i := 0; i < 9; i++ { // 5 + 45 failures: the name's limit, 50
			for j := 0; j < 5; j++ {
				expect(loginFrom(t, h, fmt.Sprintf("203.0.113.%d", 100+i), "recruiter1", "wrong-password"), 401, "a distributed guess")
			}
		}
		expect(loginFrom(t, h, elsewhere, "recruiter1", apitest.DemoPassword), 429, "recruiter1 at a new place after 50 failures")
		expect(loginFrom(t, h, home, "recruiter1", apitest.DemoPassword), 200, "recruiter1 at home after 50 failures")
		expect(loginFrom(t, h, "192.0.2.77", "recruiter1", apitest.DemoPassword), 200, "recruiter1 in the same /24 as home")

		// spraying names from one address locks that address only
		for i := 0; i < 20; i++ {
			expect(loginFrom(t, h, spray, fmt.Sprintf("guess%d", i), "x-wrong-x"), 401, "a sprayed name")
		}
		expect(loginFrom(t, h, spray, "viewer", apitest.DemoPassword), 429, "any name from the spraying address")
		expect(loginFrom(t, h, elsewhere, "viewer", apitest.DemoPassword), 200, "viewer elsewhere")
		// IPv6: an address counts by its /64, so fresh addresses of one network do not escape
		for i := 0; i < 20; i++ {
			expect(loginFrom(t, h, fmt.Sprintf("[2001:db8:1:2::%x]", i+1), fmt.Sprintf("v6guess%d", i), "x-wrong-x"), 401, "a sprayed name over IPv6")
		}
		expect(loginFrom(t, h, "[2001:db8:1:2::ffff]", "viewer", apitest.DemoPassword), 429, "another address of the same /64")

		// the owner locks themselves out at home; the administrator unlocks them
		for i := 0; i < 5; i++ {
			expect(loginFrom(t, h, home, "recruiter1", "forgot-it"), 401, "the owner's typo")
		}
		expect(loginFrom(t, h, home, "recruiter1", apitest.DemoPassword), 429, "the owner locked at home")
		id := userID(t, e, "recruiter1")
		var users struct {
			Items []struct {
				Username    string
				LoginLocked bool `json:"login_locked"`
			}
		}
		e.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &users)
		for _, u := range users.Items {
			if u.LoginLocked != (u.Username == "recruiter1") {
				t.Errorf("login_locked of %s: %v", u.Username, u.LoginLocked)
			}
		}
		if r := e.As("director", http.MethodPost, "/api/v1/users/"+id+"/unlock", nil); r.Status != http.StatusForbidden {
			t.Errorf("the director unlocks: %d", r.Status)
		}
		if r := e.As("admin", http.MethodPost, "/api/v1/users/"+id+"/unlock", nil); r.Status != http.StatusNoContent {
			t.Fatalf("unlock: %d %s", r.Status, r.Body)
		}
		expect(loginFrom(t, h, home, "recruiter1", apitest.DemoPassword), 200, "the owner at home after the unlock")
		expect(loginFrom(t, h, elsewhere, "recruiter1", apitest.DemoPassword), 200, "the owner at a new place after the unlock")
		var audit struct {
			Items []struct{ Actor, Object, Detail string }
		}
		e.As("admin", http.MethodGet, "/api/v1/audit?action=user_unlocked", nil).JSON(t, &audit)
		if len(audit.Items) != 1 || audit.Items[0].Actor != "admin" || audit.Items[0].Object != "user:"+id {
			t.Errorf("unlock audit: %+v", audit.Items)
		}
	})
}

// Finding 7: a cross-site form could log a visitor in (text/plain, Origin evil.example →
// 200 with the cookies). JSON endpoints read only application/json (415 otherwise), and
// the log-in and every cookie-authenticated write check Origin / Sec-Fetch-Site.
func TestSecurityAuthCrossSiteLogin(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		body := `{"username":"recruiter1","password":"` + apitest.DemoPassword + `"}`
		h := e.Server
		const ip = "127.0.0.1"
		noCookies := func(r *apitest.Response, what string) {
			t.Helper()
			if len(r.Header.Values("Set-Cookie")) > 0 {
				t.Errorf("%s set cookies: %v", what, r.Header.Values("Set-Cookie"))
			}
		}
		for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
			r := sendFrom(t, h, ip, http.MethodPost, "/api/v1/auth/login", body, map[string]string{"Content-Type": ct, "Origin": "http://evil.example"})
			if r.Status != http.StatusUnsupportedMediaType || r.ErrorCode() != "unsupported_media_type" {
				t.Errorf("log-in as %q: %d %s", ct, r.Status, r.Body)
			}
			noCookies(r, "log-in as "+ct)
		}
		jsonType := map[string]string{"Content-Type": "application/json"}
		with := func(k, v string) map[string]string {
			return map[string]string{"Content-Type": "application/json", k: v}
		}
		for what, hdr := range map[string]map[string]string{
			"Origin evil.example":     with("Origin", "http://evil.example"),
			"Origin null":             with("Origin", "null"),
			"a look-alike origin":     with("Origin", "http://example.com.evil.example"),
			"Sec-Fetch-Site cross":    with("Sec-Fetch-Site", "cross-site"),
			"Sec-Fetch-Site sameSite": with("Sec-Fetch-Site", "same-site"),
		} {
			r := sendFrom(t, h, ip, http.MethodPost, "/api/v1/auth/login", body, hdr)
			if r.Status != http.StatusForbidden {
				t.Errorf("log-in with %s: %d %s", what, r.Status, r.Body)
			}
			noCookies(r, what)
		}
		// the server's own origin, and API clients that send no Origin
		if r := sendFrom(t, h, ip, http.MethodPost, "/api/v1/auth/login", body, with("Origin", "http://example.com")); r.Status != http.StatusOK {
			t.Errorf("same-origin log-in: %d %s", r.Status, r.Body)
		}
		if r := sendFrom(t, h, ip, http.MethodPost, "/api/v1/auth/login", body, jsonType); r.Status != http.StatusOK {
			t.Errorf("API client log-in: %d %s", r.Status, r.Body)
		}

		// every JSON endpoint reads only JSON: 415 before anything else
		tok := e.Token("admin")
		for _, rule := range e.Server.RouteRules() {
			if rule.Method == http.MethodGet || rule.Upload {
				continue
			}
			path := rule.Path
			for _, p := range []string{":id", ":code", ":name", ":aid", ":enterprise_id", ":project_id", ":to_id", ":month", ":period"} {
				path = strings.ReplaceAll(path, p, "1")
			}
			for _, wrong := range []string{"text/plain", "multipart/form-data; boundary=x"} {
				r := sendFrom(t, h, ip, rule.Method, path, `{"x":1}`, map[string]string{"Content-Type": wrong, "Authorization": "Bearer " + tok})
				if r.Status != http.StatusUnsupportedMediaType {
					t.Errorf("%s %s with %s: %d %s", rule.Method, rule.Path, wrong, r.Status, r.Body)
				}
			}
		}
		// without a body, a POST that only acts needs no content type
		if r := sendFrom(t, h, ip, http.MethodPost, "/api/v1/auth/logout", nil, map[string]string{"Authorization": "Bearer " + freshToken(t, e, "viewer", apitest.DemoPassword)}); r.Status != http.StatusNoContent {
			t.Errorf("bodiless logout: %d %s", r.Status, r.Body)
		}

		// a cookie-authenticated write from another site is refused even with the CSRF token
		lr := login(t, e, "recruiter1", apitest.DemoPassword)
		session, csrf := cookie(lr, "chaincrm_session"), cookie(lr, "chaincrm_csrf")
		send := func(hdr map[string]string) int {
			hdr["X-CSRF-Token"] = csrf.Value
			return sendWith(t, e, http.MethodPost, "/api/v1/projects", newProject("跨站请求的项目"), hdr, session, csrf).Status
		}
		if s := send(map[string]string{"Origin": "http://evil.example"}); s != http.StatusForbidden {
			t.Errorf("cookie write from evil.example: %d", s)
		}
		if s := send(map[string]string{"Sec-Fetch-Site": "cross-site"}); s != http.StatusForbidden {
			t.Errorf("cookie write, Sec-Fetch-Site cross-site: %d", s)
		}
		if s := send(map[string]string{"Origin": e.HTTP.URL, "Sec-Fetch-Site": "same-origin"}); s != http.StatusCreated {
			t.Errorf("cookie write from the app itself: %d", s)
		}
		// bearer clients are not browsers: no Origin rule for them
		r := sendWith(t, e, http.MethodPost, "/api/v1/projects", newProject("令牌跨站项目"), map[string]string{"Origin": "http://evil.example",
			"Authorization": "Bearer " + e.Token("recruiter1")})
		if r.Status != http.StatusCreated {
			t.Errorf("bearer write with an Origin: %d %s", r.Status, r.Body)
		}
	})
}

// allowed origins from the configuration (a proxy that rewrites Host, a second host name)
func TestSecurityAuthAllowedOrigins(t *testing.T) {
	e := apitest.New(t, "sqlite", func(o *api.Options) { o.AllowedOrigins = []string{"https://crm.laiyuan.example.cn/"} })
	body := `{"username":"viewer","password":"` + apitest.DemoPassword + `"}`
	for origin, want := range map[string]int{
		"https://crm.laiyuan.example.cn":      200,
		"https://CRM.laiyuan.example.cn:443":  200,
		"http://crm.laiyuan.example.cn":       403, // another scheme is another origin
		"https://crm.laiyuan.example.cn.evil": 403,
	} {
		r := sendFrom(t, e.Server, "127.0.0.1", http.MethodPost, "/api/v1/auth/login", body,
			map[string]string{"Content-Type": "application/json", "Origin": origin})
		if r.Status != want {
			t.Errorf("%s: %d, want %d", origin, r.Status, want)
		}
	}
}

// Finding 9 (headers): no Content-Security-Policy (HTML report and SVG included), no HSTS
// option, JSON without Cache-Control: no-store, /metrics public.
func TestSecurityAuthHeaders(t *testing.T) {
	e := apitest.New(t, "sqlite")
	get := func(h http.Handler, ip, path, token string) *apitest.Response {
		hdr := map[string]string{}
		if token != "" {
			hdr["Authorization"] = "Bearer " + token
		}
		return sendFrom(t, h, ip, http.MethodGet, path, nil, hdr)
	}
	app := get(e.Server, "127.0.0.1", "/projects", "")
	csp := app.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "object-src 'none'") {
		t.Errorf("web app CSP: %q", csp)
	}
	if app.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent by default (make run is plain http)")
	}
	tok := e.Token("director")
	for _, path := range []string{"/api/v1/reports/annual?year=2022&format=html", "/api/v1/chains/food/map.svg", "/api/v1/me"} {
		r := get(e.Server, "127.0.0.1", path, tok)
		csp := r.Header.Get("Content-Security-Policy")
		if r.Status != http.StatusOK || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
			t.Errorf("%s: %d, CSP %q", path, r.Status, csp)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, r.Header.Get("Cache-Control"))
		}
	}
	// /metrics: loopback only by default
	if r := get(e.Server, "127.0.0.1", "/metrics", ""); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "chaincrm_http_requests_total") {
		t.Errorf("/metrics from loopback: %d", r.Status)
	}
	if r := get(e.Server, "203.0.113.5", "/metrics", ""); r.Status != http.StatusForbidden || strings.Contains(string(r.Body), "chaincrm_http") {
		t.Errorf("/metrics from outside: %d", r.Status)
	}
	// configured: HSTS, a scraper's token, an allow-list replacing loopback
	c := apitest.New(t, "sqlite", func(o *api.Options) {
		o.HSTSMaxAge = 31536000
		o.MetricsToken = "scrape-me-2f9c"
		o.MetricsAllow = []string{"10.0.0.0/8"}
	})
	if h := get(c.Server, "127.0.0.1", "/login", "").Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("HSTS: %q", h)
	}
	for _, cell := range []struct {
		ip, token string
		want      int
	}{{"203.0.113.5", "scrape-me-2f9c", 200}, {"203.0.113.5", "wrong", 403}, {"10.1.2.3", "", 200}, {"127.0.0.1", "", 403}} {
		if r := get(c.Server, cell.ip, "/metrics", cell.token); r.Status != cell.want {
			t.Errorf("/metrics from %s with %q: %d, want %d", cell.ip, cell.token, r.Status, cell.want)
		}
	}
}

// Finding 9 (passwords): abcdefgh, Password1!, Demo@2023, laiyuan123, the user name
// reversed, seven spaces and an x were accepted. Each is refused with a Chinese message on
// create, reset and change; the demo users keep the published demo password (the seed).
func TestSecurityAuthPasswordPolicy(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		refused := []string{"abcdefgh", "Password1!", "Demo@2023", "laiyuan123", "iew.gnahz", "       x", "woaini1314", "qwe123",
			"Aa123456", "Laiyuan2023!", "zhang.wei2023", "Chaincrm@2024", "涞源经开区123", "1qaz2wsx3edc", "Qwerty12345", "zhangwei1990"}
		fieldMsg := func(r *apitest.Response, field string) string {
			var b struct {
				Error struct{ Fields map[string]string }
			}
			r.JSON(t, &b)
			return b.Error.Fields[field]
		}
		chinese := func(s string) bool {
			return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
		}
		for _, p := range refused {
			r := e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "zhang.wei", "display_name": "张伟",
				"email": "zhang.wei@laiyuan.example.cn", "password": p, "roles": []string{"viewer"}})
			if msg := fieldMsg(r, "password"); r.Status != http.StatusBadRequest || !chinese(msg) {
				t.Errorf("create with %q: %d %s", p, r.Status, r.Body)
			}
		}
		id := userID(t, e, "recruiter2")
		for _, p := range []string{"laiyuan123", "2retiurcer", "Demo@2023"} {
			r := e.As("admin", http.MethodPost, "/api/v1/users/"+id+"/password", map[string]any{"password": p})
			if r.Status == http.StatusNoContent {
				t.Errorf("reset to %q accepted", p)
				continue
			}
			if msg := fieldMsg(r, "password"); r.Status != http.StatusBadRequest || !chinese(msg) {
				t.Errorf("reset to %q: %d %s", p, r.Status, r.Body)
			}
		}
		tok := freshToken(t, e, "viewer", apitest.DemoPassword)
		for _, p := range []string{"Password1!", "reweiv-reweiv", "abcdefgh"} {
			r := e.Do(http.MethodPost, "/api/v1/me/password", tok, map[string]string{"current": apitest.DemoPassword, "new": p})
			if msg := fieldMsg(r, "new"); r.Status != http.StatusBadRequest || !chinese(msg) {
				t.Errorf("change to %q: %d %s", p, r.Status, r.Body)
			}
		}
		// a refused new password is no failed attempt: the throttle is not touched
		if r := login(t, e, "viewer", apitest.DemoPassword); r.Status != http.StatusOK {
			t.Errorf("after refused changes: %d", r.Status)
		}
		// a long passphrase without symbols is fine; so is a strong short one
		for i, p := range []string{"黄河远上白云间一片孤城", "cloud ferry lantern orchard", "x7Gq#p2Lr9vK"} {
			r := e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": fmt.Sprintf("ok.user%d", i), "display_name": "测试",
				"email": fmt.Sprintf("ok%d@laiyuan.example.cn", i), "password": p, "roles": []string{"viewer"}})
			if r.Status != http.StatusCreated {
				t.Errorf("create with %q: %d %s", p, r.Status, r.Body)
			}
		}
	})
}

// The first-run administrator's generated password must be changed before anything else.
func TestSecurityAuthForcedPasswordChange(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		if err := e.DB.Gorm().Table("users").Where("username = ?", "recruiter2").Update("must_change_password", true).Error; err != nil {
			t.Fatal(err)
		}
		r := login(t, e, "recruiter2", apitest.DemoPassword)
		var body struct {
			Token string
			User  struct {
				MustChange bool `json:"must_change_password"`
			}
		}
		r.JSON(t, &body)
		if r.Status != http.StatusOK || !body.User.MustChange {
			t.Fatalf("log-in: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodGet, "/api/v1/projects", body.Token, nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "请先修改初始密码") {
			t.Errorf("before the change: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", body.Token, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"must_change_password":true`) {
			t.Errorf("/me before the change: %d %s", r.Status, r.Body)
		}
		r = e.Do(http.MethodPost, "/api/v1/me/password", body.Token, map[string]string{"current": apitest.DemoPassword, "new": "Harbour-lantern-kite-52"})
		if r.Status != http.StatusOK {
			t.Fatalf("change: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &body)
		if body.User.MustChange {
			t.Error("still must change after the change")
		}
		if r := e.Do(http.MethodGet, "/api/v1/projects", body.Token, nil); r.Status != http.StatusOK {
			t.Errorf("after the change: %d %s", r.Status, r.Body)
		}
	})
}
