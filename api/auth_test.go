package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// sendWith is Env.Do with extra headers and cookies (the browser's session).
func sendWith(t *testing.T, e *apitest.Env, method, path string, body any, header map[string]string, cookies ...*http.Cookie) *apitest.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := e.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &apitest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// login logs in afresh (not through Env's token cache) and returns the response.
func login(t *testing.T, e *apitest.Env, username, password string) *apitest.Response {
	t.Helper()
	return e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
}

func freshToken(t *testing.T, e *apitest.Env, username, password string) string {
	t.Helper()
	r := login(t, e, username, password)
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	var body struct{ Token string }
	r.JSON(t, &body)
	return body.Token
}

func cookie(r *apitest.Response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSessionExpiry(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		me := func(tok string) int { return e.Do(http.MethodGet, "/api/v1/me", tok, nil).Status }
		// idle: 12 hours without a request end the session
		tok := freshToken(t, e, "recruiter1", apitest.DemoPassword)
		e.Clock.Add(11 * time.Hour)
		if s := me(tok); s != http.StatusOK {
			t.Fatalf("after 11h idle: %d", s)
		}
		e.Clock.Add(12*time.Hour + time.Minute)
		if s := me(tok); s != http.StatusUnauthorized {
			t.Fatalf("after 12h01 idle: %d", s)
		}
		// absolute: 7 days after log-in, even when used all along
		tok = freshToken(t, e, "recruiter1", apitest.DemoPassword)
		for i := 0; i < 15; i++ { // 165 hours
			e.Clock.Add(11 * time.Hour)
			if s := me(tok); s != http.StatusOK {
				t.Fatalf("active session after %dh: %d", 11*(i+1), s)
			}
		}
		e.Clock.Add(3 * time.Hour) // 168 hours
		if s := me(tok); s != http.StatusUnauthorized {
			t.Fatalf("after 7 days: %d", s)
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", tok, nil); r.ErrorCode() != "unauthorized" {
			t.Errorf("expired: %s", r.Body)
		}
	})
}

func TestSessionRevocation(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		me := func(tok string) int { return e.Do(http.MethodGet, "/api/v1/me", tok, nil).Status }
		// log-out ends that session only
		a, b := freshToken(t, e, "recruiter2", apitest.DemoPassword), freshToken(t, e, "recruiter2", apitest.DemoPassword)
		if r := e.Do(http.MethodPost, "/api/v1/auth/logout", a, nil); r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d", r.Status)
		}
		if me(a) != http.StatusUnauthorized || me(b) != http.StatusOK {
			t.Fatalf("after logout: a %d, b %d", me(a), me(b))
		}
		// a password change ends every session and gives a new one
		c := freshToken(t, e, "recruiter2", apitest.DemoPassword)
		const next = "Laiyuan-招商-2023"
		r := e.Do(http.MethodPost, "/api/v1/me/password", c, map[string]string{"current": apitest.DemoPassword, "new": next})
		if r.Status != http.StatusOK {
			t.Fatalf("change password: %d %s", r.Status, r.Body)
		}
		var changed struct{ Token string }
		r.JSON(t, &changed)
		if me(b) != http.StatusUnauthorized || me(c) != http.StatusUnauthorized || me(changed.Token) != http.StatusOK {
			t.Errorf("after password change: b %d, c %d, new %d", me(b), me(c), me(changed.Token))
		}
		if login(t, e, "recruiter2", apitest.DemoPassword).Status != http.StatusUnauthorized {
			t.Error("old password still works")
		}
		d := freshToken(t, e, "recruiter2", next)
		// disabling a user ends their sessions and their log-ins
		id := userID(t, e, "recruiter2")
		if r := e.As("admin", http.MethodPatch, "/api/v1/users/"+id, map[string]any{"disabled": true}); r.Status != http.StatusOK {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		if me(d) != http.StatusUnauthorized || me(changed.Token) != http.StatusUnauthorized {
			t.Error("a disabled user's sessions still work")
		}
		if r := login(t, e, "recruiter2", next); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "用户名或密码错误") {
			t.Errorf("disabled log-in: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodPatch, "/api/v1/users/"+id, map[string]any{"disabled": false}); r.Status != http.StatusOK {
			t.Fatalf("enable: %d %s", r.Status, r.Body)
		}
		// an administrator's reset ends every session too
		f := freshToken(t, e, "recruiter2", next)
		if r := e.As("admin", http.MethodPost, "/api/v1/users/"+id+"/password", map[string]any{"password": "Reset-by-admin-1"}); r.Status != http.StatusNoContent {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		if me(f) != http.StatusUnauthorized || login(t, e, "recruiter2", "Reset-by-admin-1").Status != http.StatusOK {
			t.Error("reset did not revoke or did not set the password")
		}
	})
}

