package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                              false,
		"gzip":                          true,
		"gzip, deflate, br, zstd":       true, // Chromium
		"br;q=1.0, gzip;q=0.8, *;q=0.1": true,
		"GZIP":                          true,
		"x-gzip":                        true,
		"identity":                      false,
		"deflate, br":                   false,
		"gzip;q=0":                      false,
		"gzip; q=0.000":                 false,
		"*":                             true,
		"*;q=0":                         false,
		"*, gzip;q=0":                   false, // refused by name, whatever * says
		"gzip;q=0, *":                   false,
		"gzip;q=nonsense":               false,
		"gzipped":                       false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("Accept-Encoding %q: accepts gzip %v, want %v", header, got, want)
		}
	}
}

// serve runs h on a request with the given Accept-Encoding (and Range, if any) and returns the
// answer.
func serve(t *testing.T, h gin.HandlerFunc, target, acceptEncoding, rangeHeader string) *http.Response {
	t.Helper()
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, target, nil)
	if acceptEncoding != "" {
		c.Request.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if rangeHeader != "" {
		c.Request.Header.Set("Range", rangeHeader)
	}
	h(c)
	return w.Result()
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCompressedBodyIsSentGzippedOnlyWhenAskedAndWorthIt(t *testing.T) {
	big := []byte(`{"nodes":[` + strings.Repeat(`{"name":"速冻食品","status":"weak"},`, 200) + `{}]}`)
	b := newCompressedBody(big)
	write := func(c *gin.Context) { b.write(c, http.StatusOK, "application/json; charset=utf-8") }

	res := serve(t, write, "/", "gzip, deflate, br", "")
	got := body(t, res)
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v: want Content-Encoding gzip and Vary Accept-Encoding", res.Header)
	}
	if len(got) >= len(big)/4 {
		t.Errorf("gzipped %d bytes of %d: expected far smaller for repetitive JSON", len(got), len(big))
	}
	if !bytes.Equal(gunzip(t, got), big) {
		t.Fatal("the gzipped answer does not decode to the body")
	}
	if again := body(t, serve(t, write, "/", "gzip", "")); !bytes.Equal(again, got) {
		t.Error("the gzip encoding was made again instead of kept")
	}

	for _, ae := range []string{"", "identity", "gzip;q=0"} {
		res := serve(t, write, "/", ae, "")
		if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body(t, res), big) {
			t.Errorf("Accept-Encoding %q: want the body as is", ae)
		}
	}

	small := newCompressedBody([]byte(`{"total":87}`))
	res = serve(t, func(c *gin.Context) { small.write(c, http.StatusOK, "application/json") }, "/", "gzip", "")
	if res.Header.Get("Content-Encoding") != "" || string(body(t, res)) != `{"total":87}` {
		t.Error("a body under gzipMinBytes was compressed")
	}

	random := make([]byte, 4096) // noise does not compress: sent as is
	rng := rand.New(rand.NewPCG(19, 13))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	noise := newCompressedBody(random)
	res = serve(t, func(c *gin.Context) { noise.write(c, http.StatusOK, "application/octet-stream") }, "/", "gzip", "")
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body(t, res), random) {
		t.Error("a body that gzip makes larger was sent gzipped")
	}
}

// The web app's scripts, styles and page go out gzipped to a browser that accepts it; images as
// they are; a range request and a client without gzip get the file itself.
func TestStaticFilesGzipped(t *testing.T) {
	script := []byte(strings.Repeat("export const 阶段 = ['洽谈对接','项目识别','风险评估','落地决策','跟踪服务'];\n", 100))
	page := []byte("<!doctype html><html lang=\"zh-CN\"><head><title>chaincrm</title></head><body>" + strings.Repeat("<div id=app></div>", 80) + "</body></html>")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 2048)...)
	s := &Server{static: fstest.MapFS{
		"index.html":           {Data: page},
		"assets/index-1a2b.js": {Data: script},
		"assets/logo.png":      {Data: png},
	}}

	res := serve(t, s.noRoute, "/assets/index-1a2b.js", "gzip, deflate, br", "")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("script: %d %v, want 200 gzip", res.StatusCode, res.Header)
	}
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("script Content-Type %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control %q, want immutable", cc)
	}
	if !bytes.Equal(gunzip(t, body(t, res)), script) {
		t.Fatal("the gzipped script does not decode to the file")
	}

	res = serve(t, s.noRoute, "/assets/index-1a2b.js", "", "")
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body(t, res), script) {
		t.Error("a client without gzip did not get the script as is")
	}
	res = serve(t, s.noRoute, "/assets/index-1a2b.js", "gzip", "bytes=0-9")
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Encoding") != "" || string(body(t, res)) != string(script[:10]) {
		t.Errorf("a range request: %d %v, want 206 with the file's first 10 bytes", res.StatusCode, res.Header)
	}
	res = serve(t, s.noRoute, "/assets/logo.png", "gzip", "")
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body(t, res), png) {
		t.Error("an image was compressed again")
	}

	// a deep link is the page, gzipped, never cached as an asset
	res = serve(t, s.noRoute, "/projects/12?tab=risk", "gzip", "")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Cache-Control") != "no-cache" || !bytes.Equal(gunzip(t, body(t, res)), page) {
		t.Errorf("deep link: %v, want index.html gzipped with no-cache", res.Header)
	}
	if res := serve(t, s.noRoute, "/assets/missing-9f.js", "gzip", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing asset: %d, want 404", res.StatusCode)
	}
}
