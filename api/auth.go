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
	Mobile       string        `json:"mobile" description:"mainland mobile number the group robots @ (个人设置); \"\" when not set"`
	ElderMode    *bool         `json:"elder_mode,omitempty" description:"the web app's 长辈模式 (large text); in GET /me and the settings answer"`
	// MustChangePassword: the password was generated (the first-run administrator's) and
	// must be changed (POST /me/password) before any other request (issue 12).
	MustChangePassword bool   `json:"must_change_password" description:"the password was generated and must be changed before anything else"`
	Zone               MeZone `json:"zone"`
	// Department is a liaison's department code (role department, issue 15); null otherwise.
	Department *string `json:"department" description:"the department code of a liaison (role department)"`
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
	// The log-in sets the browser's session cookies: another site must not be able to log a
	// visitor in (as the attacker, to harvest what they then type).
	if err := s.checkOrigin(c); err != nil {
		Abort(c, err)
		return
	}
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
		// the default zone's user of that name, else a province user (issue 19)
		if zoneCode, err = s.svc.Platform.LoginZone(ctx, def.Code, req.Username); err != nil {
			Abort(c, err)
			return
		}
	}
	// The attempt is counted before the password is checked (so that concurrent attempts
	// cannot pass the limit together), under keys naming the user whether or not they
	// exist, so that a refusal tells nothing either.
	attempt := &domain.LoginAttempt{ZoneID: def.ID, Zone: zoneCode, Username: req.Username, IP: ip, Purpose: "login"}
	if !s.beginAttempt(c, attempt, "登录失败次数过多，请 %d 分钟后再试 (too many attempts)") {
		return
	}
	u, zone, err := s.svc.Accounts.Authenticate(ctx, zoneCode, req.Username, req.Password)
	if err != nil {
		if domain.ErrorCode(err) == domain.EUNAUTH {
			s.log.Warn("login failed", "username", req.Username, "zone", zoneCode, "ip", ip)
			zoneID := def.ID
			if zone != nil {
				zoneID = zone.ID
			}
			s.record(ctx, domain.AuditEntry{ZoneID: zoneID, Actor: req.Username, Action: domain.AuditLoginFailed,
				Object: "zone:" + zoneCode, IP: ip})
		} else {
			s.abandonAttempt(ctx, attempt)
		}
		Abort(c, err)
		return
	}
	if err := s.svc.Throttle.Succeeded(context.WithoutCancel(ctx), attempt); err != nil {
		s.log.Error("log-in throttle: recording a success failed", "username", u.Username, "err", err)
	}
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

// secure tells whether the cookies are Secure: always when configured so, else when the
// client reached us over TLS (directly or through a proxy that says so).
func (s *Server) secure(c *gin.Context) bool {
	return s.opts.SecureCookies || c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// csrfToken derives the CSRF token from the session token, so that a CSRF cookie planted by
// someone else (a sibling subdomain) is worthless without the session it belongs to.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("chaincrm csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Server) setSessionCookies(c *gin.Context, token string) {
	sec := s.secure(c)
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: sec, SameSite: http.SameSiteLaxMode})
	http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: csrfToken(token), Path: "/", HttpOnly: false, Secure: sec, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookies(c *gin.Context) {
	sec := s.secure(c)
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
	s.clearSessionCookies(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	a := domain.ActorFrom(c.Request.Context())
	s.writeMe(c, a.User, a.Zone)
}

func meBody(u *domain.User, z *domain.Zone) Me {
	return Me{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
		Roles: u.Roles, Chains: u.Chains, Agency: u.Agency, DigestOptOut: u.DigestOptOut, Mobile: u.Mobile,
		MustChangePassword: u.MustChangePassword, Department: u.Department,
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

// authenticate resolves the session to the acting user: the bearer token (a session token,
// or an integration token ccrm_… acting as its user, tokens.go) when the request
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
	var (
		u   *domain.User
		z   *domain.Zone
		use *domain.TokenUse
		err error
	)
	if domain.IsIntegrationToken(token) && !fromCookie {
		u, z, use, err = s.svc.Tokens.TokenActor(ctx, token)
	} else {
		u, z, err = s.svc.Users.SessionActor(ctx, token)
	}
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
	if use != nil {
		if err := s.tokenRules(c, use); err != nil {
			s.log.Warn("read-only token refused", "user", u.Username, "token", use.Token.ID, "path", c.Request.URL.Path)
			Abort(c, err)
			return
		}
	}
	if fromCookie && stateChanging(c.Request.Method) {
		if err := s.checkOrigin(c); err != nil {
			Abort(c, err)
			return
		}
		want := csrfToken(token)
		got := c.GetHeader(csrfHeader)
		ck, _ := c.Cookie(csrfCookie)
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 || subtle.ConstantTimeCompare([]byte(ck), []byte(want)) != 1 {
			s.log.Warn("csrf refused", "user", u.Username, "path", c.Request.URL.Path, "ip", c.ClientIP())
			Abort(c, domain.Errorf(domain.EFORBIDDEN, "请求缺少有效的 CSRF 令牌，请刷新页面后重试 (missing or wrong CSRF token)"))
			return
		}
	}
	if err := provinceReadOnly(c, u); err != nil {
		Abort(c, err)
		return
	}
	if u.MustChangePassword && !passwordPendingRoutes[c.Request.Method+" "+c.FullPath()] {
		Abort(c, domain.Errorf(domain.EFORBIDDEN, "请先修改初始密码，再使用系统 (change your password first)"))
		return
	}
	c.Next()
}

// passwordPendingRoutes are what a user who must change their password may do first.
var passwordPendingRoutes = map[string]bool{
	"GET " + v1 + "/me":           true,
	"POST " + v1 + "/me/password": true,
	"POST " + v1 + "/auth/logout": true,
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

// beginAttempt counts a password attempt with the throttle, or answers 429 with
// Retry-After (message: a format with the minutes to wait) and returns false. Only the
// first refusal of a key in its window is logged and audited (by the throttle), so that
// refused attempts cannot fill the disk.
func (s *Server) beginAttempt(c *gin.Context, a *domain.LoginAttempt, message string) bool {
	v, err := s.svc.Throttle.Begin(c.Request.Context(), a)
	if err != nil {
		Abort(c, err)
		return false
	}
	if !v.Refused() {
		return true
	}
	if v.FirstRefusal {
		s.log.Warn("login throttled", "username", a.Username, "zone", a.Zone, "ip", a.IP, "key", v.Kind, "purpose", a.Purpose)
	}
	c.Header("Retry-After", strconv.Itoa(int(v.RetryAfter.Seconds())))
	Abort(c, domain.Errorf(domain.ETHROTTLED, message, int((v.RetryAfter+time.Minute-time.Second)/time.Minute)))
	return false
}

// abandonAttempt takes back an attempt that ended without a verdict on the password.
func (s *Server) abandonAttempt(ctx context.Context, a *domain.LoginAttempt) {
	if err := s.svc.Throttle.Abandon(context.WithoutCancel(ctx), a); err != nil {
		s.log.Error("log-in throttle: taking back an attempt failed", "username", a.Username, "err", err)
	}
}
