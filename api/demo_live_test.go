package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// liveDemoDates: the demo loaded at a fixed day mid-year and today.
func liveDemoDates() map[string]time.Time {
	return map[string]time.Time{"fixed": shanghai("2026-06-15 10:00"), "today": time.Now().Truncate(time.Second)}
}

// figures2022 are the responses that carry the seed's 2022 figures.
var figures2022 = []string{"/api/v1/stats/overview?year=2022", "/api/v1/reports/annual?year=2022", "/api/v1/investments/summary?year=2022"}

func liveJSON(t *testing.T, e *apitest.Env, user, path string) any {
	t.Helper()
	r := e.As(user, http.MethodGet, path, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", user, path, r.Status, r.Body)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatal(err)
	}
	return withoutStamps(v)
}

// withoutStamps drops the "updated_at" stamps (when the demo was loaded), which are not
// figures.
func withoutStamps(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "updated_at")
		for k, e := range x {
			x[k] = withoutStamps(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withoutStamps(e)
		}
	}
	return v
}

// TestLiveDemoKeeps2022: the demo loaded with its present, at a fixed day and today, answers
// the 2022 figures exactly as the seed without a present does at the same moment — the
// overview, the annual report and the investment summary, for the zone and a chain — and the
// figures are the seed's (87 dockings 26/15/21/25, 4 signed for 8.05亿元, 15 trips).
func TestLiveDemoKeeps2022(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		for label, at := range liveDemoDates() {
			t.Run(d+"/"+label, func(t *testing.T) {
				t.Parallel()
				live := apitest.NewLive(t, d, at)
				seed := apitest.New(t, d)
				seed.Clock.Set(at)
				for _, user := range []string{"director", "chief_food"} {
					for _, path := range figures2022 {
						got, want := liveJSON(t, live, user, path), liveJSON(t, seed, user, path)
						if !reflect.DeepEqual(got, want) {
							g, _ := json.Marshal(got)
							w, _ := json.Marshal(want)
							t.Errorf("%s %s differs with the present:\n got %.3000s\nwant %.3000s", user, path, g, w)
						}
					}
				}
				o := overview(t, live, "director", 2022)
				if o.DockedTotal != 87 || fmt.Sprint(o.ByChannel) != "map[business_referral:15 entrusted:26 resource_plus:25 self_sourced:21]" ||
					o.Signed.Count != 4 || o.Signed.Planned != 80500 || o.Campaigns.Trip != 15 {
					t.Errorf("2022 overview: docked %d %v, signed %+v, trips %d", o.DockedTotal, o.ByChannel, o.Signed, o.Campaigns.Trip)
				}
			})
		}
	}
}

// TestLiveDemoPresent: recruiter1's to-do list on the live demo is a zone mid-year's —
// overdue by days, not years, and a mix of overdue, due soon and not yet due; decisions have
// waited days; the project list is mostly green with a few quiet ones.
func TestLiveDemoPresent(t *testing.T) {
	for _, d := range dbtest.Drivers() {
		for label, at := range liveDemoDates() {
			t.Run(d+"/"+label, func(t *testing.T) {
				t.Parallel()
				e := apitest.NewLive(t, d, at)
				today := domain.DateOf(at, shanghaiLoc())
				var rs struct {
					Items []struct {
						Rule        string      `json:"rule"`
						ProjectName string      `json:"project_name"`
						DueAt       domain.Date `json:"due_at"`
					} `json:"items"`
				}
				r := e.As("recruiter1", http.MethodGet, "/api/v1/reminders", nil)
				if r.Status != http.StatusOK {
					t.Fatalf("reminders: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &rs)
				overdue, soon, maxOverdue, within3w := 0, 0, 0, 0
				rules := map[string]int{}
				for _, it := range rs.Items {
					days := today.DaysSince(it.DueAt)
					if days > 0 {
						rules[it.Rule]++
					}
					switch {
					case days > 0:
						overdue++
						maxOverdue = max(maxOverdue, days)
						if days <= 21 {
							within3w++
						}
					default:
						soon++
					}
				}
				if len(rs.Items) < 8 || overdue == 0 || soon == 0 || maxOverdue > 90 || within3w*2 < overdue {
					t.Errorf("recruiter1's to-do list: %d items, %d overdue (max %d days, %d within three weeks), %d due today or later",
						len(rs.Items), overdue, maxOverdue, within3w, soon)
				}
				var q struct {
					Items []map[string]any `json:"items"`
				}
				e.As("director", http.MethodGet, "/api/v1/review-queue", nil).JSON(t, &q)
				if len(q.Items) == 0 {
					t.Fatal("no decision waiting")
				}
				for _, it := range q.Items {
					if w := it["days_waiting"].(float64); w < 1 || w > 30 {
						t.Errorf("%v has waited %v days", it["name"], w)
					}
				}
				stale := map[string]int{}
				nOpen := 0
				for _, p := range list(t, e, "director", "page_size=200").Items {
					if st := p["stage"]; st == "follow_up" || st == "dropped" {
						continue
					}
					nOpen++
					stale[fmt.Sprint(p["stale"])]++
					if n := p["days_in_stage"].(float64); n > 400 {
						t.Errorf("%v: %v days in stage", p["name"], n)
					}
				}
				t.Logf("recruiter1: %d reminders, %d overdue (max %d days, %d within three weeks), %d not yet due; decisions waiting %d; open projects %d, colours %v; overdue by rule %v",
					len(rs.Items), overdue, maxOverdue, within3w, soon, len(q.Items), nOpen, stale, rules)
				if stale["green"]*2 < nOpen || stale["yellow"] == 0 || stale["red"] == 0 {
					t.Errorf("project list colours %v of %d", stale, nOpen)
				}
			})
		}
	}
}

func shanghaiLoc() *time.Location {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return loc
}
