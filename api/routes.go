package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// route is one API endpoint. Obj and Act are the casbin object and action the caller's
// roles must allow; Public routes need no log-in.
//
// The rest says what the OpenAPI document (openapi.go) describes, with the very types the
// handler decodes and encodes: declare a route's Query, Body and Out, and decode into and
// encode from those types in the handler (docs/api.md, "How to declare a route").
type route struct {
	Method, Path string
	Obj, Act     string
	Public       bool
	Upload       bool  // takes a multipart file: the upload size limit applies instead of the JSON one
	PersonOnly   bool  // needs a person's log-in: integration tokens are refused (403)
	MaxBytes     int64 // when > 0, the body limit instead of the JSON or upload one
	// Idempotent routes honour an Idempotency-Key header (issue 20, idempotency.go): the
	// same key from the same user within 24 h gets the first answer again.
	Idempotent  bool
	Summary     string
	Description string // longer than the summary, when it needs to be

	// Params is a struct whose `path` tags describe the path parameters, when the default
	// does not (ids are positive integers, other parameters strings).
	Params any
	// Query is a struct whose `query` tags name the query parameters, with their types,
	// enums and limits (jsonschema tags: enum, minimum, maximum, default, description).
	Query any
	// Body is the type of the JSON request body decodeJSON fills; with Upload, the
	// multipart form (`formData` tags), by default one required field "file".
	Body any
	// Out is the type of the JSON answer on success (nil: no body, or Files).
	Out any
	// Status is the success status: 200 when 0 (201 created, 202 accepted, 204 no content).
	Status int
	// Files are the media types of a binary answer on success (a spreadsheet, an SVG …),
	// beside or instead of Out.
	Files []string
	// Answers are answers of other statuses that are not the contract's error shape (an
	// import refused with 422 lists its rows).
	Answers map[int]any
	// Errors are the error statuses this route can answer beyond those every route of its
	// kind can (see errorStatuses): 409, 422, 429 ….
	Errors []int

	Handler gin.HandlerFunc
}

const v1 = "/api/v1"

// table is the single list of API routes: each feature contributes its own group from its
// own file, so that adding a feature adds one line here.
func (s *Server) table() []route {
	var all []route
	for _, group := range [][]route{
		s.coreRoutes(),
		s.accountRoutes(),
		s.chainEditRoutes(),
		s.workflowRoutes(),
		s.figuresRoutes(),
		s.transferRoutes(),
		s.jobsRoutes(),
		s.tokenRoutes(),
		s.enterpriseRoutes(),
		s.attachmentRoutes(),
		s.requestRoutes(), // issue 15: service requests (企业诉求) and departments
		// group robots (issue 16)
		s.robotRoutes(),
		s.indicatorRoutes(), // issue 17
		// issue 19: the provincial platform
		s.platformRoutes(),
	} {
		all = append(all, group...)
	}
	markIdempotent(all) // issue 20: Idempotency-Key on creating routes (idempotency.go)
	return all
}

