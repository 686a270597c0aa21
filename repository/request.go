package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ServiceRequestService implements domain.ServiceRequestService (企业诉求, issue 15) and, for
// the reminder job, domain.RequestEscalator (request_escalate.go). Every write is one
// transaction that also leaves a line in the request's history (request_events) and in its
// project's history.
type ServiceRequestService struct {
	db       *DB
	projects *ProjectService
	// Events hears request_overdue: the group robots (robot_sink.go) unless replaced; nil:
	// nobody listens.
	Events domain.EventSink
}

// NewServiceRequestService returns the request service on db.
func NewServiceRequestService(db *DB) *ServiceRequestService {
	return &ServiceRequestService{db: db, projects: NewProjectService(db), Events: robotSink{db}}
}

var (
	_ domain.ServiceRequestService = (*ServiceRequestService)(nil)
	_ domain.RequestEscalator      = (*ServiceRequestService)(nil)
)

type departmentRow struct {
	ID        int64
	ZoneID    int64
	Code      string
	Name      string
	SortOrder int
	CreatedAt time.Time
}

func (departmentRow) TableName() string { return "departments" }

type serviceRequestRow struct {
	ID                int64
	ZoneID            int64
	ProjectID         int64
	ActivityID        *int64
	DepartmentID      int64
	Category          string
	Title             string
	Detail            string
	Status            string
	DueOn             domain.Date
	Amount            *domain.Money
	RaisedByID        int64
	Satisfaction      string
	SatisfactionNotes string
	ReturnReason      string
	LastReply         string
	AcceptedAt        *time.Time
	ResolvedAt        *time.Time
	ResolvedOn        *domain.Date
	ClosedAt          *time.Time
	OverdueAt         *time.Time
	EscalatedAt       *time.Time
	SupervisionID     *int64
	Version           int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (serviceRequestRow) TableName() string { return "service_requests" }

type requestEventRow struct {
	ID         int64
	ZoneID     int64
	RequestID  int64
	At         time.Time
	ActorID    *int64
	Actor      string
	Action     string
	FromStatus string
	ToStatus   string
	Text       string
	Resolved   bool
}

func (requestEventRow) TableName() string { return "request_events" }

// requestView is a request with what its list shows of the project and the department.
type requestView struct {
	Row          serviceRequestRow `gorm:"embedded"`
	ProjectName  string
	ProjectStage string
	ProjectOwner int64
	ChainID      *int64
	Investor     string
	ChainCode    *string
	OwnerName    string
	OwnerDisp    string
	DeptCode     string
	DeptName     string
	RaisedBy     string
}

func (s *ServiceRequestService) base(ctx context.Context) *gorm.DB {
	return s.db.conn(ctx).Table("service_requests AS r").
		Select("r.*, p.name AS project_name, p.stage AS project_stage, p.owner_id AS project_owner, p.chain_id AS chain_id, " +
			"e.name AS investor, c.code AS chain_code, ou.username AS owner_name, ou.display_name AS owner_disp, " +
			"d.code AS dept_code, d.name AS dept_name, ru.username AS raised_by").
		Joins("JOIN projects p ON p.id = r.project_id").
		Joins("JOIN departments d ON d.id = r.department_id").
		Joins("LEFT JOIN enterprises e ON e.id = p.investor_id").
		Joins("LEFT JOIN chains c ON c.id = p.chain_id").
		Joins("JOIN users ou ON ou.id = p.owner_id").
		Joins("JOIN users ru ON ru.id = r.raised_by_id").
		Where("p.deleted_at IS NULL")
}

// requestScope limits "service_requests AS r" joined with "projects AS p" to what a sees:
// the requests of the projects in its project scope, and a liaison's department's. It fails
// closed: nothing for no actor, a disabled user, a liaison without a department.
func requestScope(a *domain.Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if a == nil || a.User == nil || a.User.Disabled {
			return q.Where("1 = 0")
		}
		s := domain.ScopeOf(a)
		var conds []string
		var args []any
		if !s.Empty() {
			switch {
			case s.All:
				conds = append(conds, "1 = 1")
			default:
				if len(s.ChainIDs) > 0 {
					conds, args = append(conds, "p.chain_id IN ?"), append(args, s.ChainIDs)
				}
				if s.SubmitterID != 0 {
					conds, args = append(conds, "p.created_by_id = ?"), append(args, s.SubmitterID)
				}
			}
		}
		if a.User.HasRole(domain.RoleDepartment) && a.User.DepartmentID != nil {
			conds, args = append(conds, "r.department_id = ?"), append(args, *a.User.DepartmentID)
		}
		if len(conds) == 0 {
			return q.Where("1 = 0")
		}
		return q.Where("r.zone_id = ? AND p.zone_id = ?", a.User.ZoneID, a.User.ZoneID).
			Where("("+strings.Join(conds, " OR ")+")", args...)
	}
}

