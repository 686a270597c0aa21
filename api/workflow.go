package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// workflowRoutes: the pipeline beyond the project record — the stage documents and their
// revisions, chain chiefs' comments (批示), editing logged activities, follow-up milestones,
// capital realised (到资), supervision (督办), the board, the review queue and a campaign's
// projects. Rules per object live in domain/policy.go and domain/workflow.go.
func (s *Server) workflowRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/projects/board", Obj: "project", Act: "read", Summary: "The pipeline board: projects by stage with counts and days in stage (?chain=&channel=&owner=&limit=)", Query: boardQuery{}, Out: domain.Board{}, Handler: s.board},
		{Method: http.MethodGet, Path: v1 + "/review-queue", Obj: "project", Act: "decide", Summary: "Decisions waiting for the caller, oldest first, with days waiting (?page=&page_size=, 50 by default)", Query: pageQuery{}, Out: page[*domain.ReviewItem]{}, Handler: s.reviewQueue},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/risk-assessments", Obj: "project", Act: "read", Summary: "Every revision of a project's risk assessment, newest first", Out: itemList[*domain.RiskAssessment]{}, Handler: projectItems(s.svc.Workflow.RiskAssessments)},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/decisions", Obj: "project", Act: "read", Summary: "A project's landing decisions, newest first", Out: itemList[*domain.Decision]{}, Handler: projectItems(s.svc.Workflow.Decisions)},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/comments", Obj: "project", Act: "read", Summary: "Chain chiefs' and the director's comments (批示) on a project", Out: itemList[*domain.Comment]{}, Handler: projectItems(s.svc.Workflow.Comments)},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/comments", Obj: "project", Act: "comment", Summary: "Comment (批示) on a project of one's chain (chain chiefs, the director)", Body: commentBody{}, Out: domain.Comment{}, Status: http.StatusCreated, Handler: s.addComment},
		{Method: http.MethodPatch, Path: v1 + "/projects/:id/activities/:aid", Obj: "activity", Act: "update", Summary: "Edit an activity (its author only; body carries version)", Body: domain.ActivityUpdate{}, Out: domain.Activity{}, Errors: []int{http.StatusConflict}, Handler: s.updateActivity},
		{Method: http.MethodDelete, Path: v1 + "/projects/:id/activities/:aid", Obj: "activity", Act: "delete", Summary: "Delete an activity (its author only; kept in the history)", Status: http.StatusNoContent, Handler: s.deleteActivity},
		{Method: http.MethodPut, Path: v1 + "/projects/:id/milestones", Obj: "project", Act: "update", Summary: "Set a follow-up project's milestones: land listing, construction, production (planned and actual; body carries version)", Body: domain.MilestonesInput{}, Out: domain.Project{}, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.setMilestones},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/investments", Obj: "project", Act: "read", Summary: "Capital realised (到资) on a project, with planned and realised totals", Out: domain.ProjectInvestments{}, Handler: s.listInvestments},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/investments", Obj: "investment", Act: "create", Summary: "Record capital realised (到资) on a signed project", Body: domain.InvestmentInput{}, Out: domain.Investment{}, Status: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity}, Handler: projectCreate(s.svc.Investments.RecordInvestment)},
		{Method: http.MethodGet, Path: v1 + "/investments/summary", Obj: "stats", Act: "read", Summary: "Announced vs realised investment over signed projects (?year=)", Query: yearQuery{}, Out: domain.InvestmentSummary{}, Handler: s.investmentSummary},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/supervisions", Obj: "project", Act: "read", Summary: "Supervisions (督办) on a project", Out: itemList[*domain.Supervision]{}, Handler: projectItems(s.projectSupervisions)},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/supervisions", Obj: "supervision", Act: "issue", Summary: "Issue a supervision (督办) to the project's owner (the director, the chain's chief)", Body: domain.SupervisionInput{}, Out: domain.Supervision{}, Status: http.StatusCreated, Handler: projectCreate(s.svc.Supervisions.IssueSupervision)},
		{Method: http.MethodGet, Path: v1 + "/supervisions", Obj: "supervision", Act: "read", Summary: "Supervisions the caller owns or issued (administrators and the director: all) (?status=open|answered|overdue|closed)", Query: supervisionQuery{}, Out: itemList[*domain.Supervision]{}, Handler: s.listSupervisions},
		{Method: http.MethodPost, Path: v1 + "/supervisions/:id/answer", Obj: "supervision", Act: "answer", Summary: "Answer a supervision (the project's owner)", Body: answerBody{}, Out: domain.Supervision{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.answerSupervision},
		{Method: http.MethodPost, Path: v1 + "/supervisions/:id/close", Obj: "supervision", Act: "close", Summary: "Close a supervision (its issuer)", Out: domain.Supervision{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.closeSupervision},
		{Method: http.MethodGet, Path: v1 + "/campaigns/:id", Obj: "campaign", Act: "read", Summary: "A trip or conference with the projects docked at it", Out: domain.CampaignDetail{}, Handler: s.getCampaign},
	}
}

// boardQuery is the list's filters and how many projects each column shows.
type boardQuery struct {
	projectFilters
	Limit int `query:"limit" minimum:"1" maximum:"200" description:"projects per column (default 50)"`
}

// supervisionQuery filters the supervisions.
type supervisionQuery struct {
	Status domain.SupervisionStatus `query:"status"`
}

