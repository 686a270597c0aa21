package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// addPlatformAdmin makes a platform administrator, as `chaincrm user create NAME --role
// platform_admin --password P` does.
func addPlatformAdmin(t *testing.T, e *apitest.Env, username string) {
	t.Helper()
	_, err := e.DB.CreateProvinceUser(context.Background(), domain.ProvinceUserInput{Role: domain.RolePlatformAdmin, Username: username,
		Email: username + "@hebei.example.cn", Password: provincePassword}, repository.DemoZoneCode, e.DB.AuditedRoles(e.Enforcer))
	if err != nil {
		t.Fatalf("platform admin %s: %v", username, err)
	}
	if err := e.DB.EnsureDefaultPolicyAudited(context.Background(), e.Enforcer, domain.PlatformZoneCode); err != nil {
		t.Fatal(err)
	}
}

// platformLogin logs a platform user in without a zone.
func platformLogin(t *testing.T, e *apitest.Env, username string) string {
	t.Helper()
	r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": provincePassword})
	if r.Status != http.StatusOK {
		t.Fatalf("log-in %s: %d %s", username, r.Status, r.Body)
	}
	var body struct{ Token string }
	r.JSON(t, &body)
	return body.Token
}

// auditActions lists a zone's audit lines of action as "actor detail".
func auditActions(t *testing.T, e *apitest.Env, zone, action string) []string {
	t.Helper()
	var rows []struct{ Actor, Detail string }
	if err := e.DB.Gorm().Table("audit_log AS a").Select("a.actor, a.detail").Joins("JOIN zones z ON z.id = a.zone_id").
		Where("z.code = ? AND a.action = ?", zone, action).Order("a.id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Actor+" "+r.Detail)
	}
	return out
}

