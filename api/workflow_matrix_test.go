package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// The workflow routes' rows of the authorization matrix (api/matrix_test.go). Routes whose
// object is not a plain project (an activity, a supervision, a campaign, a follow-up
// project) bring their own fixtures through Object funcs.

func init() { matrixRows = append(matrixRows, workflowMatrixRows...) }

// wfMx holds per-matrix fixtures that are made once: objects of the other zone and of the
// semiconductor project, and the version of the latest follow-up fixture.
type wfMx struct {
	zoneActivity, zoneSupervision, zoneCampaign int64
	semiActivity, semiSupervision               int64
	campaign                                    int64
	followUpVersion                             any
}

var wfMxState sync.Map // *matrix → *wfMx

func wfMxOf(m *matrix) *wfMx {
	if v, ok := wfMxState.Load(m); ok {
		return v.(*wfMx)
	}
	t, e := m.t, m.e
	t.Helper()
	x := &wfMx{}
	id := func(r interface {
		Map(testing.TB) map[string]any
	}) int64 {
		return int64(r.Map(t)["id"].(float64))
	}
	must := func(what string, status, want int, body []byte) {
		t.Helper()
		if status != want {
			t.Fatalf("workflow matrix fixture %s: %d %s", what, status, body)
		}
	}
	zoneProject := func(chain string) string { return fmt.Sprintf("/api/v1/projects/%d", m.zone.ProjectIDs[chain]) }
	r := e.Do(http.MethodPost, zoneProject("food")+"/activities", e.TokenIn(m.zone.Code, "recruiter1"), activityBody())
	must("zone activity", r.Status, http.StatusCreated, r.Body)
	x.zoneActivity = id(r)
	r = e.Do(http.MethodPost, zoneProject("textiles")+"/supervisions", e.TokenIn(m.zone.Code, "zone2_chief"), map[string]any{"instruction": "矩阵督办", "due": "2023-02-01"})
	must("zone supervision", r.Status, http.StatusCreated, r.Body)
	x.zoneSupervision = id(r)
	r = e.Do(http.MethodPost, "/api/v1/campaigns", e.TokenIn(m.zone.Code, "admin"), map[string]any{"kind": "trip", "title": "矩阵测试外区招商", "city": "雄安", "start_date": "2023-01-05"})
	must("zone campaign", r.Status, http.StatusCreated, r.Body)
	x.zoneCampaign = id(r)
	semi := fmt.Sprintf("/api/v1/projects/%d", m.semi)
	r = e.As("recruiter2", http.MethodPost, semi+"/activities", activityBody())
	must("semi activity", r.Status, http.StatusCreated, r.Body)
	x.semiActivity = id(r)
	r = e.As("director", http.MethodPost, semi+"/supervisions", map[string]any{"instruction": "矩阵督办", "due": "2023-02-01"})
	must("semi supervision", r.Status, http.StatusCreated, r.Body)
	x.semiSupervision = id(r)
	var camps struct{ Items []struct{ ID int64 } }
	e.As("admin", http.MethodGet, "/api/v1/campaigns?year=2022", nil).JSON(t, &camps)
	if len(camps.Items) == 0 {
		t.Fatal("workflow matrix: no demo campaign")
	}
	x.campaign = camps.Items[0].ID
	v, _ := wfMxState.LoadOrStore(m, x)
	return v.(*wfMx)
}

// wfMxFollowUp is a fresh in-scope project carried to follow_up, signed 2023-01-15.
func wfMxFollowUp(m *matrix) int64 {
	t, e := m.t, m.e
	t.Helper()
	id := m.project("decision")
	path := fmt.Sprintf("/api/v1/projects/%d", id)
	for _, s := range []struct {
		user, p string
		body    any
	}{
		{"director", "/decision", map[string]any{"outcome": "approved"}},
		{"admin", "/transition", map[string]any{"to": "follow_up", "signed_at": "2023-01-15"}},
	} {
		if r := e.As(s.user, http.MethodPost, path+s.p, s.body); r.Status >= 300 {
			t.Fatalf("follow-up fixture %s: %d %s", s.p, r.Status, r.Body)
		}
	}
	wfMxOf(m).followUpVersion = e.As("admin", http.MethodGet, path, nil).Map(t)["version"]
	return id
}

// wfMxOutProjects are the projects outside user's scope.
func wfMxOutProjects(m *matrix, user string) []int64 {
	out := []int64{m.zone.ProjectIDs["food"]}
	if narrow(user) {
		out = append(out, m.semi)
	}
	return out
}

func wfMxActivityPaths(m *matrix, user string, in bool) []string {
	t, e := m.t, m.e
	if in {
		id := m.project("")
		r := e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/activities", id), activityBody())
		if r.Status != http.StatusCreated {
			t.Fatalf("activity fixture: %d %s", r.Status, r.Body)
		}
		return []string{fmt.Sprintf("/api/v1/projects/%d/activities/%v", id, r.Map(t)["id"])}
	}
	x := wfMxOf(m)
	out := []string{fmt.Sprintf("/api/v1/projects/%d/activities/%d", m.zone.ProjectIDs["food"], x.zoneActivity)}
	if narrow(user) {
		out = append(out, fmt.Sprintf("/api/v1/projects/%d/activities/%d", m.semi, x.semiActivity))
	}
	return out
}

