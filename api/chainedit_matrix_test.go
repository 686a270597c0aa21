package api_test

import (
	"fmt"
	"net/http"
	"strings"
)

// The chain-editing routes' rows of the authorization matrix (api/matrix_test.go). casbin's
// chain/edit belongs to administrators and chain chiefs; the row rule lets a chief edit only
// their own chains (another chief's chain is 404, as it is outside what they see). Every
// write gets fresh objects: a node of the food chain, a local enterprise, a project.

func init() { matrixRows = append(matrixRows, chainEditMatrixRows...) }

var (
	chainEdit    = st(200, 403, 200, 403, 403, 403, 403)
	chainEditOut = st(404, 403, 404, 403, 403, 403, 403)
)

// cxNode creates a node of the food chain as the administrator and returns its id.
func cxNode(m *matrix) int64 {
	m.t.Helper()
	r := m.e.As("admin", http.MethodPost, "/api/v1/chains/food/nodes", map[string]any{"name": fmt.Sprintf("矩阵测试环节%d", m.next()), "segment": "upstream"})
	if r.Status != http.StatusCreated {
		m.t.Fatalf("matrix node: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(m.t)["id"].(float64))
}

// cxEnterprise creates an enterprise of kind as the administrator.
func cxEnterprise(m *matrix, kind string) int64 {
	m.t.Helper()
	r := m.e.As("admin", http.MethodPost, "/api/v1/enterprises", map[string]any{"name": fmt.Sprintf("矩阵测试%s企业%d", kind, m.next()), "kind": kind})
	if r.Status != http.StatusCreated {
		m.t.Fatalf("matrix enterprise: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(m.t)["id"].(float64))
}

// cxPaths fills a chain-editing route: in, the food chain with fresh objects (fill makes
// them); out, the other zone's chain (and for chief_food the semiconductor chain) with
// the other zone's objects.
func cxPaths(route string, fill func(m *matrix) map[string]any) func(m *matrix, user string, in bool) []string {
	return func(m *matrix, user string, in bool) []string {
		_, path, _ := strings.Cut(route, " ")
		sub := func(code string, vals map[string]any) string {
			p := strings.Replace(path, ":code", code, 1)
			for k, v := range vals {
				p = strings.Replace(p, ":"+k, fmt.Sprint(v), 1)
			}
			return p
		}
		if in {
			return []string{sub("food", fill(m))}
		}
		out := map[string]any{"id": m.zone.ProjectIDs["food"], "enterprise_id": m.zone.EnterpriseID, "project_id": m.zone.ProjectIDs["food"]}
		paths := []string{sub("textiles", out)}
		if user == "chief_food" {
			paths = append(paths, sub("semiconductor", map[string]any{"id": 1, "enterprise_id": m.inEnt, "project_id": m.semi}))
		}
		return paths
	}
}

func cxRow(route string, body any, fill func(m *matrix) map[string]any, want statuses) matrixRow {
	return matrixRow{Route: route, Body: body, Object: cxPaths(route, fill), In: want, Out: chainEditOut}
}

var chainEditMatrixRows = []matrixRow{
	cxRow("POST /api/v1/chains/:code/nodes", func(m *matrix, user string) any {
		return map[string]any{"name": fmt.Sprintf("矩阵测试新环节%d", m.next()), "segment": "midstream"}
	}, func(m *matrix) map[string]any { return nil }, st(201, 403, 201, 403, 403, 403, 403)),
	cxRow("PATCH /api/v1/chains/:code/nodes/:id", func(m *matrix, user string) any {
		return map[string]any{"name": fmt.Sprintf("矩阵测试改名%d", m.next())}
	}, func(m *matrix) map[string]any { return map[string]any{"id": cxNode(m)} }, chainEdit),
	cxRow("DELETE /api/v1/chains/:code/nodes/:id", nil,
		func(m *matrix) map[string]any { return map[string]any{"id": cxNode(m)} }, st(204, 403, 204, 403, 403, 403, 403)),
	cxRow("PUT /api/v1/chains/:code/masters/:enterprise_id", nil,
		func(m *matrix) map[string]any { return map[string]any{"enterprise_id": cxEnterprise(m, "local")} }, chainEdit),
	cxRow("DELETE /api/v1/chains/:code/masters/:enterprise_id", nil,
		func(m *matrix) map[string]any { return map[string]any{"enterprise_id": cxEnterprise(m, "local")} }, chainEdit),
	cxRow("PUT /api/v1/chains/:code/nodes/:id/enterprises/:enterprise_id", nil,
		func(m *matrix) map[string]any { return map[string]any{"id": cxNode(m), "enterprise_id": m.inEnt} }, chainEdit),
	cxRow("DELETE /api/v1/chains/:code/nodes/:id/enterprises/:enterprise_id", nil,
		func(m *matrix) map[string]any { return map[string]any{"id": cxNode(m), "enterprise_id": m.inEnt} }, chainEdit),
	cxRow("PUT /api/v1/chains/:code/nodes/:id/projects/:project_id", nil,
		func(m *matrix) map[string]any {
			return map[string]any{"id": cxNode(m), "project_id": m.project("lead")}
		}, chainEdit),
	cxRow("DELETE /api/v1/chains/:code/nodes/:id/projects/:project_id", nil,
		func(m *matrix) map[string]any {
			return map[string]any{"id": cxNode(m), "project_id": m.project("lead")}
		}, chainEdit),
	{Route: "GET /api/v1/chains/:code/history", In: mapRead, Out: mapOut},
	// a referral from a master of the food chain: its chief and administrators change it
	// the referrals of a master of the food chain: everyone who reads maps; out, the other
	// zone's enterprise and, for chief_food, a laiyuan enterprise that masters no food chain
	{Route: "GET /api/v1/enterprises/:id/referrals", Object: cxReferralList, In: mapRead, Out: mapOut},
	{Route: "PUT /api/v1/enterprises/:id/referrals/:to_id", Object: cxReferral, In: chainEdit, Out: chainEditOut},
	{Route: "DELETE /api/v1/enterprises/:id/referrals/:to_id", Object: cxReferral, In: chainEdit, Out: chainEditOut},
}

func cxReferral(m *matrix, user string, in bool) []string {
	if !in {
		return []string{fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", m.zone.EnterpriseID, m.inEnt)}
	}
	master := cxEnterprise(m, "local")
	if r := m.e.As("admin", http.MethodPut, fmt.Sprintf("/api/v1/chains/food/masters/%d", master), nil); r.Status != http.StatusOK {
		m.t.Fatalf("matrix chain master: %d %s", r.Status, r.Body)
	}
	return []string{fmt.Sprintf("/api/v1/enterprises/%d/referrals/%d", master, cxEnterprise(m, "target"))}
}

func cxReferralList(m *matrix, user string, in bool) []string {
	if !in {
		out := []string{fmt.Sprintf("/api/v1/enterprises/%d/referrals", m.zone.EnterpriseID)}
		if user == "chief_food" {
			out = append(out, fmt.Sprintf("/api/v1/enterprises/%d/referrals", m.inEnt), fmt.Sprintf("/api/v1/enterprises/%d/referrals", m.semiEnt))
		}
		return out
	}
	ref := cxReferral(m, user, true)[0]
	if r := m.e.As("admin", http.MethodPut, ref, nil); r.Status != http.StatusOK {
		m.t.Fatalf("matrix referral: %d %s", r.Status, r.Body)
	}
	return []string{strings.TrimSuffix(ref, ref[strings.LastIndex(ref, "/"):])}
}
