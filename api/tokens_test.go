package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

type tokenBody struct {
	ID         int64   `json:"id"`
	Token      string  `json:"token"`
	Name       string  `json:"name"`
	Hint       string  `json:"hint"`
	ReadOnly   bool    `json:"read_only"`
	ExpiresOn  string  `json:"expires_on"`
	LastUsedAt *string `json:"last_used_at"`
	Status     string  `json:"status"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
}

func makeToken(t *testing.T, e *apitest.Env, user string, readOnly bool, expires string) tokenBody {
	t.Helper()
	r := e.As(user, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "省平台对接", "expires_on": expires, "read_only": readOnly})
	if r.Status != http.StatusCreated {
		t.Fatalf("create token as %s: %d %s", user, r.Status, r.Body)
	}
	var tb tokenBody
	r.JSON(t, &tb)
	return tb
}

func tokenList(t *testing.T, e *apitest.Env, user, path string) []tokenBody {
	t.Helper()
	r := e.As(user, http.MethodGet, path, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s as %s: %d %s", path, user, r.Status, r.Body)
	}
	var body struct{ Items []tokenBody }
	r.JSON(t, &body)
	return body.Items
}

func auditCount(t *testing.T, e *apitest.Env, action string) int {
	t.Helper()
	var n int64
	if err := e.DB.Gorm().Table("audit_log").Where("action = ?", action).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestTokenLifecycle: a token is shown once, stored hashed, acts as its user, is listed
// without its secret, records its use (once a day in the audit log), and stops at revocation.
func TestTokenLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		tb := makeToken(t, e, "recruiter1", false, "2023-12-31")
		if !strings.HasPrefix(tb.Token, "ccrm_") || len(tb.Token) < 40 || tb.User.Username != "recruiter1" || tb.Status != "active" {
			t.Fatalf("token = %+v", tb)
		}
		if !strings.HasPrefix(tb.Token, strings.TrimSuffix(tb.Hint, "…")) {
			t.Errorf("hint %q is not the token's start", tb.Hint)
		}
		// Stored hashed: the hash is there, the secret nowhere.
		sum := sha256.Sum256([]byte(tb.Token))
		var n int64
		e.DB.Gorm().Table("api_tokens").Where("token_hash = ?", hex.EncodeToString(sum[:])).Count(&n)
		if n != 1 {
			t.Errorf("token hash rows = %d", n)
		}
		e.DB.Gorm().Table("api_tokens").Where("token_hash = ? OR hint = ? OR name = ?", tb.Token, tb.Token, tb.Token).Count(&n)
		if n != 0 {
			t.Error("the secret is stored")
		}
		// Listed without the secret.
		r := e.As("recruiter1", http.MethodGet, "/api/v1/tokens", nil)
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), tb.Token) || !strings.Contains(string(r.Body), "省平台对接") {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		// Acts as its user.
		me := e.Do(http.MethodGet, "/api/v1/me", tb.Token, nil).Map(t)
		if me["username"] != "recruiter1" {
			t.Fatalf("me via token = %v", me)
		}
		r = e.Do(http.MethodPost, "/api/v1/projects", tb.Token, newProject("令牌创建的项目"))
		if r.Status != http.StatusCreated || r.Map(t)["owner"] != "recruiter1" {
			t.Fatalf("create via token: %d %s", r.Status, r.Body)
		}
		// Used: last-used time kept; the audit log has the first use of the day only.
		e.Clock.Add(2 * time.Minute)
		e.Do(http.MethodGet, "/api/v1/projects", tb.Token, nil)
		if got := auditCount(t, e, "token_used"); got != 1 {
			t.Errorf("token_used lines after 3 uses in a day = %d, want 1", got)
		}
		if got := tokenList(t, e, "recruiter1", "/api/v1/tokens"); len(got) != 1 || got[0].LastUsedAt == nil {
			t.Errorf("last used not kept: %+v", got)
		}
		e.Clock.Add(24 * time.Hour)
		e.ForgetSessions()
		if r := e.Do(http.MethodGet, "/api/v1/me", tb.Token, nil); r.Status != http.StatusOK {
			t.Fatalf("next day: %d", r.Status)
		}
		if got := auditCount(t, e, "token_used"); got != 2 {
			t.Errorf("token_used lines after a second day = %d, want 2", got)
		}
		if auditCount(t, e, "token_created") != 1 {
			t.Error("creation not audited")
		}
		// Revoked: refused at once, listed as revoked, audited.
		if r := e.As("recruiter1", http.MethodDelete, "/api/v1/tokens/"+itoa(tb.ID), nil); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", tb.Token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", r.Status)
		}
		if got := tokenList(t, e, "recruiter1", "/api/v1/tokens"); got[0].Status != "revoked" {
			t.Errorf("status after revocation = %q", got[0].Status)
		}
		if auditCount(t, e, "token_revoked") != 1 {
			t.Error("revocation not audited")
		}
	})
}

// TestReadOnlyToken: reads work within the user's scope; every write is 403.
func TestReadOnlyToken(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		ro := makeToken(t, e, "admin", true, "2023-01-31").Token
		if r := e.Do(http.MethodGet, "/api/v1/projects?page_size=5", ro, nil); r.Status != http.StatusOK {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		pid := itoa(int64(list(t, e, "admin", "page_size=1").Items[0]["id"].(float64)))
		for _, w := range []struct{ method, path string }{
			{http.MethodPost, "/api/v1/projects"},
			{http.MethodPatch, "/api/v1/projects/" + pid},
			{http.MethodDelete, "/api/v1/projects/" + pid},
			{http.MethodPost, "/api/v1/projects/" + pid + "/activities"},
			{http.MethodPost, "/api/v1/tokens"},
			{http.MethodPost, "/api/v1/auth/logout"},
		} {
			r := e.Do(w.method, w.path, ro, map[string]any{"name": "x"})
			if r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
				t.Errorf("%s %s with a read-only token: %d %s", w.method, w.path, r.Status, r.Body)
			}
		}
		// The same user's own scope: agent1 sees only what agent1 submitted.
		agent := makeToken(t, e, "agent1", true, "2023-01-31").Token
		var viaToken, viaSession listBody
		e.Do(http.MethodGet, "/api/v1/projects?page_size=200", agent, nil).JSON(t, &viaToken)
		e.As("agent1", http.MethodGet, "/api/v1/projects?page_size=200", nil).JSON(t, &viaSession)
		if viaToken.Total != viaSession.Total || viaToken.Total >= list(t, e, "admin", "page_size=1").Total {
			t.Errorf("agent1's token sees %d projects, their session %d", viaToken.Total, viaSession.Total)
		}
	})
}

// TestTokenRules: expiry, tokens making tokens, disabled users, administrators' view, and
// others' tokens.
func TestTokenRules(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for _, bad := range []map[string]any{
			{"name": "x", "expires_on": "2023-01-15"},
			{"name": "", "expires_on": "2023-02-01"},
			{"name": "x"},
			{"name": "x", "expires_on": "2023-02-30"},
		} {
			if r := e.As("recruiter1", http.MethodPost, "/api/v1/tokens", bad); r.Status != http.StatusBadRequest {
				t.Errorf("%v: %d %s", bad, r.Status, r.Body)
			}
		}
		today := makeToken(t, e, "recruiter1", false, "2023-01-16")
		if r := e.Do(http.MethodGet, "/api/v1/me", today.Token, nil); r.Status != http.StatusOK {
			t.Errorf("a token on its last day: %d", r.Status)
		}
		if r := e.Do(http.MethodPost, "/api/v1/tokens", today.Token, map[string]any{"name": "x", "expires_on": "2023-02-01"}); r.Status != http.StatusForbidden {
			t.Errorf("a token making a token: %d", r.Status)
		}
		e.Clock.Add(24 * time.Hour) // 2023-01-17 10:00 in the zone
		e.ForgetSessions()
		if r := e.Do(http.MethodGet, "/api/v1/me", today.Token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("an expired token: %d", r.Status)
		}
		if got := tokenList(t, e, "recruiter1", "/api/v1/tokens"); got[0].Status != "expired" {
			t.Errorf("listed as %q", got[0].Status)
		}

		mine := makeToken(t, e, "recruiter1", false, "2023-12-31")
		if r := e.As("recruiter2", http.MethodDelete, "/api/v1/tokens/"+itoa(mine.ID), nil); r.Status != http.StatusNotFound {
			t.Errorf("recruiter2 revoking recruiter1's token: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodGet, "/api/v1/tokens/all", nil); r.Status != http.StatusForbidden {
			t.Errorf("recruiter1 listing the zone's tokens: %d", r.Status)
		}
		all := tokenList(t, e, "admin", "/api/v1/tokens/all")
		if len(all) != 2 || all[0].User.Username != "recruiter1" || all[0].Token != "" {
			t.Errorf("the zone's tokens: %+v", all)
		}
		// Disabling the user stops their tokens.
		uid := tokenUserID(t, e, "recruiter1")
		if r := e.As("admin", http.MethodPatch, "/api/v1/users/"+itoa(uid), map[string]any{"disabled": true}); r.Status != http.StatusOK {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", mine.Token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a disabled user's token: %d", r.Status)
		}
		e.As("admin", http.MethodPatch, "/api/v1/users/"+itoa(uid), map[string]any{"disabled": false})
		if r := e.As("admin", http.MethodDelete, "/api/v1/tokens/"+itoa(mine.ID), nil); r.Status != http.StatusNoContent {
			t.Errorf("admin revoking recruiter1's token: %d %s", r.Status, r.Body)
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", mine.Token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a token the administrator revoked: %d", r.Status)
		}
		if r := e.Do(http.MethodGet, "/api/v1/me", "ccrm_not-a-token", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("an unknown token: %d", r.Status)
		}
	})
}

func tokenUserID(t *testing.T, e *apitest.Env, username string) int64 {
	t.Helper()
	var id int64
	e.DB.Gorm().Table("users").Where("username = ?", username).Order("id").Limit(1).Pluck("id", &id)
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
