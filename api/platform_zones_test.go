package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// sameAnswer reads path as the province user through the platform and zonePath as the
// zone's own viewer, and wants the same status and the same JSON.
func sameAnswer(t *testing.T, e *apitest.Env, prov, viewer, platformPath, zonePath string) {
	t.Helper()
	a := e.Do(http.MethodGet, platformPath, prov, nil)
	b := e.Do(http.MethodGet, zonePath, viewer, nil)
	if a.Status != http.StatusOK || b.Status != http.StatusOK {
		t.Fatalf("%s: %d %s; the zone's own %s: %d %s", platformPath, a.Status, a.Body, zonePath, b.Status, b.Body)
	}
	var va, vb any
	if err := json.Unmarshal(a.Body, &va); err != nil {
		t.Fatalf("%s: %v", platformPath, err)
	}
	if err := json.Unmarshal(b.Body, &vb); err != nil {
		t.Fatalf("%s: %v", zonePath, err)
	}
	if !reflect.DeepEqual(va, vb) {
		t.Errorf("%s answers\n%s\nthe zone's viewer reads at %s\n%s", platformPath, clipBody(a.Body), zonePath, clipBody(b.Body))
	}
}

func clipBody(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// TestPlatformZonePages: a province user opens each granted zone's own pages — its
// dashboard figures, service figures, indicators, projects, a project with its activities
// and history, its chains and their maps — and reads exactly what the zone's viewer reads
// there; an ungranted or unknown zone is 404, another zone's project or chain through a
// granted zone's path is 404, zone users never reach these routes, and nothing is written.
func TestPlatformZonePages(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		z := e.AddZone("xiongan")
		addProvinceUser(t, e, "hebei_sw", "laiyuan", "xiongan")
		addProvinceUser(t, e, "baoding", "xiongan")
		prov := provinceLogin(t, e, "hebei_sw")
		viewers := map[string]string{"laiyuan": e.Token("viewer"), "xiongan": e.TokenIn("xiongan", "zone2_viewer")}

		// a laiyuan project with activities and history
		var list struct{ Items []map[string]any }
		getJSON(t, e, e.Token("admin"), "/api/v1/projects?page_size=1&stage=follow_up", &list)
		if len(list.Items) != 1 {
			t.Fatal("no signed project in the demo zone")
		}
		ly := int64(list.Items[0]["id"].(float64))
		for zone, viewer := range viewers {
			base := "/api/v1/platform/zones/" + zone
			pid := ly
			if zone == "xiongan" {
				pid = z.ProjectIDs["food"]
			}
			for _, p := range []string{"/stats/overview?year=2022", "/stats/overview?year=2023", "/stats/service?year=2023",
				"/indicators?year=2022", "/projects?page_size=20&page=2", "/projects?stage=follow_up&page_size=50",
				fmt.Sprintf("/projects/%d", pid), fmt.Sprintf("/projects/%d/activities", pid), fmt.Sprintf("/projects/%d/history", pid),
				"/chains", "/chains/food/map"} {
				sameAnswer(t, e, prov, viewer, base+p, "/api/v1"+p)
			}
		}
		// the figures are the zone's: laiyuan's 2022 dockings, xiongan's two projects
		var o zoneOverview
		getJSON(t, e, prov, "/api/v1/platform/zones/laiyuan/stats/overview?year=2022", &o)
		if o.DockedTotal != 87 {
			t.Errorf("laiyuan 2022 through the platform: %+v", o)
		}
		var xl struct{ Total int }
		getJSON(t, e, prov, "/api/v1/platform/zones/xiongan/projects", &xl)
		if xl.Total != 2 {
			t.Errorf("xiongan's projects: %d", xl.Total)
		}
		if r := e.Do(http.MethodGet, "/api/v1/platform/zones/laiyuan/chains/food/map.svg", prov, nil); r.Status != http.StatusOK {
			t.Errorf("map.svg: %d", r.Status)
		}

		notFound := []struct{ token, path string }{
			{provinceLogin(t, e, "baoding"), "/api/v1/platform/zones/laiyuan/projects"},             // not granted
			{prov, "/api/v1/platform/zones/nowhere/stats/overview?year=2022"},                       // no such zone
			{prov, "/api/v1/platform/zones/platform/projects"},                                      // the platform is no zone
			{prov, fmt.Sprintf("/api/v1/platform/zones/xiongan/projects/%d", ly)},                   // laiyuan's project through xiongan
			{prov, fmt.Sprintf("/api/v1/platform/zones/laiyuan/projects/%d", z.ProjectIDs["food"])}, // and the other way
			{prov, "/api/v1/platform/zones/laiyuan/chains/textiles/map"},                            // xiongan's chain through laiyuan
		}
		for _, c := range notFound {
			if r := e.Do(http.MethodGet, c.path, c.token, nil); r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d %s", c.path, r.Status, r.Body)
			}
		}
		// zone users never read a zone through the platform, not even their own
		for _, u := range []string{"admin", "director", "viewer"} {
			if r := e.As(u, http.MethodGet, "/api/v1/platform/zones/laiyuan/projects", nil); r.Status != http.StatusForbidden {
				t.Errorf("%s: %d", u, r.Status)
			}
		}
		// nothing is written: the zone's write routes stay 403 to the province user, and the
		// platform's zone routes take no writes (405)
		p := fmt.Sprintf("/api/v1/projects/%d", ly)
		if r := e.Do(http.MethodPatch, p, prov, map[string]any{"version": 1, "notes": "省里改的"}); r.Status != http.StatusForbidden {
			t.Errorf("PATCH %s: %d", p, r.Status)
		}
		for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
			path := fmt.Sprintf("/api/v1/platform/zones/laiyuan/projects/%d", ly)
			if r := e.Do(m, path, prov, map[string]any{"notes": "x"}); r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusForbidden {
				t.Errorf("%s %s: %d", m, path, r.Status)
			}
		}
		var after map[string]any
		getJSON(t, e, e.Token("admin"), p, &after)
		if after["notes"] == "省里改的" {
			t.Errorf("the province user wrote: %v", after)
		}
	})
}

