package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

type loginRequest struct {
	Username string `json:"username" required:"true" minLength:"1"`
	Password string `json:"password" required:"true" minLength:"1"`
	Zone     string `json:"zone" description:"a zone code; the deployment's default zone when absent"`
}

// loginAnswer is a new session: its bearer token and the user.
type loginAnswer struct {
	Token string `json:"token" description:"the session's bearer token"`
	User  Me     `json:"user"`
}

// Me is the caller as GET /me shows them.
type Me struct {
	ID           int64         `json:"id"`
	Username     string        `json:"username"`
	DisplayName  string        `json:"display_name"`
	Email        string        `json:"email"`
	Roles        []domain.Role `json:"roles"`
	Chains       []string      `json:"chains" description:"codes of the chains the user chiefs"`
	Agency       string        `json:"agency"`
	DigestOptOut bool          `json:"digest_opt_out"`
	ElderMode    *bool         `json:"elder_mode,omitempty" description:"the web app's 长辈模式 (large text); in GET /me and the settings answer"`
	Zone         MeZone        `json:"zone"`
}

// MeZone is the caller's zone.
type MeZone struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
}

// Cookie names of the browser session. The session cookie carries the same token as the
// bearer token and is HttpOnly; the CSRF cookie is readable by the page, which echoes it in
// X-CSRF-Token on every state-changing request.
const (
	sessionCookie = "chaincrm_session"
	csrfCookie    = "chaincrm_csrf"
	csrfHeader    = "X-CSRF-Token"
	tokenKey      = "chaincrm.session_token"
)

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		Abort(c, err)
		return
	}
	fe := domain.FieldErrors{}
	req.Username = strings.TrimSpace(req.Username)
	req.Zone = strings.TrimSpace(req.Zone)
	if req.Username == "" {
		fe.Add("username", "请输入用户名 (required)")
	}
	if req.Password == "" {
		fe.Add("password", "请输入密码 (required)")
	}
	if len(req.Username) > 200 || len(req.Zone) > 50 {
		fe.Add("username", "过长 (too long)")
	}
	if len(req.Password) > 4*domain.MaxPasswordLen {
		fe.Add("password", "过长 (too long)")
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	ctx := c.Request.Context()
	ip := c.ClientIP()
	def, err := s.opts.DefaultZone(ctx)
	if err != nil {
		Abort(c, err)
		return
	}
	zoneCode := req.Zone
	if zoneCode == "" {
		zoneCode = def.Code
	}
	// The throttle keys name the user whether or not they exist, so that a refusal tells
	// nothing either.
	keys := []string{"user:" + zoneCode + "/" + strings.ToLower(req.Username), "ip:" + ip}
	if wait := s.throttle.blocked(keys...); wait > 0 {
		s.log.Warn("login throttled", "username", req.Username, "zone", zoneCode, "ip", ip)
		s.record(ctx, domain.AuditEntry{ZoneID: def.ID, Actor: req.Username, Action: domain.AuditLoginThrottled,
			Object: "zone:" + zoneCode, IP: ip, Detail: detail("retry_after_s", int(wait.Seconds())+1)})
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		Abort(c, domain.Errorf(domain.ETHROTTLED, "登录失败次数过多，请 %d 分钟后再试 (too many attempts)", int(wait.Minutes())+1))
		return
	}
	u, zone, err := s.svc.Accounts.Authenticate(ctx, zoneCode, req.Username, req.Password)
	if err != nil {
		if domain.ErrorCode(err) == domain.EUNAUTH {
			s.throttle.fail(keys...)
			s.log.Warn("login failed", "username", req.Username, "zone", zoneCode, "ip", ip)
			zoneID := def.ID
			if zone != nil {
				zoneID = zone.ID
			}
			s.record(ctx, domain.AuditEntry{ZoneID: zoneID, Actor: req.Username, Action: domain.AuditLoginFailed,
				Object: "zone:" + zoneCode, IP: ip})
		}
		Abort(c, err)
		return
	}
	s.throttle.reset(keys[0])
	actx := domain.WithActor(ctx, &domain.Actor{User: u, Zone: zone, IP: ip})
	token, err := s.svc.Users.CreateSession(actx, u.ID)
	if err != nil {
		Abort(c, err)
		return
	}
	if err := s.svc.Audit.Record(actx, domain.AuditEntry{Action: domain.AuditLogin, Object: "zone:" + zone.Code,
		Detail: detail("user_agent", clip(c.GetHeader("User-Agent"), 200))}); err != nil {
		// A log-in that cannot be recorded does not happen.
		s.svc.Users.RevokeSession(ctx, token)
		Abort(c, err)
		return
	}
	s.log.Info("login", "username", u.Username, "zone", zone.Code, "ip", ip)
	s.setSessionCookies(c, token)
	c.JSON(http.StatusOK, loginAnswer{Token: token, User: meBody(u, zone)})
}

// record writes an audit entry that is not part of a command (log-ins, refusals); a
// failure is logged, not shown to the client.
func (s *Server) record(ctx context.Context, e domain.AuditEntry) {
	if err := s.svc.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		s.log.Error("audit log write failed", "action", e.Action, "actor", e.Actor, "err", err)
	}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func detail(kv ...any) string {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// secure tells whether the client reached us over TLS (directly or through a proxy that
// says so); the cookies are then Secure.
func secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// csrfToken derives the CSRF token from the session token, so that a CSRF cookie planted by
// someone else (a sibling subdomain) is worthless without the session it belongs to.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("chaincrm csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Server) setSessionCookies(c *gin.Context, token string) {
	sec := secure(c)
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: sec, SameSite: http.SameSiteLaxMode})
	http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: csrfToken(token), Path: "/", HttpOnly: false, Secure: sec, SameSite: http.SameSiteLaxMode})
}

