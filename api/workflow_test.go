package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// wfPath is a project's API path.
func wfPath(p map[string]any) string { return fmt.Sprintf("/api/v1/projects/%v", p["id"]) }

// wfExpect fails the test unless r has the status.
func wfExpect(t *testing.T, what string, r *apitest.Response, status int) *apitest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, status)
	}
	return r
}

// wfCarry takes a project of the food chain owned by owner from lead to follow_up, signed on
// signedAt: the assessment by the owner, the approval by chief_food.
func wfCarry(t *testing.T, e *apitest.Env, owner string, p map[string]any, signedAt string) {
	t.Helper()
	path := wfPath(p)
	move := func(body map[string]any) {
		t.Helper()
		wfExpect(t, fmt.Sprint("→ ", body["to"]), e.As(owner, http.MethodPost, path+"/transition", body), http.StatusOK)
	}
	move(map[string]any{"to": "identification"})
	move(map[string]any{"to": "risk"})
	wfExpect(t, "assessment", e.As(owner, http.MethodPost, path+"/risk-assessment", map[string]any{"level": "low", "summary": "风险可控"}), http.StatusCreated)
	move(map[string]any{"to": "decision"})
	wfExpect(t, "decision", e.As("chief_food", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved", "notes": "同意"}), http.StatusCreated)
	move(map[string]any{"to": "follow_up", "signed_at": signedAt})
}

// wfLogin logs in afresh (after the clock moved past a session's idle expiry).
func wfLogin(t *testing.T, e *apitest.Env, user string) string {
	t.Helper()
	r := wfExpect(t, "login "+user, e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": user, "password": apitest.DemoPassword}), http.StatusOK)
	var b struct{ Token string }
	r.JSON(t, &b)
	return b.Token
}

type wfHistory struct {
	At                                 time.Time
	Actor, Action, Object, Field, From string
	To                                 string
}

func wfHistoryOf(t *testing.T, e *apitest.Env, path string) []wfHistory {
	t.Helper()
	var h []wfHistory
	wfExpect(t, "history", e.As("admin", http.MethodGet, path+"/history", nil), http.StatusOK).JSON(t, &h)
	return h
}

type boardBody struct {
	Columns []struct {
		Stage, Label string
		Count        int
		Items        []map[string]any
	}
}

func TestBoard(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		var b boardBody
		wfExpect(t, "board", e.As("admin", http.MethodGet, "/api/v1/projects/board", nil), http.StatusOK).JSON(t, &b)
		var stages []string
		for _, c := range b.Columns {
			stages = append(stages, c.Stage)
		}
		if strings.Join(stages, " ") != "lead identification risk decision follow_up dropped" || b.Columns[0].Label != "洽谈对接" {
			t.Fatalf("columns: %v", stages)
		}
		// the static /projects/board sits beside /projects/:id
		p := list(t, e, "admin", "page_size=1").Items[0]
		wfExpect(t, "project by id", e.As("admin", http.MethodGet, wfPath(p), nil), http.StatusOK)
		cases := []struct{ user, query string }{
			{"admin", ""}, {"viewer", "chain=food"}, {"director", "channel=entrusted"}, {"admin", "owner=recruiter1"},
			{"chief_food", ""}, {"agent1", ""}, {"admin", "chain=none&channel=resource_plus"},
		}
		for _, c := range cases {
			var b boardBody
			wfExpect(t, c.user+" board "+c.query, e.As(c.user, http.MethodGet, "/api/v1/projects/board?"+c.query+"&limit=5", nil), http.StatusOK).JSON(t, &b)
			total := 0
			for _, col := range b.Columns {
				want := list(t, e, c.user, c.query+"&stage="+col.Stage).Total
				if col.Count != want {
					t.Errorf("%s %s %s: count %d, the list says %d", c.user, c.query, col.Stage, col.Count, want)
				}
				if len(col.Items) != min(want, 5) {
					t.Errorf("%s %s %s: %d items of %d, limit 5", c.user, c.query, col.Stage, len(col.Items), want)
				}
				var entered []string
				for _, it := range col.Items {
					if it["stage"] != col.Stage || it["days_in_stage"] == nil || it["stale"] == nil {
						t.Errorf("%s item: %v", col.Stage, it)
					}
					if c.user == "chief_food" && it["chain"] != "food" {
						t.Errorf("chief_food's board shows %v", it["chain"])
					}
					entered = append(entered, it["stage_entered_at"].(string))
				}
				if !sort.SliceIsSorted(entered, func(i, j int) bool { return entered[i] > entered[j] }) {
					t.Errorf("%s not newest move first: %v", col.Stage, entered)
				}
				total += col.Count
			}
			if want := list(t, e, c.user, c.query).Total; total != want {
				t.Errorf("%s %s: board holds %d projects, the list %d", c.user, c.query, total, want)
			}
		}
		// a project just moved is first in its column
		np := create(t, e, "recruiter1", newProject("看板测试项目"))
		e.Clock.Add(time.Minute)
		wfExpect(t, "move", e.As("recruiter1", http.MethodPost, wfPath(np)+"/transition", map[string]any{"to": "identification"}), http.StatusOK)
		wfExpect(t, "board", e.As("admin", http.MethodGet, "/api/v1/projects/board?limit=1", nil), http.StatusOK).JSON(t, &b)
		if it := b.Columns[1].Items; len(it) != 1 || it[0]["id"] != np["id"] || it[0]["days_in_stage"] != 0.0 {
			t.Errorf("identification column: %v", it)
		}
		for _, q := range []string{"limit=0", "limit=201", "channel=x", "stale=blue"} {
			if r := e.As("admin", http.MethodGet, "/api/v1/projects/board?"+q, nil); r.Status != http.StatusBadRequest {
				t.Errorf("board?%s: %d", q, r.Status)
			}
		}
	})
}

func TestReviewQueue(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		queue := func(user string) []map[string]any {
			t.Helper()
			var b struct {
				Items []map[string]any
				Total int
			}
			wfExpect(t, user+" queue", e.As(user, http.MethodGet, "/api/v1/review-queue", nil), http.StatusOK).JSON(t, &b)
			if b.Total != len(b.Items) {
				t.Errorf("total %d, %d items", b.Total, len(b.Items))
			}
			return b.Items
		}
		all := queue("director")
		if len(all) != 3 {
			t.Fatalf("director's queue: %d items, want the demo's 3 pending decisions", len(all))
		}
		chains := map[any]bool{}
		for i, it := range all {
			chains[it["chain"]] = true
			if it["stage"] != "decision" || it["decision_outcome"] != nil || it["days_waiting"].(float64) < 1 {
				t.Errorf("queue item: %v", it)
			}
			if i > 0 && it["days_waiting"].(float64) > all[i-1]["days_waiting"].(float64) {
				t.Errorf("not oldest first: %v after %v", it["days_waiting"], all[i-1]["days_waiting"])
			}
		}
		if !chains[nil] || !chains["mining"] || !chains["semiconductor"] {
			t.Errorf("director's queue chains: %v", chains)
		}
		// paged: the same order across pages, the total on each
		var p1, p2 struct {
			Items []map[string]any
			Total int
		}
		wfExpect(t, "page 1", e.As("director", http.MethodGet, "/api/v1/review-queue?page_size=2", nil), http.StatusOK).JSON(t, &p1)
		wfExpect(t, "page 2", e.As("director", http.MethodGet, "/api/v1/review-queue?page_size=2&page=2", nil), http.StatusOK).JSON(t, &p2)
		if p1.Total != 3 || p2.Total != 3 || len(p1.Items) != 2 || len(p2.Items) != 1 ||
			p1.Items[0]["id"] != all[0]["id"] || p1.Items[1]["id"] != all[1]["id"] || p2.Items[0]["id"] != all[2]["id"] {
			t.Errorf("pages: %+v %+v", p1, p2)
		}
		if r := e.As("director", http.MethodGet, "/api/v1/review-queue?page_size=500", nil); r.Status != http.StatusBadRequest {
			t.Errorf("page_size 500: %d", r.Status)
		}
		for user, want := range map[string]string{"chief_mining": "mining", "chief_semi": "semiconductor"} {
			q := queue(user)
			if len(q) != 1 || q[0]["chain"] != want {
				t.Errorf("%s's queue: %v", user, q)
			}
		}
		if q := queue("chief_food"); len(q) != 0 {
			t.Errorf("chief_food's queue: %v", q)
		}
		for _, u := range []string{"recruiter1", "viewer", "admin", "agent1"} {
			if r := e.As(u, http.MethodGet, "/api/v1/review-queue", nil); r.Status != http.StatusForbidden {
				t.Errorf("%s reads the review queue: %d", u, r.Status)
			}
		}
		// a new food project reaching decision joins chief_food's queue with its risk level,
		// and leaves it once decided
		p := create(t, e, "recruiter1", newProject("复核队列测试项目"))
		path := wfPath(p)
		for _, to := range []string{"identification", "risk"} {
			wfExpect(t, to, e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": to}), http.StatusOK)
		}
		wfExpect(t, "assess", e.As("recruiter1", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "high", "summary": "环评压力大"}), http.StatusCreated)
		wfExpect(t, "decision", e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "decision"}), http.StatusOK)
		q := queue("chief_food")
		if len(q) != 1 || q[0]["id"] != p["id"] || q[0]["risk_level"] != "high" || q[0]["days_waiting"] != 0.0 {
			t.Fatalf("chief_food's queue: %v", q)
		}
		if n := len(queue("director")); n != 4 {
			t.Errorf("director's queue: %d", n)
		}
		wfExpect(t, "reject", e.As("chief_food", http.MethodPost, path+"/decision", map[string]any{"outcome": "rejected", "notes": "补充环评材料"}), http.StatusCreated)
		if q := queue("chief_food"); len(q) != 0 {
			t.Errorf("decided project still waits: %v", q)
		}
		// back to risk and up again: waiting once more
		wfExpect(t, "back to risk", e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "risk"}), http.StatusOK)
		wfExpect(t, "again", e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "decision"}), http.StatusOK)
		if q := queue("chief_food"); len(q) != 1 {
			t.Errorf("re-submitted decision not waiting: %v", q)
		}
	})
}

