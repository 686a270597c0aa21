package domain

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// 企业服务 (service after landing, seed 三(四)1 and 一(六)): a landed company's request
// (诉求) is raised on its project, routed to the county department that can solve it, whose
// liaison (部门联络员, role department) accepts, answers or returns it; zone staff confirm
// the company's satisfaction. Overdue requests escalate to the director and a 督办.
//
// The lifecycle:
//
//	open ──accept──► in_progress ──reply(resolved)──► resolved ──confirm──► closed
//	  │                 │   ▲                              │
//	  └──return──┐      │   └───────confirm(unsatisfied)───┘
//	             ▼      │
//	          returned ◄┘ (return)   ──resend──► open
//
// A move from any other status is ERULE (422) with the reason.

// Department is a county department (县直职能部门) requests are routed to.
type Department struct {
	ID     int64  `json:"-"`
	ZoneID int64  `json:"-"`
	Code   string `json:"code"`
	Name   string `json:"name"`
}

// DepartmentInput adds a department (administrators).
type DepartmentInput struct {
	Code string `json:"code" required:"true" description:"lower-case letters, digits and underscores"`
	Name string `json:"name" required:"true"`
}

// Validate checks the code and the name.
func (in *DepartmentInput) Validate() error {
	fe := FieldErrors{}
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if !validCode(in.Code) {
		fe.Add("code", "部门代码应为 2–40 个小写字母、数字或下划线 (2-40 of a-z 0-9 _)")
	}
	checkText(fe, "name", in.Name, MaxShortLen, true)
	checkPlain(fe, "name", in.Name)
	return fe.Err()
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// checkPlain refuses control characters (but line breaks and tabs) and bidi overrides,
// which would hide or reorder what a reader sees.
func checkPlain(fe FieldErrors, field, v string) {
	for _, r := range v {
		if r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			fe.Add(field, "不能含控制字符 (no control characters)")
			return
		}
	}
}

// RequestCategory is what a request is about; it sets the default deadline.
type RequestCategory string

// RequestCategories with their Chinese names and default days to answer.
var RequestCategories = []RequestCategory{"land", "planning", "environment", "energy", "utilities", "finance",
	"labour", "policy", "supply", "permits", "infrastructure", "other"}

var requestCategoryInfo = map[RequestCategory]struct {
	label string
	days  int
}{
	"land": {"用地", 30}, "planning": {"规划", 20}, "environment": {"环保", 20}, "energy": {"能源", 15},
	"utilities": {"水电气暖", 10}, "finance": {"融资", 30}, "labour": {"用工", 15}, "policy": {"政策兑现", 10},
	"supply": {"原材料保障", 15}, "permits": {"审批手续", 15}, "infrastructure": {"基础设施", 30}, "other": {"其他", 15},
}

func (c RequestCategory) Valid() bool   { _, ok := requestCategoryInfo[c]; return ok }
func (c RequestCategory) Label() string { return requestCategoryInfo[c].label }

// DefaultDays is how many days a department has for a request of the category.
func (c RequestCategory) DefaultDays() int { return requestCategoryInfo[c].days }

// RequestStatus is where a request stands.
type RequestStatus string

const (
	RequestOpen       RequestStatus = "open"        // sent to the department, not yet accepted
	RequestInProgress RequestStatus = "in_progress" // the department works on it
	RequestResolved   RequestStatus = "resolved"    // the department says it is solved
	RequestReturned   RequestStatus = "returned"    // sent back to the project's owner
	RequestClosed     RequestStatus = "closed"      // the company's satisfaction confirmed
)

var RequestStatuses = []RequestStatus{RequestOpen, RequestInProgress, RequestResolved, RequestReturned, RequestClosed}

var requestStatusLabels = map[RequestStatus]string{RequestOpen: "待受理", RequestInProgress: "办理中",
	RequestResolved: "已解决", RequestReturned: "已退回", RequestClosed: "已办结"}

func (s RequestStatus) Valid() bool   { _, ok := requestStatusLabels[s]; return ok }
func (s RequestStatus) Label() string { return requestStatusLabels[s] }

// Pending reports whether the department still owes an answer (open or in progress): only
// these fall due, raise reminders and escalate.
func (s RequestStatus) Pending() bool { return s == RequestOpen || s == RequestInProgress }

// Satisfaction is the company's verdict on a resolved request, as zone staff confirm it.
type Satisfaction string