// coreRoutes: log-in, projects, activities, chains and maps, campaigns.
func (s *Server) coreRoutes() []route {
	return []route{
		{Method: http.MethodPost, Path: v1 + "/auth/login", Public: true, Summary: "Log in; returns a bearer token",
			Body: loginRequest{}, Out: loginAnswer{}, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests}, Handler: s.login},
		{Method: http.MethodGet, Path: v1 + "/openapi.json", Public: true, Summary: "This OpenAPI document", Out: map[string]any{},
			Errors: []int{http.StatusRequestEntityTooLarge}, Handler: s.openapi},
		{Method: http.MethodPost, Path: v1 + "/auth/logout", Obj: "session", Act: "own", Summary: "Log out (revoke the token)", Status: http.StatusNoContent, Handler: s.logout},
		{Method: http.MethodGet, Path: v1 + "/me", Obj: "session", Act: "own", Summary: "The user, roles, zone and chains they chief", Out: Me{}, Handler: s.me},

		{Method: http.MethodGet, Path: v1 + "/projects", Obj: "project", Act: "read", Summary: "List projects (filters: channel, stage, chain, owner, q, docked_from/to, signed_from/to, asset_type, campaign_id, node_id, stale, cleanup, deleted; paging)",
			Query: projectListQuery{}, Out: page[*domain.Project]{}, Handler: s.listProjects},
		{Method: http.MethodPost, Path: v1 + "/projects", Obj: "project", Act: "create", Summary: "Create a project (starts in lead, version 1)",
			Body: domain.ProjectInput{}, Out: domain.Project{}, Status: http.StatusCreated, Handler: s.createProject},
		{Method: http.MethodGet, Path: v1 + "/projects/:id", Obj: "project", Act: "read", Summary: "Read a project", Out: domain.Project{}, Handler: s.getProject},
		{Method: http.MethodPatch, Path: v1 + "/projects/:id", Obj: "project", Act: "update", Summary: "Update a project (body carries version; stale → 409)",
			Body: domain.ProjectUpdate{}, Out: domain.Project{}, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.updateProject},
		{Method: http.MethodDelete, Path: v1 + "/projects/:id", Obj: "project", Act: "delete", Summary: "Soft-delete a project", Status: http.StatusNoContent, Handler: s.deleteProject},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/restore", Obj: "project", Act: "restore", Summary: "Restore a soft-deleted project (administrators)", Out: domain.Project{}, Handler: s.restoreProject},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/transition", Obj: "project", Act: "transition", Summary: "Move a project to another stage (guarded; 422 says why not)",
			Body: domain.Transition{}, Out: domain.Project{}, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.transitionProject},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/risk-assessment", Obj: "project", Act: "assess", Summary: "Submit a risk assessment",
			Body: domain.RiskAssessment{}, Out: domain.RiskAssessment{}, Status: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.submitRisk},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/decision", Obj: "project", Act: "decide", Summary: "Record a landing decision (chain chief of the chain, or the director)",
			Body: decisionBody{}, Out: domain.Decision{}, Status: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.decide},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/history", Obj: "project", Act: "read", Summary: "Every change of a project", Out: []*domain.HistoryEntry{}, Handler: s.projectHistory},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/activities", Obj: "activity", Act: "read", Summary: "A project's activities", Out: itemList[*domain.Activity]{}, Handler: s.listActivities},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/activities", Obj: "activity", Act: "create", Summary: "Log an activity on a project",
			Body: domain.ActivityInput{}, Out: domain.Activity{}, Status: http.StatusCreated, Handler: s.createActivity},

		{Method: http.MethodGet, Path: v1 + "/chains", Obj: "chain", Act: "read", Summary: "The zone's industry chains", Out: []*domain.Chain{}, Handler: s.listChains},
		{Method: http.MethodGet, Path: v1 + "/chains/:code/map", Obj: "map", Act: "read", Summary: "A chain's recruitment map with node status and gaps", Out: chainmap.Map{}, Handler: s.chainMap},
		{Method: http.MethodGet, Path: v1 + "/chains/:code/map.svg", Obj: "map", Act: "read", Summary: "The chain map as printable SVG",
			Query: svgQuery{}, Files: []string{mediaSVG}, Handler: s.chainMapSVG},
		{Method: http.MethodGet, Path: v1 + "/chains/:code/targets.xlsx", Obj: "map", Act: "read", Summary: "The chain's target list by node as a spreadsheet", Files: []string{mediaXLSX}, Handler: s.chainTargetsXLSX},

		{Method: http.MethodGet, Path: v1 + "/campaigns", Obj: "campaign", Act: "read", Summary: "List trips and conferences (?year=)",
			Query: yearQuery{}, Out: itemList[*domain.Campaign]{}, Handler: s.listCampaigns},
		{Method: http.MethodPost, Path: v1 + "/campaigns", Obj: "campaign", Act: "create", Summary: "Create a trip or conference",
			Body: domain.Campaign{}, Out: domain.Campaign{}, Status: http.StatusCreated, Handler: s.createCampaign},
	}
}
