package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns Gin's /projects/:id into OpenAPI's /projects/{id}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// OpenAPI builds the OpenAPI 3 document from the route table, so it lists exactly the
// routes the server registers.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, r := range s.routes {
		p := openAPIPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := map[string]any{
			"summary":     r.Summary,
			"operationId": strings.ToLower(r.Method) + strings.NewReplacer("/api/v1", "", "/", "_", ":", "", ".", "_", "-", "_").Replace(r.Path),
			"responses": map[string]any{
				"200":     map[string]any{"description": "OK"},
				"default": map[string]any{"description": "Error", "content": jsonContent("#/components/schemas/Error")},
			},
		}
		if !r.Public {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			op["x-casbin"] = map[string]string{"object": r.Obj, "action": r.Act}
		}
		var params []any
		for _, m := range ginParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		exportJob := r.Path == v1+"/export/projects" // POST: the list's filters in the query string, no body
		if (r.Method == http.MethodGet && (strings.HasSuffix(r.Path, "/projects") || strings.HasSuffix(r.Path, "/projects/board"))) || exportJob {
			for _, q := range []string{"channel", "stage", "chain", "owner", "q", "docked_from", "docked_to", "signed_from", "signed_to", "asset_type", "campaign_id", "stale", "cleanup", "page", "page_size"} {
				params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Upload {
			op["requestBody"] = map[string]any{"content": map[string]any{"multipart/form-data": map[string]any{
				"schema": map[string]any{"type": "object", "properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}}}}
		} else if (r.Method == http.MethodPost && !exportJob) || r.Method == http.MethodPatch || r.Method == http.MethodPut {
			op["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "chaincrm API", "version": "1.0.0",
			"description": "招商引资管理系统与产业链招商地图 — investment-attraction CRM with industry-chain maps."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{
				"Error": map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
					"error": map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
						"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
						"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
					}},
				}},
			},
		},
	}
}

func jsonContent(ref string) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": ref}}}
}

func (s *Server) openapi(c *gin.Context) { c.JSON(http.StatusOK, s.OpenAPI()) }

// Routes lists the registered API routes as "METHOD /path" (for tests and docs).
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
