package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Jobs is the scheduled-work side of the API (issue 6): the caller's reminders and digest
// setting, and for administrators the jobs and the outbox. jobs.Service implements it.
type Jobs interface {
	domain.ReminderService
	domain.SettingsService
	JobStatuses(ctx context.Context) ([]*domain.JobStatus, error)
	// RunJob runs a job now as of at; the returned run says whether it succeeded.
	RunJob(ctx context.Context, name string, at time.Time) (*domain.JobRun, error)
	FindOutbox(ctx context.Context, f domain.OutboxFilter) ([]*domain.OutboxMessage, int, error)
}

// jobsRoutes: reminders, settings, jobs and the outbox.
func (s *Server) jobsRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/reminders", Obj: "reminder", Act: "read", Summary: "The caller's open reminders (待办), soonest due first", Out: itemList[reminderBody]{}, Handler: s.listReminders},
		{Method: http.MethodPost, Path: v1 + "/reminders/:id/done", Obj: "reminder", Act: "update", Summary: "Mark one of the caller's reminders done (a reminder whose cause is gone: 422)", Out: reminderBody{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.reminderDone},
		{Method: http.MethodPost, Path: v1 + "/reminders/:id/snooze", Obj: "reminder", Act: "update", Summary: `Snooze one of the caller's reminders: {"until":"YYYY-MM-DD"}`, Body: snoozeBody{}, Out: reminderBody{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.reminderSnooze},
		{Method: http.MethodPatch, Path: v1 + "/me/settings", Obj: "session", Act: "own", Summary: `The caller's settings: {"digest_opt_out": bool} turns the weekly email off, {"elder_mode": bool} the web app's 长辈模式 (large text) on, {"mobile": "13800000000"} the mobile the group robots @ ("" removes it); answers as GET /me`, Body: settingsBody{}, Out: Me{}, Handler: s.updateMySettings},
		{Method: http.MethodGet, Path: v1 + "/jobs", Obj: "job", Act: "read", Summary: "Scheduled jobs with schedule, next fire and last run (administrators)", Out: itemList[*domain.JobStatus]{}, Handler: s.listJobs},
		{Method: http.MethodPost, Path: v1 + "/jobs/:name/run", Obj: "job", Act: "run", Summary: `Run a job now: reminders, digest, outbox or robot_summary (the group robots' daily summary); optional {"at": RFC3339} (administrators)`, Body: runJobBody{}, Out: domain.JobRun{}, Handler: s.runJob},
		{Method: http.MethodGet, Path: v1 + "/outbox", Obj: "outbox", Act: "read", Summary: "Stored emails and group robots' messages (channel mail or robot) and their delivery, dead letters included (?status=, page, page_size; administrators)", Query: outboxQuery{}, Out: page[*domain.OutboxMessage]{}, Handler: s.listOutbox},
	}
}

// jobsService answers 500 with a clear log line when the server was built without jobs.
func (s *Server) jobsService(c *gin.Context) (Jobs, bool) {
	if s.svc.Jobs == nil {
		Abort(c, domain.Errorf(domain.EINTERNAL, "jobs not configured"))
		return nil, false
	}
	return s.svc.Jobs, true
}

// snoozeBody hides a reminder until a day.
type snoozeBody struct {
	Until domain.Date `json:"until" required:"true"`
}

// settingsBody changes the caller's settings; absent fields are unchanged.
type settingsBody struct {
	DigestOptOut *bool `json:"digest_opt_out" description:"true turns the weekly digest email off"`
	ElderMode    *bool `json:"elder_mode" description:"true turns the web app's 长辈模式 on: large text, large touch targets, higher contrast"`
	// Mobile is the caller's mobile for the group robots' @-mentions (issue 16).
	Mobile *string `json:"mobile" description:"mainland mobile number (11 digits, 1[3-9]…) the group robots @; \"\" removes it"`
}

// runJobBody optionally sets the time a job runs as of.
type runJobBody struct {
	At *string `json:"at" format:"date-time" description:"RFC3339; now when absent"`
}

// outboxQuery filters the outbox.
type outboxQuery struct {
	Status string `query:"status" enum:"pending,sending,sent,dead"`
	pageQuery
}

type reminderBody struct {
	*domain.Reminder
	RuleLabel string `json:"rule_label"`
}