// commentBody is a comment (批示).
type commentBody struct {
	Body string `json:"body" required:"true"`
}

// answerBody is the owner's answer to a supervision.
type answerBody struct {
	Answer string `json:"answer" required:"true"`
}

// projectItems answers GET /projects/{id}/… with what list returns for the project, as
// {"items", "total"}.
func projectItems[T any](list func(ctx context.Context, projectID int64) ([]T, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c)
		if !ok {
			return
		}
		v, err := list(c.Request.Context(), id)
		if err != nil {
			Abort(c, err)
			return
		}
		c.JSON(http.StatusOK, listOf(v))
	}
}

// projectCreate answers POST /projects/{id}/… : the JSON body decoded into In, created on
// the project by create, 201 with what it returns.
func projectCreate[In, Out any](create func(ctx context.Context, projectID int64, in In) (Out, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c)
		if !ok {
			return
		}
		var in In
		if err := decodeJSON(c, &in); err != nil {
			Abort(c, err)
			return
		}
		v, err := create(c.Request.Context(), id, in)
		if err != nil {
			Abort(c, err)
			return
		}
		c.JSON(http.StatusCreated, v)
	}
}

// projectSupervisions are the supervisions (督办) on one project.
func (s *Server) projectSupervisions(ctx context.Context, projectID int64) ([]*domain.Supervision, error) {
	return s.svc.Supervisions.FindSupervisions(ctx, domain.SupervisionFilter{ProjectID: &projectID})
}

// pathInt64 reads a positive id path parameter; a malformed one is 404.
func pathInt64(c *gin.Context, name, what string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		Abort(c, domain.NotFound(what))
		return 0, false
	}
	return id, true
}

func (s *Server) board(c *gin.Context) {
	f, err := projectFilter(c)
	fe := domain.FieldErrors{}
	for k, v := range domain.ErrorFields(err) {
		if k != "page" && k != "page_size" {
			fe.Add(k, v)
		}
	}
	limit := domain.DefaultBoardItems
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > domain.MaxBoardItems {
			fe.Add("limit", "每列条数应在 1 到 200 之间 (1..200)")
		}
		limit = n
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	b, err := s.svc.Workflow.Board(c.Request.Context(), f, limit)
	if err != nil {
		Abort(c, err)
		return
	}
	s.encoded.write(c, b)
}

func (s *Server) reviewQueue(c *gin.Context) {
	fe := domain.FieldErrors{}
	pg := pageParams(c, fe)
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	if _, ok := c.GetQuery("page_size"); !ok {
		pg.PageSize = domain.DefaultBoardItems
	}
	q, total, err := s.svc.Workflow.ReviewQueue(c.Request.Context(), pg)
	if err != nil {
		Abort(c, err)
		return
	}
	pg = pg.Normalize()
	if q == nil {
		q = []*domain.ReviewItem{}
	}
	c.JSON(http.StatusOK, page[*domain.ReviewItem]{Items: q, Total: total, Page: pg.Page, PageSize: pg.PageSize})
}

func (s *Server) addComment(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var body commentBody
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	v, err := s.svc.Workflow.AddComment(c.Request.Context(), id, body.Body)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *Server) updateActivity(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	aid, ok := pathInt64(c, "aid", "走访记录")
	if !ok {
		return
	}
	var upd domain.ActivityUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	v, err := s.svc.Activities.UpdateActivity(c.Request.Context(), id, aid, upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) deleteActivity(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	aid, ok := pathInt64(c, "aid", "走访记录")
	if !ok {
		return
	}
	if err := s.svc.Activities.DeleteActivity(c.Request.Context(), id, aid); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) setMilestones(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in domain.MilestonesInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	p, err := s.svc.Workflow.SetMilestones(c.Request.Context(), id, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) listInvestments(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	v, err := s.svc.Investments.ProjectInvestments(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) investmentSummary(c *gin.Context) {
	year := 0
	if v := strings.TrimSpace(c.Query("year")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1900 || n > 2200 {
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "年份无效 (invalid year)", Fields: map[string]string{"year": "应为四位年份 (a year such as 2023)"}})
			return
		}
		year = n
	}
	v, err := s.svc.Investments.InvestmentSummary(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) listSupervisions(c *gin.Context) {
	var f domain.SupervisionFilter
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		st := domain.SupervisionStatus(v)
		if !st.Valid() {
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "未知的督办状态 (unknown status)",
				Fields: map[string]string{"status": "应为 open / answered / overdue / closed"}})
			return
		}
		f.Status = &st
	}
	v, err := s.svc.Supervisions.FindSupervisions(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(v))
}

func (s *Server) answerSupervision(c *gin.Context) {
	id, ok := pathInt64(c, "id", "督办事项")
	if !ok {
		return
	}
	var body answerBody
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	v, err := s.svc.Supervisions.AnswerSupervision(c.Request.Context(), id, body.Answer)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) closeSupervision(c *gin.Context) {
	id, ok := pathInt64(c, "id", "督办事项")
	if !ok {
		return
	}
	v, err := s.svc.Supervisions.CloseSupervision(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) getCampaign(c *gin.Context) {
	id, ok := pathInt64(c, "id", "招商活动")
	if !ok {
		return
	}
	v, err := s.svc.Workflow.FindCampaign(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
