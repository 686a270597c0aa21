package api

// The OpenAPI document is generated from the route table (routes.go and one group per
// feature): each route names the Go types its handler decodes (Query, Body) and encodes
// (Out, Answers), and github.com/swaggest/openapi-go reflects them into OpenAPI 3.0 schemas.
// The API tests validate every request they send and every answer they receive against
// this document (apitest), so a handler and its description cannot drift apart.
//
// Conventions the reflection follows:
//   - a JSON property of a response is required unless its Go field is omitempty (the
//     encoder writes it always); a request property is required only when tagged
//     required:"true" (decodeJSON takes absent fields as their zero value);
//   - the domain's enumerated string types carry their values (enumValues);
//   - domain.Date is a nullable date string, domain.Money and domain.Area are numbers;
//   - error answers are the contract's ErrorBody, one shared response per status, and each
//     operation lists the statuses it can answer: those every route of its kind can (401
//     and 403 behind log-in, 400 for input, 404 for path ids, 413 and 415 for bodies, 500 and
//     503 always) and those the route names in Errors.

import (
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/swaggest/jsonschema-go"
	openapi "github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"

	"github.com/laiyuan-edz/chaincrm/domain"
)

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns Gin's /projects/:id into OpenAPI's /projects/{id}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// Media types of the binary answers.
const (
	mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mediaDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mediaSVG  = "image/svg+xml"
	mediaHTML = "text/html"
)

// enumValues are the values of the domain's enumerated string types: every property or
// parameter of one of these types lists them.
var enumValues = map[reflect.Type][]any{
	reflect.TypeFor[domain.Channel]():           enum(domain.Channels...),
	reflect.TypeFor[domain.Stage]():             enum(domain.Stages...),
	reflect.TypeFor[domain.AssetType]():         enum(domain.AssetTypes...),
	reflect.TypeFor[domain.Segment]():           enum(domain.Segments...),
	reflect.TypeFor[domain.ActivityKind]():      enum(domain.ActivityKinds...),
	reflect.TypeFor[domain.CampaignKind]():      enum(domain.CampaignTrip, domain.CampaignConference),
	reflect.TypeFor[domain.EnterpriseKind]():    enum(domain.EnterpriseKinds...),
	reflect.TypeFor[domain.Ownership]():         enum(append([]domain.Ownership{""}, domain.Ownerships...)...),
	reflect.TypeFor[domain.Role]():              enum(append(slices.Clone(domain.Roles), domain.RoleProvince, domain.RolePlatformAdmin)...),
	reflect.TypeFor[domain.StaleColour]():       enum(domain.StaleGreen, domain.StaleYellow, domain.StaleRed),
	reflect.TypeFor[domain.SupervisionStatus](): enum(domain.SupervisionOpen, domain.SupervisionAnswered, domain.SupervisionOverdue, domain.SupervisionClosed),
	// issue 15: service requests
	reflect.TypeFor[domain.RequestCategory](): enum(domain.RequestCategories...),
	reflect.TypeFor[domain.RequestStatus]():   enum(domain.RequestStatuses...),
	reflect.TypeFor[domain.Satisfaction]():    enum(append([]domain.Satisfaction{""}, domain.Satisfactions...)...),
}

