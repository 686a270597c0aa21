package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// enterpriseRoutes: the 客商库 — enterprises with their page, edits with version checks and
// history, the timeline, duplicates and merge, and contact people. casbin: enterprise/read
// for reading (every role but agents), enterprise/create and enterprise/update for the
// roles that keep the 客商库 (admin, director, recruiter), enterprise/merge for admin and
// director. The repository adds the enterprise scope (a chain chief does not see other
// chains' investors: 404).
func (s *Server) enterpriseRoutes() []route {
	const ent = v1 + "/enterprises"
	return []route{
		{Method: http.MethodGet, Path: ent, Obj: "enterprise", Act: "read", Summary: "List enterprises (?q, kind, node_id; paging)",
			Query: enterpriseQuery{}, Out: page[*domain.Enterprise]{}, Handler: s.listEnterprises},
		{Method: http.MethodPost, Path: ent, Obj: "enterprise", Act: "create", Summary: "Create an enterprise; a name equal to an existing one's once normalised → 409 duplicate with candidates unless confirm_new; the same credit code → 409 always",
			Body: domain.EnterpriseInput{}, Out: domain.Enterprise{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict}, Handler: s.createEnterprise},
		{Method: http.MethodGet, Path: ent + "/duplicates", Obj: "enterprise", Act: "merge", Summary: "Groups of likely duplicate enterprises (names equal once normalised)",
			Out: duplicateGroups{}, Handler: s.enterpriseDuplicates},
		{Method: http.MethodGet, Path: ent + "/:id", Obj: "enterprise", Act: "read", Summary: "The enterprise's page: profile, contacts, visible projects, chain links, referrals, newest timeline page (?page, page_size); a merged enterprise is 404 naming where it went",
			Query: pageQuery{}, Out: domain.EnterpriseDetail{}, Handler: s.getEnterprise},
		{Method: http.MethodPatch, Path: ent + "/:id", Obj: "enterprise", Act: "update", Summary: "Edit the profile (body carries version; stale → 409, nothing written; a likely duplicate name → 409 duplicate unless confirm_new)",
			Body: domain.EnterpriseUpdate{}, Out: domain.Enterprise{}, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.updateEnterprise},
		{Method: http.MethodGet, Path: ent + "/:id/history", Obj: "enterprise", Act: "read", Summary: "Every change of the enterprise: who, when, field, from, to",
			Out: []*domain.EnterpriseHistoryEntry{}, Handler: s.enterpriseHistory},
		{Method: http.MethodGet, Path: ent + "/:id/timeline", Obj: "enterprise", Act: "read", Summary: "Everything that touched the enterprise — its edits and its visible projects' visits, stage moves, 督办 — newest first (?page, page_size)",
			Query: pageQuery{}, Out: domain.TimelinePage{}, Handler: s.enterpriseTimeline},
		{Method: http.MethodPost, Path: ent + "/:id/merge", Obj: "enterprise", Act: "merge", Summary: "Merge the enterprise into another ({into}): projects, contacts, chain links, chain masters, referrals and attachments move; the enterprise leaves every list",
			Body: mergeBody{}, Out: domain.MergeResult{}, Errors: []int{http.StatusConflict}, Handler: s.mergeEnterprise},
		{Method: http.MethodGet, Path: ent + "/:id/contacts", Obj: "enterprise", Act: "read", Summary: "The enterprise's contact people, each with when they were last met",
			Out: itemList[*domain.Contact]{}, Handler: s.listContacts},
		{Method: http.MethodPost, Path: ent + "/:id/contacts", Obj: "enterprise", Act: "update", Summary: "Add a contact person (mobile, when given, a mainland mobile number)",
			Body: domain.ContactInput{}, Out: domain.Contact{}, Status: http.StatusCreated, Handler: s.createContact},
		{Method: http.MethodPatch, Path: v1 + "/contacts/:id", Obj: "enterprise", Act: "update", Summary: "Edit a contact person (version, when given, must be current)",
			Body: domain.ContactUpdate{}, Out: domain.Contact{}, Errors: []int{http.StatusConflict}, Handler: s.updateContact},
		{Method: http.MethodDelete, Path: v1 + "/contacts/:id", Obj: "enterprise", Act: "update", Summary: "Remove a contact person", Status: http.StatusNoContent, Handler: s.deleteContact},
		{Method: http.MethodGet, Path: v1 + "/contacts/:id/activities", Obj: "enterprise", Act: "read", Summary: "The activities a contact was met at (of projects the caller sees), newest first",
			Out: itemList[*domain.ContactMeeting]{}, Handler: s.contactMeetings},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/contacts", Obj: "project", Act: "read", Summary: "The contacts of a project's investor and referrer (what an activity's contact_ids may name)",
			Out: itemList[*domain.Contact]{}, Handler: s.projectContacts},
	}
}