func wfMxFollowUpPaths(suffix string) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		if in {
			return []string{fmt.Sprintf("/api/v1/projects/%d%s", wfMxFollowUp(m), suffix)}
		}
		var out []string
		for _, id := range wfMxOutProjects(m, user) {
			out = append(out, fmt.Sprintf("/api/v1/projects/%d%s", id, suffix))
		}
		return out
	}
}

func wfMxSupervisionPaths(action string) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		t, e := m.t, m.e
		if in {
			id := m.project("")
			r := e.As("director", http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/supervisions", id), map[string]any{"instruction": "矩阵督办", "due": "2023-02-01"})
			if r.Status != http.StatusCreated {
				t.Fatalf("supervision fixture: %d %s", r.Status, r.Body)
			}
			return []string{fmt.Sprintf("/api/v1/supervisions/%v/%s", r.Map(t)["id"], action)}
		}
		x := wfMxOf(m)
		out := []string{fmt.Sprintf("/api/v1/supervisions/%d/%s", x.zoneSupervision, action)}
		if narrow(user) {
			out = append(out, fmt.Sprintf("/api/v1/supervisions/%d/%s", x.semiSupervision, action))
		}
		return out
	}
}

var workflowMatrixRows = []matrixRow{
	{Route: "GET /api/v1/projects/board", In: readAll},
	{Route: "GET /api/v1/review-queue", In: st(403, 200, 200, 403, 403, 403, 403)},
	{Route: "GET /api/v1/projects/:id/risk-assessments", In: readAll, Out: readOut},
	{Route: "GET /api/v1/projects/:id/decisions", In: readAll, Out: readOut},
	{Route: "GET /api/v1/projects/:id/comments", In: readAll, Out: readOut},
	{Route: "POST /api/v1/projects/:id/comments", Body: map[string]any{"body": "矩阵批示"},
		In: st(403, 201, 201, 403, 403, 403, 403), Out: st(403, 404, 404, 403, 403, 403, 403)},
	// the activity is recruiter1's: only its author edits or deletes it
	{Route: "PATCH /api/v1/projects/:id/activities/:aid", Object: wfMxActivityPaths, Body: map[string]any{"version": 1, "summary": "矩阵修改"},
		In: st(403, 403, 403, 200, 403, 403, 403), Out: st(404, 404, 403, 404, 404, 404, 403)},
	{Route: "DELETE /api/v1/projects/:id/activities/:aid", Object: wfMxActivityPaths,
		In: st(403, 403, 403, 204, 403, 403, 403), Out: st(404, 404, 403, 404, 404, 404, 403)},
	{Route: "PUT /api/v1/projects/:id/milestones", Object: wfMxFollowUpPaths("/milestones"), Body: func(m *matrix, user string) any {
		return map[string]any{"version": wfMxOf(m).followUpVersion, "land_listing_planned": "2023-04-01"}
	}, In: projectWrite, Out: projectOut},
	{Route: "GET /api/v1/projects/:id/investments", In: readAll, Out: readOut},
	{Route: "POST /api/v1/projects/:id/investments", Object: wfMxFollowUpPaths("/investments"), Body: map[string]any{"date": "2023-01-16", "amount_wan": 100},
		In: st(201, 201, 403, 201, 403, 403, 403), Out: projectOut},
	{Route: "GET /api/v1/investments/summary", In: st(200, 200, 200, 200, 200, 403, 200)},
	{Route: "GET /api/v1/projects/:id/supervisions", In: readAll, Out: readOut},
	{Route: "POST /api/v1/projects/:id/supervisions", Body: map[string]any{"instruction": "矩阵督办", "due": "2023-02-01"},
		In: st(403, 201, 201, 403, 403, 403, 403), Out: st(403, 404, 404, 403, 403, 403, 403)},
	{Route: "GET /api/v1/supervisions", In: readAll},
	// issued by the director to recruiter1, the owner: only the owner answers, only the issuer closes
	{Route: "POST /api/v1/supervisions/:id/answer", Object: wfMxSupervisionPaths("answer"), Body: map[string]any{"answer": "矩阵答复"},
		In: st(403, 403, 403, 200, 403, 403, 403), Out: st(404, 404, 403, 404, 404, 404, 403)},
	{Route: "POST /api/v1/supervisions/:id/close", Object: wfMxSupervisionPaths("close"),
		In: st(403, 200, 403, 403, 403, 403, 403), Out: st(403, 404, 404, 403, 403, 403, 403)},
	{Route: "GET /api/v1/campaigns/:id", Object: func(m *matrix, user string, in bool) []string {
		x := wfMxOf(m)
		if in {
			return []string{fmt.Sprintf("/api/v1/campaigns/%d", x.campaign)}
		}
		return []string{fmt.Sprintf("/api/v1/campaigns/%d", x.zoneCampaign)}
	}, In: mapRead, Out: mapOut},
}