func (v requestView) toDomain(today domain.Date) *domain.ServiceRequest {
	r := v.Row
	out := &domain.ServiceRequest{ID: r.ID, ZoneID: r.ZoneID, ProjectID: r.ProjectID,
		Project: domain.RequestProject{ID: r.ProjectID, Name: v.ProjectName, Investor: v.Investor, Chain: v.ChainCode,
			Stage: domain.Stage(v.ProjectStage), Owner: v.OwnerName, OwnerName: v.OwnerDisp},
		ActivityID: r.ActivityID, Category: domain.RequestCategory(r.Category), Title: r.Title, Detail: r.Detail,
		DepartmentID: r.DepartmentID, Department: v.DeptCode, DepartmentName: v.DeptName,
		Status: domain.RequestStatus(r.Status), DueOn: r.DueOn, Amount: r.Amount, RaisedBy: v.RaisedBy,
		Satisfaction: domain.Satisfaction(r.Satisfaction), SatisfactionNotes: r.SatisfactionNotes,
		ReturnReason: r.ReturnReason, LastReply: r.LastReply, SupervisionID: r.SupervisionID, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	out.AcceptedAt, out.ResolvedAt, out.ClosedAt, out.EscalatedAt = utc(r.AcceptedAt), utc(r.ResolvedAt), utc(r.ClosedAt), utc(r.EscalatedAt)
	out.Show(today)
	return out
}

func requestObject(id int64) string { return fmt.Sprintf("request/%d", id) }

// FindDepartments lists the caller's zone's departments in their order.
func (s *ServiceRequestService) FindDepartments(ctx context.Context) ([]*domain.Department, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []departmentRow
	if err := s.db.conn(ctx).Where("zone_id = ?", a.User.ZoneID).Order("sort_order, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Department, len(rows))
	for i, r := range rows {
		out[i] = &domain.Department{ID: r.ID, ZoneID: r.ZoneID, Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// CreateDepartment adds a department to the caller's zone (administrators).
func (s *ServiceRequestService) CreateDepartment(ctx context.Context, in domain.DepartmentInput) (*domain.Department, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.IsAdmin(a) {
		return nil, forbidden("添加部门（须为系统管理员）")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *domain.Department
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var n int64
		if err := s.db.conn(ctx).Model(&departmentRow{}).Where("zone_id = ? AND (code = ? OR name = ?)", a.User.ZoneID, in.Code, in.Name).
			Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &domain.Error{Code: domain.ECONFLICT, Message: "部门代码或名称已存在 (department exists)",
				Fields: map[string]string{"code": "已存在 (taken)"}}
		}
		var maxOrder *int
		if err := s.db.conn(ctx).Model(&departmentRow{}).Where("zone_id = ?", a.User.ZoneID).Select("MAX(sort_order)").Scan(&maxOrder).Error; err != nil {
			return err
		}
		order := 1
		if maxOrder != nil {
			order = *maxOrder + 1
		}
		row := &departmentRow{ZoneID: a.User.ZoneID, Code: in.Code, Name: in.Name, SortOrder: order, CreatedAt: s.db.now()}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		out = &domain.Department{ID: row.ID, ZoneID: row.ZoneID, Code: row.Code, Name: row.Name}
		return s.db.audit(ctx, domain.AuditEntry{Action: "department_created", Object: fmt.Sprintf("department:%d", row.ID),
			Detail: auditDetail(map[string]any{"code": in.Code, "name": in.Name})})
	})
	return out, err
}

// department finds a department of the zone by code; unknown → EINVALID on field.
func (s *ServiceRequestService) department(ctx context.Context, zoneID int64, code string) (*departmentRow, error) {
	var rows []departmentRow
	if err := s.db.conn(ctx).Where("zone_id = ? AND code = ?", zoneID, code).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "未知的承办部门 (unknown department)",
			Fields: map[string]string{"department": "未知的部门代码 (unknown department code)"}}
	}
	return &rows[0], nil
}

// event appends a line to a request's history.
func (s *ServiceRequestService) event(ctx context.Context, a *domain.Actor, zoneID, requestID int64, action string,
	from, to domain.RequestStatus, text string, resolved bool) error {
	e := &requestEventRow{ZoneID: zoneID, RequestID: requestID, At: s.db.now(), Actor: "system", Action: action,
		FromStatus: string(from), ToStatus: string(to), Text: text, Resolved: resolved}
	if a != nil && a.User != nil {
		id := a.User.ID
		e.ActorID, e.Actor = &id, a.User.Username
	}
	return s.db.conn(ctx).Create(e).Error
}

// CreateRequest raises a request on a visible project.
func (s *ServiceRequestService) CreateRequest(ctx context.Context, projectID int64, in domain.RequestInput) (*domain.ServiceRequestDetail, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	today := s.db.today()
	if err := in.Validate(today); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanLogActivity(a, p) {
			return forbidden("为该项目登记企业诉求")
		}
		if p.Stage == domain.StageDropped {
			return domain.Errorf(domain.ERULE, "项目已终止，不能登记企业诉求 (the project is dropped)")
		}
		d, err := s.department(ctx, p.ZoneID, in.Department)
		if err != nil {
			return err
		}
		if in.ActivityID != nil {
			var n int64
			if err := s.db.conn(ctx).Table("activities").Where("id = ? AND project_id = ? AND deleted_at IS NULL", *in.ActivityID, p.ID).
				Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return &domain.Error{Code: domain.EINVALID, Message: "走访记录不属于该项目 (activity of another project)",
					Fields: map[string]string{"activity_id": "不是该项目的走访记录 (not an activity of this project)"}}
			}
		}
		now := s.db.now()
		row := &serviceRequestRow{ZoneID: p.ZoneID, ProjectID: p.ID, ActivityID: in.ActivityID, DepartmentID: d.ID,
			Category: string(in.Category), Title: in.Title, Detail: in.Detail, Status: string(domain.RequestOpen),
			DueOn: in.Due(today), Amount: in.Amount, RaisedByID: a.User.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		id = row.ID
		if err := s.event(ctx, a, p.ZoneID, id, "created", "", domain.RequestOpen, in.Title, false); err != nil {
			return err
		}
		return s.db.historyOf(ctx, a, p.ZoneID, p.ID, requestObject(id), "request_raised", "title", "", in.Title+"（"+d.Name+"）")
	})
	if err != nil {
		return nil, err
	}
	return s.FindRequest(ctx, id)
}