func enum[T ~string](vs ...T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// errorResponses are the shared error answers, by status: the contract's error shape with
// what the status means.
var errorResponses = map[int]struct{ name, description string }{
	http.StatusBadRequest:            {"BadRequest", "Malformed or invalid input; error.fields names each bad field (请求有误)"},
	http.StatusUnauthorized:          {"Unauthorized", "Not logged in: no, an expired or a revoked token (未登录)"},
	http.StatusForbidden:             {"Forbidden", "Logged in, but the role (or a read-only token) may not do this (无权操作)"},
	http.StatusNotFound:              {"NotFound", "Does not exist, or is outside what the caller may see (不存在)"},
	http.StatusConflict:              {"Conflict", "A version conflict (stale version) or a duplicate (冲突)"},
	http.StatusRequestEntityTooLarge: {"TooLarge", "The request body is larger than the limit (内容过大)"},
	http.StatusUnsupportedMediaType:  {"UnsupportedMediaType", "The body is not of a media type this endpoint takes (格式不支持)"},
	http.StatusUnprocessableEntity:   {"Unprocessable", "A stage move or a rule refused the request; the message says why (规则不允许)"},
	http.StatusTooManyRequests:       {"TooManyRequests", "Too many attempts; Retry-After says when to try again (请求过多)"},
	http.StatusInternalServerError:   {"InternalError", "An internal error, logged with the request id (服务器内部错误)"},
	http.StatusServiceUnavailable:    {"Unavailable", "The database is unreachable (服务暂不可用)"},
}

// errorStatuses lists the error statuses r can answer: those of its kind and its own.
func (r route) errorStatuses() []int {
	set := map[int]bool{http.StatusInternalServerError: true, http.StatusServiceUnavailable: true}
	if !r.Public {
		set[http.StatusUnauthorized], set[http.StatusForbidden] = true, true
	}
	if r.Query != nil || r.Body != nil {
		set[http.StatusBadRequest] = true
	}
	if r.Body != nil {
		set[http.StatusRequestEntityTooLarge] = true
	}
	if !r.Upload && r.Method != http.MethodGet && r.Method != http.MethodHead {
		set[http.StatusUnsupportedMediaType] = true // a body that is not JSON (requireJSON)
	}
	if strings.Contains(r.Path, ":") {
		set[http.StatusNotFound] = true
	}
	for _, st := range r.Errors {
		set[st] = true
	}
	if r.Idempotent { // idempotency.go: a key still in use (409), a key reused for another request (422)
		set[http.StatusBadRequest], set[http.StatusConflict], set[http.StatusUnprocessableEntity] = true, true, true
	}
	for st := range r.Answers {
		delete(set, st)
	}
	var out []int
	for st := range set {
		out = append(out, st)
	}
	sort.Ints(out)
	return out
}

// pathParams describes a path's parameters as a struct made for the purpose: ids are
// positive integers (a malformed one is 404, as one that does not exist), everything else
// (a chain code, a job name) a string.
func pathParams(path string) any {
	var fields []reflect.StructField
	for _, m := range ginParam.FindAllStringSubmatch(path, -1) {
		f := reflect.StructField{Name: "P" + strings.ReplaceAll(m[1], "_", ""), Type: reflect.TypeFor[string](),
			Tag: reflect.StructTag(`path:"` + m[1] + `"`)}
		if m[1] == "id" || strings.HasSuffix(m[1], "_id") || m[1] == "aid" {
			f.Type = reflect.TypeFor[int64]()
			f.Tag += ` minimum:"1"`
		}
		fields = append(fields, f)
	}
	if fields == nil {
		return nil
	}
	return reflect.New(reflect.StructOf(fields)).Elem().Interface()
}

// defName names the schemas after their Go types without the package: domain.Project is
// Project; the generic envelopes are named after what they hold (page[*domain.Project] is
// ProjectPage, itemList[*domain.Supervision] is SupervisionList).
func defName(t reflect.Type, def string) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i > 0 {
		base, arg := name[:i], strings.TrimSuffix(name[i+1:], "]")
		if j := strings.LastIndexByte(arg, '.'); j >= 0 {
			arg = arg[j+1:]
		}
		arg = strings.TrimLeft(arg, "*[]")
		arg = upperFirst(arg)
		switch base {
		case "page":
			return arg + "Page"
		case "itemList":
			return arg + "List"
		}
		return arg + upperFirst(base)
	}
	return upperFirst(name)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var (
	typeDate  = reflect.TypeFor[domain.Date]()
	typeMoney = reflect.TypeFor[domain.Money]()
	typeArea  = reflect.TypeFor[domain.Area]()
)

// interceptTypes describes the domain's value types as they are written in JSON.
func interceptTypes(p jsonschema.InterceptSchemaParams) (bool, error) {
	if p.Processed || !p.Value.IsValid() {
		return false, nil
	}
	t := p.Value.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s := p.Schema
	switch t {
	case typeDate:
		s.Type = nil
		s.AddType(jsonschema.String)
		s.AddType(jsonschema.Null)
		s.WithFormat("date")
		s.WithDescription("YYYY-MM-DD; null for no date")
		return true, nil
	case typeMoney:
		s.Type, s.Format = nil, nil
		s.AddType(jsonschema.Number)
		s.WithDescription("万元 (10 000 yuan), up to 4 decimals")
		return true, nil
	case typeArea:
		s.Type, s.Format = nil, nil
		s.AddType(jsonschema.Number)
		s.WithDescription("亩 (mu), up to 2 decimals")
		return true, nil
	}
	if vs, ok := enumValues[t]; ok {
		s.WithEnum(vs...)
	}
	return false, nil
}

// requiredInResponses marks a response property required when the encoder always writes
// it (its field is not omitempty), and a request property when tagged required:"true".
func requiredInResponses(p jsonschema.InterceptPropParams) error {
	if !p.Processed || p.ParentSchema == nil {
		return nil
	}
	if ps := p.PropertySchema; p.Field.Type.Kind() == reflect.Pointer && ps.Ref != nil {
		// A pointer to a described type may be null: OpenAPI 3.0 says so with allOf, as a
		// $ref takes no siblings.
		ref := *ps.Ref
		*ps = jsonschema.Schema{AllOf: []jsonschema.SchemaOrBool{{TypeObject: &jsonschema.Schema{Ref: &ref}}}}
		switch elem := p.Field.Type.Elem(); {
		case elem == typeDate || elem.Kind() == reflect.String:
			ps.AddType(jsonschema.String)
		case elem.Kind() == reflect.Struct || elem.Kind() == reflect.Map:
			ps.AddType(jsonschema.Object)
		case elem.Kind() == reflect.Slice:
			ps.AddType(jsonschema.Array)
		}
		ps.AddType(jsonschema.Null)
	}
	oc, ok := openapi.OperationCtx(p.Context)
	if !ok || !oc.IsProcessingResponse() || oc.ProcessingIn() != openapi.InBody {
		return nil
	}
	tag := p.Field.Tag.Get("json")
	if tag == "" || tag == "-" || strings.Contains(tag, ",omitempty") {
		return nil
	}
	for _, r := range p.ParentSchema.Required {
		if r == p.Name {
			return nil
		}
	}
	p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
	return nil
}

// collectTypes adds the named struct types t holds (through pointers, slices, maps and
// fields) to seen.
func collectTypes(t reflect.Type, seen map[reflect.Type]bool) {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
		if t.Kind() == reflect.Map {
			collectTypes(t.Key(), seen)
		}
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || seen[t] || t == typeDate {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		collectTypes(t.Field(i).Type, seen)
	}
}

// uploadFile is the multipart file field of an upload.
type uploadFile struct {
	File multipart.File `formData:"file" required:"true" description:"the file"`
}

// OpenAPI builds the OpenAPI 3 document from the route table. It fails only on a route
// whose types cannot be described, which the tests catch.
func (s *Server) OpenAPI() (*openapi3.Spec, error) {
	r := openapi3.NewReflector()
	r.Spec = &openapi3.Spec{Openapi: "3.0.3"}
	r.Spec.Info.
		WithTitle("chaincrm API").
		WithVersion("1.0.0").
		WithDescription("招商引资管理系统与产业链招商地图 — the investment-attraction CRM with industry-chain maps. " +
			"JSON under /api/v1; errors are always {\"error\":{\"code\",\"message\",\"fields\"}}. " +
			"Authenticate with `Authorization: Bearer <token>`: a session token from POST /api/v1/auth/login, " +
			"or an integration token (ccrm_…) from POST /api/v1/tokens.")
	r.Spec.Info.License = &openapi3.License{Name: "Proprietary — 来源经济开发区 (Laiyuan Economic Development Zone)",
		URL: ptr("https://laiyuan-edz.example.cn/license")}
	r.Spec.Servers = []openapi3.Server{{URL: "/", Description: ptr("this server")}}
	answered := map[reflect.Type]bool{}
	for _, rt := range s.routes {
		collectTypes(reflect.TypeOf(rt.Out), answered)
		for _, out := range rt.Answers {
			collectTypes(reflect.TypeOf(out), answered)
		}
	}
	r.DefaultOptions = append(r.DefaultOptions,
		jsonschema.InterceptSchema(interceptTypes),
		jsonschema.InterceptProp(requiredInResponses),
		func(rc *jsonschema.ReflectContext) {
			// A type that is also answered is named …Request where a request body holds it:
			// its answer marks properties required, its request form does not.
			rc.DefName = func(t reflect.Type, def string) string {
				name := defName(t, def)
				if oc, ok := openapi.OperationCtx(rc); ok && !oc.IsProcessingResponse() && answered[t] {
					name += "Request"
				}
				return name
			}
		},
	)
	r.Spec.ComponentsEns().SecuritySchemesEns().WithMapOfSecuritySchemeOrRefValuesItem("bearer", openapi3.SecuritySchemeOrRef{
		SecurityScheme: &openapi3.SecurityScheme{HTTPSecurityScheme: &openapi3.HTTPSecurityScheme{Scheme: "bearer",
			Description: ptr("A session token (POST /api/v1/auth/login) or an integration token starting ccrm_ (POST /api/v1/tokens)")}},
	})
	r.Spec.ComponentsEns().SecuritySchemesEns().WithMapOfSecuritySchemeOrRefValuesItem("cookie", openapi3.SecuritySchemeOrRef{
		SecurityScheme: &openapi3.SecurityScheme{APIKeySecurityScheme: &openapi3.APIKeySecurityScheme{Name: sessionCookie, In: openapi3.APIKeySecuritySchemeInCookie,
			Description: ptr("The web app's session cookie; state-changing requests must also send X-CSRF-Token equal to the chaincrm_csrf cookie")}},
	})
	tags := map[string]bool{}
	for _, rt := range s.routes {
		if err := addOperation(r, rt); err != nil {
			return nil, err
		}
		tags[routeTag(rt.Path)] = true
	}
	for tag := range tags {
		r.Spec.Tags = append(r.Spec.Tags, openapi3.Tag{Name: tag, Description: ptr(tagDescriptions[tag])})
	}
	sort.Slice(r.Spec.Tags, func(i, j int) bool { return r.Spec.Tags[i].Name < r.Spec.Tags[j].Name })
	resp := r.Spec.ComponentsEns().ResponsesEns()
	errSchema := openapi3.SchemaOrRef{SchemaReference: &openapi3.SchemaReference{Ref: "#/components/schemas/ErrorBody"}}
	if err := reflectErrorBody(r); err != nil {
		return nil, err
	}
	for _, e := range errorResponses {
		resp.WithMapOfResponseOrRefValuesItem(e.name, openapi3.ResponseOrRef{Response: &openapi3.Response{
			Description: e.description,
			Content:     map[string]openapi3.MediaType{"application/json": {Schema: &errSchema}},
		}})
	}
	return r.Spec, nil
}

// reflectErrorBody adds the ErrorBody schema, which the shared error responses refer to.
func reflectErrorBody(r *openapi3.Reflector) error {
	s, err := r.Reflect(ErrorBody{}, jsonschema.DefinitionsPrefix("#/components/schemas/"), jsonschema.RootRef,
		jsonschema.CollectDefinitions(func(name string, schema jsonschema.Schema) {
			var sr openapi3.SchemaOrRef
			sr.FromJSONSchema(schema.ToSchemaOrBool())
			r.Spec.ComponentsEns().SchemasEns().WithMapOfSchemaOrRefValuesItem(name, sr)
		}))
	if err != nil {
		return err
	}
	_ = s
	return nil
}

// OpenAPIJSON is the document as served.
func (s *Server) OpenAPIJSON() ([]byte, error) {
	s.docOnce.Do(func() {
		spec, err := s.OpenAPI()
		if err != nil {
			s.docErr = err
			return
		}
		s.doc, s.docErr = json.MarshalIndent(spec, "", "  ")
	})
	return s.doc, s.docErr
}

func ptr[T any](v T) *T { return &v }

// routeTag groups operations by the first path segment after /api/v1.
func routeTag(path string) string {
	p := strings.TrimPrefix(path, v1+"/")
	if i := strings.IndexAny(p, "/."); i >= 0 {
		p = p[:i]
	}
	return p
}

// tagDescriptions say what each group of operations is about.
var tagDescriptions = map[string]string{
	"auth":         "Log-in and log-out (登录)",
	"openapi":      "This document",
	"me":           "The caller: profile, password, settings (个人设置)",
	"tokens":       "Integration tokens for other systems (集成令牌)",
	"projects":     "Investment projects through the stages (招商项目)",
	"chains":       "Industry chains, their maps and their editing (产业链与招商地图)",
	"enterprises":  "Enterprises: pages, profiles, duplicates and merge, referral relations, files (客商库)",
	"contacts":     "Contact people of enterprises and the visits they were met at (联系人)",
	"attachments":  "Files on projects, visits and enterprises: download, thumbnail, delete (附件)",
	"campaigns":    "Outbound trips and promotion conferences (外出招商与推介会)",
	"users":        "Users and roles (administrators) (用户与角色)",
	"audit":        "The audit log (administrators) (审计日志)",
	"stats":        "Figures for the dashboard (统计)",
	"reports":      "The annual report (年度报告)",
	"targets":      "Yearly targets and their progress (年度目标)",
	"import":       "The spreadsheet import (导入)",
	"export":       "Spreadsheet exports (导出)",
	"reminders":    "The caller's to-dos (待办)",
	"jobs":         "Scheduled jobs (administrators) (定时任务)",
	"outbox":       "Stored emails and their delivery (administrators) (发件箱)",
	"platform":     "The provincial platform: the granted zones side by side and each one's own pages, read-only (province users) (全省概览); every zone and the province users' grants (platform administrators)",
	"review-queue": "Decisions waiting for the caller (待决策)",
	"investments":  "Capital realised (到资)",
	"supervisions": "Supervision (督办)",
	// issue 17
	"indicators": "The zone's monthly economic indicators with growth (经济指标)",
	"operations": "Landed projects' operations ranked by tax per 亩 (项目质量)",
	// issue 16
	"robots": "WeCom and DingTalk group robots the zone's events are pushed to (群机器人)",
	// issue 15
	"requests":    "Enterprise service requests routed to county departments, the joint meeting's agenda (企业诉求)",
	"departments": "The county departments requests go to (县直部门)",
}

func operationID(method, path string) string {
	return strings.ToLower(method) + strings.NewReplacer(v1, "", "/", "_", ":", "", ".", "_", "-", "_").Replace(path)
}

// addOperation describes one route.
func addOperation(r *openapi3.Reflector, rt route) error {
	oc, err := r.NewOperationContext(rt.Method, openAPIPath(rt.Path))
	if err != nil {
		return err
	}
	oc.SetID(operationID(rt.Method, rt.Path))
	oc.SetSummary(rt.Summary)
	if rt.Description != "" {
		oc.SetDescription(rt.Description)
	}
	oc.SetTags(routeTag(rt.Path))
	if !rt.Public {
		oc.AddSecurity("bearer")
		oc.AddSecurity("cookie")
	}
	if rt.Params != nil {
		oc.AddReqStructure(rt.Params)
	} else if p := pathParams(rt.Path); p != nil {
		oc.AddReqStructure(p)
	}
	if rt.Query != nil {
		oc.AddReqStructure(rt.Query)
	}
	if rt.Idempotent {
		oc.AddReqStructure(idempotencyHeader{})
	}
	switch {
	case rt.Upload:
		form := rt.Body
		if form == nil {
			form = uploadFile{}
		}
		oc.AddReqStructure(form, openapi.WithContentType("multipart/form-data"))
	case rt.Body != nil:
		oc.AddReqStructure(rt.Body, openapi.WithContentType("application/json"))
	}
	status := rt.status()
	switch {
	case rt.Out != nil:
		oc.AddRespStructure(rt.Out, openapi.WithHTTPStatus(status))
	case len(rt.Files) == 0:
		oc.AddRespStructure(nil, openapi.WithHTTPStatus(status))
	}
	for _, media := range rt.Files {
		oc.AddRespStructure(nil, openapi.WithHTTPStatus(status), func(cu *openapi.ContentUnit) {
			cu.ContentType, cu.Format = media, "binary"
		})
	}
	for st, out := range rt.Answers {
		oc.AddRespStructure(out, openapi.WithHTTPStatus(st))
	}
	if err := r.AddOperation(oc); err != nil {
		return err
	}
	op := r.Spec.Paths.MapOfPathItemValues[openAPIPath(rt.Path)].MapOfOperationValues[strings.ToLower(rt.Method)]
	if rt.Public {
		op.Security = []map[string][]string{{}} // no credentials needed
	} else {
		op.WithMapOfAnythingItem("x-casbin", map[string]string{"object": rt.Obj, "action": rt.Act})
	}
	for _, st := range rt.errorStatuses() {
		op.Responses.WithMapOfResponseOrRefValuesItem(strconv.Itoa(st), openapi3.ResponseOrRef{
			ResponseReference: &openapi3.ResponseReference{Ref: "#/components/responses/" + errorResponses[st].name}})
	}
	pi := r.Spec.Paths.MapOfPathItemValues[openAPIPath(rt.Path)]
	pi.MapOfOperationValues[strings.ToLower(rt.Method)] = op
	r.Spec.Paths.MapOfPathItemValues[openAPIPath(rt.Path)] = pi
	return nil
}

// status is the route's success status.
func (r route) status() int {
	if r.Status != 0 {
		return r.Status
	}
	return http.StatusOK
}

func (s *Server) openapi(c *gin.Context) {
	b, err := s.OpenAPIJSON()
	if err != nil {
		Abort(c, fmt.Errorf("openapi: %w", err))
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

// Routes lists the registered API routes as "METHOD /path" (for tests and docs).
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
