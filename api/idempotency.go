package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Idempotency-Key (issue 20, offline visits; docs/offline.md). A route declared with
// Idempotent: true runs behind idempotent(): a request that carries the header is
// fingerprinted (method, path, query and body — a multipart body by its parts, not its
// boundary), claimed in the database under the user and key, and run in one transaction
// that also stores its answer. The same key from the same user within 24 hours gets that
// answer again (header Idempotent-Replayed: true) and runs nothing; another request under
// the key is refused with 422; a duplicate that arrives while the first still runs waits for
// its answer (409 if it waits too long). Requests without the header are untouched.

// IdempotencyHeader is the request header.
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader marks an answer given again.
const ReplayedHeader = "Idempotent-Replayed"

const (
	idempotencyLease = 30 * time.Second // a claim not re-asserted this long after it was made is abandoned
	idempotencyWait  = 20 * time.Second // how long a duplicate waits for the first request's answer
	idempotencyPoll  = 50 * time.Millisecond
)

// idempotencyHeader declares the header in the OpenAPI document.
type idempotencyHeader struct {
	Key string `header:"Idempotency-Key" maxLength:"255" minLength:"1" description:"A key unique to this request (a UUID). Sent again with the same request within 24 hours, the first answer is returned again (Idempotent-Replayed: true) and nothing new is created; sent with another request, 422. 幂等键：离线补发时避免重复创建。"`
}

// idempotencyKey takes the header's value: 1–255 visible ASCII characters, optionally in
// double quotes (the draft's structured-field string).
func idempotencyKey(raw string) (string, bool) {
	k := strings.TrimSpace(raw)
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" || len(k) > domain.IdempotencyKeyMaxLen {
		return "", false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e || k[i] == '"' || k[i] == '\\' {
			return "", false
		}
	}
	return k, true
}

// keptStatus tells whether an answer is kept for replay: everything the request decided,
// not what depends on the moment (not logged in, timed out, throttled, a server error).
func keptStatus(st int) bool {
	switch st {
	case http.StatusUnauthorized, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return st < 500
}

func (s *Server) idempotent() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, sent := c.Request.Header[http.CanonicalHeaderKey(IdempotencyHeader)]
		if !sent || s.svc.Idempotency == nil {
			c.Next()
			return
		}
		key, ok := idempotencyKey(strings.Join(raw, ","))
		if !ok {
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "Idempotency-Key 无效：应为 1–255 个可见 ASCII 字符 (invalid Idempotency-Key)",
				Fields: map[string]string{IdempotencyHeader: "应为 1–255 个可见 ASCII 字符，如 UUID (1–255 visible ASCII characters, e.g. a UUID)"}})
			return
		}
		a := domain.ActorFrom(c.Request.Context())
		if a == nil || a.User == nil {
			c.Next()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				Abort(c, err)
				return
			}
			Abort(c, domain.Errorf(domain.EINVALID, "无法读取请求内容 (unreadable body)"))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		fp := requestFingerprint(c.Request, body)
		ctx := c.Request.Context()
		store := s.svc.Idempotency

		claim, existing, err := store.Claim(ctx, a.User.ID, key, fp, idempotencyLease)
		deadline := time.Now().Add(idempotencyWait)
		for err == nil && claim == nil {
			if existing == nil { // released meanwhile
				claim, existing, err = store.Claim(ctx, a.User.ID, key, fp, idempotencyLease)
				continue
			}
			if existing.Fingerprint != fp {
				c.AbortWithStatusJSON(http.StatusUnprocessableEntity, ErrorBody{Error: ErrorDetail{Code: "idempotency_key_reused",
					Message: "该 Idempotency-Key 已用于另一个不同的请求，请为新请求换一个键 (the Idempotency-Key was used for a different request)"}})
				return
			}
			if existing.Done {
				replay(c, existing.Answer)
				return
			}
			if !existing.LeaseUntil.After(s.opts.Clock.Now()) {
				if claim, err = store.TakeOver(ctx, existing, idempotencyLease); err != nil || claim != nil {
					break
				}
			}
			if time.Now().After(deadline) {
				c.AbortWithStatusJSON(http.StatusConflict, ErrorBody{Error: ErrorDetail{Code: "idempotency_in_progress",
					Message: "相同 Idempotency-Key 的请求仍在处理中，请稍后重试 (a request with this Idempotency-Key is still being processed)"}})
				return
			}
			select {
			case <-ctx.Done():
				Abort(c, ctx.Err())
				return
			case <-time.After(idempotencyPoll):
			}
			existing, err = store.Find(ctx, a.User.ID, key)
		}
		if err != nil {
			Abort(c, err)
			return
		}
		s.runClaimed(c, claim)
	}
}