// FindRequests lists the visible requests, soonest deadline first.
func (s *ServiceRequestService) FindRequests(ctx context.Context, f domain.RequestFilter) ([]*domain.ServiceRequest, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	today := s.db.today()
	q := s.base(ctx).Scopes(requestScope(a))
	if f.Status != nil {
		q = q.Where("r.status = ?", string(*f.Status))
	}
	if f.Department != nil {
		q = q.Where("d.code = ?", *f.Department)
	}
	if f.ProjectID != nil {
		q = q.Where("r.project_id = ?", *f.ProjectID)
	}
	if f.Overdue {
		q = q.Where("r.status IN ? AND r.due_on < ?", pendingStatuses, today)
	}
	var rows []requestView
	if err := q.Order("r.due_on, r.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.ServiceRequest, len(rows))
	for i, v := range rows {
		out[i] = v.toDomain(today)
	}
	return out, nil
}

var pendingStatuses = []string{string(domain.RequestOpen), string(domain.RequestInProgress)}

// load reads one visible request; outside the scope → ENOTFOUND.
func (s *ServiceRequestService) load(ctx context.Context, a *domain.Actor, id int64) (*requestView, error) {
	var rows []requestView
	if err := s.base(ctx).Scopes(requestScope(a)).Where("r.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("企业诉求")
	}
	return &rows[0], nil
}

// FindRequest reads a visible request with its replies, history and the caller's moves.
func (s *ServiceRequestService) FindRequest(ctx context.Context, id int64) (*domain.ServiceRequestDetail, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := &domain.ServiceRequestDetail{ServiceRequest: v.toDomain(s.db.today()), Replies: []*domain.RequestReply{},
		History: []*domain.RequestEvent{}, Moves: []string{}}
	var evs []struct {
		ID          int64
		At          time.Time
		Actor       string
		Action      string
		FromStatus  string
		ToStatus    string
		Text        string
		Resolved    bool
		DisplayName *string
	}
	if err := s.db.conn(ctx).Table("request_events AS ev").Select("ev.*, u.display_name").
		Joins("LEFT JOIN users u ON u.id = ev.actor_id").Where("ev.request_id = ?", id).Order("ev.at, ev.id").Scan(&evs).Error; err != nil {
		return nil, err
	}
	for _, e := range evs {
		out.History = append(out.History, &domain.RequestEvent{ID: e.ID, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
			From: domain.RequestStatus(e.FromStatus), To: domain.RequestStatus(e.ToStatus), Text: e.Text})
		if e.Action == "reply" || e.Action == "meeting" {
			name := e.Actor
			if e.DisplayName != nil {
				name = *e.DisplayName
			}
			out.Replies = append(out.Replies, &domain.RequestReply{ID: e.ID, At: e.At.UTC(), Author: e.Actor, AuthorName: name,
				Kind: e.Action, Text: e.Text, Resolved: e.Resolved})
		}
	}
	st := out.Status
	if domain.InDepartment(a, v.Row.DepartmentID) {
		for _, m := range []domain.RequestMove{domain.MoveAccept, domain.MoveReply, domain.MoveReturn} {
			if domain.CanRequestMove(st, m) {
				out.Moves = append(out.Moves, string(m))
			}
		}
	}
	if domain.CanEditRequest(a, &out.Project, v.ProjectOwner) {
		for _, m := range []domain.RequestMove{domain.MoveResend, domain.MoveConfirm, domain.MoveEdit} {
			if domain.CanRequestMove(st, m) {
				out.Moves = append(out.Moves, string(m))
			}
		}
	}
	if canRecordMeeting(a) && st != domain.RequestClosed {
		out.Moves = append(out.Moves, "meeting")
	}
	return out, nil
}

func canRecordMeeting(a *domain.Actor) bool {
	return a != nil && a.User != nil && (a.User.HasRole(domain.RoleDirector) || a.User.HasRole(domain.RoleAdmin))
}

// who may make a move: the request's department (accept, reply, return) or zone staff
// answering for the project (resend, confirm, edit).
func (s *ServiceRequestService) mayMove(a *domain.Actor, v *requestView, m domain.RequestMove) error {
	switch m {
	case domain.MoveAccept, domain.MoveReply, domain.MoveReturn:
		if !domain.InDepartment(a, v.Row.DepartmentID) {
			return forbidden("办理该诉求（须为承办部门的联络员）")
		}
	default:
		p := domain.RequestProject{ID: v.Row.ProjectID}
		if !domain.CanEditRequest(a, &p, v.ProjectOwner) {
			return forbidden("处理该诉求（须为项目负责人、开发区主任或系统管理员）")
		}
	}
	return nil
}

// move runs one lifecycle move: visibility (404), who (403), from which status (422), then
// a conditional update on the status read, so that two moves at once cannot both pass.
func (s *ServiceRequestService) move(ctx context.Context, id int64, m domain.RequestMove, to domain.RequestStatus,
	set func(v *requestView, now time.Time) map[string]any, action, text string, resolved bool) (*domain.ServiceRequestDetail, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		v, err := s.load(ctx, a, id)
		if err != nil {
			return err
		}
		if err := s.mayMove(a, v, m); err != nil {
			return err
		}
		from := domain.RequestStatus(v.Row.Status)
		if err := domain.CheckRequestMove(from, m); err != nil {
			return err
		}
		now := s.db.now()
		upd := map[string]any{"status": string(to), "updated_at": now, "version": gorm.Expr("version + 1")}
		if set != nil {
			for k, val := range set(v, now) {
				upd[k] = val
			}
		}
		res := s.db.conn(ctx).Model(&serviceRequestRow{}).Where("id = ? AND status = ?", id, string(from)).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ERULE, "诉求状态已被他人更改，请刷新后再试 (status changed meanwhile)")
		}
		if err := s.event(ctx, a, v.Row.ZoneID, id, action, from, to, text, resolved); err != nil {
			return err
		}
		return s.db.historyOf(ctx, a, v.Row.ZoneID, v.Row.ProjectID, requestObject(id), "request_"+action, "status",
			string(from), string(to))
	})
	if err != nil {
		return nil, err
	}
	return s.FindRequest(ctx, id)
}