const (
	Satisfied   Satisfaction = "satisfied"   // 满意
	BasicallyOK Satisfaction = "basic"       // 基本满意
	Unsatisfied Satisfaction = "unsatisfied" // 不满意: back to the department
)

var Satisfactions = []Satisfaction{Satisfied, BasicallyOK, Unsatisfied}

func (s Satisfaction) Valid() bool { return s == Satisfied || s == BasicallyOK || s == Unsatisfied }

// RequestMove is a lifecycle move.
type RequestMove string

const (
	MoveAccept  RequestMove = "accept"
	MoveReply   RequestMove = "reply"
	MoveReturn  RequestMove = "return"
	MoveResend  RequestMove = "resend"
	MoveConfirm RequestMove = "confirm"
	MoveEdit    RequestMove = "edit"
)

// RequestMoves lists the moves in lifecycle order.
var RequestMoves = []RequestMove{MoveAccept, MoveReply, MoveReturn, MoveResend, MoveConfirm, MoveEdit}

// requestMoveFrom says from which statuses each move may start.
var requestMoveFrom = map[RequestMove][]RequestStatus{
	MoveAccept:  {RequestOpen},
	MoveReply:   {RequestInProgress},
	MoveReturn:  {RequestOpen, RequestInProgress},
	MoveResend:  {RequestReturned},
	MoveConfirm: {RequestResolved},
	MoveEdit:    {RequestOpen, RequestReturned},
}

var requestMoveWhy = map[RequestMove]string{
	MoveAccept:  "只有待受理的诉求可以受理",
	MoveReply:   "请先受理，办理中的诉求才能答复",
	MoveReturn:  "只有待受理或办理中的诉求可以退回",
	MoveResend:  "只有被退回的诉求可以重新派发",
	MoveConfirm: "只有部门答复已解决的诉求可以确认满意度",
	MoveEdit:    "只有待受理或被退回的诉求可以修改",
}

// CheckRequestMove returns nil when move may start from status, else an ERULE saying why.
func CheckRequestMove(status RequestStatus, move RequestMove) error {
	for _, s := range requestMoveFrom[move] {
		if s == status {
			return nil
		}
	}
	return Errorf(ERULE, "%s（当前状态：%s）(%s not allowed from %s)", requestMoveWhy[move], status.Label(), move, status)
}

// CanRequestMove reports whether move may start from status.
func CanRequestMove(status RequestStatus, move RequestMove) bool {
	return CheckRequestMove(status, move) == nil
}

// RequestProject is the minimum of a project a department liaison may see.
type RequestProject struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Investor  string  `json:"investor"`
	Chain     *string `json:"chain"`
	Stage     Stage   `json:"stage"`
	Owner     string  `json:"owner"`
	OwnerName string  `json:"owner_name"`
}