func TestRevisionsDecisionsAndComments(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("风险评估修订项目"))
		path := wfPath(p)
		for _, to := range []string{"identification", "risk"} {
			wfExpect(t, to, e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": to}), http.StatusOK)
		}
		wfExpect(t, "first", e.As("recruiter1", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "high", "summary": "能耗指标缺口", "energy": "缺 2 万吨标煤"}), http.StatusCreated)
		e.Clock.Add(time.Hour)
		wfExpect(t, "second", e.As("recruiter1", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "medium", "summary": "能耗已协调", "energy": "省里调剂", "tax_per_mu": "30万元/亩", "employment": "200人"}), http.StatusCreated)
		var ras struct{ Items []map[string]any }
		wfExpect(t, "revisions", e.As("viewer", http.MethodGet, path+"/risk-assessments", nil), http.StatusOK).JSON(t, &ras)
		if len(ras.Items) != 2 || ras.Items[0]["level"] != "medium" || ras.Items[1]["level"] != "high" ||
			ras.Items[0]["tax_per_mu"] != "30万元/亩" || ras.Items[0]["author"] != "recruiter1" {
			t.Errorf("revisions: %v", ras.Items)
		}
		wfExpect(t, "decision", e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "decision"}), http.StatusOK)
		wfExpect(t, "reject", e.As("chief_food", http.MethodPost, path+"/decision", map[string]any{"outcome": "rejected", "notes": "再论证"}), http.StatusCreated)
		e.Clock.Add(time.Hour)
		wfExpect(t, "approve", e.As("director", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved", "notes": "同意"}), http.StatusCreated)
		var ds struct{ Items []map[string]any }
		wfExpect(t, "decisions", e.As("recruiter2", http.MethodGet, path+"/decisions", nil), http.StatusOK).JSON(t, &ds)
		if len(ds.Items) != 2 || ds.Items[0]["outcome"] != "approved" || ds.Items[0]["decider"] != "director" ||
			ds.Items[1]["decider"] != "chief_food" || ds.Items[1]["notes"] != "再论证" {
			t.Errorf("decisions: %v", ds.Items)
		}
		var levels, outcomes []string
		for _, h := range wfHistoryOf(t, e, path) {
			switch h.Field {
			case "risk_level":
				levels = append(levels, h.From+">"+h.To)
			case "decision":
				outcomes = append(outcomes, h.From+">"+h.To)
			}
		}
		if strings.Join(levels, " ") != ">high high>medium" || strings.Join(outcomes, " ") != ">rejected rejected>approved" {
			t.Errorf("history: levels %v outcomes %v", levels, outcomes)
		}
		// comments (批示): chiefs of the chain and the director, on any stage
		wfExpect(t, "chief comments", e.As("chief_food", http.MethodPost, path+"/comments", map[string]any{"body": "抓紧办理能耗手续"}), http.StatusCreated)
		e.Clock.Add(time.Minute)
		wfExpect(t, "director comments", e.As("director", http.MethodPost, path+"/comments", map[string]any{"body": "同意链长意见"}), http.StatusCreated)
		refused := []struct {
			user   string
			body   any
			status int
		}{
			{"chief_mining", map[string]any{"body": "x"}, http.StatusNotFound}, // another chain: out of scope
			{"recruiter1", map[string]any{"body": "x"}, http.StatusForbidden},
			{"admin", map[string]any{"body": "x"}, http.StatusForbidden},
			{"chief_food", map[string]any{"body": "  "}, http.StatusBadRequest},
			{"chief_food", map[string]any{"body": strings.Repeat("长", 5001)}, http.StatusBadRequest},
		}
		for _, c := range refused {
			if r := e.As(c.user, http.MethodPost, path+"/comments", c.body); r.Status != c.status {
				t.Errorf("%s comments: %d %s, want %d", c.user, r.Status, r.Body, c.status)
			}
		}
		var cs struct{ Items []map[string]any }
		wfExpect(t, "comments", e.As("viewer", http.MethodGet, path+"/comments", nil), http.StatusOK).JSON(t, &cs)
		if len(cs.Items) != 2 || cs.Items[0]["author"] != "director" || cs.Items[1]["body"] != "抓紧办理能耗手续" {
			t.Errorf("comments: %v", cs.Items)
		}
		// a project without a chain: the director alone
		noChain := newProject("无产业链项目")
		delete(noChain, "chain")
		nc := create(t, e, "recruiter1", noChain)
		wfExpect(t, "director on no chain", e.As("director", http.MethodPost, wfPath(nc)+"/comments", map[string]any{"body": "请研究"}), http.StatusCreated)
		if r := e.As("chief_food", http.MethodPost, wfPath(nc)+"/comments", map[string]any{"body": "x"}); r.Status != http.StatusNotFound {
			t.Errorf("chief on a chainless project: %d", r.Status)
		}
		for _, sub := range []string{"/risk-assessments", "/decisions", "/comments"} {
			if r := e.As("chief_mining", http.MethodGet, path+sub, nil); r.Status != http.StatusNotFound {
				t.Errorf("out of scope %s: %d", sub, r.Status)
			}
		}
	})
}

func TestActivityEditAndDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("走访编辑测试项目"))
		path := wfPath(p) + "/activities"
		act := wfExpect(t, "log", e.As("recruiter2", http.MethodPost, path, map[string]any{"kind": "visit", "occurred_at": "2023-01-12", "place": "北京", "summary": "拜访总部"}), http.StatusCreated).Map(t)
		if act["version"] != 1.0 {
			t.Fatalf("new activity: %v", act)
		}
		apath := fmt.Sprintf("%s/%v", path, act["id"])
		edit := map[string]any{"version": 1, "summary": "拜访总部，见到董事长", "next_step": "邀请考察", "next_due": "2023-02-01"}
		if r := e.As("recruiter1", http.MethodPatch, apath, edit); r.Status != http.StatusForbidden {
			t.Errorf("the owner edits another's activity: %d", r.Status)
		}
		if r := e.As("admin", http.MethodPatch, apath, edit); r.Status != http.StatusForbidden {
			t.Errorf("admin edits another's activity: %d", r.Status)
		}
		if r := e.As("recruiter2", http.MethodPatch, apath, map[string]any{"version": 1, "next_due": "2023-01-01"}); r.Status != http.StatusBadRequest {
			t.Errorf("next_due before the visit: %d", r.Status)
		}
		got := wfExpect(t, "edit", e.As("recruiter2", http.MethodPatch, apath, edit), http.StatusOK).Map(t)
		if got["version"] != 2.0 || got["summary"] != "拜访总部，见到董事长" || got["next_due"] != "2023-02-01" || got["place"] != "北京" {
			t.Errorf("edited: %v", got)
		}
		if r := e.As("recruiter2", http.MethodPatch, apath, map[string]any{"version": 1, "summary": "旧版本"}); r.Status != http.StatusConflict {
			t.Errorf("stale edit: %d %s", r.Status, r.Body)
		}
		var changes []string
		for _, h := range wfHistoryOf(t, e, wfPath(p)) {
			if h.Action == "activity_updated" {
				if h.Actor != "recruiter2" || h.Object != fmt.Sprintf("activity/%v", act["id"]) {
					t.Errorf("history line: %+v", h)
				}
				changes = append(changes, h.Field+":"+h.From+">"+h.To)
			}
		}
		if strings.Join(changes, " ") != "summary:拜访总部>拜访总部，见到董事长 next_step:>邀请考察 next_due:>2023-02-01" {
			t.Errorf("edit history: %v", changes)
		}
		if r := e.As("recruiter1", http.MethodDelete, apath, nil); r.Status != http.StatusForbidden {
			t.Errorf("delete another's: %d", r.Status)
		}
		other := create(t, e, "recruiter1", newProject("另一个项目"))
		if r := e.As("recruiter2", http.MethodDelete, fmt.Sprintf("%s/activities/%v", wfPath(other), act["id"]), nil); r.Status != http.StatusNotFound {
			t.Errorf("delete through another project: %d", r.Status)
		}
		wfExpect(t, "delete", e.As("recruiter2", http.MethodDelete, apath, nil), http.StatusNoContent)
		var acts struct{ Items []map[string]any }
		e.As("viewer", http.MethodGet, path, nil).JSON(t, &acts)
		if len(acts.Items) != 0 {
			t.Errorf("deleted activity listed: %v", acts.Items)
		}
		for _, m := range []string{http.MethodPatch, http.MethodDelete} {
			if r := e.As("recruiter2", m, apath, map[string]any{"version": 2, "summary": "x"}); r.Status != http.StatusNotFound {
				t.Errorf("%s a deleted activity: %d", m, r.Status)
			}
		}
		h := wfHistoryOf(t, e, wfPath(p))
		last := h[len(h)-1]
		if last.Action != "activity_deleted" || last.Actor != "recruiter2" || !strings.HasPrefix(last.From, "visit 2023-01-12 拜访总部") {
			t.Errorf("delete history: %+v", last)
		}
		if r := e.As("recruiter2", http.MethodPatch, path+"/abc", map[string]any{"version": 1}); r.Status != http.StatusNotFound {
			t.Errorf("malformed activity id: %d", r.Status)
		}
	})
}

