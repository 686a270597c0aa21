package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// dummyHash keeps a failed log-in for an unknown user as slow as one for a known user, so
// timing does not tell whether a username exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("chaincrm-no-such-user"), bcrypt.DefaultCost)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Zone     string `json:"zone"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		Abort(c, err)
		return
	}
	fe := domain.FieldErrors{}
	req.Username = strings.TrimSpace(req.Username)
	if req.Username == "" {
		fe.Add("username", "请输入用户名 (required)")
	}
	if req.Password == "" {
		fe.Add("password", "请输入密码 (required)")
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	ctx := c.Request.Context()
	keys := []string{"user:" + strings.ToLower(req.Username), "ip:" + c.ClientIP()}
	if wait := s.throttle.blocked(keys...); wait > 0 {
		s.log.Warn("login throttled", "username", req.Username, "ip", c.ClientIP())
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		Abort(c, domain.Errorf(domain.ETHROTTLED, "登录失败次数过多，请 %d 分钟后再试 (too many attempts)", int(wait.Minutes())+1))
		return
	}
	zone, err := s.opts.DefaultZone(ctx)
	if err != nil {
		Abort(c, err)
		return
	}
	u, err := s.svc.Users.FindUserByUsername(ctx, zone.ID, req.Username)
	hash := dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) != nil || err != nil || u.Disabled {
		s.throttle.fail(keys...)
		s.log.Warn("login failed", "username", req.Username, "ip", c.ClientIP())
		Abort(c, domain.Errorf(domain.EUNAUTH, "用户名或密码错误 (wrong username or password)"))
		return
	}
	s.throttle.reset(keys[0])
	actx := domain.WithActor(ctx, &domain.Actor{User: u, Zone: zone, IP: c.ClientIP()})
	token, err := s.svc.Users.CreateSession(actx, u.ID)
	if err != nil {
		Abort(c, err)
		return
	}
	s.log.Info("login", "username", u.Username, "ip", c.ClientIP())
	c.JSON(http.StatusOK, gin.H{"token": token, "user": meBody(u, zone)})
}

func (s *Server) logout(c *gin.Context) {
	if err := s.svc.Users.RevokeSession(c.Request.Context(), bearer(c)); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	a := domain.ActorFrom(c.Request.Context())
	c.JSON(http.StatusOK, meBody(a.User, a.Zone))
}

func meBody(u *domain.User, z *domain.Zone) gin.H {
	return gin.H{"id": u.ID, "username": u.Username, "display_name": u.DisplayName, "email": u.Email,
		"roles": u.Roles, "chains": u.Chains, "agency": u.Agency, "digest_opt_out": u.DigestOptOut,
		"zone": gin.H{"code": z.Code, "name": z.Name, "time_zone": z.TimeZone}}
}

func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate resolves the bearer token to the acting user; without one the request is 401.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.svc.Users.UserBySession(ctx, bearer(c))
	if err != nil {
		Abort(c, err)
		return
	}
	z, err := s.svc.Users.FindZoneByID(ctx, u.ZoneID)
	if err != nil {
		Abort(c, err)
		return
	}
	c.Request = c.Request.WithContext(domain.WithActor(ctx, &domain.Actor{User: u, Zone: z, IP: c.ClientIP()}))
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

func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	for _, k := range keys {
		t.failures[k] = append(t.recent(k, now), now)
	}
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}
