package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// pathID reads :id; a malformed id is 404, as an id that does not exist.
func pathID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		Abort(c, domain.NotFound("对象"))
		return 0, false
	}
	return id, true
}

// projectFilter reads the contract's list filters; every bad one is a field error.
func projectFilter(c *gin.Context) (domain.ProjectFilter, error) {
	var f domain.ProjectFilter
	fe := domain.FieldErrors{}
	str := func(name string) *string {
		v, ok := c.GetQuery(name)
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			return nil
		}
		return &v
	}
	if v := str("channel"); v != nil {
		ch := domain.Channel(*v)
		if !ch.Valid() {
			fe.Add("channel", "未知的招商渠道 (unknown channel)")
		}
		f.Channel = &ch
	}
	if v := str("stage"); v != nil {
		st := domain.Stage(*v)
		if !st.Valid() {
			fe.Add("stage", "未知的阶段 (unknown stage)")
		}
		f.Stage = &st
	}
	if v := str("asset_type"); v != nil {
		at := domain.AssetType(*v)
		if !at.Valid() {
			fe.Add("asset_type", "资产类型应为 heavy 或 light")
		}
		f.AssetType = &at
	}
	if v := str("stale"); v != nil {
		sc := domain.StaleColour(*v)
		if sc != domain.StaleGreen && sc != domain.StaleYellow && sc != domain.StaleRed {
			fe.Add("stale", "应为 green / yellow / red")
		}
		f.Stale = &sc
	}
	f.Chain, f.Owner, f.Q = str("chain"), str("owner"), str("q")
	if f.Q != nil && len([]rune(*f.Q)) > domain.MaxNameLen {
		fe.Add("q", "搜索词过长 (too long)")
	}
	date := func(name string) *domain.Date {
		v := str(name)
		if v == nil {
			return nil
		}
		d, err := domain.ParseDate(*v)
		if err != nil {
			fe.Add(name, err.Error())
			return nil
		}
		return &d
	}
	f.DockedFrom, f.DockedTo = date("docked_from"), date("docked_to")
	f.SignedFrom, f.SignedTo = date("signed_from"), date("signed_to")
	if v := str("campaign_id"); v != nil {
		id, err := strconv.ParseInt(*v, 10, 64)
		if err != nil {
			fe.Add("campaign_id", "应为数字 (must be a number)")
		}
		f.CampaignID = &id
	}
	if v := str("node_id"); v != nil {
		id, err := strconv.ParseInt(*v, 10, 64)
		if err != nil {
			fe.Add("node_id", "应为数字 (must be a number)")
		}
		f.NodeID = &id
	}
	if v := str("sort"); v != nil {
		f.Sort = domain.ProjectSort(*v)
		if !f.Sort.Valid() {
			fe.Add("sort", "未知的排序字段，可选：docked_at、planned_investment、days_in_stage、name，前加 - 为降序 (unknown sort)")
		}
	}
	f.IncludeDeleted = c.Query("deleted") == "true"
	f.CleanupDue = c.Query("cleanup") == "true"
	f.Page = pageParams(c, fe)
	return f, fe.Err()
}

func pageParams(c *gin.Context, fe domain.FieldErrors) domain.Page {
	p := domain.Page{Page: 1, PageSize: 20}
	if v, ok := c.GetQuery("page"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe.Add("page", "页码应为正整数 (must be ≥ 1)")
		}
		p.Page = n
	}
	if v, ok := c.GetQuery("page_size"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > domain.MaxPageSize {
			fe.Add("page_size", "每页条数应在 1 到 200 之间 (1..200)")
		}
		p.PageSize = n
	}
	return p
}

func (s *Server) listProjects(c *gin.Context) {
	f, err := projectFilter(c)
	if err != nil {
		Abort(c, err)
		return
	}
	items, total, err := s.svc.Projects.FindProjects(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	f.Page = f.Page.Normalize()
	c.JSON(http.StatusOK, page[*domain.Project]{Items: items, Total: total, Page: f.Page.Page, PageSize: f.Page.PageSize})
}

func (s *Server) createProject(c *gin.Context) {
	var in domain.ProjectInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	p, err := s.svc.Projects.CreateProject(c.Request.Context(), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Location", "/api/v1/projects/"+strconv.FormatInt(p.ID, 10))
	c.JSON(http.StatusCreated, p)
}

func (s *Server) getProject(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	p, err := s.svc.Projects.FindProjectByID(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) updateProject(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var upd domain.ProjectUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	p, err := s.svc.Projects.UpdateProject(c.Request.Context(), id, upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) deleteProject(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	if err := s.svc.Projects.DeleteProject(c.Request.Context(), id); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) restoreProject(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := s.svc.Projects.RestoreProject(ctx, id); err != nil {
		Abort(c, err)
		return
	}
	p, err := s.svc.Projects.FindProjectByID(ctx, id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) transitionProject(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var t domain.Transition
	if err := decodeJSON(c, &t); err != nil {
		Abort(c, err)
		return
	}
	if t.To == "" {
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "请指定目标阶段 to", Fields: map[string]string{"to": "必填 (required)"}})
		return
	}
	p, err := s.svc.Projects.TransitionProject(c.Request.Context(), id, t)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) submitRisk(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var ra domain.RiskAssessment
	if err := decodeJSON(c, &ra); err != nil {
		Abort(c, err)
		return
	}
	out, err := s.svc.Projects.SubmitRiskAssessment(c.Request.Context(), id, ra)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// decisionBody is a landing decision.
type decisionBody struct {
	Outcome string `json:"outcome" required:"true" enum:"approved,rejected"`
	Notes   string `json:"notes"`
}

func (s *Server) decide(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var body decisionBody
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	d, err := s.svc.Projects.Decide(c.Request.Context(), id, body.Outcome, body.Notes)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

func (s *Server) projectHistory(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	h, err := s.svc.Projects.History(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) listActivities(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	items, err := s.svc.Activities.FindActivities(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}

func (s *Server) createActivity(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in domain.ActivityInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	a, err := s.svc.Activities.CreateActivity(c.Request.Context(), id, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}