func TestMilestonesAndServiceVisits(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("里程碑测试项目"))
		path := wfPath(p)
		r := e.As("recruiter1", http.MethodPut, path+"/milestones", map[string]any{"version": 1, "land_listing_planned": "2023-03-01"})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "跟踪服务") {
			t.Errorf("milestones on a lead: %d %s", r.Status, r.Body)
		}
		// PATCH with milestones follows the same rules
		if r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "milestones": map[string]any{"land_listing_planned": "2023-03-01"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("PATCH milestones on a lead: %d %s", r.Status, r.Body)
		}
		wfCarry(t, e, "recruiter1", p, "2023-01-13")
		cur := e.As("recruiter1", http.MethodGet, path, nil).Map(t)
		v := cur["version"]
		body := map[string]any{"version": v, "land_listing_planned": "2023-03-01", "land_listing_actual": "2023-01-15",
			"construction_planned": "2023-05-01", "production_planned": "2024-06-30"}
		if r := e.As("recruiter2", http.MethodPut, path+"/milestones", body); r.Status != http.StatusForbidden {
			t.Errorf("another recruiter: %d", r.Status)
		}
		if r := e.As("viewer", http.MethodPut, path+"/milestones", body); r.Status != http.StatusForbidden {
			t.Errorf("viewer: %d", r.Status)
		}
		bad := map[string]any{"version": v, "construction_actual": "2023-02-01", "production_planned": "2023-01-01", "construction_planned": "2023-05-01"}
		if r := e.As("recruiter1", http.MethodPut, path+"/milestones", bad); r.Status != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), "construction_actual") || !strings.Contains(string(r.Body), "production_planned") {
			t.Errorf("bad dates: %d %s", r.Status, r.Body)
		}
		if r := e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": v, "milestones": map[string]any{"land_listing_actual": "2023-02-01"}}); r.Status != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), "land_listing_actual") {
			t.Errorf("PATCH an actual date in the future: %d %s", r.Status, r.Body)
		}
		got := wfExpect(t, "set", e.As("recruiter1", http.MethodPut, path+"/milestones", body), http.StatusOK).Map(t)
		ms := got["milestones"].(map[string]any)
		if got["version"] != v.(float64)+1 || ms["land_listing_actual"] != "2023-01-15" || ms["production_planned"] != "2024-06-30" || ms["construction_actual"] != nil {
			t.Errorf("milestones: %v", got)
		}
		if r := e.As("recruiter1", http.MethodPut, path+"/milestones", body); r.Status != http.StatusConflict {
			t.Errorf("stale version: %d", r.Status)
		}
		// PUT replaces: what is left out is cleared
		got = wfExpect(t, "replace", e.As("director", http.MethodPut, path+"/milestones", map[string]any{"version": got["version"], "land_listing_actual": "2023-01-15"}), http.StatusOK).Map(t)
		if ms := got["milestones"].(map[string]any); ms["land_listing_planned"] != nil || ms["land_listing_actual"] != "2023-01-15" {
			t.Errorf("replaced: %v", ms)
		}
		var lines []string
		for _, h := range wfHistoryOf(t, e, path) {
			if h.Action == "milestone" {
				lines = append(lines, h.Actor+" "+h.Field+":"+h.From+">"+h.To)
			}
		}
		want := "recruiter1 land_listing_planned:>2023-03-01 recruiter1 land_listing_actual:>2023-01-15 recruiter1 construction_planned:>2023-05-01 recruiter1 production_planned:>2024-06-30 " +
			"director land_listing_planned:2023-03-01> director construction_planned:2023-05-01> director production_planned:2024-06-30>"
		if strings.Join(lines, " ") != want {
			t.Errorf("milestone history:\n%v\nwant\n%v", strings.Join(lines, " "), want)
		}
		// service visits (跟踪服务) are activities of kind service
		a := wfExpect(t, "service visit", e.As("recruiter1", http.MethodPost, path+"/activities", map[string]any{"kind": "service", "occurred_at": "2023-01-16", "summary": "协调施工用电"}), http.StatusCreated).Map(t)
		if a["kind"] != "service" {
			t.Errorf("service visit: %v", a)
		}
	})
}

