package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// tokenRoutes: integration tokens (集成令牌, issue 18). Every user makes, lists and revokes
// their own; administrators list and revoke the zone's. A token acts as its user
// (authenticate); a read-only token only reads. Tokens cannot make tokens: that takes a
// person's log-in.
func (s *Server) tokenRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/tokens", Obj: "token", Act: "own", Summary: "The caller's integration tokens, newest first (never their secrets)",
			Out: itemList[*domain.APIToken]{}, Handler: s.listMyTokens},
		{Method: http.MethodPost, Path: v1 + "/tokens", Obj: "token", Act: "own", PersonOnly: true,
			Summary:     "Make an integration token acting as the caller; the secret (ccrm_…) is in this answer only",
			Description: "A read-only token may only read: every write (any method but GET) is 403. The token works through its expires_on day (the zone's calendar), until revoked, or until its user is disabled. Only its SHA-256 hash is stored. Integration tokens cannot make tokens (403).",
			Body:        domain.APITokenInput{}, Out: domain.NewAPIToken{}, Status: http.StatusCreated, Handler: s.createToken},
		{Method: http.MethodGet, Path: v1 + "/tokens/all", Obj: "token", Act: "manage", Summary: "Every integration token of the zone, newest first (administrators)",
			Out: itemList[*domain.APIToken]{}, Handler: s.listZoneTokens},
		{Method: http.MethodDelete, Path: v1 + "/tokens/:id", Obj: "token", Act: "own", Summary: "Revoke an integration token: one's own, or any of the zone for an administrator",
			Status: http.StatusNoContent, Handler: s.revokeToken},
	}
}

func (s *Server) listMyTokens(c *gin.Context) {
	v, err := s.svc.Tokens.FindMyTokens(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(v))
}

func (s *Server) listZoneTokens(c *gin.Context) {
	v, err := s.svc.Tokens.FindZoneTokens(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(v))
}

func (s *Server) createToken(c *gin.Context) {
	var in domain.APITokenInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	t, err := s.svc.Tokens.CreateToken(c.Request.Context(), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, t)
}

func (s *Server) revokeToken(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	if err := s.svc.Tokens.RevokeToken(c.Request.Context(), id); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiTokenKey holds the integration token a request was authenticated with.
const apiTokenKey = "chaincrm.api_token"

// tokenRules applies an integration token to the request authenticate resolved it for: its
// first use of the day goes to the audit log, and a read-only token may only read.
func (s *Server) tokenRules(c *gin.Context, use *domain.TokenUse) error {
	c.Set(apiTokenKey, use.Token)
	ctx := c.Request.Context()
	if use.FirstToday {
		s.record(ctx, domain.AuditEntry{Action: domain.AuditTokenUse, Object: "token:" + strconv.FormatInt(use.Token.ID, 10),
			Detail: detail("name", use.Token.Name, "read_only", use.Token.ReadOnly, "first_request", c.Request.Method+" "+c.FullPath())})
	}
	if use.Token.ReadOnly && stateChanging(c.Request.Method) {
		return domain.Errorf(domain.EFORBIDDEN, "只读集成令牌不能修改数据 (read-only token: writes are forbidden)")
	}
	return nil
}

// personOnly refuses integration tokens on routes that need a person's log-in (making
// tokens, changing one's password).
func personOnly(c *gin.Context) {
	if _, ok := c.Get(apiTokenKey); ok {
		Abort(c, domain.Errorf(domain.EFORBIDDEN, "集成令牌不能进行此操作，请以本人身份登录 (not with an integration token)"))
		return
	}
	c.Next()
}
