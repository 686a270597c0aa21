package apitest

// Every request a test sends to the API and every answer it gets are checked against the
// server's own OpenAPI document (GET /api/v1/openapi.json) with kin-openapi's
// openapi3filter, in front of the handler, so that requests sent any way (Env.Do, a raw
// http.Client, a browser-like cookie session) are covered:
//
//   - the answer must be one the document describes for the operation: a declared status,
//     a declared media type, a body that validates against the schema (and, stricter than
//     the published document, objects carry no property the document does not name);
//   - a request the document does not allow (a wrong type, an unknown enum value, a
//     missing required field, an undeclared query parameter, no credentials) must be refused
//     with an error status: if the server accepts it, the document says less than the server
//     does.
//
// A violation fails the test that made the call (t.Errorf), naming the operation.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/laiyuan-edz/chaincrm/api"
)

// Contract is the OpenAPI document loaded for validation, with a router of its operations.
type Contract struct {
	Doc *openapi3.T
	ops []contractOp
}

type contractOp struct {
	method, path string
	re           *regexp.Regexp
	names        []string
	route        *routers.Route
}

var (
	contractOnce sync.Once
	contract     *Contract
	contractErr  error
)

// LoadContract loads and validates srv's OpenAPI document (once per test binary: every
// server of a build describes itself alike).
func LoadContract(srv *api.Server) (*Contract, error) {
	contractOnce.Do(func() {
		for _, media := range []string{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "image/svg+xml", "text/html",
			// attachments (issue 14)
			"application/pdf", "image/jpeg", "image/png", "image/webp", "text/plain",
			"application/vnd.openxmlformats-officedocument.presentationml.presentation"} {
			openapi3filter.RegisterBodyDecoder(media, openapi3filter.FileBodyDecoder)
		}
		contract, contractErr = loadContract(srv)
	})
	return contract, contractErr
}

func loadContract(srv *api.Server) (*Contract, error) {
	b, err := srv.OpenAPIJSON()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("openapi.json does not load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.json is not valid OpenAPI 3: %w", err)
	}
	closeObjects(doc)
	c := &Contract{Doc: doc}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc.Paths.Map() {
		names := []string{}
		segs := strings.Split(path, "/")
		for i, seg := range segs {
			if m := param.FindStringSubmatch(seg); m != nil && m[0] == seg {
				names = append(names, m[1])
				segs[i] = `([^/]+)`
			} else {
				segs[i] = regexp.QuoteMeta(seg)
			}
		}
		expr := "^" + strings.Join(segs, "/") + "$"
		for method, op := range item.Operations() {
			c.ops = append(c.ops, contractOp{method: method, path: path, re: regexp.MustCompile(expr), names: names,
				route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}})
		}
	}
	// Literal segments win over parameters (/projects/board before /projects/{id}).
	sort.Slice(c.ops, func(i, j int) bool {
		return strings.Count(c.ops[i].path, "{") < strings.Count(c.ops[j].path, "{")
	})
	return c, nil
}

// closeObjects makes every object schema that lists its properties refuse others, so that
// an answer carrying a field the document does not name fails validation. The published
// document leaves them open, for clients to tolerate fields added later.
func closeObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.SchemaRef)
	walk = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		v := s.Value
		seen[v] = true
		if len(v.Properties) > 0 && v.AdditionalProperties.Has == nil && v.AdditionalProperties.Schema == nil {
			no := false
			v.AdditionalProperties.Has = &no
		}
		for _, p := range v.Properties {
			walk(p)
		}
		walk(v.Items)
		walk(v.AdditionalProperties.Schema)
		for _, l := range []openapi3.SchemaRefs{v.AllOf, v.AnyOf, v.OneOf} {
			for _, x := range l {
				walk(x)
			}
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, r := range doc.Components.Responses {
		for _, m := range r.Value.Content {
			walk(m.Schema)
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, m := range op.RequestBody.Value.Content {
					walk(m.Schema)
				}
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					for _, m := range r.Value.Content {
						walk(m.Schema)
					}
				}
			}
		}
	}
}

// find returns the operation of a request, or nil when the document has none.
func (c *Contract) find(method, path string) (*routers.Route, map[string]string) {
	for _, op := range c.ops {
		if op.method != method {
			continue
		}
		m := op.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		params := map[string]string{}
		for i, n := range op.names {
			params[n] = m[i+1]
		}
		return op.route, params
	}
	return nil, nil
}

// authenticated tells openapi3filter whether the request carries the credentials a
// security scheme names.
func authenticated(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearer":
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return nil
		}
	case "cookie":
		if ck, err := r.Cookie(in.SecurityScheme.Name); err == nil && ck.Value != "" {
			return nil
		}
	default:
		return nil
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

// Check validates one exchange: it returns what is wrong with the answer, and what is
// wrong with the request (which the server must then have refused).
func (c *Contract) Check(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) (answer, request error) {
	route, params := c.find(r.Method, r.URL.Path)
	if route == nil {
		return nil, nil
	}
	ctx := context.Background()
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: authenticated, IncludeResponseStatus: true, MultiError: true}}
	request = openapi3filter.ValidateRequest(ctx, in)
	if request == nil {
		request = undeclaredQuery(route, r)
	}
	in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
	answer = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options})
	if answer == nil && len(body) > 0 {
		if res := route.Operation.Responses.Status(status); res != nil && res.Value != nil && len(res.Value.Content) == 0 {
			answer = fmt.Errorf("status %d is declared without a body, but the answer has %d bytes", status, len(body))
		}
	}
	return answer, request
}

// undeclaredQuery names a query parameter the operation does not declare.
func undeclaredQuery(route *routers.Route, r *http.Request) error {
	declared := map[string]bool{}
	for _, p := range route.Operation.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			declared[p.Value.Name] = true
		}
	}
	for name := range r.URL.Query() {
		if !declared[name] {
			return fmt.Errorf("query parameter %q is not declared", name)
		}
	}
	return nil
}

// contractHandler checks every exchange with next against the contract.
type contractHandler struct {
	t        testing.TB
	contract *Contract
	next     http.Handler
}

func (h *contractHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		h.next.ServeHTTP(w, r)
		return
	}
	reqBody, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	res := rec.Result()
	body := rec.Body.Bytes()
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	w.Write(body)

	if res.Header.Get("Content-Encoding") == "gzip" { // a cached answer sent compressed: check what it says
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			h.t.Errorf("openapi: %s %s answered a gzip body that does not decode: %v", r.Method, r.URL.Path, err)
			return
		}
	}
	answer, request := h.contract.Check(r, reqBody, res.StatusCode, res.Header, body)
	what := r.Method + " " + r.URL.Path
	if answer != nil {
		h.t.Errorf("openapi: %s answered %d, which the document does not describe: %v\nbody: %s", what, res.StatusCode, answer, clipBytes(body))
	}
	if request != nil && res.StatusCode < 400 {
		h.t.Errorf("openapi: %s answered %d to a request the document does not allow: %v\nrequest body: %s", what, res.StatusCode, request, clipBytes(reqBody))
	}
}

func clipBytes(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