func TestInvestmentsRealised(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("到资测试项目"))
		path := wfPath(p)
		arrival := map[string]any{"date": "2023-01-14", "amount_wan": 1500.5, "notes": "首笔注册资本金"}
		if r := e.As("recruiter1", http.MethodPost, path+"/investments", arrival); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("unsigned project: %d %s", r.Status, r.Body)
		}
		wfCarry(t, e, "recruiter1", p, "2023-01-13")
		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"date": "2023-01-14", "amount_wan": 0}, "amount_wan"},
			{map[string]any{"date": "2023-01-14", "amount_wan": -5}, "amount_wan"},
			{map[string]any{"date": "2023-01-17", "amount_wan": 5}, "date"}, // tomorrow in Laiyuan
			{map[string]any{"date": "2023-01-12", "amount_wan": 5}, "date"}, // before signing
			{map[string]any{"amount_wan": 5}, "date"},
		}
		for _, c := range bad {
			r := e.As("recruiter1", http.MethodPost, path+"/investments", c.body)
			if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
			}
		}
		for u, status := range map[string]int{"viewer": http.StatusForbidden, "chief_food": http.StatusForbidden, "recruiter2": http.StatusForbidden, "chief_mining": http.StatusForbidden, "agent1": http.StatusForbidden} {
			if r := e.As(u, http.MethodPost, path+"/investments", arrival); r.Status != status {
				t.Errorf("%s records: %d, want %d", u, r.Status, status)
			}
		}
		wfExpect(t, "first", e.As("recruiter1", http.MethodPost, path+"/investments", arrival), http.StatusCreated)
		wfExpect(t, "second", e.As("director", http.MethodPost, path+"/investments", map[string]any{"date": "2023-01-16", "amount_wan": 2499.5}), http.StatusCreated)
		got := e.As("viewer", http.MethodGet, path, nil).Map(t)
		if got["realised_investment_wan"] != 4000.0 || got["planned_investment_wan"] != 12345.5 {
			t.Errorf("project: realised %v planned %v", got["realised_investment_wan"], got["planned_investment_wan"])
		}
		var inv struct {
			Items    []map[string]any
			Planned  float64 `json:"planned_investment_wan"`
			Realised float64 `json:"realised_investment_wan"`
		}
		wfExpect(t, "list", e.As("viewer", http.MethodGet, path+"/investments", nil), http.StatusOK).JSON(t, &inv)
		if len(inv.Items) != 2 || inv.Items[0]["amount_wan"] != 2499.5 || inv.Items[1]["author"] != "recruiter1" || inv.Realised != 4000 || inv.Planned != 12345.5 {
			t.Errorf("investments: %+v", inv)
		}
		var totals []string
		for _, h := range wfHistoryOf(t, e, path) {
			if h.Action == "investment" {
				totals = append(totals, h.Field+":"+h.From+">"+h.To)
			}
		}
		if strings.Join(totals, " ") != "realised_investment_wan:0>1500.5 realised_investment_wan:1500.5>4000" {
			t.Errorf("history: %v", totals)
		}
		// totals: the demo's four 2022 signings (8.05亿) with nothing realised yet, and 2023's
		type totalsBody struct {
			Projects int     `json:"projects"`
			Planned  float64 `json:"planned_investment_wan"`
			Realised float64 `json:"realised_investment_wan"`
		}
		var s22, s23 struct {
			Signed   totalsBody
			InYear   *float64              `json:"realised_in_year_wan"`
			ByChain  map[string]totalsBody `json:"by_chain"`
			ByChanel map[string]totalsBody `json:"by_channel"`
		}
		wfExpect(t, "2022", e.As("viewer", http.MethodGet, "/api/v1/investments/summary?year=2022", nil), http.StatusOK).JSON(t, &s22)
		if s22.Signed.Projects != 4 || s22.Signed.Planned != 80500 || s22.Signed.Realised != 0 || s22.InYear == nil || *s22.InYear != 0 ||
			s22.ByChain["none"].Planned != 10500 || s22.ByChain["food"].Planned != 12000 {
			t.Errorf("2022: %+v", s22)
		}
		wfExpect(t, "2023", e.As("director", http.MethodGet, "/api/v1/investments/summary?year=2023", nil), http.StatusOK).JSON(t, &s23)
		if s23.Signed.Realised != 4000 || *s23.InYear != 4000 || s23.ByChain["food"].Realised != 4000 || s23.ByChanel["self_sourced"].Realised != 4000 {
			t.Errorf("2023: %+v", s23)
		}
		var mining struct{ Signed totalsBody }
		wfExpect(t, "chief", e.As("chief_mining", http.MethodGet, "/api/v1/investments/summary?year=2022", nil), http.StatusOK).JSON(t, &mining)
		if mining.Signed.Projects != 1 || mining.Signed.Planned != 38000 {
			t.Errorf("chief_mining's totals: %+v", mining)
		}
		if r := e.As("viewer", http.MethodGet, "/api/v1/investments/summary?year=20x3", nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad year: %d", r.Status)
		}
		if r := e.As("agent1", http.MethodGet, "/api/v1/investments/summary", nil); r.Status != http.StatusForbidden {
			t.Errorf("agent reads totals: %d", r.Status)
		}
	})
}

