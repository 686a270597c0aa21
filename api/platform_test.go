package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// provincePassword passes the password policy.
const provincePassword = "cloud ferry lantern orchard"

// addProvinceUser makes a province user granted zones, as `chaincrm user create` does.
func addProvinceUser(t *testing.T, e *apitest.Env, username string, zones ...string) {
	t.Helper()
	ctx := context.Background()
	_, err := e.DB.CreateProvinceUser(ctx, domain.ProvinceUserInput{Username: username, Email: username + "@hebei.example.cn",
		Password: provincePassword, Zones: zones}, repository.DemoZoneCode, e.DB.AuditedRoles(e.Enforcer))
	if err != nil {
		t.Fatalf("province user %s: %v", username, err)
	}
	if err := e.DB.EnsureDefaultPolicyAudited(ctx, e.Enforcer, domain.PlatformZoneCode); err != nil {
		t.Fatal(err)
	}
}

// provinceLogin logs a province user in with a user name and password only.
func provinceLogin(t *testing.T, e *apitest.Env, username string) string {
	t.Helper()
	r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": provincePassword})
	if r.Status != http.StatusOK {
		t.Fatalf("province log-in %s: %d %s", username, r.Status, r.Body)
	}
	var body struct {
		Token string
		User  struct {
			Roles []string
			Zone  struct{ Code string }
		}
	}
	r.JSON(t, &body)
	if len(body.User.Roles) != 1 || body.User.Roles[0] != "province" || body.User.Zone.Code != domain.PlatformZoneCode {
		t.Fatalf("province log-in %s: %s", username, r.Body)
	}
	return body.Token
}

type platformOverview struct {
	Year  int
	Zones []platformZoneFigures
	Total struct {
		Zones       int
		DockedTotal int            `json:"docked_total"`
		ByChannel   map[string]int `json:"by_channel"`
		ByStage     map[string]int `json:"by_stage"`
		Signed      signedFigures
	}
}

type platformZoneFigures struct {
	Code, Name  string
	DockedTotal int            `json:"docked_total"`
	ByChannel   map[string]int `json:"by_channel"`
	ByStage     map[string]int `json:"by_stage"`
	Signed      signedFigures
}

type signedFigures struct {
	Count    int
	Planned  float64 `json:"planned_investment_wan"`
	Increase float64 `json:"increase_wan"`
	Total    float64 `json:"total_wan"`
}

type zoneOverview struct {
	DockedTotal int            `json:"docked_total"`
	ByChannel   map[string]int `json:"by_channel"`
	ByStage     map[string]int `json:"by_stage"`
	ByChain     map[string]int `json:"by_chain"`
	Signed      signedFigures
}