func reminderJSON(r *domain.Reminder) reminderBody {
	return reminderBody{Reminder: r, RuleLabel: domain.RuleLabel(r.Rule)}
}

func (s *Server) listReminders(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	rs, err := j.FindMyReminders(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	items := make([]reminderBody, len(rs))
	for i, r := range rs {
		items[i] = reminderJSON(r)
	}
	c.JSON(http.StatusOK, listOf(items))
}

func (s *Server) reminderDone(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	id, ok := pathID(c)
	if !ok {
		return
	}
	r, err := j.MarkReminderDone(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, reminderJSON(r))
}

func (s *Server) reminderSnooze(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	id, ok := pathID(c)
	if !ok {
		return
	}
	var body snoozeBody
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	r, err := j.SnoozeReminder(c.Request.Context(), id, body.Until)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, reminderJSON(r))
}

func (s *Server) updateMySettings(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	var body settingsBody
	if err := decodeJSON(c, &body); err != nil {
		Abort(c, err)
		return
	}
	a := domain.ActorFrom(c.Request.Context())
	u := a.User
	if body.DigestOptOut != nil {
		var err error
		if u, err = j.SetDigestOptOut(c.Request.Context(), *body.DigestOptOut); err != nil {
			Abort(c, err)
			return
		}
	}
	if body.Mobile != nil {
		var err error
		if u, err = j.SetMobile(c.Request.Context(), *body.Mobile); err != nil {
			Abort(c, err)
			return
		}
	}
	if body.ElderMode != nil {
		if err := j.SetElderMode(c.Request.Context(), *body.ElderMode); err != nil {
			Abort(c, err)
			return
		}
	}
	s.writeMe(c, u, a.Zone)
}

// writeMe answers with the caller as GET /me shows them: the user, their zone and the web
// app's preferences (elder_mode).
func (s *Server) writeMe(c *gin.Context, u *domain.User, z *domain.Zone) {
	body := meBody(u, z)
	elder := false
	if s.svc.Jobs != nil {
		var err error
		if elder, err = s.svc.Jobs.ElderMode(c.Request.Context()); err != nil {
			Abort(c, err)
			return
		}
	}
	body.ElderMode = &elder
	c.JSON(http.StatusOK, body)
}

func (s *Server) listJobs(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	if !domain.IsAdmin(domain.ActorFrom(c.Request.Context())) {
		Abort(c, domain.Errorf(domain.EFORBIDDEN, "只有系统管理员可以查看任务 (administrators only)"))
		return
	}
	items, err := j.JobStatuses(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}

func (s *Server) runJob(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	at := s.opts.Clock.Now()
	if c.Request.ContentLength != 0 {
		var body runJobBody
		if err := decodeJSON(c, &body); err != nil {
			Abort(c, err)
			return
		}
		if body.At != nil && strings.TrimSpace(*body.At) != "" {
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(*body.At))
			if err != nil {
				Abort(c, &domain.Error{Code: domain.EINVALID, Message: "时间格式应为 RFC3339 (at must be RFC3339)",
					Fields: map[string]string{"at": "应为 RFC3339，例如 2023-01-16T08:30:00+08:00 (RFC3339)"}})
				return
			}
			at = t
		}
	}
	// The run outlives a client that goes away: it is cancelled only when the server stops.
	run, err := j.RunJob(context.WithoutCancel(c.Request.Context()), c.Param("name"), at)
	if run == nil && err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, run)
}

func (s *Server) listOutbox(c *gin.Context) {
	j, ok := s.jobsService(c)
	if !ok {
		return
	}
	fe := domain.FieldErrors{}
	f := domain.OutboxFilter{Page: pageParams(c, fe)}
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		switch v {
		case domain.OutboxPending, domain.OutboxSending, domain.OutboxSent, domain.OutboxDead:
			f.Status = &v
		default:
			fe.Add("status", "应为 pending / sending / sent / dead")
		}
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	items, total, err := j.FindOutbox(c.Request.Context(), f)
	if err != nil {
		Abort(c, err)
		return
	}
	p := f.Page.Normalize()
	c.JSON(http.StatusOK, page[*domain.OutboxMessage]{Items: items, Total: total, Page: p.Page, PageSize: p.PageSize})
}