func TestSupervisions(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("督办测试项目"))
		path := wfPath(p)
		issue := func(user string, body map[string]any, status int) map[string]any {
			t.Helper()
			return wfExpect(t, user+" issues", e.As(user, http.MethodPost, path+"/supervisions", body), status).Map(t)
		}
		bySupervisor := issue("director", map[string]any{"instruction": "月底前完成土地预审", "due": "2023-01-20"}, http.StatusCreated)
		if bySupervisor["status"] != "open" || bySupervisor["owner"] != "recruiter1" || bySupervisor["issuer"] != "director" || bySupervisor["project_name"] != "督办测试项目" ||
			bySupervisor["issuer_name"] != "开发区主任" || bySupervisor["owner_name"] != "招商专员（一组）" {
			t.Errorf("issued: %v", bySupervisor)
		}
		byChief := issue("chief_food", map[string]any{"instruction": "协调能耗指标", "due": "2023-01-17"}, http.StatusCreated)
		issue("recruiter2", map[string]any{"instruction": "x", "due": "2023-01-20"}, http.StatusForbidden)
		issue("chief_mining", map[string]any{"instruction": "x", "due": "2023-01-20"}, http.StatusNotFound)
		if r := e.As("director", http.MethodPost, path+"/supervisions", map[string]any{"instruction": " ", "due": "2023-01-15"}); r.Status != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), `"instruction"`) || !strings.Contains(string(r.Body), `"due"`) {
			t.Errorf("bad supervision: %d %s", r.Status, r.Body)
		}
		sup := func(s map[string]any, act string) string {
			return fmt.Sprintf("/api/v1/supervisions/%v/%s", s["id"], act)
		}
		// the owner answers; nobody else
		if r := e.As("recruiter2", http.MethodPost, sup(bySupervisor, "answer"), map[string]any{"answer": "x"}); r.Status != http.StatusForbidden {
			t.Errorf("another recruiter answers: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodPost, sup(bySupervisor, "answer"), map[string]any{"answer": ""}); r.Status != http.StatusBadRequest {
			t.Errorf("empty answer: %d", r.Status)
		}
		ans := wfExpect(t, "answer", e.As("recruiter1", http.MethodPost, sup(bySupervisor, "answer"), map[string]any{"answer": "已报县自然资源局"}), http.StatusOK).Map(t)
		if ans["status"] != "answered" || ans["answer"] != "已报县自然资源局" || ans["answered_at"] == nil {
			t.Errorf("answered: %v", ans)
		}
		// the issuer closes; nobody else
		if r := e.As("chief_food", http.MethodPost, sup(bySupervisor, "close"), nil); r.Status != http.StatusForbidden {
			t.Errorf("chief closes the director's: %d", r.Status)
		}
		if r := e.As("recruiter1", http.MethodPost, sup(bySupervisor, "close"), nil); r.Status != http.StatusForbidden {
			t.Errorf("owner closes: %d", r.Status)
		}
		closed := wfExpect(t, "close", e.As("director", http.MethodPost, sup(bySupervisor, "close"), nil), http.StatusOK).Map(t)
		if closed["status"] != "closed" || closed["closed_at"] == nil {
			t.Errorf("closed: %v", closed)
		}
		if r := e.As("recruiter1", http.MethodPost, sup(bySupervisor, "answer"), map[string]any{"answer": "补充"}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("answer after closing: %d", r.Status)
		}
		if r := e.As("director", http.MethodPost, sup(bySupervisor, "close"), nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("close twice: %d", r.Status)
		}
		if r := e.As("director", http.MethodPost, "/api/v1/supervisions/999999/close", nil); r.Status != http.StatusNotFound {
			t.Errorf("unknown supervision: %d", r.Status)
		}
		// overdue comes from the clock: the chief's is due 2023-01-17, Laiyuan's today is the 16th
		listAs := func(token, query string) []map[string]any {
			t.Helper()
			var b struct{ Items []map[string]any }
			wfExpect(t, "list "+query, e.Do(http.MethodGet, "/api/v1/supervisions?"+query, token, nil), http.StatusOK).JSON(t, &b)
			return b.Items
		}
		if got := listAs(e.Token("recruiter1"), "status=open"); len(got) != 1 || got[0]["id"] != byChief["id"] {
			t.Errorf("open: %v", got)
		}
		e.Clock.Add(2 * 24 * time.Hour)
		tok := map[string]string{}
		for _, u := range []string{"recruiter1", "recruiter2", "chief_food", "director", "admin", "viewer"} {
			tok[u] = wfLogin(t, e, u)
		}
		if got := listAs(tok["recruiter1"], "status=overdue"); len(got) != 1 || got[0]["id"] != byChief["id"] || got[0]["status"] != "overdue" {
			t.Errorf("overdue: %v", got)
		}
		if got := listAs(tok["recruiter1"], "status=open"); len(got) != 0 {
			t.Errorf("still open: %v", got)
		}
		counts := map[string]int{"recruiter1": 2, "recruiter2": 0, "chief_food": 1, "director": 2, "admin": 2, "viewer": 0}
		for u, want := range counts {
			if got := listAs(tok[u], ""); len(got) != want {
				t.Errorf("%s sees %d supervisions, want %d", u, len(got), want)
			}
		}
		if got := listAs(tok["director"], "status=closed"); len(got) != 1 || got[0]["id"] != bySupervisor["id"] {
			t.Errorf("closed: %v", got)
		}
		if r := e.Do(http.MethodGet, "/api/v1/supervisions?status=late", tok["admin"], nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad status: %d", r.Status)
		}
		var onProject struct{ Items []map[string]any }
		wfExpect(t, "project's", e.Do(http.MethodGet, path+"/supervisions", tok["viewer"], nil), http.StatusOK).JSON(t, &onProject)
		if len(onProject.Items) != 2 {
			t.Errorf("project's supervisions: %v", onProject.Items)
		}
		// what the reminder job reads: open ones (overdue included), with owner and due date
		open, err := repository.NewSupervisionService(e.DB).OpenSupervisions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 1 || open[0].Owner != "recruiter1" || open[0].OwnerEmail == "" || open[0].Due != domain.MustDate("2023-01-17") ||
			open[0].Status != domain.SupervisionOverdue || open[0].ProjectName != "督办测试项目" {
			t.Errorf("open supervisions: %+v", open)
		}
		var lines []string
		for _, h := range wfHistoryOf(t, e, path) {
			if strings.HasPrefix(h.Action, "supervision") {
				lines = append(lines, h.Actor+" "+h.Action+" "+h.Field+":"+h.From+">"+h.To)
			}
		}
		want := []string{
			"director supervision_issued instruction:>月底前完成土地预审", "director supervision_issued due:>2023-01-20",
			"chief_food supervision_issued instruction:>协调能耗指标", "chief_food supervision_issued due:>2023-01-17",
			"recruiter1 supervision_answered answer:>已报县自然资源局", "recruiter1 supervision_answered status:open>answered",
			"director supervision_closed status:answered>closed",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("history:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestStaleColoursAndCleanup(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("停滞测试项目"))
		id := p["id"]
		if p["stale"] != "green" || p["cleanup_due"] != false {
			t.Fatalf("new project: stale %v cleanup %v", p["stale"], p["cleanup_due"])
		}
		inList := func(query string) bool {
			t.Helper()
			for _, it := range list(t, e, "admin", query+"&q=停滞测试项目").Items {
				if it["id"] == id {
					return true
				}
			}
			return false
		}
		steps := []struct {
			idleDays  int
			colour    string
			cleanup   bool
			inFilters []string
		}{
			{0, "green", false, []string{"stale=green"}},
			{59, "green", false, []string{"stale=green"}},
			{60, "yellow", false, []string{"stale=yellow"}},
			{89, "yellow", false, []string{"stale=yellow"}},
			{90, "red", false, []string{"stale=red"}},
			{179, "red", false, []string{"stale=red"}},
			{180, "red", true, []string{"stale=red", "cleanup=true"}},
		}
		for _, s := range steps {
			last := e.Clock.Now().Add(-time.Duration(s.idleDays)*24*time.Hour - time.Minute)
			if err := e.DB.Gorm().Exec("UPDATE projects SET last_progress_at = ? WHERE id = ?", last, id).Error; err != nil {
				t.Fatal(err)
			}
			got := e.As("viewer", http.MethodGet, wfPath(p), nil).Map(t)
			if got["stale"] != s.colour || got["cleanup_due"] != s.cleanup {
				t.Errorf("%d days idle: stale %v cleanup %v, want %s %v", s.idleDays, got["stale"], got["cleanup_due"], s.colour, s.cleanup)
			}
			for _, f := range []string{"stale=green", "stale=yellow", "stale=red", "cleanup=true"} {
				want := false
				for _, in := range s.inFilters {
					want = want || in == f
				}
				if got := inList(f); got != want {
					t.Errorf("%d days idle: in ?%s = %v, want %v", s.idleDays, f, got, want)
				}
			}
		}
		// an activity is progress: green again
		wfExpect(t, "visit", e.As("recruiter1", http.MethodPost, wfPath(p)+"/activities", map[string]any{"kind": "call", "occurred_at": "2023-01-16", "summary": "电话回访"}), http.StatusCreated)
		if got := e.As("viewer", http.MethodGet, wfPath(p), nil).Map(t); got["stale"] != "green" || got["cleanup_due"] != false {
			t.Errorf("after a visit: %v %v", got["stale"], got["cleanup_due"])
		}
		// a dropped project is never stale
		if err := e.DB.Gorm().Exec("UPDATE projects SET last_progress_at = ? WHERE id = ?", e.Clock.Now().AddDate(-1, 0, 0), id).Error; err != nil {
			t.Fatal(err)
		}
		wfExpect(t, "drop", e.As("recruiter1", http.MethodPost, wfPath(p)+"/transition", map[string]any{"to": "dropped", "reason": "投资方放弃"}), http.StatusOK)
		if err := e.DB.Gorm().Exec("UPDATE projects SET last_progress_at = ? WHERE id = ?", e.Clock.Now().AddDate(-1, 0, 0), id).Error; err != nil {
			t.Fatal(err)
		}
		if got := e.As("viewer", http.MethodGet, wfPath(p), nil).Map(t); got["stale"] != "green" || got["cleanup_due"] != false {
			t.Errorf("dropped: %v %v", got["stale"], got["cleanup_due"])
		}
		if inList("stale=red") || inList("cleanup=true") {
			t.Error("a dropped project is filtered as stale")
		}
	})
}