func getJSON(t *testing.T, e *apitest.Env, token, path string, v any) {
	t.Helper()
	r := e.Do(http.MethodGet, path, token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	r.JSON(t, v)
}

// checkAgainstZones compares each line of the platform's overview with the zone's own
// dashboard for the same year, read by the zone's administrator, and the total with the sum.
func checkAgainstZones(t *testing.T, e *apitest.Env, prov string, year int, zoneTokens map[string]string) {
	t.Helper()
	var po platformOverview
	getJSON(t, e, prov, fmt.Sprintf("/api/v1/platform/overview?year=%d", year), &po)
	if len(po.Zones) != len(zoneTokens) || po.Total.Zones != len(zoneTokens) {
		t.Fatalf("%d: zones %+v", year, po.Zones)
	}
	sum := zoneOverview{ByChannel: map[string]int{}, ByStage: map[string]int{}}
	for _, z := range po.Zones {
		var own zoneOverview
		getJSON(t, e, zoneTokens[z.Code], fmt.Sprintf("/api/v1/stats/overview?year=%d", year), &own)
		if z.DockedTotal != own.DockedTotal || fmt.Sprint(z.ByChannel) != fmt.Sprint(own.ByChannel) ||
			fmt.Sprint(z.ByStage) != fmt.Sprint(own.ByStage) || z.Signed != own.Signed {
			t.Errorf("%d %s: platform %+v, the zone's own dashboard %+v", year, z.Code, z, own)
		}
		sum.DockedTotal += z.DockedTotal
		sum.Signed.Count += z.Signed.Count
		sum.Signed.Total += z.Signed.Total
		for k, n := range z.ByChannel {
			sum.ByChannel[k] += n
		}
	}
	if po.Total.DockedTotal != sum.DockedTotal || po.Total.Signed.Count != sum.Signed.Count ||
		po.Total.Signed.Total != sum.Signed.Total || fmt.Sprint(po.Total.ByChannel) != fmt.Sprint(sum.ByChannel) {
		t.Errorf("%d total %+v, sum of the zones %+v", year, po.Total, sum)
	}
}

// TestPlatformOverview: a province user logs in with a name and a password, reads the
// zones granted to it side by side — each line equal to that zone's own /stats/overview of
// the same year, also after a signed project's investment changed — and nothing else.
func TestPlatformOverview(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.AddZone("xiongan")
		addProvinceUser(t, e, "hebei_sw", "laiyuan", "xiongan")
		addProvinceUser(t, e, "baoding", "xiongan")
		prov := provinceLogin(t, e, "hebei_sw")
		zones := map[string]string{"laiyuan": e.Token("admin"), "xiongan": e.TokenIn("xiongan", "admin")}

		var po platformOverview
		getJSON(t, e, prov, "/api/v1/platform/overview?year=2022", &po)
		if len(po.Zones) != 2 || po.Zones[0].Code != "laiyuan" || po.Zones[1].Code != "xiongan" {
			t.Fatalf("zones: %+v", po.Zones)
		}
		ly := po.Zones[0]
		if ly.DockedTotal != 87 || ly.ByChannel["entrusted"] != 26 || ly.ByChannel["business_referral"] != 15 ||
			ly.ByChannel["self_sourced"] != 21 || ly.ByChannel["resource_plus"] != 25 ||
			ly.Signed.Count != 4 || ly.Signed.Planned != 80500 {
			t.Errorf("laiyuan 2022 is the seed's: %+v", ly)
		}
		for _, y := range []int{2021, 2022, 2023} {
			checkAgainstZones(t, e, prov, y, zones)
		}

		// a 2022 signing raised in 2023: 2022 keeps the year-end amount, 2023 counts the increase
		var list struct{ Items []map[string]any }
		getJSON(t, e, e.Token("admin"), "/api/v1/projects?q=誉柯&page_size=5", &list)
		if len(list.Items) == 0 {
			t.Fatal("誉柯 not found")
		}
		p := list.Items[0]
		r := e.As("admin", http.MethodPatch, fmt.Sprintf("/api/v1/projects/%v", p["id"]),
			map[string]any{"version": p["version"], "planned_investment_wan": p["planned_investment_wan"].(float64) + 2000})
		if r.Status != http.StatusOK {
			t.Fatalf("raise: %d %s", r.Status, r.Body)
		}
		for _, y := range []int{2022, 2023} {
			checkAgainstZones(t, e, prov, y, zones)
		}
		getJSON(t, e, prov, "/api/v1/platform/overview?year=2023", &po)
		if po.Zones[0].Signed.Increase != 2000 {
			t.Errorf("2023 increase: %+v", po.Zones[0].Signed)
		}

		// a province user granted one zone sees that one only
		var one platformOverview
		getJSON(t, e, provinceLogin(t, e, "baoding"), "/api/v1/platform/overview?year=2023", &one)
		if len(one.Zones) != 1 || one.Zones[0].Code != "xiongan" {
			t.Errorf("baoding: %+v", one.Zones)
		}
		if r := e.Do(http.MethodGet, "/api/v1/platform/overview?year=abc", prov, nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad year: %d", r.Status)
		}
	})
}

// TestPlatformChains: chains of the same code side by side; each zone's count equals its
// own dashboard's by_chain.
func TestPlatformChains(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.AddZone("xiongan")
		addProvinceUser(t, e, "hebei_sw", "laiyuan", "xiongan")
		prov := provinceLogin(t, e, "hebei_sw")
		zones := map[string]string{"laiyuan": e.Token("admin"), "xiongan": e.TokenIn("xiongan", "admin")}
		for _, y := range []int{2022, 2023} {
			var pc struct {
				Chains []struct {
					Code        string
					DockedTotal int `json:"docked_total"`
					Zones       []struct {
						Code        string
						NodeCount   int `json:"node_count"`
						DockedTotal int `json:"docked_total"`
						Signed      signedFigures
					}
				}
			}
			getJSON(t, e, prov, fmt.Sprintf("/api/v1/platform/chains?year=%d", y), &pc)
			own := map[string]zoneOverview{}
			for code, tok := range zones {
				var o zoneOverview
				getJSON(t, e, tok, fmt.Sprintf("/api/v1/stats/overview?year=%d", y), &o)
				own[code] = o
			}
			seen := map[string][]string{}
			for _, c := range pc.Chains {
				sum := 0
				for _, z := range c.Zones {
					seen[c.Code] = append(seen[c.Code], z.Code)
					if z.DockedTotal != own[z.Code].ByChain[c.Code] {
						t.Errorf("%d %s in %s: docked %d, the zone's dashboard %d", y, c.Code, z.Code, z.DockedTotal, own[z.Code].ByChain[c.Code])
					}
					sum += z.DockedTotal
				}
				if sum != c.DockedTotal {
					t.Errorf("%d %s: total %d, zones %d", y, c.Code, c.DockedTotal, sum)
				}
			}
			if pc.Chains[0].Code != "food" || fmt.Sprint(seen["food"]) != "[laiyuan xiongan]" || fmt.Sprint(seen["textiles"]) != "[xiongan]" ||
				fmt.Sprint(seen["semiconductor"]) != "[laiyuan]" {
				t.Errorf("%d chains by zone: %v", y, seen)
			}
			if y == 2023 && pc.Chains[0].Zones[1].DockedTotal != 1 {
				t.Errorf("xiongan food 2023: %+v", pc.Chains[0].Zones[1])
			}
		}
	})
}