// runClaimed runs the rest of the chain in the claim's transaction, its answer buffered
// until the transaction's end decides what the client gets.
func (s *Server) runClaimed(c *gin.Context, claim *domain.IdempotencyRecord) {
	store := s.svc.Idempotency
	orig, origReq := c.Writer, c.Request
	buf := &bufferedWriter{ResponseWriter: orig, status: http.StatusOK}
	c.Writer = buf
	finished := false
	defer func() {
		if !finished { // a panic: forget the claim, let recovery answer on the real writer
			c.Writer, c.Request = orig, origReq
			store.Release(context.WithoutCancel(origReq.Context()), claim)
		}
	}()
	var answer domain.IdempotentAnswer
	kept, err := store.Run(origReq.Context(), claim, func(ctx context.Context) (domain.IdempotentAnswer, bool) {
		c.Request = origReq.WithContext(ctx)
		c.Next()
		answer = domain.IdempotentAnswer{Status: buf.status, ContentType: orig.Header().Get("Content-Type"), Body: buf.body.Bytes()}
		return answer, answer.Status >= 200 && answer.Status < 300
	})
	finished = true
	c.Writer, c.Request = orig, origReq
	ctx := context.WithoutCancel(origReq.Context())
	switch {
	case errors.Is(err, domain.ErrIdempotencyClaimLost):
		orig.Header().Del("Content-Type")
		c.AbortWithStatusJSON(http.StatusConflict, ErrorBody{Error: ErrorDetail{Code: "idempotency_in_progress",
			Message: "相同 Idempotency-Key 的请求仍在处理中，请稍后重试 (a request with this Idempotency-Key is still being processed)"}})
		return
	case err != nil:
		store.Release(ctx, claim)
		orig.Header().Del("Content-Type")
		Abort(c, err)
		return
	case !kept && keptStatus(answer.Status):
		if err := store.Keep(ctx, claim, answer); err != nil {
			s.log.Warn("idempotency: refusal not kept", "err", err, "request_id", c.GetString(requestIDKey))
		}
	case !kept:
		store.Release(ctx, claim)
	}
	buf.flush()
}

// replay answers with a kept answer.
func replay(c *gin.Context, a domain.IdempotentAnswer) {
	c.Header(ReplayedHeader, "true")
	if len(a.Body) == 0 {
		c.Status(a.Status)
		c.Writer.WriteHeaderNow()
	} else {
		c.Data(a.Status, a.ContentType, a.Body)
	}
	c.Abort()
}

// requestFingerprint hashes what makes a request the same request: method, path, query
// (sorted) and body — JSON canonically (key order and spacing do not matter), multipart by
// each part's name, file name and content (the boundary differs on every send).
func requestFingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s?%s\n", r.Method, r.URL.Path, r.URL.Query().Encode())
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "multipart/form-data" && params["boundary"] != "":
		if hashParts(h, body, params["boundary"]) {
			break
		}
		h.Write(body)
	case mt == "application/json":
		var v any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&v) == nil {
			if canon, err := json.Marshal(v); err == nil {
				h.Write(canon)
				break
			}
		}
		h.Write(body)
	default:
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashParts(h hash.Hash, body []byte, boundary string) bool {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var lines []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false
		}
		ph := sha256.New()
		if _, err := io.Copy(ph, p); err != nil {
			return false
		}
		lines = append(lines, fmt.Sprintf("part %q %q %x\n", p.FormName(), p.FileName(), ph.Sum(nil)))
	}
	for _, l := range lines {
		io.WriteString(h, l)
	}
	return true
}

