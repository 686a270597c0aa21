package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// route is one API endpoint. Obj and Act are the casbin object and action the caller's
// roles must allow; Public routes need no log-in.
type route struct {
	Method, Path string
	Obj, Act     string
	Public       bool
	Upload       bool  // takes a file: the upload size limit applies instead of the JSON one
	MaxBytes     int64 // when > 0, the body limit instead of the JSON or upload one
	Summary      string
	Handler      gin.HandlerFunc
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
		s.enterpriseRoutes(),
		s.attachmentRoutes(),
	} {
		all = append(all, group...)
	}
	return all
}

// coreRoutes: log-in, projects, activities, chains and maps, campaigns.
func (s *Server) coreRoutes() []route {
	return []route{
		{Method: http.MethodPost, Path: v1 + "/auth/login", Public: true, Summary: "Log in; returns a bearer token", Handler: s.login},
		{Method: http.MethodGet, Path: v1 + "/openapi.json", Public: true, Summary: "This OpenAPI document", Handler: s.openapi},
		{Method: http.MethodPost, Path: v1 + "/auth/logout", Obj: "session", Act: "own", Summary: "Log out (revoke the token)", Handler: s.logout},
		{Method: http.MethodGet, Path: v1 + "/me", Obj: "session", Act: "own", Summary: "The user, roles, zone and chains they chief", Handler: s.me},

		{Method: http.MethodGet, Path: v1 + "/projects", Obj: "project", Act: "read", Summary: "List projects (filters: channel, stage, chain, owner, q, docked_from/to, signed_from/to, asset_type, campaign_id, node_id, stale, cleanup, deleted; paging)", Handler: s.listProjects},
		{Method: http.MethodPost, Path: v1 + "/projects", Obj: "project", Act: "create", Summary: "Create a project (starts in lead, version 1)", Handler: s.createProject},
		{Method: http.MethodGet, Path: v1 + "/projects/:id", Obj: "project", Act: "read", Summary: "Read a project", Handler: s.getProject},
		{Method: http.MethodPatch, Path: v1 + "/projects/:id", Obj: "project", Act: "update", Summary: "Update a project (body carries version; stale → 409)", Handler: s.updateProject},
		{Method: http.MethodDelete, Path: v1 + "/projects/:id", Obj: "project", Act: "delete", Summary: "Soft-delete a project", Handler: s.deleteProject},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/restore", Obj: "project", Act: "restore", Summary: "Restore a soft-deleted project (administrators)", Handler: s.restoreProject},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/transition", Obj: "project", Act: "transition", Summary: "Move a project to another stage (guarded; 422 says why not)", Handler: s.transitionProject},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/risk-assessment", Obj: "project", Act: "assess", Summary: "Submit a risk assessment", Handler: s.submitRisk},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/decision", Obj: "project", Act: "decide", Summary: "Record a landing decision (chain chief of the chain, or the director)", Handler: s.decide},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/history", Obj: "project", Act: "read", Summary: "Every change of a project", Handler: s.projectHistory},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/activities", Obj: "activity", Act: "read", Summary: "A project's activities", Handler: s.listActivities},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/activities", Obj: "activity", Act: "create", Summary: "Log an activity on a project", Handler: s.createActivity},

		{Method: http.MethodGet, Path: v1 + "/chains", Obj: "chain", Act: "read", Summary: "The zone's industry chains", Handler: s.listChains},
		{Method: http.MethodGet, Path: v1 + "/chains/:code/map", Obj: "map", Act: "read", Summary: "A chain's recruitment map with node status and gaps", Handler: s.chainMap},
		{Method: http.MethodGet, Path: v1 + "/chains/:code/map.svg", Obj: "map", Act: "read", Summary: "The chain map as printable SVG", Handler: s.chainMapSVG},
		{Method: http.MethodGet, Path: v1 + "/chains/:code/targets.xlsx", Obj: "map", Act: "read", Summary: "The chain's target list by node as a spreadsheet", Handler: s.chainTargetsXLSX},

		{Method: http.MethodGet, Path: v1 + "/campaigns", Obj: "campaign", Act: "read", Summary: "List trips and conferences (?year=)", Handler: s.listCampaigns},
		{Method: http.MethodPost, Path: v1 + "/campaigns", Obj: "campaign", Act: "create", Summary: "Create a trip or conference", Handler: s.createCampaign},
	}
}