// ServiceRequest is an enterprise's request (企业诉求).
type ServiceRequest struct {
	ID                int64           `json:"id"`
	ZoneID            int64           `json:"-"`
	ProjectID         int64           `json:"project_id"`
	Project           RequestProject  `json:"project"`
	ActivityID        *int64          `json:"activity_id"`
	Category          RequestCategory `json:"category"`
	CategoryLabel     string          `json:"category_label"`
	Title             string          `json:"title"`
	Detail            string          `json:"detail"`
	DepartmentID      int64           `json:"-"`
	Department        string          `json:"department"`
	DepartmentName    string          `json:"department_name"`
	Status            RequestStatus   `json:"status"`
	StatusLabel       string          `json:"status_label"`
	DueOn             Date            `json:"due_on"`
	Overdue           bool            `json:"overdue"`
	OverdueDays       int             `json:"overdue_days"`
	Amount            *Money          `json:"amount_wan"`
	RaisedBy          string          `json:"raised_by"`
	Satisfaction      Satisfaction    `json:"satisfaction"`
	SatisfactionNotes string          `json:"satisfaction_notes"`
	ReturnReason      string          `json:"return_reason"`
	LastReply         string          `json:"last_reply"`
	AcceptedAt        *time.Time      `json:"accepted_at"`
	ResolvedAt        *time.Time      `json:"resolved_at"`
	ClosedAt          *time.Time      `json:"closed_at"`
	EscalatedAt       *time.Time      `json:"escalated_at"`
	SupervisionID     *int64          `json:"supervision_id"`
	Version           int64           `json:"version"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// Show fills the labels and the overdue marks for the zone's today.
func (r *ServiceRequest) Show(today Date) {
	r.CategoryLabel, r.StatusLabel = r.Category.Label(), r.Status.Label()
	r.Overdue = r.Status.Pending() && !r.DueOn.IsZero() && r.DueOn.Before(today)
	if r.Overdue {
		r.OverdueDays = today.DaysSince(r.DueOn)
	}
}

// RequestReply is one answer of the department (or a note of the joint meeting).
type RequestReply struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	Kind       string    `json:"kind" enum:"reply,meeting"` // a department's reply, or a joint meeting's decision
	Text       string    `json:"text"`
	Resolved   bool      `json:"resolved"`
}

// RequestEvent is one line of a request's history: every move, edit and answer.
type RequestEvent struct {
	ID     int64         `json:"id"`
	At     time.Time     `json:"at"`
	Actor  string        `json:"actor"`
	Action string        `json:"action"`
	From   RequestStatus `json:"from,omitempty"`
	To     RequestStatus `json:"to,omitempty"`
	Text   string        `json:"text,omitempty"`
}

// ServiceRequestDetail is a request with its replies and its status history.
type ServiceRequestDetail struct {
	*ServiceRequest
	Replies []*RequestReply `json:"replies"`
	History []*RequestEvent `json:"history"`
	// Moves are what the caller may do now (accept, reply, return, resend, confirm, edit,
	// meeting), so that the web app shows only working buttons.
	Moves []string `json:"moves"`
}

// RequestInput raises a request on a project.
type RequestInput struct {
	Category   RequestCategory `json:"category" required:"true"`
	Title      string          `json:"title" required:"true"`
	Detail     string          `json:"detail"`
	Department string          `json:"department" required:"true" description:"a department code (GET /departments)"`
	DueOn      Date            `json:"due_on" description:"defaults by category from today"`
	Amount     *Money          `json:"amount_wan" description:"the financing asked for (finance requests), 万元"`
	ActivityID *int64          `json:"activity_id" description:"the service visit the request was raised at"`
}

// maxMoney is the contract's cap on one amount: 10 000 000 万元.
const maxMoney = Money(100_000_000_000)

// Validate checks the input; today is the zone's day (a deadline may not lie before it).
func (in *RequestInput) Validate(today Date) error {
	fe := FieldErrors{}
	in.Title, in.Detail, in.Department = strings.TrimSpace(in.Title), strings.TrimSpace(in.Detail), strings.TrimSpace(in.Department)
	if !in.Category.Valid() {
		fe.Add("category", "诉求类别应为 land / planning / environment / energy / utilities / finance / labour / policy / supply / permits / infrastructure / other")
	}
	checkText(fe, "title", in.Title, MaxNameLen, true)
	checkPlain(fe, "title", in.Title)
	checkText(fe, "detail", in.Detail, MaxTextLen, false)
	checkPlain(fe, "detail", in.Detail)
	if in.Department == "" {
		fe.Add("department", "请选择承办部门 (required)")
	}
	if !in.DueOn.IsZero() && in.DueOn.Before(today) {
		fe.Add("due_on", "办理期限不能早于今天 (cannot be in the past)")
	}
	if in.Amount != nil && (*in.Amount < 0 || *in.Amount > maxMoney) {
		fe.Add("amount_wan", "金额应在 0 到 10000000 万元之间 (0 … 10 000 000)")
	}
	return fe.Err()
}

// Due is the deadline: the one given, or today plus the category's days.
func (in *RequestInput) Due(today Date) Date {
	if !in.DueOn.IsZero() {
		return in.DueOn
	}
	return today.AddDays(in.Category.DefaultDays())
}

// RequestUpdate edits a request before it is (re)sent: nil fields stay as they are.
type RequestUpdate struct {
	Version    int64            `json:"version" required:"true"`
	Category   *RequestCategory `json:"category"`
	Title      *string          `json:"title"`
	Detail     *string          `json:"detail"`
	Department *string          `json:"department"`
	DueOn      *Date            `json:"due_on"`
	Amount     *Money           `json:"amount_wan"`
}

// Apply returns in with the update's fields, validated as a new request would be.
func (u RequestUpdate) Apply(in RequestInput, today Date) (RequestInput, error) {
	fe := FieldErrors{}
	if u.Version < 1 {
		fe.Add("version", "请带上当前版本号 version (required)")
	}
	if u.Category != nil {
		in.Category = *u.Category
	}
	if u.Title != nil {
		in.Title = *u.Title
	}
	if u.Detail != nil {
		in.Detail = *u.Detail
	}
	if u.Department != nil {
		in.Department = *u.Department
	}
	if u.DueOn != nil {
		in.DueOn = *u.DueOn
	}
	if u.Amount != nil {
		in.Amount = u.Amount
	}
	for k, v := range ErrorFields(in.Validate(today)) {
		fe.Add(k, v)
	}
	return in, fe.Err()
}

// RequestReplyInput is a department's answer.
type RequestReplyInput struct {
	Reply    string `json:"reply" required:"true"`
	Resolved bool   `json:"resolved"`
}

// RequestReasonInput is why a department returns a request.
type RequestReasonInput struct {
	Reason string `json:"reason" required:"true"`
}

// RequestConfirmInput is the company's satisfaction as zone staff confirm it.
type RequestConfirmInput struct {
	Satisfaction Satisfaction `json:"satisfaction" required:"true"`
	Notes        string       `json:"notes"`
}

// RequestMeetingInput records a joint meeting's (联席会议) decision on a request.
type RequestMeetingInput struct {
	Decision string `json:"decision" required:"true"`
}

// checkLongText validates a required free text of a move.
func checkLongText(field, v string) error {
	fe := FieldErrors{}
	checkText(fe, field, strings.TrimSpace(v), MaxTextLen, true)
	checkPlain(fe, field, v)
	return fe.Err()
}

// Validate checks the reply.
func (in *RequestReplyInput) Validate() error {
	in.Reply = strings.TrimSpace(in.Reply)
	return checkLongText("reply", in.Reply)
}

// Validate checks the reason.
func (in *RequestReasonInput) Validate() error {
	in.Reason = strings.TrimSpace(in.Reason)
	return checkLongText("reason", in.Reason)
}

// Validate checks the decision.
func (in *RequestMeetingInput) Validate() error {
	in.Decision = strings.TrimSpace(in.Decision)
	return checkLongText("decision", in.Decision)
}

// Validate checks the verdict.
func (in *RequestConfirmInput) Validate() error {
	fe := FieldErrors{}
	if !in.Satisfaction.Valid() {
		fe.Add("satisfaction", "满意度应为 satisfied（满意）/ basic（基本满意）/ unsatisfied（不满意）")
	}
	in.Notes = strings.TrimSpace(in.Notes)
	checkText(fe, "notes", in.Notes, MaxTextLen, false)
	checkPlain(fe, "notes", in.Notes)
	return fe.Err()
}

// RequestFilter narrows a request list; nil fields do not filter.
type RequestFilter struct {
	Status     *RequestStatus
	Department *string
	ProjectID  *int64
	Overdue    bool
}

// ServiceCounts are one department's or category's figures.
type ServiceCounts struct {
	Received int `json:"received"`
	Resolved int `json:"resolved"`
	Overdue  int `json:"overdue"`
}

// ServiceStats are the year's service figures (GET /stats/service).
type ServiceStats struct {
	Year             int                       `json:"year"`
	Received         int                       `json:"received"`
	Resolved         int                       `json:"resolved"`
	Closed           int                       `json:"closed"`
	Overdue          int                       `json:"overdue"`
	OnTimeRate       *float64                  `json:"on_time_rate" description:"share of the year's resolved requests answered by their deadline; null without any"`
	SatisfactionRate *float64                  `json:"satisfaction_rate" description:"share of confirmed requests the company was satisfied or basically satisfied with; null without any"`
	Financing        Money                     `json:"financing_wan"`
	ByDepartment     map[string]*ServiceCounts `json:"by_department"`
	ByCategory       map[string]*ServiceCounts `json:"by_category"`
	// ResolvedTitles are the titles of the year's resolved requests, in the order they
	// were solved (the annual report names them).
	ResolvedTitles []string `json:"resolved_titles"`
	// ResolvedCategories are their categories, index for index.
	ResolvedCategories []RequestCategory `json:"-"`
}

// ServiceRequestService carries requests from raising to closing. Every call sees only
// the caller's scope: zone staff the requests of projects they see, a department liaison
// those of their department; others are ENOTFOUND.
type ServiceRequestService interface {
	FindDepartments(ctx context.Context) ([]*Department, error)
	// CreateDepartment: administrators; a taken code is ECONFLICT.
	CreateDepartment(ctx context.Context, in DepartmentInput) (*Department, error)
	// CreateRequest: whoever may log activities on the project (CanLogActivity, not agents).
	CreateRequest(ctx context.Context, projectID int64, in RequestInput) (*ServiceRequestDetail, error)
	FindRequests(ctx context.Context, f RequestFilter) ([]*ServiceRequest, error)
	FindRequest(ctx context.Context, id int64) (*ServiceRequestDetail, error)
	// UpdateRequest edits an open or returned request (CanEditRequest); ECONFLICT on a stale version.
	UpdateRequest(ctx context.Context, id int64, u RequestUpdate) (*ServiceRequestDetail, error)
	// Accept, Reply and Return: the request's department's liaisons.
	AcceptRequest(ctx context.Context, id int64) (*ServiceRequestDetail, error)
	ReplyRequest(ctx context.Context, id int64, in RequestReplyInput) (*ServiceRequestDetail, error)
	ReturnRequest(ctx context.Context, id int64, in RequestReasonInput) (*ServiceRequestDetail, error)
	// Resend and Confirm: zone staff who may edit the request (CanEditRequest).
	ResendRequest(ctx context.Context, id int64) (*ServiceRequestDetail, error)
	ConfirmRequest(ctx context.Context, id int64, in RequestConfirmInput) (*ServiceRequestDetail, error)
	// RecordMeeting: the director and administrators note a joint meeting's decision.
	RecordMeeting(ctx context.Context, id int64, in RequestMeetingInput) (*ServiceRequestDetail, error)
	// ServiceStats: the year's figures within the caller's scope.
	ServiceStats(ctx context.Context, year int) (*ServiceStats, error)
}

// CanEditRequest: the project's owner, the director and administrators (zone staff who
// answer for the project) edit, resend and confirm its requests.
func CanEditRequest(a *Actor, p *RequestProject, ownerID int64) bool {
	if a == nil || a.User == nil {
		return false
	}
	return isAny(a.User, RoleAdmin, RoleDirector) || ownerID == a.User.ID
}

// InDepartment reports whether a is a liaison of the department.
func InDepartment(a *Actor, departmentID int64) bool {
	return a != nil && a.User != nil && a.User.HasRole(RoleDepartment) && a.User.DepartmentID != nil &&
		*a.User.DepartmentID == departmentID
}

// Reminder rules of requests (jobs/rules.go): the department's liaisons on the due date,
// the directors service.escalate_after_days after it.
const (
	RuleRequestDue       = "request_due"
	RuleRequestEscalated = "request_escalated"
)

func init() {
	ruleLabels[RuleRequestDue] = "企业诉求到期"
	ruleLabels[RuleRequestEscalated] = "企业诉求逾期上报"
}

// RequestFact is a pending request as the reminder rules see it.
type RequestFact struct {
	ID           int64
	DepartmentID int64
	Title        string
	Department   string // its name
	DueOn        Date
}

// Events. A domain event is something other channels (the group robots) may want to hear
// of. The event is published inside the transaction that records it (ctx carries it), so a
// sink that writes an outbox row writes it exactly when the event happened, once.
const (
	// EventRequestOverdue: a request passed its deadline without an answer (once per request).
	EventRequestOverdue = "request_overdue"
)

// Event is one domain event.
type Event struct {
	Kind      string
	ZoneID    int64
	ChainID   *int64 // the project's chain, for robots that hear one chain
	ProjectID int64
	Object    string // "request/12"
	Title     string // one line
	Text      string // a few lines of plain Chinese text
	Mentions  []int64
	At        time.Time
}

// EventSink hears domain events. Publish runs inside the event's transaction: an error
// undoes the event, so a sink should only store what it will deliver later (an outbox row).
type EventSink interface {
	Publish(ctx context.Context, e Event) error
}

// EscalationResult counts what one escalation pass did.
type EscalationResult struct {
	Overdue   int // requests newly overdue (request_overdue published)
	Escalated int // requests escalated: director told by email, a 督办 opened
}

// RequestEscalator is the reminder job's side of requests: it marks newly overdue requests
// (publishing request_overdue) and, afterDays past the deadline, tells the directors by
// email and opens a 督办 on the project — each once per request, across replicas and
// re-runs (a conditional update claims it). It acts as the system.
type RequestEscalator interface {
	EscalateRequests(ctx context.Context, now time.Time, today Date, o EscalationOptions) (EscalationResult, error)
}

// EscalationOptions: the days past the deadline before escalating
// (service.escalate_after_days), and what the emails' Message-IDs and links are made of.
type EscalationOptions struct {
	AfterDays  int
	MailDomain string
	BaseURL    string
}
