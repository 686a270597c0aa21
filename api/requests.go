package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// requestRoutes: enterprise service requests (企业诉求) and the departments they are routed
// to (issue 15, docs/requests.md). casbin: request/read for zone staff and department
// liaisons (rows: requestScope), request/create and request/update for those who answer
// for projects, request/answer for department liaisons only, request/meeting for the
// director and administrators; department/read for everyone, department/manage for admins.
func (s *Server) requestRoutes() []route {
	detail := domain.ServiceRequestDetail{}
	rule := []int{http.StatusUnprocessableEntity}
	return []route{
		{Method: http.MethodGet, Path: v1 + "/departments", Obj: "department", Act: "read", Summary: "The zone's county departments requests are routed to",
			Out: []*domain.Department{}, Handler: s.listDepartments},
		{Method: http.MethodPost, Path: v1 + "/departments", Obj: "department", Act: "manage", Summary: "Add a department (administrators)",
			Body: domain.DepartmentInput{}, Out: domain.Department{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict}, Handler: s.createDepartment},
		{Method: http.MethodPost, Path: v1 + "/projects/:id/requests", Obj: "request", Act: "create", Summary: "Raise an enterprise's request (诉求) on a project, routed to a department; due_on defaults by category",
			Body: domain.RequestInput{}, Out: detail, Status: http.StatusCreated, Errors: rule, Handler: s.createRequest},
		{Method: http.MethodGet, Path: v1 + "/requests", Obj: "request", Act: "read", Summary: "Requests the caller may see, soonest deadline first (filters: status, department, project_id, overdue=true)",
			Query: requestQuery{}, Out: itemList[*domain.ServiceRequest]{}, Handler: s.listRequests},
		{Method: http.MethodGet, Path: v1 + "/requests/agenda.xlsx", Obj: "request", Act: "read", Summary: "The joint meeting's (联席会议) agenda: open and overdue requests by department (?department=)",
			Query: agendaQuery{}, Files: []string{mediaXLSX}, Handler: s.requestAgenda},
		{Method: http.MethodGet, Path: v1 + "/requests/:id", Obj: "request", Act: "read", Summary: "A request with its replies, status history and the caller's possible moves",
			Out: detail, Handler: s.getRequest},
		{Method: http.MethodPatch, Path: v1 + "/requests/:id", Obj: "request", Act: "update", Summary: "Edit an open or returned request (body carries version; stale → 409)",
			Body: domain.RequestUpdate{}, Out: detail, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}, Handler: s.updateRequest},
		{Method: http.MethodPost, Path: v1 + "/requests/:id/accept", Obj: "request", Act: "answer", Summary: "The department accepts the request → in_progress",
			Out: detail, Errors: rule, Handler: s.acceptRequest},
		{Method: http.MethodPost, Path: v1 + "/requests/:id/reply", Obj: "request", Act: "answer", Summary: "The department answers; resolved → resolved",
			Body: domain.RequestReplyInput{}, Out: detail, Errors: rule, Handler: s.replyRequest},
		{Method: http.MethodPost, Path: v1 + "/requests/:id/return", Obj: "request", Act: "answer", Summary: "The department returns the request to the project's owner with a reason → returned",
			Body: domain.RequestReasonInput{}, Out: detail, Errors: rule, Handler: s.returnRequest},
		{Method: http.MethodPost, Path: v1 + "/requests/:id/resend", Obj: "request", Act: "update", Summary: "Zone staff send a returned request again → open",
			Out: detail, Errors: rule, Handler: s.resendRequest},
		{Method: http.MethodPost, Path: v1 + "/requests/:id/confirm", Obj: "request", Act: "update", Summary: "Zone staff confirm the company's satisfaction → closed; unsatisfied → in_progress",
			Body: domain.RequestConfirmInput{}, Out: detail, Errors: rule, Handler: s.confirmRequest},
		{Method: http.MethodPost, Path: v1 + "/requests/:id/meeting", Obj: "request", Act: "meeting", Summary: "Record the joint meeting's decision on a request (director, administrators)",
			Body: domain.RequestMeetingInput{}, Out: detail, Errors: rule, Handler: s.recordMeeting},
		{Method: http.MethodGet, Path: v1 + "/stats/service", Obj: "stats", Act: "read", Summary: "The year's service figures: received, resolved, closed, on-time and satisfaction rates, financing, by department and category (?year=)",
			Query: yearQuery{}, Out: domain.ServiceStats{}, Handler: s.serviceStats},
	}
}

// requestQuery filters the request list.
type requestQuery struct {
	Status     domain.RequestStatus `query:"status"`
	Department string               `query:"department" description:"a department code"`
	ProjectID  int64                `query:"project_id" minimum:"1"`
	Overdue    bool                 `query:"overdue" description:"true: only requests past their deadline without an answer"`
}

// agendaQuery narrows the agenda to one department.
type agendaQuery struct {
	Department string `query:"department" description:"a department code"`
}