// bufferedWriter holds a handler's answer until the transaction it ran in has ended.
type bufferedWriter struct {
	gin.ResponseWriter
	status  int
	written bool
	body    bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(code int) {
	if code > 0 && !w.written {
		w.status = code
	}
}
func (w *bufferedWriter) WriteHeaderNow()             { w.written = true }
func (w *bufferedWriter) Write(b []byte) (int, error) { w.written = true; return w.body.Write(b) }
func (w *bufferedWriter) WriteString(s string) (int, error) {
	w.written = true
	return w.body.WriteString(s)
}
func (w *bufferedWriter) Status() int   { return w.status }
func (w *bufferedWriter) Size() int     { return w.body.Len() }
func (w *bufferedWriter) Written() bool { return w.written }
func (w *bufferedWriter) Flush()        {}
func (w *bufferedWriter) flush() {
	w.ResponseWriter.WriteHeader(w.status)
	if w.body.Len() > 0 {
		w.ResponseWriter.Write(w.body.Bytes())
	} else {
		w.ResponseWriter.WriteHeaderNow()
	}
}

// idempotentRoutes are the creating routes that honour Idempotency-Key, by method and path
// (a route may also say Idempotent: true itself). TestIdempotentRoutes fails on a POST that
// answers 201 and is in neither this list nor notIdempotent, so that a new creating route
// is decided on, not forgotten.
var idempotentRoutes = map[string]bool{
	"POST " + v1 + "/projects":                     true,
	"POST " + v1 + "/projects/:id/activities":      true,
	"POST " + v1 + "/projects/:id/attachments":     true,
	"POST " + v1 + "/enterprises/:id/attachments":  true,
	"POST " + v1 + "/projects/:id/risk-assessment": true,
	"POST " + v1 + "/projects/:id/decision":        true,
	"POST " + v1 + "/projects/:id/comments":        true,
	"POST " + v1 + "/projects/:id/investments":     true,
	"POST " + v1 + "/projects/:id/supervisions":    true,
	"POST " + v1 + "/reminders/:id/done":           true,
	"POST " + v1 + "/campaigns":                    true,
	"POST " + v1 + "/enterprises":                  true,
	"POST " + v1 + "/enterprises/:id/contacts":     true,
	"POST " + v1 + "/chains/:code/nodes":           true,
	"POST " + v1 + "/targets":                      true,
	"POST " + v1 + "/projects/:id/requests":        true, // service requests (企业诉求, issue 15)
}

// notIdempotent are creating routes left out on purpose, with the reason.
var notIdempotent = map[string]string{
	"POST " + v1 + "/tokens":                         "its answer holds the token's secret, which must never be stored",
	"POST " + v1 + "/import/projects":                "the import is idempotent by itself (a row with the same name and investor updates) and runs its own batches",
	"POST " + v1 + "/export/projects":                "starts a background job that outlives the request's transaction; a second job harms nothing",
	"POST " + v1 + "/departments":                    "an administrator's setting made at a desk, never queued offline; a repeat is refused by the department's unique code",
	"POST " + v1 + "/robots":                         "an administrator's setting made at a desk, never queued offline; the answer is checked at once with the test button",
	"PUT " + v1 + "/platform/admin/users/:id/grants": "sets the whole list of a province user's zones: a repeat changes nothing and audits nothing; a platform administrator's act at a desk, never queued offline",
	"POST " + v1 + "/users":                          "an administrator's act, not sent offline; its roles are granted through casbin's adapter on a connection of its own, outside the request's transaction",
}

// markIdempotent sets the flag on the listed routes.
func markIdempotent(routes []route) {
	for i := range routes {
		if idempotentRoutes[routes[i].Method+" "+routes[i].Path] {
			routes[i].Idempotent = true
		}
	}
}

// IdempotentRoutes lists the routes that honour Idempotency-Key, as "METHOD path".
func (s *Server) IdempotentRoutes() []string {
	var out []string
	for _, r := range s.routes {
		if r.Idempotent {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// NotIdempotentReason says why a creating route ("METHOD path") is left out, or "".
func NotIdempotentReason(route string) string { return notIdempotent[route] }