func TestChangeOwnPassword(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		tok := freshToken(t, e, "viewer", apitest.DemoPassword)
		cases := []struct {
			body  map[string]string
			field string
		}{
			{map[string]string{"current": "wrong-password", "new": "Another-pass-1"}, "current"},
			{map[string]string{"current": apitest.DemoPassword, "new": "short"}, "new"},
			{map[string]string{"current": apitest.DemoPassword, "new": "woaini1314"}, "new"},
			{map[string]string{"current": apitest.DemoPassword, "new": strings.Repeat("x1", 65)}, "new"},
			{map[string]string{"current": apitest.DemoPassword, "new": apitest.DemoPassword}, "new"},
			{map[string]string{"current": apitest.DemoPassword}, "new"},
		}
		for _, c := range cases {
			r := e.Do(http.MethodPost, "/api/v1/me/password", tok, c.body)
			var body struct {
				Error struct{ Fields map[string]string }
			}
			r.JSON(t, &body)
			if r.Status != http.StatusBadRequest || body.Error.Fields[c.field] == "" {
				t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
			}
		}
		// nothing changed: the session and the password still work
		if e.Do(http.MethodGet, "/api/v1/me", tok, nil).Status != http.StatusOK || login(t, e, "viewer", apitest.DemoPassword).Status != http.StatusOK {
			t.Fatal("a refused change changed something")
		}
		// guessing the current password is throttled like a log-in (the log-in above reset
		// the count)
		for i := 0; i < 5; i++ {
			e.Do(http.MethodPost, "/api/v1/me/password", tok, map[string]string{"current": "guess", "new": "Another-pass-1"})
		}
		if r := e.Do(http.MethodPost, "/api/v1/me/password", tok, map[string]string{"current": apitest.DemoPassword, "new": "Another-pass-1"}); r.Status != http.StatusTooManyRequests {
			t.Errorf("after 5 wrong current passwords: %d %s", r.Status, r.Body)
		}
	})
}

