package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

func TestJobsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		var jobs struct {
			Items []struct {
				Name    string `json:"name"`
				Label   string `json:"label"`
				LastRun *struct {
					Status string `json:"status"`
					Detail string `json:"detail"`
					AsOf   string `json:"as_of"`
				} `json:"last_run"`
			} `json:"items"`
		}
		r := e.As("admin", http.MethodGet, "/api/v1/jobs", nil)
		r.JSON(t, &jobs)
		if r.Status != http.StatusOK || len(jobs.Items) != 5 || jobs.Items[0].Name != "reminders" || jobs.Items[1].Name != "digest" ||
			jobs.Items[2].Name != "outbox" || jobs.Items[3].Name != "idempotency" || jobs.Items[4].Name != "robot_summary" || jobs.Items[0].LastRun != nil {
			t.Fatalf("jobs: %d %s", r.Status, r.Body)
		}
		r = e.As("admin", http.MethodPost, "/api/v1/jobs/reminders/run", map[string]string{"at": "2023-01-16T09:00:00+08:00"})
		if r.Status != http.StatusOK || r.Map(t)["status"] != "ok" || !strings.Contains(r.Map(t)["detail"].(string), "raised") {
			t.Fatalf("run: %d %s", r.Status, r.Body)
		}
		if r := e.As("admin", http.MethodPost, "/api/v1/jobs/digest/run", nil); r.Status != http.StatusOK || r.Map(t)["status"] != "ok" {
			t.Fatalf("run digest without a body: %d %s", r.Status, r.Body)
		}
		e.As("admin", http.MethodGet, "/api/v1/jobs", nil).JSON(t, &jobs)
		if lr := jobs.Items[0].LastRun; lr == nil || lr.Status != "ok" || !strings.HasPrefix(lr.AsOf, "2023-01-16T01:00:00") {
			t.Errorf("last run of reminders: %+v", lr)
		}
		for _, c := range []struct {
			user, method, path string
			body               any
			status             int
		}{
			{"admin", http.MethodPost, "/api/v1/jobs/nope/run", nil, http.StatusNotFound},
			{"admin", http.MethodPost, "/api/v1/jobs/reminders/run", map[string]string{"at": "yesterday"}, http.StatusBadRequest},
			{"admin", http.MethodPost, "/api/v1/jobs/reminders/run", []byte("[1"), http.StatusBadRequest},
			{"admin", http.MethodGet, "/api/v1/outbox?status=lost", nil, http.StatusBadRequest},
			{"director", http.MethodGet, "/api/v1/jobs", nil, http.StatusForbidden},
			{"recruiter1", http.MethodPost, "/api/v1/jobs/digest/run", nil, http.StatusForbidden},
			{"chief_food", http.MethodGet, "/api/v1/outbox", nil, http.StatusForbidden},
			{"viewer", http.MethodGet, "/api/v1/outbox", nil, http.StatusForbidden},
			{"", http.MethodGet, "/api/v1/jobs", nil, http.StatusUnauthorized},
		} {
			var r *apitest.Response
			if c.user == "" {
				r = e.Do(c.method, c.path, "", c.body)
			} else {
				r = e.As(c.user, c.method, c.path, c.body)
			}
			if r.Status != c.status {
				t.Errorf("%s %s %s: %d, want %d: %s", c.user, c.method, c.path, r.Status, c.status, r.Body)
			}
		}
		var outbox struct {
			Total int `json:"total"`
		}
		r = e.As("admin", http.MethodGet, "/api/v1/outbox?status=pending", nil)
		r.JSON(t, &outbox)
		if r.Status != http.StatusOK || outbox.Total == 0 || !strings.Contains(string(r.Body), `"subject":"【河北涞源经济开发区】`) ||
			!strings.Contains(string(r.Body), `"to":"director@laiyuan-edz.example.cn"`) || strings.Contains(string(r.Body), "body") {
			t.Errorf("outbox: %d %s", r.Status, r.Body)
		}
	})
}

func TestMySettings(t *testing.T) {
	e := apitest.New(t, "sqlite")
	for _, c := range []struct {
		body   any
		status int
		want   string
	}{
		{map[string]any{"digest_opt_out": "yes"}, http.StatusBadRequest, `"digest_opt_out"`},
		{[]byte("not json"), http.StatusBadRequest, ""},
		{map[string]any{"digest_opt_out": true}, http.StatusOK, `"digest_opt_out":true`},
		{map[string]any{}, http.StatusOK, `"digest_opt_out":true`}, // nothing to change
		{map[string]any{"digest_opt_out": false}, http.StatusOK, `"digest_opt_out":false`},
	} {
		r := e.As("chief_semi", http.MethodPatch, "/api/v1/me/settings", c.body)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	e.As("agent1", http.MethodPatch, "/api/v1/me/settings", map[string]any{"digest_opt_out": true})
	if r := e.As("agent1", http.MethodGet, "/api/v1/me", nil); !strings.Contains(string(r.Body), `"digest_opt_out":true`) {
		t.Errorf("me after opting out: %s", r.Body)
	}
	if r := e.As("chief_semi", http.MethodGet, "/api/v1/me", nil); !strings.Contains(string(r.Body), `"digest_opt_out":false`) {
		t.Errorf("another user's setting changed: %s", r.Body)
	}
}

// 长辈模式 is kept per user in the settings table and shown by GET /me and the settings answer.
func TestMyElderMode(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		elder := func(user string) any {
			var me map[string]any
			r := e.As(user, http.MethodGet, "/api/v1/me", nil)
			r.JSON(t, &me)
			return me["elder_mode"]
		}
		if got := elder("chief_food"); got != false {
			t.Fatalf("elder_mode before any setting: %v", got)
		}
		if r := e.As("chief_food", http.MethodPatch, "/api/v1/me/settings", map[string]any{"elder_mode": "yes"}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"elder_mode"`) {
			t.Errorf("elder_mode \"yes\": %d %s", r.Status, r.Body)
		}
		r := e.As("chief_food", http.MethodPatch, "/api/v1/me/settings", map[string]any{"elder_mode": true})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"elder_mode":true`) || !strings.Contains(string(r.Body), `"digest_opt_out":false`) {
			t.Fatalf("turn on: %d %s", r.Status, r.Body)
		}
		if got := elder("chief_food"); got != true {
			t.Errorf("GET /me after turning it on: %v", got)
		}
		if got := elder("director"); got != false {
			t.Errorf("another user's 长辈模式 changed: %v", got)
		}
		// the digest setting alone leaves it as it is; both at once both change
		if r := e.As("chief_food", http.MethodPatch, "/api/v1/me/settings", map[string]any{"digest_opt_out": true}); !strings.Contains(string(r.Body), `"elder_mode":true`) {
			t.Errorf("digest change lost elder_mode: %s", r.Body)
		}
		if r := e.As("chief_food", http.MethodPatch, "/api/v1/me/settings", map[string]any{"elder_mode": false, "digest_opt_out": false}); !strings.Contains(string(r.Body), `"elder_mode":false`) || !strings.Contains(string(r.Body), `"digest_opt_out":false`) {
			t.Errorf("turn off with the digest: %s", r.Body)
		}
		if got := elder("chief_food"); got != false {
			t.Errorf("GET /me after turning it off: %v", got)
		}
	})
}