func clearSessionCookies(c *gin.Context) {
	sec := secure(c)
	for _, name := range []string{sessionCookie, csrfCookie} {
		http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, Secure: sec, SameSite: http.SameSiteLaxMode})
	}
}

func (s *Server) logout(c *gin.Context) {
	ctx := c.Request.Context()
	if err := s.svc.Users.RevokeSession(ctx, c.GetString(tokenKey)); err != nil {
		Abort(c, err)
		return
	}
	s.record(ctx, domain.AuditEntry{Action: domain.AuditLogout, Object: "session"})
	clearSessionCookies(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	a := domain.ActorFrom(c.Request.Context())
	s.writeMe(c, a.User, a.Zone)
}

func meBody(u *domain.User, z *domain.Zone) Me {
	return Me{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
		Roles: u.Roles, Chains: u.Chains, Agency: u.Agency, DigestOptOut: u.DigestOptOut,
		Zone: MeZone{Code: z.Code, Name: z.Name, TimeZone: z.TimeZone}}
}

func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// stateChanging methods need the CSRF token when the session comes from the cookie.
func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// authenticate resolves the session to the acting user: the bearer token when the request
// has an Authorization header (API clients), else the session cookie (the browser), whose
// state-changing requests must also carry X-CSRF-Token equal to the CSRF cookie. Without a
// valid session the request is 401. Every request refused with 403 further down the chain
// (by casbin, a row rule or CSRF) is written to the audit log.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	token, fromCookie := bearer(c), false
	if token == "" && c.GetHeader("Authorization") == "" {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck != "" {
			token, fromCookie = ck, true
		}
	}
	u, z, err := s.svc.Users.SessionActor(ctx, token)
	if err != nil {
		Abort(c, err)
		return
	}
	ctx = domain.WithActor(ctx, &domain.Actor{User: u, Zone: z, IP: c.ClientIP()})
	c.Request = c.Request.WithContext(ctx)
	c.Set(tokenKey, token)
	defer func() {
		if c.Writer.Status() == http.StatusForbidden {
			s.record(ctx, domain.AuditEntry{Action: domain.AuditForbidden, Object: c.Request.Method + " " + c.FullPath(),
				Detail: detail("path", c.Request.URL.Path)})
		}
	}()
	if fromCookie && stateChanging(c.Request.Method) {
		want := csrfToken(token)
		got := c.GetHeader(csrfHeader)
		ck, _ := c.Cookie(csrfCookie)
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 || subtle.ConstantTimeCompare([]byte(ck), []byte(want)) != 1 {
			s.log.Warn("csrf refused", "user", u.Username, "path", c.Request.URL.Path, "ip", c.ClientIP())
			Abort(c, domain.Errorf(domain.EFORBIDDEN, "请求缺少有效的 CSRF 令牌，请刷新页面后重试 (missing or wrong CSRF token)"))
			return
		}
	}
	c.Next()
}

// authorize asks casbin whether the user's roles in the zone allow act on obj.
func (s *Server) authorize(obj, act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := domain.ActorFrom(c.Request.Context())
		ok, err := s.authz.Enforce(a.User.Username, a.Zone.Code, obj, act)
		if err != nil {
			Abort(c, err)
			return
		}
		if !ok {
			s.log.Warn("forbidden", "user", a.User.Username, "obj", obj, "act", act, "path", c.Request.URL.Path, "ip", c.ClientIP())
			Abort(c, domain.Errorf(domain.EFORBIDDEN, "您的角色无权进行此操作 (forbidden: %s %s)", act, obj))
			return
		}
		c.Next()
	}
}

// throttle counts failed log-ins per key (user, address) in a sliding window: after
// maxFailures in window, the key is refused until the oldest failure ages out.
type throttle struct {
	mu       sync.Mutex
	clock    domain.Clock
	failures map[string][]time.Time
}

const (
	maxFailures    = 5
	throttleWindow = 15 * time.Minute
)

func newThrottle(clock domain.Clock) *throttle {
	return &throttle{clock: clock, failures: map[string][]time.Time{}}
}

func (t *throttle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= throttleWindow {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = fs
	}
	return fs
}

func (t *throttle) blocked(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	var wait time.Duration
	for _, k := range keys {
		limit := maxFailures
		if strings.HasPrefix(k, "ip:") {
			limit = maxFailures * 4 // an office shares one address
		}
		if fs := t.recent(k, now); len(fs) >= limit {
			if w := throttleWindow - now.Sub(fs[len(fs)-limit]); w > wait {
				wait = w
			}
		}
	}
	return wait
}

// sweepAt bounds the throttle's memory: past this many keys (names sprayed by an
// attacker), a failure first drops every key whose failures have all aged out.
const sweepAt = 10000

func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if len(t.failures) >= sweepAt {
		for k := range t.failures {
			t.recent(k, now)
		}
	}
	for _, k := range keys {
		t.failures[k] = append(t.recent(k, now), now)
	}
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}