// AcceptRequest: the department takes the request on.
func (s *ServiceRequestService) AcceptRequest(ctx context.Context, id int64) (*domain.ServiceRequestDetail, error) {
	return s.move(ctx, id, domain.MoveAccept, domain.RequestInProgress, func(_ *requestView, now time.Time) map[string]any {
		return map[string]any{"accepted_at": now}
	}, "accepted", "", false)
}

// ReplyRequest: the department answers; resolved moves the request to resolved, otherwise
// it stays in progress with the answer kept.
func (s *ServiceRequestService) ReplyRequest(ctx context.Context, id int64, in domain.RequestReplyInput) (*domain.ServiceRequestDetail, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	to := domain.RequestInProgress
	if in.Resolved {
		to = domain.RequestResolved
	}
	today := s.db.today()
	return s.move(ctx, id, domain.MoveReply, to, func(_ *requestView, now time.Time) map[string]any {
		m := map[string]any{"last_reply": in.Reply}
		if in.Resolved {
			m["resolved_at"], m["resolved_on"] = now, today
		}
		return m
	}, "reply", in.Reply, in.Resolved)
}

// ReturnRequest: the department sends the request back to the project's owner with a reason.
func (s *ServiceRequestService) ReturnRequest(ctx context.Context, id int64, in domain.RequestReasonInput) (*domain.ServiceRequestDetail, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.move(ctx, id, domain.MoveReturn, domain.RequestReturned, func(_ *requestView, _ time.Time) map[string]any {
		return map[string]any{"return_reason": in.Reason}
	}, "returned", in.Reason, false)
}