func TestCampaignWithItsProjects(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		var camps struct{ Items []map[string]any }
		e.As("admin", http.MethodGet, "/api/v1/campaigns?year=2022", nil).JSON(t, &camps)
		var c map[string]any
		for _, x := range camps.Items {
			if x["project_count"].(float64) > 0 && (c == nil || x["project_count"].(float64) > c["project_count"].(float64)) {
				c = x
			}
		}
		if c == nil {
			t.Fatal("no demo campaign has projects")
		}
		path := fmt.Sprintf("/api/v1/campaigns/%v", c["id"])
		var got struct {
			ID           float64
			Title        string
			ProjectCount int `json:"project_count"`
			Projects     []map[string]any
		}
		wfExpect(t, "campaign", e.As("admin", http.MethodGet, path, nil), http.StatusOK).JSON(t, &got)
		want := list(t, e, "admin", fmt.Sprintf("campaign_id=%v&page_size=200", c["id"])).Total
		if got.Title != c["title"] || got.ProjectCount != want || len(got.Projects) != want {
			t.Errorf("campaign: %s, %d projects, the list says %d", got.Title, len(got.Projects), want)
		}
		for _, p := range got.Projects {
			if p["campaign_id"] != c["id"] {
				t.Errorf("project of another campaign: %v", p["campaign_id"])
			}
		}
		var food struct{ Projects []map[string]any }
		wfExpect(t, "chief", e.As("chief_food", http.MethodGet, path, nil), http.StatusOK).JSON(t, &food)
		for _, p := range food.Projects {
			if p["chain"] != "food" {
				t.Errorf("chief_food sees %v", p["chain"])
			}
		}
		if r := e.As("agent1", http.MethodGet, path, nil); r.Status != http.StatusForbidden {
			t.Errorf("agent: %d", r.Status)
		}
		for _, bad := range []string{"/api/v1/campaigns/999999", "/api/v1/campaigns/x"} {
			if r := e.As("admin", http.MethodGet, bad, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", bad, r.Status)
			}
		}
	})
}

func TestConcurrentTransitionsOneWins(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		for _, withVersion := range []bool{true, false} {
			p := create(t, e, "recruiter1", newProject(fmt.Sprint("并发推进测试项目 ", withVersion)))
			tok := e.Token("recruiter1")
			var wg sync.WaitGroup
			statuses := make([]int, 8)
			for i := range statuses {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					body := map[string]any{"to": "identification"}
					if withVersion {
						body["version"] = 1
					}
					statuses[i] = e.Do(http.MethodPost, wfPath(p)+"/transition", tok, body).Status
				}(i)
			}
			wg.Wait()
			ok, lost := 0, 0
			for _, s := range statuses {
				switch {
				case s == http.StatusOK:
					ok++
				case s == http.StatusConflict, !withVersion && s == http.StatusUnprocessableEntity:
					lost++
				}
			}
			if ok != 1 || lost != len(statuses)-1 {
				t.Errorf("version %v: statuses %v, want exactly one 200", withVersion, statuses)
			}
			h := wfHistoryOf(t, e, wfPath(p))
			moves := 0
			for _, l := range h {
				if l.Field == "stage" {
					moves++
				}
			}
			got := e.As("recruiter1", http.MethodGet, wfPath(p), nil).Map(t)
			if moves != 1 || got["version"] != 2.0 || got["stage"] != "identification" {
				t.Errorf("after the race: %d moves, version %v, stage %v", moves, got["version"], got["stage"])
			}
		}
	})
}

