package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// chainEditRoutes: editing a chain's map — nodes, chain masters, the enterprises and
// projects linked to nodes, referral relations — and the chain's history. Writes need
// casbin's chain/edit (administrators, chain chiefs); the repository adds the row rule
// (a chief edits only their own chains; others are 404).
func (s *Server) chainEditRoutes() []route {
	const chain = v1 + "/chains/:code"
	return []route{
		{Method: http.MethodPost, Path: chain + "/nodes", Obj: "chain", Act: "edit", Summary: "Create a node ({name, segment, parent_id, sort_order, description}); segment defaults to the parent's",
			Body: domain.ChainNodeInput{}, Out: domain.ChainNode{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.createNode},
		{Method: http.MethodPatch, Path: chain + "/nodes/:id", Obj: "chain", Act: "edit", Summary: "Rename, move or reorder a node (parent in the same chain, no cycles; parent_id null = top level)",
			Body: domain.ChainNodeUpdate{}, Out: domain.ChainNode{}, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.updateNode},
		{Method: http.MethodDelete, Path: chain + "/nodes/:id", Obj: "chain", Act: "edit", Summary: "Delete a node; 422 naming what is still linked when it has children, enterprises or projects", Status: http.StatusNoContent, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.deleteNode},
		{Method: http.MethodPut, Path: chain + "/masters/:enterprise_id", Obj: "chain", Act: "edit", Summary: "Mark a local enterprise as the chain's master (链主)", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkMaster(true)},
		{Method: http.MethodDelete, Path: chain + "/masters/:enterprise_id", Obj: "chain", Act: "edit", Summary: "Unmark a chain master", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkMaster(false)},
		{Method: http.MethodPut, Path: chain + "/nodes/:id/enterprises/:enterprise_id", Obj: "chain", Act: "edit", Summary: "Link an enterprise to a node", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkEnterprise(true)},
		{Method: http.MethodDelete, Path: chain + "/nodes/:id/enterprises/:enterprise_id", Obj: "chain", Act: "edit", Summary: "Unlink an enterprise from a node", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkEnterprise(false)},
		{Method: http.MethodPut, Path: chain + "/nodes/:id/projects/:project_id", Obj: "chain", Act: "edit", Summary: "Link a project to a node (a project without a chain joins it; bumps the project's version)", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkProject(true)},
		{Method: http.MethodDelete, Path: chain + "/nodes/:id/projects/:project_id", Obj: "chain", Act: "edit", Summary: "Unlink a project from a node (bumps the project's version)", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkProject(false)},
		{Method: http.MethodGet, Path: chain + "/history", Obj: "map", Act: "read", Summary: "The chain map's editing history, newest first (?page, page_size)", Query: pageQuery{}, Out: page[*domain.ChainHistoryEntry]{}, Handler: s.chainHistory},
		{Method: http.MethodGet, Path: v1 + "/enterprises/:id/referrals", Obj: "map", Act: "read", Summary: "The enterprises an enterprise can introduce (以商招商), by name, each with the codes of the chains it is linked to; a chain chief reads those of their chains' masters only", Out: itemList[*domain.Referral]{}, Handler: s.listReferrals},
		{Method: http.MethodPut, Path: v1 + "/enterprises/:id/referrals/:to_id", Obj: "chain", Act: "edit", Summary: "Record that an enterprise (a chain master) can introduce another (以商招商)", Out: domain.LinkResult{}, Errors: []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, Handler: s.linkReferral(true)},
		{Method: http.MethodDelete, Path: v1 + "/enterprises/:id/referrals/:to_id", Obj: "chain", Act: "edit", Summary: "Remove a referral relation", Out: domain.LinkResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.linkReferral(false)},
	}
}

// idParams reads positive integer path parameters; anything else names nothing that
// exists, so it is 404 like an id that is not there.
func idParams(c *gin.Context, names ...string) ([]int64, bool) {
	out := make([]int64, len(names))
	for i, name := range names {
		id, err := strconv.ParseInt(c.Param(name), 10, 64)
		if err != nil || id < 1 {
			Abort(c, domain.NotFound("对象"))
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

func (s *Server) createNode(c *gin.Context) {
	var in domain.ChainNodeInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	n, err := s.svc.ChainEdit.CreateNode(c.Request.Context(), c.Param("code"), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, n)
}

func (s *Server) updateNode(c *gin.Context) {
	ids, ok := idParams(c, "id")
	if !ok {
		return
	}
	var upd domain.ChainNodeUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	n, err := s.svc.ChainEdit.UpdateNode(c.Request.Context(), c.Param("code"), ids[0], upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (s *Server) deleteNode(c *gin.Context) {
	ids, ok := idParams(c, "id")
	if !ok {
		return
	}
	if err := s.svc.ChainEdit.DeleteNode(c.Request.Context(), c.Param("code"), ids[0]); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) linkMaster(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := idParams(c, "enterprise_id")
		if !ok {
			return
		}
		res, err := s.svc.ChainEdit.SetChainMaster(c.Request.Context(), c.Param("code"), ids[0], on)
		answerLink(c, res, err)
	}
}

func (s *Server) linkEnterprise(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := idParams(c, "id", "enterprise_id")
		if !ok {
			return
		}
		res, err := s.svc.ChainEdit.LinkEnterprise(c.Request.Context(), c.Param("code"), ids[0], ids[1], on)
		answerLink(c, res, err)
	}
}

func (s *Server) linkProject(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := idParams(c, "id", "project_id")
		if !ok {
			return
		}
		res, err := s.svc.ChainEdit.LinkProject(c.Request.Context(), c.Param("code"), ids[0], ids[1], on)
		answerLink(c, res, err)
	}
}

func (s *Server) linkReferral(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := idParams(c, "id", "to_id")
		if !ok {
			return
		}
		res, err := s.svc.ChainEdit.SetReferral(c.Request.Context(), ids[0], ids[1], on)
		answerLink(c, res, err)
	}
}

func (s *Server) listReferrals(c *gin.Context) {
	ids, ok := idParams(c, "id")
	if !ok {
		return
	}
	items, err := s.svc.ChainEdit.Referrals(c.Request.Context(), ids[0])
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}

func answerLink(c *gin.Context, res *domain.LinkResult, err error) {
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) chainHistory(c *gin.Context) {
	fe := domain.FieldErrors{}
	p := pageParams(c, fe)
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	items, total, err := s.svc.ChainEdit.ChainHistory(c.Request.Context(), c.Param("code"), p)
	if err != nil {
		Abort(c, err)
		return
	}
	p = p.Normalize()
	c.JSON(http.StatusOK, page[*domain.ChainHistoryEntry]{Items: items, Total: total, Page: p.Page, PageSize: p.PageSize})
}