// TestPlatformAdmin: the platform administrator lists every zone with its users and
// projects, lists the platform's users, and grants and revokes a province user's zones —
// audited in each zone's own log and the platform's — after which the province user reads
// exactly the new zones. Province users and zone users reach none of it; a zone's
// administrator never sees the platform administrator.
func TestPlatformAdmin(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.AddZone("xiongan")
		e.AddZone("dingzhou")
		addProvinceUser(t, e, "hebei_sw", "laiyuan")
		addPlatformAdmin(t, e, "pingtai")
		adm := platformLogin(t, e, "pingtai")
		prov := provinceLogin(t, e, "hebei_sw")

		var me struct {
			Roles []string
			Zone  struct{ Code string }
		}
		getJSON(t, e, adm, "/api/v1/me", &me)
		if fmt.Sprint(me.Roles) != "[platform_admin]" || me.Zone.Code != "platform" {
			t.Fatalf("me: %+v", me)
		}
		var zones struct {
			Items []struct {
				Code, Name, Kind        string
				TimeZone                string `json:"time_zone"`
				Users, Projects, Grants int
				CreatedAt               string `json:"created_at"`
			}
			Total int
		}
		getJSON(t, e, adm, "/api/v1/platform/admin/zones", &zones)
		got := []string{}
		for _, z := range zones.Items {
			got = append(got, fmt.Sprintf("%s/%s/%d/%d/%d", z.Code, z.Kind, z.Users, z.Projects, z.Grants))
			if z.TimeZone == "" || z.CreatedAt == "" || z.Name == "" {
				t.Errorf("zone %+v", z)
			}
		}
		var lyUsers, lyProjects int64
		e.DB.Gorm().Table("users AS u").Joins("JOIN zones z ON z.id = u.zone_id").Where("z.code = ?", "laiyuan").Count(&lyUsers)
		e.DB.Gorm().Table("projects AS p").Joins("JOIN zones z ON z.id = p.zone_id").Where("z.code = ? AND p.deleted_at IS NULL", "laiyuan").Count(&lyProjects)
		want := fmt.Sprintf("[dingzhou/zone/4/2/0 laiyuan/zone/%d/%d/1 xiongan/zone/4/2/0 platform/platform/2/0/0]", lyUsers, lyProjects)
		if fmt.Sprint(got) != want || zones.Total != 4 {
			t.Errorf("zones %v, want %s", got, want)
		}

		var users struct {
			Items []struct {
				ID       int64
				Username string
				Roles    []string
				Zones    []string
			}
		}
		getJSON(t, e, adm, "/api/v1/platform/admin/users", &users)
		var provID, admID int64
		for _, u := range users.Items {
			switch u.Username {
			case "hebei_sw":
				provID = u.ID
				if fmt.Sprint(u.Roles, u.Zones) != "[province] [laiyuan]" {
					t.Errorf("hebei_sw: %+v", u)
				}
			case "pingtai":
				admID = u.ID
			}
		}
		if len(users.Items) != 2 || provID == 0 || admID == 0 {
			t.Fatalf("users: %+v", users.Items)
		}

		// grant xiongan and dingzhou, revoke laiyuan
		grants := fmt.Sprintf("/api/v1/platform/admin/users/%d/grants", provID)
		r := e.Do(http.MethodPut, grants, adm, map[string]any{"zones": []string{"xiongan", "dingzhou", "xiongan"}})
		var g struct {
			UserID   int64 `json:"user_id"`
			Username string
			Zones    []string
		}
		if r.Status != http.StatusOK {
			t.Fatalf("PUT grants: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &g)
		if g.UserID != provID || fmt.Sprint(g.Zones) != "[dingzhou xiongan]" {
			t.Errorf("grants: %+v", g)
		}
		var po platformOverview
		getJSON(t, e, prov, "/api/v1/platform/overview?year=2023", &po)
		if len(po.Zones) != 2 || po.Zones[0].Code != "dingzhou" || po.Zones[1].Code != "xiongan" {
			t.Errorf("the province user now reads %+v", po.Zones)
		}
		if r := e.Do(http.MethodGet, "/api/v1/platform/zones/laiyuan/projects", prov, nil); r.Status != http.StatusNotFound {
			t.Errorf("a revoked zone's pages: %d", r.Status)
		}
		if a := auditActions(t, e, "laiyuan", repository.AuditZoneRevoked); len(a) != 1 || !strings.HasPrefix(a[0], "pingtai ") || !strings.Contains(a[0], "hebei_sw") {
			t.Errorf("laiyuan's log: %v", a)
		}
		for _, z := range []string{"xiongan", "dingzhou"} {
			if a := auditActions(t, e, z, repository.AuditZoneGranted); len(a) != 1 || !strings.HasPrefix(a[0], "pingtai ") {
				t.Errorf("%s's log: %v", z, a)
			}
		}
		if a := auditActions(t, e, "platform", repository.AuditGrantsChanged); len(a) != 1 ||
			!strings.Contains(a[0], `"granted":["dingzhou","xiongan"]`) || !strings.Contains(a[0], `"revoked":["laiyuan"]`) {
			t.Errorf("the platform's log: %v", a)
		}
		// the same list again changes and audits nothing
		if r := e.Do(http.MethodPut, grants, adm, map[string]any{"zones": []string{"dingzhou", "xiongan"}}); r.Status != http.StatusOK {
			t.Errorf("again: %d", r.Status)
		}
		if a := auditActions(t, e, "platform", repository.AuditGrantsChanged); len(a) != 1 {
			t.Errorf("a repeat audited: %v", a)
		}
		getJSON(t, e, adm, grants, &g)
		if fmt.Sprint(g.Zones) != "[dingzhou xiongan]" {
			t.Errorf("GET grants: %+v", g)
		}

		var zoneAdmin []int64
		e.DB.Gorm().Table("users AS u").Joins("JOIN zones z ON z.id = u.zone_id").Where("z.code = ? AND u.username = ?", "laiyuan", "admin").Pluck("u.id", &zoneAdmin)
		// refused: an unknown zone (nothing changes), the platform's row, no list, not a province user
		for _, c := range []struct {
			path   string
			body   any
			status int
		}{
			{grants, map[string]any{"zones": []string{"laiyuan", "nowhere"}}, http.StatusBadRequest},
			{grants, map[string]any{"zones": []string{"platform"}}, http.StatusBadRequest},
			{grants, map[string]any{}, http.StatusBadRequest},
			{fmt.Sprintf("/api/v1/platform/admin/users/%d/grants", admID), map[string]any{"zones": []string{"laiyuan"}}, http.StatusNotFound},
			{fmt.Sprintf("/api/v1/platform/admin/users/%d/grants", zoneAdmin[0]), map[string]any{"zones": []string{"laiyuan"}}, http.StatusNotFound},
		} {
			if r := e.Do(http.MethodPut, c.path, adm, c.body); r.Status != c.status {
				t.Errorf("PUT %s %v: %d %s", c.path, c.body, r.Status, r.Body)
			}
		}
		getJSON(t, e, adm, grants, &g)
		if fmt.Sprint(g.Zones) != "[dingzhou xiongan]" {
			t.Errorf("after the refusals: %+v", g)
		}
		// revoke all
		if r := e.Do(http.MethodPut, grants, adm, map[string]any{"zones": []string{}}); r.Status != http.StatusOK {
			t.Errorf("revoke all: %d %s", r.Status, r.Body)
		}
		getJSON(t, e, prov, "/api/v1/platform/overview?year=2023", &po)
		if len(po.Zones) != 0 {
			t.Errorf("after revoking all: %+v", po.Zones)
		}

		// nobody else: province users, zone users (their own administrator too)
		for _, tok := range []string{prov, e.Token("admin"), e.Token("director"), e.TokenIn("xiongan", "admin")} {
			for _, p := range []string{"/api/v1/platform/admin/zones", "/api/v1/platform/admin/users", grants} {
				if r := e.Do(http.MethodGet, p, tok, nil); r.Status != http.StatusForbidden {
					t.Errorf("GET %s: %d", p, r.Status)
				}
			}
			if r := e.Do(http.MethodPut, grants, tok, map[string]any{"zones": []string{"laiyuan"}}); r.Status != http.StatusForbidden {
				t.Errorf("PUT grants: %d", r.Status)
			}
		}
		// the platform administrator reads no zone's data and no figures
		for _, p := range []string{"/api/v1/projects", "/api/v1/platform/overview?year=2022", "/api/v1/users", "/api/v1/platform/zones/laiyuan/projects"} {
			if r := e.Do(http.MethodGet, p, adm, nil); r.Status != http.StatusForbidden {
				t.Errorf("platform admin GET %s: %d", p, r.Status)
			}
		}
		// a zone's administrator never sees the platform administrator, nor makes one
		var zu struct{ Items []userBody }
		e.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &zu)
		for _, u := range zu.Items {
			if u.Username == "pingtai" {
				t.Error("laiyuan's administrator lists the platform administrator")
			}
		}
		if r := e.Do(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", admID), e.Token("admin"), nil); r.Status != http.StatusNotFound {
			t.Errorf("a zone admin reads the platform admin: %d", r.Status)
		}
		r = e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "pt2", "display_name": "x", "email": "p@x.cn",
			"password": provincePassword, "roles": []string{"platform_admin"}})
		if r.Status != http.StatusBadRequest {
			t.Errorf("a zone admin makes a platform admin: %d %s", r.Status, r.Body)
		}
	})
}