// ResendRequest: zone staff send a returned (and usually edited) request again; the
// deadline starts afresh when it has passed.
func (s *ServiceRequestService) ResendRequest(ctx context.Context, id int64) (*domain.ServiceRequestDetail, error) {
	today := s.db.today()
	return s.move(ctx, id, domain.MoveResend, domain.RequestOpen, func(v *requestView, _ time.Time) map[string]any {
		m := map[string]any{"accepted_at": nil, "overdue_at": nil}
		if v.Row.DueOn.Before(today) {
			m["due_on"] = today.AddDays(domain.RequestCategory(v.Row.Category).DefaultDays())
		}
		return m
	}, "resent", "", false)
}

// ConfirmRequest: zone staff record the company's satisfaction; unsatisfied sends the
// request back to the department (in progress), otherwise it is closed.
func (s *ServiceRequestService) ConfirmRequest(ctx context.Context, id int64, in domain.RequestConfirmInput) (*domain.ServiceRequestDetail, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Satisfaction == domain.Unsatisfied {
		return s.move(ctx, id, domain.MoveConfirm, domain.RequestInProgress, func(_ *requestView, _ time.Time) map[string]any {
			return map[string]any{"satisfaction": string(in.Satisfaction), "satisfaction_notes": in.Notes,
				"resolved_at": nil, "resolved_on": nil}
		}, "reopened", joinNote("不满意", in.Notes), false)
	}
	label := map[domain.Satisfaction]string{domain.Satisfied: "满意", domain.BasicallyOK: "基本满意"}[in.Satisfaction]
	return s.move(ctx, id, domain.MoveConfirm, domain.RequestClosed, func(_ *requestView, now time.Time) map[string]any {
		return map[string]any{"satisfaction": string(in.Satisfaction), "satisfaction_notes": in.Notes, "closed_at": now}
	}, "confirmed", joinNote(label, in.Notes), false)
}