func (s *Server) listDepartments(c *gin.Context) {
	v, err := s.svc.Requests.FindDepartments(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	if v == nil {
		v = []*domain.Department{}
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) createDepartment(c *gin.Context) {
	var in domain.DepartmentInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	d, err := s.svc.Requests.CreateDepartment(c.Request.Context(), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

func (s *Server) createRequest(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in domain.RequestInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	r, err := s.svc.Requests.CreateRequest(c.Request.Context(), id, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

// requestFilter reads the list's filters; every bad one is a field error.
func requestFilter(c *gin.Context) (domain.RequestFilter, error) {
	var f domain.RequestFilter
	fe := domain.FieldErrors{}
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		st := domain.RequestStatus(v)
		if !st.Valid() {
			fe.Add("status", "应为 open / in_progress / resolved / returned / closed")
		}
		f.Status = &st
	}
	if v := strings.TrimSpace(c.Query("department")); v != "" {
		f.Department = &v
	}
	if v := strings.TrimSpace(c.Query("project_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fe.Add("project_id", "应为项目编号 (a project id)")
		}
		f.ProjectID = &n
	}
	switch v := strings.TrimSpace(c.Query("overdue")); v {
	case "", "false", "0":
	case "true", "1":
		f.Overdue = true
	default:
		fe.Add("overdue", "应为 true 或 false")
	}
	return f, fe.Err()
}

func (s *Server) listRequests(c *gin.Context) {
	f, err := requestFilter(c)
	if err != nil {
		Abort(c, err)
		return
	}
	v, err := s.svc.Requests.FindRequests(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(v))
}

func (s *Server) getRequest(c *gin.Context) {
	id, ok := pathInt64(c, "id", "企业诉求")
	if !ok {
		return
	}
	r, err := s.svc.Requests.FindRequest(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) updateRequest(c *gin.Context) {
	id, ok := pathInt64(c, "id", "企业诉求")
	if !ok {
		return
	}
	var in domain.RequestUpdate
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	r, err := s.svc.Requests.UpdateRequest(c.Request.Context(), id, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// requestMove runs a move that takes body T (or none when T is struct{}).
func requestMove[T any](s *Server, withBody bool, run func(c *gin.Context, id int64, in T) (*domain.ServiceRequestDetail, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathInt64(c, "id", "企业诉求")
		if !ok {
			return
		}
		var in T
		if withBody {
			if err := decodeJSON(c, &in); err != nil {
				Abort(c, err)
				return
			}
		}
		r, err := run(c, id, in)
		if err != nil {
			Abort(c, err)
			return
		}
		c.JSON(http.StatusOK, r)
	}
}

func (s *Server) acceptRequest(c *gin.Context) {
	requestMove(s, false, func(c *gin.Context, id int64, _ struct{}) (*domain.ServiceRequestDetail, error) {
		return s.svc.Requests.AcceptRequest(c.Request.Context(), id)
	})(c)
}

func (s *Server) replyRequest(c *gin.Context) {
	requestMove(s, true, func(c *gin.Context, id int64, in domain.RequestReplyInput) (*domain.ServiceRequestDetail, error) {
		return s.svc.Requests.ReplyRequest(c.Request.Context(), id, in)
	})(c)
}

func (s *Server) returnRequest(c *gin.Context) {
	requestMove(s, true, func(c *gin.Context, id int64, in domain.RequestReasonInput) (*domain.ServiceRequestDetail, error) {
		return s.svc.Requests.ReturnRequest(c.Request.Context(), id, in)
	})(c)
}

func (s *Server) resendRequest(c *gin.Context) {
	requestMove(s, false, func(c *gin.Context, id int64, _ struct{}) (*domain.ServiceRequestDetail, error) {
		return s.svc.Requests.ResendRequest(c.Request.Context(), id)
	})(c)
}

func (s *Server) confirmRequest(c *gin.Context) {
	requestMove(s, true, func(c *gin.Context, id int64, in domain.RequestConfirmInput) (*domain.ServiceRequestDetail, error) {
		return s.svc.Requests.ConfirmRequest(c.Request.Context(), id, in)
	})(c)
}

func (s *Server) recordMeeting(c *gin.Context) {
	requestMove(s, true, func(c *gin.Context, id int64, in domain.RequestMeetingInput) (*domain.ServiceRequestDetail, error) {
		return s.svc.Requests.RecordMeeting(c.Request.Context(), id, in)
	})(c)
}

func (s *Server) serviceStats(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	st, err := s.svc.Requests.ServiceStats(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// agendaSheet is the agenda's one sheet.
const agendaSheet = "联席会议议题"

// requestAgenda writes the joint meeting's agenda: every request still waiting for an
// answer or for its owner (open, in progress, returned), by department, overdue first.
func (s *Server) requestAgenda(c *gin.Context) {
	var f domain.RequestFilter
	if v := strings.TrimSpace(c.Query("department")); v != "" {
		f.Department = &v
	}
	items, err := s.svc.Requests.FindRequests(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	var buf bytes.Buffer
	if err := writeAgenda(&buf, items, s.zoneNow(c.Request.Context()).Format("2006年1月2日")); err != nil {
		Abort(c, err)
		return
	}
	name := "联席会议议题清单.xlsx"
	if f.Department != nil && len(items) > 0 {
		name = items[0].DepartmentName + name
	}
	c.Header("Content-Disposition", spreadsheet.ContentDisposition(name))
	c.Data(http.StatusOK, mediaXLSX, buf.Bytes())
}

// agendaColumns are the agenda's columns.
var agendaColumns = []spreadsheet.Column{
	{Header: "序号", Width: 6}, {Header: "承办部门", Width: 22}, {Header: "企业", Width: 28}, {Header: "项目", Width: 28},
	{Header: "诉求类别", Width: 12}, {Header: "诉求事项", Width: 30}, {Header: "诉求内容", Width: 46}, {Header: "状态", Width: 10},
	{Header: "办理期限", Width: 13}, {Header: "逾期天数", Width: 10}, {Header: "最新答复 / 退回原因", Width: 40},
	{Header: "项目负责人", Width: 16}, {Header: "会议意见", Width: 30},
}

// writeAgenda writes the agenda to w: the requests not yet answered for (open, in progress,
// returned), grouped by department in the departments' order, overdue first, then by
// deadline. Every cell is text guarded against formulas.
func writeAgenda(w *bytes.Buffer, items []*domain.ServiceRequest, today string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", agendaSheet); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: "联席会议议题清单", Creator: "chaincrm", Language: "zh-CN"}); err != nil {
		return err
	}
	var order []string
	byDept := map[string][]*domain.ServiceRequest{}
	for _, r := range items {
		if r.Status != domain.RequestOpen && r.Status != domain.RequestInProgress && r.Status != domain.RequestReturned {
			continue
		}
		if _, ok := byDept[r.Department]; !ok {
			order = append(order, r.Department)
		}
		byDept[r.Department] = append(byDept[r.Department], r)
	}
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDE6F0"}},
		Alignment: &excelize.Alignment{Vertical: "center", Horizontal: "center", WrapText: true}})
	text, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	late, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "#B00020"}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	set := func(col, row int, v string, style int) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(agendaSheet, cell, spreadsheet.Guard(v)); err != nil {
			return err
		}
		return f.SetCellStyle(agendaSheet, cell, cell, style)
	}
	total, overdue := 0, 0
	for _, d := range order {
		total += len(byDept[d])
		for _, r := range byDept[d] {
			if r.Overdue {
				overdue++
			}
		}
	}
	if err := set(1, 1, fmt.Sprintf("联席会议议题清单（%s）：待办结企业诉求%d件，其中逾期%d件", today, total, overdue), title); err != nil {
		return err
	}
	for i, col := range agendaColumns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(agendaSheet, name, name, col.Width); err != nil {
			return err
		}
		if err := set(i+1, 2, col.Header, head); err != nil {
			return err
		}
	}
	row, n := 3, 0
	for _, d := range order {
		list := byDept[d]
		// overdue first, the longest overdue on top; then by deadline (the list's order)
		sorted := make([]*domain.ServiceRequest, 0, len(list))
		for _, r := range list {
			if r.Overdue {
				sorted = append(sorted, r)
			}
		}
		for i := 1; i < len(sorted); i++ {
			for j := i; j > 0 && sorted[j].OverdueDays > sorted[j-1].OverdueDays; j-- {
				sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
			}
		}
		for _, r := range list {
			if !r.Overdue {
				sorted = append(sorted, r)
			}
		}
		for _, r := range sorted {
			n++
			style := text
			days := ""
			if r.Overdue {
				style, days = late, strconv.Itoa(r.OverdueDays)
			}
			answer := r.LastReply
			if r.Status == domain.RequestReturned {
				answer = "退回：" + r.ReturnReason
			}
			vals := []string{strconv.Itoa(n), r.DepartmentName, r.Project.Investor, r.Project.Name, r.CategoryLabel, r.Title,
				r.Detail, r.StatusLabel, r.DueOn.String(), days, answer, r.Project.OwnerName, ""}
			for i, v := range vals {
				st := text
				if i == 9 || i == 7 {
					st = style
				}
				if err := set(i+1, row, v, st); err != nil {
					return err
				}
			}
			row++
		}
	}
	if n == 0 {
		if err := set(1, 3, "暂无待办结的企业诉求", text); err != nil {
			return err
		}
	}
	if err := f.SetPanes(agendaSheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.SetPageLayout(agendaSheet, &excelize.PageLayoutOptions{Orientation: agendaPtr("landscape"), FitToWidth: agendaPtr(1)}); err != nil {
		return err
	}
	return f.Write(w)
}

func agendaPtr[T any](v T) *T { return &v }
