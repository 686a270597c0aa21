package apitest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/laiyuan-edz/chaincrm/repository"
)

// Zone is a second development zone beside the demo zone, for proving that zones never see
// each other. It has the chains "food" (the same code as the demo zone's, on purpose) and
// "textiles" (a code the demo zone lacks), the users of ZoneUsers (password DemoPassword),
// and one project of each chain created by its recruiter through the API.
type Zone struct {
	Code         string
	ID           int64
	ChainIDs     map[string]int64
	UserIDs      map[string]int64
	ProjectIDs   map[string]int64 // by chain code
	EnterpriseID int64            // the investor of its projects
}

// ZoneUsers are the second zone's users and roles. "admin" and "recruiter1" share their
// names with demo users on purpose: usernames are unique per zone only.
var ZoneUsers = []struct{ Username, Role, Chain string }{
	{"admin", "admin", ""},
	{"recruiter1", "recruiter", ""},
	{"zone2_chief", "chain_chief", "textiles"},
	{"zone2_viewer", "viewer", ""},
}

// AddZone creates a second zone code with its users, roles, default policy, chains and
// projects. Rows are written directly (a zone has no API), roles through the enforcer.
func (e *Env) AddZone(code string) *Zone {
	e.T.Helper()
	ctx := context.Background()
	g := e.DB.Gorm().WithContext(ctx) // a fresh session per statement chain
	now := e.Clock.Now().UTC()
	must := func(err error) {
		e.T.Helper()
		if err != nil {
			e.T.Fatalf("add zone %s: %v", code, err)
		}
	}
	id := func(table, where string, args ...any) int64 {
		e.T.Helper()
		var ids []int64
		must(g.Table(table).Where(where, args...).Pluck("id", &ids).Error)
		if len(ids) != 1 {
			e.T.Fatalf("add zone %s: %s where %s: %d rows", code, table, where, len(ids))
		}
		return ids[0]
	}
	z := &Zone{Code: code, ChainIDs: map[string]int64{}, UserIDs: map[string]int64{}, ProjectIDs: map[string]int64{}}
	must(g.Table("zones").Create(map[string]any{"code": code, "name": "测试开发区 " + code, "time_zone": "Asia/Shanghai", "created_at": now}).Error)
	z.ID = id("zones", "code = ?", code)
	for i, c := range []struct{ Code, Name string }{{"food", "食品（" + code + "）"}, {"textiles", "纺织"}} {
		must(g.Table("chains").Create(map[string]any{"zone_id": z.ID, "code": c.Code, "name": c.Name, "description": "",
			"sort_order": i + 1, "created_at": now}).Error)
		z.ChainIDs[c.Code] = id("chains", "zone_id = ? AND code = ?", z.ID, c.Code)
	}
	hash, err := repository.HashPassword(DemoPassword, e.DB.Opts.PasswordCost)
	must(err)
	for _, u := range ZoneUsers {
		must(g.Table("users").Create(map[string]any{"zone_id": z.ID, "username": u.Username, "display_name": u.Username + "（" + code + "）",
			"email": u.Username + "@" + code + ".example.cn", "phone": "", "agency": "", "password_hash": hash,
			"disabled": false, "digest_opt_out": false, "created_at": now, "updated_at": now}).Error)
		z.UserIDs[u.Username] = id("users", "zone_id = ? AND username = ?", z.ID, u.Username)
		if _, err := e.Enforcer.AddRoleForUserInDomain(u.Username, u.Role, code); err != nil {
			must(err)
		}
		if u.Chain != "" {
			must(g.Table("chain_chiefs").Create(map[string]any{"user_id": z.UserIDs[u.Username], "chain_id": z.ChainIDs[u.Chain]}).Error)
		}
	}
	must(e.DB.EnsureDefaultPolicyAudited(ctx, e.Enforcer, code))
	for _, chain := range []string{"food", "textiles"} {
		r := e.Do(http.MethodPost, "/api/v1/projects", e.TokenIn(code, "recruiter1"), map[string]any{
			"name": fmt.Sprintf("%s 区 %s 项目", code, chain), "investor": code + " 区投资方有限公司", "channel": "self_sourced",
			"chain": chain, "asset_type": "heavy", "planned_investment_wan": 1000, "docked_at": "2023-01-05"})
		if r.Status != http.StatusCreated {
			e.T.Fatalf("add zone %s: project: %d %s", code, r.Status, r.Body)
		}
		var p struct{ ID int64 }
		r.JSON(e.T, &p)
		z.ProjectIDs[chain] = p.ID
	}
	z.EnterpriseID = id("enterprises", "zone_id = ? AND name = ?", z.ID, code+" 区投资方有限公司")
	return z
}

// TokenIn logs username of the zone code in (once) and returns the bearer token.
func (e *Env) TokenIn(zone, username string) string {
	e.T.Helper()
	key := zone + "/" + username
	e.mu.Lock()
	tok, ok := e.tokens[key]
	e.mu.Unlock()
	if ok {
		return tok
	}
	r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"zone": zone, "username": username, "password": DemoPassword})
	if r.Status != http.StatusOK {
		e.T.Fatalf("login %s: %d %s", key, r.Status, r.Body)
	}
	var body struct{ Token string }
	r.JSON(e.T, &body)
	e.mu.Lock()
	e.tokens[key] = body.Token
	e.mu.Unlock()
	return body.Token
}

// Forget drops the cached token of a demo user, so that the next request logs in again
// (after a test revoked their sessions).
func (e *Env) Forget(username string) {
	e.mu.Lock()
	delete(e.tokens, username)
	e.mu.Unlock()
}
