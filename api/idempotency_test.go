package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/jobs"
)

// sendKeyed sends a request with an Idempotency-Key (none when key is "") through the
// contract-checking test server, or through base when given (another replica).
func sendKeyed(t *testing.T, e *apitest.Env, base, user, method, path, key string, body any) *apitest.Response {
	t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case apitest.Multipart:
		raw, ct := b.Encode() // a new boundary on every send
		rd, ctype = bytes.NewReader(raw), ct
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	if base == "" {
		base = e.HTTP.URL
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+e.Token(user))
	if key != "" {
		req.Header.Set(api.IdempotencyHeader, key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &apitest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// tableCounts counts the rows of every table (but the keys themselves).
func tableCounts(t *testing.T, e *apitest.Env) map[string]int64 {
	t.Helper()
	g := e.DB.Gorm()
	tables, err := g.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, tb := range tables {
		if tb == "idempotency_keys" || strings.HasPrefix(tb, "sqlite_") {
			continue
		}
		var n int64
		if err := g.Table(tb).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

// delta is what changed between two counts.
func delta(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// noMoreThan tells whether burst wrote at most what once did, table by table, and as much
// in at least one (the record itself). The first request may write more (a log-in, an
// enterprise its project named first).
func noMoreThan(burst, once map[string]int64) bool {
	equal := len(once) == 0
	for k, v := range burst {
		if v > once[k] {
			return false
		}
		equal = equal || v == once[k]
	}
	return equal
}

// TestIdempotencyEveryCreatingRoute walks every route that honours Idempotency-Key, with
// the authorization matrix's bodies and objects: the first request creates; the same
// request with the same key answers the same again and writes nothing; another request
// under the key is 422; eight copies sent at once create exactly once.
func TestIdempotencyEveryCreatingRoute(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		rows := map[string]matrixRow{}
		for _, r := range matrixRows {
			rows[r.Route] = r
		}
		m := newMatrix(t, e)
		routes := e.Server.IdempotentRoutes()
		sort.Strings(routes)
		if len(routes) < 15 {
			t.Fatalf("only %d idempotent routes: %v", len(routes), routes)
		}
		for i, key := range routes {
			row, ok := rows[key]
			if !ok {
				t.Errorf("%s: no matrix row to take a body from", key)
				continue
			}
			method, path, _ := strings.Cut(key, " ")
			user, want := "", 0
			for j, st := range row.In {
				if st >= 200 && st < 300 {
					user, want = matrixUsers[j], st
					break
				}
			}
			if user == "" {
				t.Errorf("%s: no role may call it", key)
				continue
			}
			e.Token(user) // logged in before counting
			k1 := fmt.Sprintf("route-%d-first", i)
			p := m.paths(row, path, user, true)[0]
			body := m.body(row, user)
			before := tableCounts(t, e)
			r1 := sendKeyed(t, e, "", user, method, p, k1, body)
			if r1.Status != want {
				t.Errorf("%s as %s: %d, want %d: %.300s", key, user, r1.Status, want, r1.Body)
				continue
			}
			if r1.Header.Get(api.ReplayedHeader) != "" {
				t.Errorf("%s: the first answer says it is replayed", key)
			}
			once := delta(before, tableCounts(t, e))

			mid := tableCounts(t, e)
			r2 := sendKeyed(t, e, "", user, method, p, k1, body)
			if r2.Status != r1.Status || !bytes.Equal(r2.Body, r1.Body) || r2.Header.Get(api.ReplayedHeader) != "true" {
				t.Errorf("%s: the retry answered %d %s (replayed %q), want the first answer %d %s", key, r2.Status, r2.Body,
					r2.Header.Get(api.ReplayedHeader), r1.Status, r1.Body)
			}
			if d := delta(mid, tableCounts(t, e)); len(d) != 0 {
				t.Errorf("%s: the retry wrote %v", key, d)
			}

			// the key on another request: another body, or another route
			var other *apitest.Response
			switch b := body.(type) {
			case map[string]any:
				changed := map[string]any{"_retry": "不同的内容"}
				for k, v := range b {
					changed[k] = v
				}
				other = sendKeyed(t, e, "", user, method, p, k1, changed)
			case apitest.Multipart:
				b.FileName = "另一张照片.jpg"
				other = sendKeyed(t, e, "", user, method, p, k1, b)
			default:
				other = sendKeyed(t, e, "", "admin", http.MethodPost, "/api/v1/campaigns", k1, map[string]any{"kind": "trip", "title": "幂等测试", "city": "北京", "start_date": "2023-02-01"})
				user = "admin"
			}
			if other.Status != http.StatusUnprocessableEntity || other.ErrorCode() != "idempotency_key_reused" {
				t.Errorf("%s: the key on another request: %d %s, want 422 idempotency_key_reused", key, other.Status, other.Body)
			}

			// eight at once with a new key on a fresh object and body
			p = m.paths(row, path, user, true)[0]
			body = m.body(row, user)
			before = tableCounts(t, e)
			k2 := fmt.Sprintf("route-%d-burst", i)
			answers := make([]*apitest.Response, 8)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for n := range answers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					answers[n] = sendKeyed(t, e, "", user, method, p, k2, body)
				}()
			}
			close(start)
			wg.Wait()
			fresh := 0
			for _, a := range answers {
				if a.Status != want || !bytes.Equal(a.Body, answers[0].Body) {
					t.Errorf("%s burst: %d %.200s, want %d %.200s", key, a.Status, a.Body, want, answers[0].Body)
				}
				if a.Header.Get(api.ReplayedHeader) == "" {
					fresh++
				}
			}
			if fresh != 1 {
				t.Errorf("%s burst: %d answers not replayed, want exactly 1", key, fresh)
			}
			if d := delta(before, tableCounts(t, e)); !noMoreThan(d, once) {
				t.Errorf("%s burst wrote %v, one request writes %v", key, d, once)
			}
		}
	})
}

// TestIdempotentRoutes: every POST that answers 201 honours Idempotency-Key or is left out
// with a reason (so that a new creating route is decided on).
func TestIdempotentRoutes(t *testing.T) {
	e := apitest.New(t, "sqlite")
	doc, err := e.Server.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	idem := map[string]bool{}
	for _, r := range e.Server.IdempotentRoutes() {
		idem[r] = true
	}
	for _, r := range e.Server.RouteRules() {
		if r.Method != http.MethodPost {
			continue
		}
		key := r.Method + " " + r.Path
		op := doc.Paths.MapOfPathItemValues[regexp.MustCompile(`:([A-Za-z_]+)`).ReplaceAllString(r.Path, "{$1}")].MapOfOperationValues["post"]
		_, created := op.Responses.MapOfResponseOrRefValues["201"]
		if created && !idem[key] && api.NotIdempotentReason(key) == "" {
			t.Errorf("%s creates (201) but neither honours Idempotency-Key nor says why not (api/idempotency.go)", key)
		}
		if idem[key] && api.NotIdempotentReason(key) != "" {
			t.Errorf("%s is both idempotent and left out", key)
		}
	}
}

// TestIdempotencyKeyRules: the key's form, users, expiry, JSON canonical form, refusals
// kept, replicas, requests without a key and the purge job.
func TestIdempotencyKeyRules(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		p := create(t, e, "recruiter1", newProject("幂等规则测试项目"))
		acts := fmt.Sprintf("/api/v1/projects/%v/activities", p["id"])
		visit := activityBody()
		countActs := func() int {
			var b struct{ Items []any }
			e.As("recruiter1", http.MethodGet, acts, nil).JSON(t, &b)
			return len(b.Items)
		}

		for _, bad := range []string{" ", strings.Repeat("k", 256), "带中文的键", "a b"} {
			r := sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, bad, visit)
			if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), api.IdempotencyHeader) {
				t.Errorf("key %q: %d %s, want 400 naming the header", bad, r.Status, r.Body)
			}
		}
		if n := countActs(); n != 0 {
			t.Fatalf("refused keys created %d activities", n)
		}

		// quoted (the draft's form) and bare are one key; key order and spaces in JSON do not matter
		r1 := sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, visit)
		reordered := []byte(`{ "summary": "矩阵测试走访", "place": "涞源", "occurred_at": "2023-01-12", "kind": "visit" }`)
		r2 := sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, "8e03978e-40d5-43e8-bc93-6894a57f9324", reordered)
		if r1.Status != http.StatusCreated || r2.Status != http.StatusCreated || !bytes.Equal(r1.Body, r2.Body) || r2.Header.Get(api.ReplayedHeader) != "true" {
			t.Errorf("quoted then bare key: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
		}
		// the same key from another user is that user's own
		r3 := sendKeyed(t, e, "", "recruiter2", http.MethodPost, acts, "8e03978e-40d5-43e8-bc93-6894a57f9324", visit)
		if r3.Status != http.StatusCreated || r3.Header.Get(api.ReplayedHeader) != "" || bytes.Equal(r3.Body, r1.Body) {
			t.Errorf("another user's key: %d %s", r3.Status, r3.Body)
		}
		// without a key, every request creates
		sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, "", visit)
		sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, "", visit)
		if n := countActs(); n != 4 {
			t.Errorf("%d activities, want 4", n)
		}

		// a refusal is the request's answer too: given again, not run again
		bad := map[string]any{"kind": "party", "occurred_at": "2023-01-12", "place": "涞源", "summary": "错误类型"}
		b1 := sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, "refused-once", bad)
		b2 := sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, "refused-once", bad)
		if b1.Status != http.StatusBadRequest || b2.Status != http.StatusBadRequest || b2.Header.Get(api.ReplayedHeader) != "true" {
			t.Errorf("refusal: %d / %d (replayed %q)", b1.Status, b2.Status, b2.Header.Get(api.ReplayedHeader))
		}

		// another replica on the same database gives the same answer
		rep := httptest.NewServer(e.Replica())
		defer rep.Close()
		r4 := sendKeyed(t, e, rep.URL, "recruiter1", http.MethodPost, acts, "8e03978e-40d5-43e8-bc93-6894a57f9324", visit)
		if r4.Status != http.StatusCreated || !bytes.Equal(r4.Body, r1.Body) || r4.Header.Get(api.ReplayedHeader) != "true" {
			t.Errorf("replica: %d %s", r4.Status, r4.Body)
		}

		// after 24 hours the key is free again; the purge job removes old keys
		e.Clock.Add(domain.IdempotencyTTL + time.Minute)
		e.ForgetSessions()
		r5 := sendKeyed(t, e, "", "recruiter1", http.MethodPost, acts, "8e03978e-40d5-43e8-bc93-6894a57f9324", visit)
		if r5.Status != http.StatusCreated || r5.Header.Get(api.ReplayedHeader) != "" || bytes.Equal(r5.Body, r1.Body) {
			t.Errorf("after a day: %d %s (replayed %q)", r5.Status, r5.Body, r5.Header.Get(api.ReplayedHeader))
		}
		var keys int64
		e.DB.Gorm().Table("idempotency_keys").Count(&keys)
		run, err := e.Jobs.Run(context.Background(), jobs.JobIdempotency, e.Clock.Now(), "test")
		if err != nil || run.Status != "ok" {
			t.Fatalf("purge: %+v %v", run, err)
		}
		var left int64
		e.DB.Gorm().Table("idempotency_keys").Count(&left)
		if keys != 3 || left != 1 { // recruiter1's (renewed), recruiter2's, the refusal's
			t.Errorf("keys before the purge %d (want 3), after %d (want 1): %s", keys, left, run.Detail)
		}
	})
}
