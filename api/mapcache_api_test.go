package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// A map served again is the same document until its data changes — in this process or in
// another one on the same database (`chaincrm import` beside the server) — and then the
// next request shows the change. Scopes never share a cached map.
func TestCachedMapFollowsChanges(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		get := func(user string) []byte {
			t.Helper()
			r := e.As(user, http.MethodGet, "/api/v1/chains/food/map", nil)
			if r.Status != http.StatusOK {
				t.Fatalf("map as %s: %d %s", user, r.Status, r.Body)
			}
			return r.Body
		}
		first := get("director")
		if again := get("director"); !bytes.Equal(first, again) {
			t.Fatal("the same map read twice differs with nothing changed")
		}
		svg1 := e.As("director", http.MethodGet, "/api/v1/chains/food/map.svg", nil).Body

		// Another process renames an enterprise on the map.
		other := dbtest.Reopen(t, e.DB)
		if err := other.Gorm().Exec("UPDATE enterprises SET name = ? WHERE name = ?", "千喜鹤食品（涞源）有限公司", "千喜鹤食品有限公司").Error; err != nil {
			t.Fatal(err)
		}
		after := get("director")
		if bytes.Equal(first, after) || !bytes.Contains(after, []byte("千喜鹤食品（涞源）有限公司")) {
			t.Fatal("a change by another process does not show on the next map")
		}
		if err := other.Gorm().Exec("UPDATE chain_nodes SET name = ? WHERE name = ?", "冷链仓储物流", "冷链物流").Error; err != nil {
			t.Fatal(err)
		}
		if svg2 := e.As("director", http.MethodGet, "/api/v1/chains/food/map.svg", nil).Body; bytes.Equal(svg1, svg2) || !bytes.Contains(svg2, []byte("冷链仓储物流")) {
			t.Fatal("the SVG was served from before the change")
		}

		// The zone-wide map and the chain chief's are kept apart, and each stays right.
		chief := get("chief_food")
		if !bytes.Equal(chief, get("chief_food")) {
			t.Fatal("the chief's map read twice differs")
		}
		if r := e.As("chief_mining", http.MethodGet, "/api/v1/chains/food/map", nil); r.Status != http.StatusNotFound {
			t.Fatalf("another chain's chief reads the cached food map: %d", r.Status)
		}

		// A day later the map is rebuilt for the new date even with no write.
		e.Clock.Add(11 * time.Hour) // 21:00 in Laiyuan; the session is used, so it stays alive
		before := get("director")
		e.Clock.Add(4 * time.Hour) // 01:00 the next day
		if bytes.Equal(before, get("director")) {
			t.Fatal("the map keeps yesterday's date")
		}
	})
}

// A browser asks for gzip: the cached map, board and overview go out compressed, decode to the
// same document as the uncompressed answer, and say they vary by Accept-Encoding.
func TestCachedAnswersGzipped(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		token := e.Token("director")
		get := func(path, acceptEncoding string) *http.Response {
			t.Helper()
			req, err := http.NewRequest(http.MethodGet, e.HTTP.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept-Encoding", acceptEncoding) // set by hand: the client does not decode it
			res, err := e.HTTP.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		for _, path := range []string{"/api/v1/chains/food/map", "/api/v1/projects/board", "/api/v1/stats/overview?year=2022"} {
			plain := get(path, "identity")
			raw, _ := io.ReadAll(plain.Body)
			plain.Body.Close()
			if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
				t.Fatalf("%s without gzip: %d %v", path, plain.StatusCode, plain.Header)
			}
			res := get(path, "gzip, deflate, br, zstd")
			zipped, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("%s with gzip: %d %v", path, res.StatusCode, res.Header)
			}
			zr, err := gzip.NewReader(bytes.NewReader(zipped))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if !bytes.Equal(unzipped, raw) {
				t.Fatalf("%s: the gzipped answer is not the plain one", path)
			}
			t.Logf("%s: %d bytes, %d gzipped", path, len(raw), len(zipped))
			if len(zipped)*2 > len(raw) {
				t.Errorf("%s: %d bytes gzipped of %d: less than half saved", path, len(zipped), len(raw))
			}
		}
	})
}

// A chain's counts (links, projects) are kept for the change stamp: a new project or a new
// link shows in the next answer, for the chain's chief too, and the map carries them.
func TestChainCountsFollowWrites(t *testing.T) {
	eachDB(t, func(t *testing.T, e *apitest.Env) {
		counts := func(user string) (nodes, projects float64) {
			t.Helper()
			var c map[string]any
			e.As(user, http.MethodGet, "/api/v1/chains/food/map", nil).JSON(t, &struct {
				Chain *map[string]any `json:"chain"`
			}{&c})
			return c["node_count"].(float64), c["project_count"].(float64)
		}
		n0, p0 := counts("director")
		cn0, cp0 := counts("chief_food")
		if p0 == 0 || n0 == 0 || cp0 != p0 {
			t.Fatalf("food before: director %v links %v projects, chief %v projects", n0, p0, cp0)
		}
		create(t, e, "recruiter1", newProject("链计数测试项目")) // a food project
		if n, p := counts("director"); n != n0 || p != p0+1 {
			t.Errorf("after a new food project: %v links %v projects, want %v and %v", n, p, n0, p0+1)
		}
		if r := e.As("admin", http.MethodPost, "/api/v1/chains/food/nodes", map[string]any{"name": "链计数测试环节", "segment": "upstream"}); r.Status != http.StatusCreated {
			t.Fatalf("new link: %d %s", r.Status, r.Body)
		}
		if n, p := counts("chief_food"); n != cn0+1 || p != cp0+1 {
			t.Errorf("chief after a new link: %v links %v projects, want %v and %v", n, p, cn0+1, cp0+1)
		}
	})
}
