package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// accountRoutes: the caller's own password, the administrators' users and roles API, and
// the audit log.
func (s *Server) accountRoutes() []route {
	return []route{
		{Method: http.MethodPost, Path: v1 + "/me/password", Obj: "session", Act: "own", Summary: "Change one's own password ({current, new}); ends every session of the user and returns a new token",
			Body: passwordChange{}, Out: loginAnswer{}, Errors: []int{http.StatusTooManyRequests}, Handler: s.changeOwnPassword},

		{Method: http.MethodGet, Path: v1 + "/users", Obj: "user", Act: "read", Summary: "The zone's users with roles and chains (administrators)", Out: itemList[UserAccount]{}, Handler: s.listUsers},
		{Method: http.MethodPost, Path: v1 + "/users", Obj: "user", Act: "manage", Summary: "Create a user (username, display_name, email, password, roles[], chains[], agency)",
			Body: domain.UserInput{}, Out: domain.User{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict}, Handler: s.createUser},
		{Method: http.MethodGet, Path: v1 + "/users/:id", Obj: "user", Act: "read", Summary: "Read a user", Out: UserAccount{}, Handler: s.getUser},
		{Method: http.MethodPatch, Path: v1 + "/users/:id", Obj: "user", Act: "manage", Summary: "Change a user: display_name, email, phone, roles, chains, agency, disabled (disabling ends their sessions)",
			Body: domain.UserUpdate{}, Out: domain.User{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.updateUser},
		{Method: http.MethodPost, Path: v1 + "/users/:id/password", Obj: "user", Act: "manage", Summary: "Reset a user's password ({password}); ends their sessions",
			Body: passwordReset{}, Status: http.StatusNoContent, Handler: s.resetPassword},
		{Method: http.MethodPost, Path: v1 + "/users/:id/unlock", Obj: "user", Act: "manage", Summary: "Clear the failed log-ins counted against a user, from every address (an administrator's unlock; audited)",
			Status: http.StatusNoContent, Handler: s.unlockUser},

		{Method: http.MethodGet, Path: v1 + "/audit", Obj: "audit", Act: "read", Summary: "The audit log, newest first (?page, page_size, actor, action)",
			Query: auditQuery{}, Out: page[*domain.AuditEntry]{}, Handler: s.listAudit},
	}
}

// passwordChange is a user's change of their own password.
type passwordChange struct {
	Current string `json:"current" required:"true" minLength:"1"`
	New     string `json:"new" required:"true" minLength:"1"`
}

// passwordReset is an administrator's new password for a user.
type passwordReset struct {
	Password string `json:"password" required:"true"`
}

// auditQuery filters the audit log.
type auditQuery struct {
	Actor  string `query:"actor" description:"a username"`
	Action string `query:"action" description:"an action such as login or forbidden"`
	pageQuery
}

func (s *Server) changeOwnPassword(c *gin.Context) {
	var body passwordChange
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	fe := domain.FieldErrors{}
	if body.Current == "" {
		fe.Add("current", "请输入当前密码 (required)")
	}
	if body.New == "" {
		fe.Add("new", "请输入新密码 (required)")
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	ctx := c.Request.Context()
	a := domain.ActorFrom(ctx)
	// Guessing the current password here counts against the same throttle as log-ins.
	attempt := &domain.LoginAttempt{ZoneID: a.Zone.ID, Zone: a.Zone.Code, Username: a.User.Username, IP: a.IP, Purpose: "password"}
	if !s.beginAttempt(c, attempt, "密码错误次数过多，请 %d 分钟后再试 (too many attempts)") {
		return
	}
	if err := s.svc.Accounts.ChangePassword(ctx, body.Current, body.New); err != nil {
		if _, wrong := domain.ErrorFields(err)["current"]; !wrong {
			s.abandonAttempt(ctx, attempt) // the current password was right, or never checked
		}
		Abort(c, err)
		return
	}
	if err := s.svc.Throttle.Succeeded(context.WithoutCancel(ctx), attempt); err != nil {
		s.log.Error("log-in throttle: recording a success failed", "username", a.User.Username, "err", err)
	}
	// Every session has ended, this one too; the caller gets a fresh one.
	token, err := s.svc.Users.CreateSession(ctx, a.User.ID)
	if err != nil {
		Abort(c, err)
		return
	}
	if bearer(c) == "" { // the browser: renew its cookies
		s.setSessionCookies(c, token)
	}
	u := *a.User
	u.MustChangePassword = false // a password the user chose
	c.JSON(http.StatusOK, loginAnswer{Token: token, User: meBody(&u, a.Zone)})
}

// UserAccount is a user as the administrators' API shows it: with whether failed log-ins
// refuse them right now (somewhere), which an administrator can clear.
type UserAccount struct {
	domain.User
	LoginLocked bool `json:"login_locked" description:"failed log-ins refuse this user right now at some address or at every unknown place; POST /users/{id}/unlock clears them"`
}

func (s *Server) usersOut(c *gin.Context, users ...*domain.User) ([]UserAccount, error) {
	a := domain.ActorFrom(c.Request.Context())
	locked, err := s.svc.Throttle.Locked(c.Request.Context(), a.Zone.Code)
	if err != nil {
		return nil, err
	}
	out := make([]UserAccount, len(users))
	for i, u := range users {
		out[i] = UserAccount{User: *u, LoginLocked: locked[strings.ToLower(u.Username)]}
	}
	return out, nil
}

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.svc.Accounts.FindAccounts(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	out, err := s.usersOut(c, users...)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(out))
}

func (s *Server) getUser(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	u, err := s.svc.Accounts.FindAccount(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	out, err := s.usersOut(c, u)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out[0])
}

// unlockUser clears the failures counted against a user of the zone (an administrator's
// unlock after the user locked themselves out, or after an attack): 204.
func (s *Server) unlockUser(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	u, err := s.svc.Accounts.FindAccount(ctx, id)
	if err != nil {
		Abort(c, err)
		return
	}
	if _, err := s.svc.Throttle.Unlock(ctx, u, domain.ActorFrom(ctx).Zone.Code); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) createUser(c *gin.Context) {
	var in domain.UserInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	u, err := s.svc.Accounts.CreateAccount(c.Request.Context(), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Location", v1+"/users/"+strconv.FormatInt(u.ID, 10))
	c.JSON(http.StatusCreated, u)
}

func (s *Server) updateUser(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var upd domain.UserUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	u, err := s.svc.Accounts.UpdateAccount(c.Request.Context(), id, upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) resetPassword(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var body passwordReset
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	if err := s.svc.Accounts.ResetPassword(c.Request.Context(), id, body.Password); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listAudit(c *gin.Context) {
	fe := domain.FieldErrors{}
	f := domain.AuditFilter{Page: pageParams(c, fe)}
	if v := strings.TrimSpace(c.Query("actor")); v != "" {
		f.Actor = &v
	}
	if v := strings.TrimSpace(c.Query("action")); v != "" {
		f.Action = &v
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	items, total, err := s.svc.Audit.FindAudit(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	f.Page = f.Page.Normalize()
	c.JSON(http.StatusOK, page[*domain.AuditEntry]{Items: items, Total: total, Page: f.Page.Page, PageSize: f.Page.PageSize})
}