// TestHistoryCompleteness walks every write path of a project and checks that each leaves
// history lines with who, what, which field and the values, and that refused writes leave
// none.
func TestHistoryCompleteness(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("历史完整性测试项目"))
		path := wfPath(p)
		version := func() any { return e.As("admin", http.MethodGet, path, nil).Map(t)["version"] }
		var activity, supervision map[string]any
		steps := []struct {
			name   string
			user   string
			do     func() *apitest.Response
			status int
			action string
			fields []string // each must appear in the new lines
		}{
			{"update", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": version(), "land_area_mu": 50})
			}, 200, "updated", []string{"land_area_mu"}},
			{"stale update", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPatch, path, map[string]any{"version": 1, "notes": "x"})
			}, 409, "", nil},
			{"to identification", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "identification"})
			}, 200, "stage_changed", []string{"stage"}},
			{"refused move", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "decision"})
			}, 422, "", nil},
			{"to risk", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "risk"})
			}, 200, "stage_changed", []string{"stage"}},
			{"assessment", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/risk-assessment", map[string]any{"level": "low", "summary": "可行"})
			}, 201, "risk_assessment", []string{"risk_level"}},
			{"to decision", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "decision"})
			}, 200, "stage_changed", []string{"stage"}},
			{"decision", "chief_food", func() *apitest.Response {
				return e.As("chief_food", http.MethodPost, path+"/decision", map[string]any{"outcome": "approved", "notes": "同意落地"})
			}, 201, "decision", []string{"decision", "notes"}},
			{"comment", "chief_food", func() *apitest.Response {
				return e.As("chief_food", http.MethodPost, path+"/comments", map[string]any{"body": "抓紧签约"})
			}, 201, "commented", []string{"comment"}},
			{"activity", "recruiter1", func() *apitest.Response {
				r := e.As("recruiter1", http.MethodPost, path+"/activities", map[string]any{"kind": "meeting", "occurred_at": "2023-01-15", "summary": "合同条款洽谈"})
				if r.Status == 201 {
					activity = r.Map(t)
				}
				return r
			}, 201, "activity_logged", []string{"activity"}},
			{"activity edit", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPatch, fmt.Sprintf("%s/activities/%v", path, activity["id"]), map[string]any{"version": 1, "place": "涞源"})
			}, 200, "activity_updated", []string{"place"}},
			{"activity delete", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodDelete, fmt.Sprintf("%s/activities/%v", path, activity["id"]), nil)
			}, 204, "activity_deleted", []string{"activity"}},
			{"to follow_up", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "follow_up", "signed_at": "2023-01-16"})
			}, 200, "stage_changed", []string{"stage", "signed_at"}},
			{"milestones", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPut, path+"/milestones", map[string]any{"version": version(), "land_listing_planned": "2023-04-01"})
			}, 200, "milestone", []string{"land_listing_planned"}},
			{"investment", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/investments", map[string]any{"date": "2023-01-16", "amount_wan": 800})
			}, 201, "investment", []string{"realised_investment_wan"}},
			{"supervision", "director", func() *apitest.Response {
				r := e.As("director", http.MethodPost, path+"/supervisions", map[string]any{"instruction": "尽快摘牌", "due": "2023-02-01"})
				if r.Status == 201 {
					supervision = r.Map(t)
				}
				return r
			}, 201, "supervision_issued", []string{"instruction", "due"}},
			{"answer", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, fmt.Sprintf("/api/v1/supervisions/%v/answer", supervision["id"]), map[string]any{"answer": "已挂牌"})
			}, 200, "supervision_answered", []string{"answer", "status"}},
			{"close", "director", func() *apitest.Response {
				return e.As("director", http.MethodPost, fmt.Sprintf("/api/v1/supervisions/%v/close", supervision["id"]), nil)
			}, 200, "supervision_closed", []string{"status"}},
			{"drop", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "dropped", "reason": "用地指标未落实"})
			}, 200, "dropped", []string{"stage", "reason"}},
			{"reopen", "recruiter1", func() *apitest.Response {
				return e.As("recruiter1", http.MethodPost, path+"/transition", map[string]any{"to": "follow_up"})
			}, 200, "reopened", []string{"stage"}},
			{"delete", "recruiter1", func() *apitest.Response { return e.As("recruiter1", http.MethodDelete, path, nil) }, 204, "deleted", []string{"deleted_at"}},
			{"restore", "admin", func() *apitest.Response { return e.As("admin", http.MethodPost, path+"/restore", nil) }, 200, "restored", []string{"deleted_at"}},
		}
		seen := len(wfHistoryOf(t, e, path))
		if seen != 1 {
			t.Fatalf("after create: %d lines", seen)
		}
		if h := wfHistoryOf(t, e, path)[0]; h.Action != "created" || h.Actor != "recruiter1" || h.Field != "name" || h.To != "历史完整性测试项目" {
			t.Errorf("create: %+v", h)
		}
		for _, s := range steps {
			e.Clock.Add(time.Second)
			wfExpect(t, s.name, s.do(), s.status)
			h := wfHistoryOf(t, e, path)
			added := h[seen:]
			seen = len(h)
			if s.action == "" {
				if len(added) != 0 {
					t.Errorf("%s was refused but wrote history: %+v", s.name, added)
				}
				continue
			}
			fields := map[string]bool{}
			for _, l := range added {
				if l.Actor != s.user || l.Action != s.action || l.Field == "" || (l.From == "" && l.To == "") || l.At.IsZero() {
					t.Errorf("%s: incomplete line %+v", s.name, l)
				}
				fields[l.Field] = true
			}
			for _, f := range s.fields {
				if !fields[f] {
					t.Errorf("%s: no line for %s in %+v", s.name, f, added)
				}
			}
			if len(added) != len(s.fields) {
				t.Errorf("%s: %d lines, want %d: %+v", s.name, len(added), len(s.fields), added)
			}
		}
	})
}