// TestPlatformRanking: the granted zones ranked by dockings, signings and signed
// investment, each figure the overview's, equal figures sharing a rank.
func TestPlatformRanking(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		e.AddZone("xiongan")
		e.AddZone("dingzhou")
		addProvinceUser(t, e, "hebei_sw", "laiyuan", "xiongan", "dingzhou")
		prov := provinceLogin(t, e, "hebei_sw")
		type rankItem struct {
			Rank        int
			Code        string
			DockedTotal int     `json:"docked_total"`
			SignedCount int     `json:"signed_count"`
			Investment  float64 `json:"investment_wan"`
		}
		cases := []struct {
			year int
			by   string
			want string
		}{
			// 2022: laiyuan's seed figures, the two new zones nothing (a shared 2nd place, by code)
			{2022, "docked", "[1 laiyuan] [2 dingzhou] [2 xiongan]"},
			{2022, "signed", "[1 laiyuan] [2 dingzhou] [2 xiongan]"},
			{2022, "investment", "[1 laiyuan] [2 dingzhou] [2 xiongan]"},
			// 2023: the new zones docked two each, more than laiyuan: they share the 1st place
			{2023, "docked", "[1 dingzhou] [1 xiongan] [3 laiyuan]"},
		}
		for _, c := range cases {
			var po platformOverview
			getJSON(t, e, prov, fmt.Sprintf("/api/v1/platform/overview?year=%d", c.year), &po)
			fig := map[string]platformZoneFigures{}
			for _, z := range po.Zones {
				fig[z.Code] = z
			}
			var r struct {
				Year  int
				By    string
				Items []rankItem
			}
			getJSON(t, e, prov, fmt.Sprintf("/api/v1/platform/ranking?year=%d&by=%s", c.year, c.by), &r)
			if r.Year != c.year || r.By != c.by || len(r.Items) != 3 {
				t.Fatalf("%d %s: %+v", c.year, c.by, r)
			}
			got := ""
			for i, it := range r.Items {
				f := fig[it.Code]
				if it.DockedTotal != f.DockedTotal || it.SignedCount != f.Signed.Count || it.Investment != f.Signed.Total {
					t.Errorf("%d %s %s: %+v, the overview %+v", c.year, c.by, it.Code, it, f)
				}
				if i > 0 {
					got += " "
				}
				got += fmt.Sprintf("[%d %s]", it.Rank, it.Code)
			}
			if got != c.want {
				t.Errorf("%d by %s: %s, want %s", c.year, c.by, got, c.want)
			}
		}
		var def struct{ By string }
		getJSON(t, e, prov, "/api/v1/platform/ranking?year=2023", &def)
		if def.By != "docked" {
			t.Errorf("default: %q", def.By)
		}
		if r := e.Do(http.MethodGet, "/api/v1/platform/ranking?year=2023&by=tax", prov, nil); r.Status != http.StatusBadRequest {
			t.Errorf("by=tax: %d %s", r.Status, r.Body)
		}
	})
}