func TestCookieSessionAndCSRF(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		r := login(t, e, "recruiter1", apitest.DemoPassword)
		session, csrf := cookie(r, "chaincrm_session"), cookie(r, "chaincrm_csrf")
		if session == nil || csrf == nil {
			t.Fatalf("cookies: %v", r.Header["Set-Cookie"])
		}
		var body struct{ Token string }
		r.JSON(t, &body)
		if session.Value != body.Token || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Path != "/" {
			t.Errorf("session cookie: %+v", session)
		}
		if csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Value == "" || csrf.Value == session.Value {
			t.Errorf("csrf cookie: %+v", csrf)
		}
		// behind a TLS proxy the cookies are Secure
		tls := sendWith(t, e, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "viewer", "password": apitest.DemoPassword},
			map[string]string{"X-Forwarded-Proto": "https"})
		if c := cookie(tls, "chaincrm_session"); c == nil || !c.Secure || !cookie(tls, "chaincrm_csrf").Secure {
			t.Errorf("over TLS: %v", tls.Header["Set-Cookie"])
		}
		// reads need the cookie only
		if r := sendWith(t, e, http.MethodGet, "/api/v1/me", nil, nil, session, csrf); r.Status != http.StatusOK {
			t.Fatalf("GET with the cookie: %d %s", r.Status, r.Body)
		}
		// writes need X-CSRF-Token equal to the CSRF cookie
		project := newProject("浏览器会话创建的项目")
		for name, hdr := range map[string]map[string]string{
			"no header":        nil,
			"wrong header":     {"X-CSRF-Token": "forged"},
			"session as token": {"X-CSRF-Token": session.Value},
		} {
			if r := sendWith(t, e, http.MethodPost, "/api/v1/projects", project, hdr, session, csrf); r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		// a CSRF cookie planted by someone else does not match the session
		planted := &http.Cookie{Name: "chaincrm_csrf", Value: "planted"}
		if r := sendWith(t, e, http.MethodPost, "/api/v1/projects", project, map[string]string{"X-CSRF-Token": "planted"}, session, planted); r.Status != http.StatusForbidden {
			t.Errorf("planted csrf cookie: %d", r.Status)
		}
		if r := sendWith(t, e, http.MethodPost, "/api/v1/projects", project, map[string]string{"X-CSRF-Token": csrf.Value}, session, csrf); r.Status != http.StatusCreated {
			t.Errorf("with the token: %d %s", r.Status, r.Body)
		}
		// bearer clients need no CSRF token, and an Authorization header wins over the cookie
		if r := e.As("recruiter1", http.MethodPost, "/api/v1/projects", newProject("令牌创建的项目")); r.Status != http.StatusCreated {
			t.Errorf("bearer: %d", r.Status)
		}
		if r := sendWith(t, e, http.MethodGet, "/api/v1/me", nil, map[string]string{"Authorization": "Bearer not-a-token"}, session); r.Status != http.StatusUnauthorized {
			t.Errorf("bad bearer beside a good cookie: %d", r.Status)
		}
		// the refusals are in the audit log
		var audit struct{ Items []map[string]any }
		e.As("admin", http.MethodGet, "/api/v1/audit?action=forbidden&actor=recruiter1", nil).JSON(t, &audit)
		if len(audit.Items) != 4 || audit.Items[0]["object"] != "POST /api/v1/projects" {
			t.Errorf("audit of csrf refusals: %v", audit.Items)
		}
		// log-out by cookie: needs the token, clears the cookies, ends the session
		if r := sendWith(t, e, http.MethodPost, "/api/v1/auth/logout", nil, nil, session, csrf); r.Status != http.StatusForbidden {
			t.Errorf("logout without csrf: %d", r.Status)
		}
		out := sendWith(t, e, http.MethodPost, "/api/v1/auth/logout", nil, map[string]string{"X-CSRF-Token": csrf.Value}, session, csrf)
		if out.Status != http.StatusNoContent || cookie(out, "chaincrm_session") == nil || cookie(out, "chaincrm_session").MaxAge >= 0 {
			t.Errorf("logout: %d %v", out.Status, out.Header["Set-Cookie"])
		}
		if r := sendWith(t, e, http.MethodGet, "/api/v1/me", nil, nil, session, csrf); r.Status != http.StatusUnauthorized {
			t.Errorf("cookie after logout: %d", r.Status)
		}
	})
}

func TestLoginRevealsNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		// a known user with a wrong password, an unknown user, a disabled user, an unknown
		// zone: the same status and the same body
		id := userID(t, e, "chief_mining")
		if r := e.As("admin", http.MethodPatch, "/api/v1/users/"+id, map[string]any{"disabled": true}); r.Status != http.StatusOK {
			t.Fatal(r.Status)
		}
		attempts := []map[string]string{
			{"username": "recruiter1", "password": "wrong-password"},
			{"username": "nobody", "password": "wrong-password"},
			{"username": "chief_mining", "password": apitest.DemoPassword},
			{"zone": "atlantis", "username": "recruiter1", "password": apitest.DemoPassword},
		}
		var first string
		for _, a := range attempts {
			r := e.Do(http.MethodPost, "/api/v1/auth/login", "", a)
			if r.Status != http.StatusUnauthorized || cookie(r, "chaincrm_session") != nil {
				t.Errorf("%v: %d", a, r.Status)
			}
			if first == "" {
				first = string(r.Body)
			} else if string(r.Body) != first {
				t.Errorf("%v answers %s, not %s", a, r.Body, first)
			}
		}
		// five failures throttle a name whether or not it exists, with the same answer
		var throttled []string
		for _, name := range []string{"recruiter1", "nobody"} {
			for i := 0; i < 4; i++ {
				e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": name, "password": "wrong-password"})
			}
			r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": name, "password": apitest.DemoPassword})
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Errorf("%s after 5 failures: %d", name, r.Status)
			}
			throttled = append(throttled, string(r.Body))
		}
		if throttled[0] != throttled[1] {
			t.Errorf("throttled answers differ: %s / %s", throttled[0], throttled[1])
		}
		// every failure and every refusal is logged
		var audit struct {
			Items []struct{ Actor, Action, IP, Object string }
			Total int
		}
		e.As("admin", http.MethodGet, "/api/v1/audit?page_size=200", nil).JSON(t, &audit)
		count := map[string]int{}
		for _, it := range audit.Items {
			count[it.Action+" "+it.Actor]++
			if strings.HasPrefix(it.Action, "login") && it.IP == "" {
				t.Errorf("no address: %+v", it)
			}
		}
		// recruiter1 failed 5 times in the zone and once in the unknown zone
		if count["login_failed recruiter1"] != 6 || count["login_failed nobody"] != 5 || count["login_failed chief_mining"] != 1 ||
			count["login_throttled recruiter1"] != 1 || count["login_throttled nobody"] != 1 || count["login admin"] != 1 {
			t.Errorf("audit counts: %v", count)
		}
		// the address is throttled too: 20 failures from one address block every name on it
		for i := 0; i < 9; i++ {
			e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "guess" + string(rune('a'+i)), "password": "x-wrong-x"})
		}
		if r := login(t, e, "viewer", apitest.DemoPassword); r.Status != http.StatusTooManyRequests {
			t.Errorf("after 20 failures from one address: %d", r.Status)
		}
		e.Clock.Add(16 * time.Minute)
		if r := login(t, e, "viewer", apitest.DemoPassword); r.Status != http.StatusOK {
			t.Errorf("after the window: %d", r.Status)
		}
	})
}

// TestForwardedForIsNotBelieved: without trusted proxies (the default) X-Forwarded-For does
// not change the client's address, so it neither escapes the address throttle nor forges
// the audit log's addresses.
func TestForwardedForIsNotBelieved(t *testing.T) {
	e := apitest.New(t, "sqlite")
	for i := 0; i < 20; i++ {
		r := sendWith(t, e, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": fmt.Sprintf("spray%d", i), "password": "x-wrong-x"},
			map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i), "X-Real-IP": fmt.Sprintf("198.51.100.%d", i)})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.Status)
		}
	}
	r := sendWith(t, e, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "viewer", "password": apitest.DemoPassword},
		map[string]string{"X-Forwarded-For": "192.0.2.99"})
	if r.Status != http.StatusTooManyRequests {
		t.Errorf("a forged X-Forwarded-For escapes the address throttle: %d", r.Status)
	}
	e.Clock.Add(16 * time.Minute)
	var audit struct{ Items []struct{ Actor, IP string } }
	e.As("admin", http.MethodGet, "/api/v1/audit?action=login_failed&page_size=50", nil).JSON(t, &audit)
	if len(audit.Items) != 20 {
		t.Fatalf("audit: %v", audit.Items)
	}
	for _, it := range audit.Items {
		if it.IP != "127.0.0.1" {
			t.Errorf("audit address %q for %s", it.IP, it.Actor)
		}
	}
}
