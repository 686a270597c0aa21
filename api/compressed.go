package api

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// compressedBody is an answer kept to be sent many times — a cached chain map, a cached board
// or overview, a file of the web app — with its gzip encoding made once, by the first request
// that accepts gzip, and kept beside it. A food chain's map at province scale is hundreds of
// kilobytes of JSON; sent as is to 32 clients at once its cost is the copying, not the
// database (issue 13), and a county office's line is slow. Answers built per request are not
// compressed: compressing each would cost more than it saves on a local network.
//
// Only answers that hold no secret are kept this way (maps, boards, figures, the app's files:
// no session, CSRF token or password), so compression cannot leak one (BREACH).
type compressedBody struct {
	raw  []byte
	once sync.Once
	gz   []byte // nil when gzip does not make it smaller
}

// gzipMinBytes: below this the gzip header and a round of the client's work cost more than
// the bytes saved (an answer this small fits in one TCP segment anyway).
const gzipMinBytes = 1024

func newCompressedBody(raw []byte) *compressedBody { return &compressedBody{raw: raw} }

// gzipped returns the gzip encoding, made on first use, or nil when it is not smaller.
func (b *compressedBody) gzipped() []byte {
	b.once.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(b.raw) / 4)
		w := gzip.NewWriter(&buf) // default level: a map of 500 kB compresses in a few ms, once
		if _, err := w.Write(b.raw); err != nil {
			return
		}
		if err := w.Close(); err != nil {
			return
		}
		if buf.Len() < len(b.raw) {
			b.gz = buf.Bytes()
		}
	})
	return b.gz
}

// write answers with the body: gzip-encoded when the request accepts gzip and the body is big
// enough to gain from it, as is otherwise. Caches in between are told the answer varies by
// Accept-Encoding.
func (b *compressedBody) write(c *gin.Context, status int, contentType string) {
	c.Header("Vary", "Accept-Encoding")
	if len(b.raw) >= gzipMinBytes && acceptsGzip(c.Request.Header.Get("Accept-Encoding")) {
		if gz := b.gzipped(); gz != nil {
			c.Header("Content-Encoding", "gzip")
			c.Data(status, contentType, gz)
			return
		}
	}
	c.Data(status, contentType, b.raw)
}

// acceptsGzip reads an Accept-Encoding header (RFC 9110 §12.5.3): gzip (or x-gzip, or *) with a
// quality above zero, and gzip not refused by name.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		ok := true
		for _, p := range strings.Split(params, ";") {
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if found && strings.EqualFold(strings.TrimSpace(k), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				ok = err == nil && q > 0
			}
		}
		if name == "*" {
			star = ok
			continue
		}
		return ok // gzip named: its own quality decides, whatever * says
	}
	return star
}

// isCompressible: the web app's text files (scripts, styles, the page, drawings, data); images
// and fonts are compressed already.
func isCompressible(name string) bool {
	for _, ext := range []string{".js", ".mjs", ".css", ".html", ".svg", ".json", ".txt", ".map", ".webmanifest"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// staticBodies keeps the web app's compressible files with their gzip encoding (the files are
// embedded in the binary and never change while it runs; there are a few dozen).
type staticBodies struct{ m sync.Map }

func (s *staticBodies) get(name string, read func() ([]byte, error)) (*compressedBody, error) {
	if b, ok := s.m.Load(name); ok {
		return b.(*compressedBody), nil
	}
	raw, err := read()
	if err != nil {
		return nil, err
	}
	b, _ := s.m.LoadOrStore(name, newCompressedBody(raw))
	return b.(*compressedBody), nil
}