// enterpriseQuery filters the enterprise list.
type enterpriseQuery struct {
	Q      string                `query:"q" maxLength:"200" description:"words of the name or the credit code"`
	Kind   domain.EnterpriseKind `query:"kind"`
	NodeID int64                 `query:"node_id" description:"linked to this chain node"`
	pageQuery
}

// duplicateGroups is GET /enterprises/duplicates.
type duplicateGroups struct {
	Groups [][]domain.Candidate `json:"groups" description:"each group: enterprises whose names are equal once normalised"`
}

func (s *Server) listEnterprises(c *gin.Context) {
	fe := domain.FieldErrors{}
	f := domain.EnterpriseFilter{Page: pageParams(c, fe)}
	if v := strings.TrimSpace(c.Query("q")); v != "" {
		f.Q = &v
	}
	if v := c.Query("kind"); v != "" {
		k := domain.EnterpriseKind(v)
		if !k.Valid() {
			fe.Add("kind", "未知的企业类型 (unknown kind)")
		}
		f.Kind = &k
	}
	if v := c.Query("node_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fe.Add("node_id", "应为数字 (must be a number)")
		}
		f.NodeID = &id
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	items, total, err := s.svc.Enterprises.FindEnterprises(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	f.Page = f.Page.Normalize()
	c.JSON(http.StatusOK, page[*domain.Enterprise]{Items: items, Total: total, Page: f.Page.Page, PageSize: f.Page.PageSize})
}

func (s *Server) createEnterprise(c *gin.Context) {
	var in domain.EnterpriseInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	e, err := s.svc.Enterprises.CreateEnterprise(c.Request.Context(), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Location", "/api/v1/enterprises/"+strconv.FormatInt(e.ID, 10))
	c.JSON(http.StatusCreated, e)
}

func (s *Server) enterpriseDuplicates(c *gin.Context) {
	groups, err := s.svc.Enterprises.Duplicates(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	if groups == nil {
		groups = [][]domain.Candidate{}
	}
	c.JSON(http.StatusOK, duplicateGroups{Groups: groups})
}

func (s *Server) getEnterprise(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	fe := domain.FieldErrors{}
	p := pageParams(c, fe)
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	e, err := s.svc.Enterprises.EnterprisePage(c.Request.Context(), id, p)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (s *Server) updateEnterprise(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var upd domain.EnterpriseUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	e, err := s.svc.Enterprises.UpdateEnterprise(c.Request.Context(), id, upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (s *Server) enterpriseHistory(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	h, err := s.svc.Enterprises.History(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) enterpriseTimeline(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	fe := domain.FieldErrors{}
	p := pageParams(c, fe)
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	tl, err := s.svc.Enterprises.Timeline(c.Request.Context(), id, p)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, tl)
}

// mergeBody is POST /enterprises/{id}/merge.
type mergeBody struct {
	Into int64 `json:"into" required:"true" minimum:"1" description:"the enterprise that keeps everything"`
}

func (s *Server) mergeEnterprise(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var body mergeBody
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	res, err := s.svc.Enterprises.Merge(c.Request.Context(), id, body.Into)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) listContacts(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	items, err := s.svc.Contacts.FindContacts(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}

func (s *Server) createContact(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in domain.ContactInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	ct, err := s.svc.Contacts.CreateContact(c.Request.Context(), id, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, ct)
}

func (s *Server) updateContact(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var upd domain.ContactUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	ct, err := s.svc.Contacts.UpdateContact(c.Request.Context(), id, upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, ct)
}

func (s *Server) deleteContact(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	if err := s.svc.Contacts.DeleteContact(c.Request.Context(), id); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) contactMeetings(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	items, err := s.svc.Contacts.Meetings(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}

func (s *Server) projectContacts(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	items, err := s.svc.Contacts.ProjectContacts(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}