func joinNote(label, notes string) string {
	if notes == "" {
		return label
	}
	return label + "：" + notes
}

// UpdateRequest edits an open or returned request (zone staff); version guards it.
func (s *ServiceRequestService) UpdateRequest(ctx context.Context, id int64, u domain.RequestUpdate) (*domain.ServiceRequestDetail, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	today := s.db.today()
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		v, err := s.load(ctx, a, id)
		if err != nil {
			return err
		}
		if err := s.mayMove(a, v, domain.MoveEdit); err != nil {
			return err
		}
		if err := domain.CheckRequestMove(domain.RequestStatus(v.Row.Status), domain.MoveEdit); err != nil {
			return err
		}
		cur := domain.RequestInput{Category: domain.RequestCategory(v.Row.Category), Title: v.Row.Title, Detail: v.Row.Detail,
			Department: v.DeptCode, Amount: v.Row.Amount}
		if u.DueOn != nil || !v.Row.DueOn.Before(today) {
			cur.DueOn = v.Row.DueOn
		}
		next, err := u.Apply(cur, today)
		if err != nil {
			return err
		}
		if u.Version != v.Row.Version {
			return domain.Errorf(domain.ECONFLICT, "诉求已被他人修改，请刷新后再试 (stale version)")
		}
		d, err := s.department(ctx, v.Row.ZoneID, next.Department)
		if err != nil {
			return err
		}
		upd := map[string]any{"category": string(next.Category), "title": next.Title, "detail": next.Detail,
			"department_id": d.ID, "due_on": next.Due(today), "amount": next.Amount, "updated_at": s.db.now(), "version": v.Row.Version + 1}
		res := s.db.conn(ctx).Model(&serviceRequestRow{}).Where("id = ? AND version = ?", id, v.Row.Version).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ECONFLICT, "诉求已被他人修改，请刷新后再试 (stale version)")
		}
		var changed []string
		add := func(field, from, to string) {
			if from != to {
				changed = append(changed, fmt.Sprintf("%s：%s → %s", field, from, to))
			}
		}
		add("类别", domain.RequestCategory(v.Row.Category).Label(), next.Category.Label())
		add("标题", v.Row.Title, next.Title)
		add("承办部门", v.DeptName, d.Name)
		add("办理期限", v.Row.DueOn.String(), next.Due(today).String())
		if next.Detail != v.Row.Detail {
			changed = append(changed, "诉求内容已修改")
		}
		text := strings.Join(changed, "；")
		if err := s.event(ctx, a, v.Row.ZoneID, id, "edited", "", "", text, false); err != nil {
			return err
		}
		return s.db.historyOf(ctx, a, v.Row.ZoneID, v.Row.ProjectID, requestObject(id), "request_edited", "title", v.Row.Title, next.Title)
	})
	if err != nil {
		return nil, err
	}
	return s.FindRequest(ctx, id)
}

// RecordMeeting notes a joint meeting's (联席会议) decision on a request that is not closed.
func (s *ServiceRequestService) RecordMeeting(ctx context.Context, id int64, in domain.RequestMeetingInput) (*domain.ServiceRequestDetail, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		v, err := s.load(ctx, a, id)
		if err != nil {
			return err
		}
		if !canRecordMeeting(a) {
			return forbidden("记录联席会议意见（须为开发区主任或系统管理员）")
		}
		if v.Row.Status == string(domain.RequestClosed) {
			return domain.Errorf(domain.ERULE, "诉求已办结，不能再记录联席会议意见 (the request is closed)")
		}
		if err := s.db.conn(ctx).Model(&serviceRequestRow{}).Where("id = ?", id).
			Updates(map[string]any{"updated_at": s.db.now(), "version": gorm.Expr("version + 1")}).Error; err != nil {
			return err
		}
		if err := s.event(ctx, a, v.Row.ZoneID, id, "meeting", "", "", in.Decision, false); err != nil {
			return err
		}
		return s.db.historyOf(ctx, a, v.Row.ZoneID, v.Row.ProjectID, requestObject(id), "request_meeting", "decision", "", in.Decision)
	})
	if err != nil {
		return nil, err
	}
	return s.FindRequest(ctx, id)
}