// TestProvinceReadOnly: a province user writes nothing anywhere (403), reads no zone route,
// and no zone user reaches the platform or makes a province user.
func TestProvinceReadOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		z := e.AddZone("xiongan")
		addProvinceUser(t, e, "hebei_sw", "laiyuan", "xiongan")
		prov := provinceLogin(t, e, "hebei_sw")
		theirs := fmt.Sprintf("/api/v1/projects/%d", z.ProjectIDs["food"])
		writes := []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, "/api/v1/projects", map[string]any{"name": "省里建的项目", "investor": "某公司", "channel": "self_sourced",
				"asset_type": "heavy", "planned_investment_wan": 1, "docked_at": "2023-01-05"}},
			{http.MethodPatch, theirs, map[string]any{"version": 1, "notes": "x"}},
			{http.MethodDelete, theirs, nil},
			{http.MethodPost, theirs + "/transition", map[string]any{"to": "identification"}},
			{http.MethodPost, theirs + "/activities", map[string]any{"kind": "call", "occurred_at": "2023-01-10", "summary": "x"}},
			{http.MethodPost, "/api/v1/campaigns", map[string]any{"kind": "trip", "name": "x", "city": "北京", "start_date": "2023-01-10"}},
			{http.MethodPost, "/api/v1/users", map[string]any{"username": "x1", "display_name": "x", "email": "x@x.cn", "password": provincePassword, "roles": []string{"viewer"}}},
			{http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "expires_on": "2023-12-31"}},
			{http.MethodPost, "/api/v1/enterprises", map[string]any{"name": "省里的企业有限公司"}},
		}
		for _, w := range writes {
			if r := e.Do(w.method, w.path, prov, w.body); r.Status != http.StatusForbidden {
				t.Errorf("province %s %s: %d %s", w.method, w.path, r.Status, r.Body)
			}
		}
		for _, p := range []string{"/api/v1/projects", theirs, "/api/v1/chains", "/api/v1/stats/overview?year=2022", "/api/v1/users", "/api/v1/audit"} {
			if r := e.Do(http.MethodGet, p, prov, nil); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
				t.Errorf("province GET %s: %d", p, r.Status)
			}
		}
		// zone users never reach the platform; a zone's administrator cannot make a province user
		for _, u := range []string{"admin", "director", "viewer"} {
			if r := e.As(u, http.MethodGet, "/api/v1/platform/overview?year=2022", nil); r.Status != http.StatusForbidden {
				t.Errorf("%s reads the platform: %d", u, r.Status)
			}
		}
		r := e.As("admin", http.MethodPost, "/api/v1/users", map[string]any{"username": "sheng", "display_name": "省里", "email": "s@x.cn",
			"password": provincePassword, "roles": []string{"province"}})
		if r.Status != http.StatusBadRequest || r.ErrorCode() == "" {
			t.Errorf("admin makes a province user: %d %s", r.Status, r.Body)
		}
		var users struct{ Items []userBody }
		e.As("admin", http.MethodGet, "/api/v1/users", nil).JSON(t, &users)
		for _, u := range users.Items {
			if u.Username == "hebei_sw" {
				t.Errorf("laiyuan's administrator lists the province user")
			}
		}
		// the province user's own account is theirs: password change, log-out
		if r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"zone": "laiyuan", "username": "hebei_sw", "password": provincePassword}); r.Status != http.StatusUnauthorized {
			t.Errorf("province user logs into a zone: %d", r.Status)
		}
		if r := e.Do(http.MethodPost, "/api/v1/auth/logout", prov, nil); r.Status != http.StatusNoContent {
			t.Errorf("log-out: %d %s", r.Status, r.Body)
		}
		// a name the default zone holds is refused: a log-in without a zone finds the zone's user
		_, err := e.DB.CreateProvinceUser(context.Background(), domain.ProvinceUserInput{Username: "director", Email: "d@x.cn",
			Password: provincePassword, Zones: []string{"xiongan"}}, repository.DemoZoneCode, e.DB.AuditedRoles(e.Enforcer))
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("province user named director: %v", err)
		}
		_, err = e.DB.CreateProvinceUser(context.Background(), domain.ProvinceUserInput{Username: "sheng2", Email: "d@x.cn",
			Password: provincePassword, Zones: []string{"nowhere"}}, repository.DemoZoneCode, e.DB.AuditedRoles(e.Enforcer))
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("province user of an unknown zone: %v", err)
		}
		// the demo users still log in without a zone
		if r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "viewer", "password": apitest.DemoPassword}); r.Status != http.StatusOK {
			t.Errorf("viewer: %d", r.Status)
		}
	})
}
