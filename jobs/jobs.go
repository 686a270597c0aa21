// Package jobs is chaincrm's scheduled work, on robfig/cron in the zone's time zone:
//
//   - reminders (hourly): the rules of rules.go walk every project through the stages and
//     keep the reminders (待办) of the right people in step — raised once per cause,
//     resolved when the cause is gone;
//   - digest (Monday 08:30): one Chinese email per person per week, composed per role and
//     within the person's scope, written to the outbox;
//   - outbox (every minute): delivers the outbox over SMTP (or into .eml files), with
//     retries, exponential backoff and a dead-letter state.
//
// The package sees the database only through the domain's store interfaces; cmd/chaincrm
// builds the Service with repository's implementations. Scheduler is the cron part, with
// the job_runs lock that makes each fire run once across replicas.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The jobs.
const (
	JobReminders = "reminders"
	JobDigest    = "digest"
	JobOutbox    = "outbox"
)

// Config configures the jobs.
type Config struct {
	Location   *time.Location
	Instance   string
	Schedules  map[string]string // job name → cron spec; empty: manual runs only
	Thresholds Thresholds
	BaseURL    string // links in emails
	MailFrom   string // its domain makes the Message-IDs
	Outbox     OutboxOptions
	Robots     domain.RobotPolicy // webhook allow-list, plain http, quiet hours (issue 16)
	Clock      domain.Clock
	Log        *slog.Logger
}

// Stores are what the jobs read and write, and what the API's side of them uses.
type Stores struct {
	Runs          domain.JobRunStore
	Reminders     domain.ReminderStore
	Digest        domain.DigestStore
	Outbox        domain.OutboxStore
	Mailer        domain.Mailer
	UserReminders domain.ReminderService
	Settings      domain.SettingsService
	// Requests escalates overdue service requests after the reminder rules (issue 15).
	Requests domain.RequestEscalator
	// The group robots (issue 16).
	RobotDelivery  domain.RobotDeliveryStore
	RobotSummary   domain.RobotSummaryStore
	RobotPublisher domain.RobotPublisher
	Idempotency    domain.IdempotencyStore // issue 20: expired idempotency keys are purged (nil: no purge job)
}

// Service is the jobs with their scheduler, and the API's view of them.
type Service struct {
	*Scheduler
	ReminderJob *ReminderJob
	DigestJob   *DigestJob
	OutboxJob   *OutboxJob
	SummaryJob  *RobotSummaryJob
	// IdempotencyJob purges expired idempotency keys (issue 20).
	IdempotencyJob *IdempotencyJob
	stores         Stores
}

// New builds the three jobs on one scheduler (not started).
func New(cfg Config, st Stores) (*Service, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = domain.SystemClock{}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if len(cfg.Robots.AllowedHosts) == 0 { // unconfigured: the platforms' hosts, quiet 21:00–08:00
		cfg.Robots, _ = domain.ParseRobotPolicy(domain.DefaultRobotHosts, cfg.Robots.AllowHTTP, "21:00-08:00")
	}
	s := &Service{Scheduler: NewScheduler(SchedulerOptions{Location: cfg.Location, Runs: st.Runs, Instance: cfg.Instance,
		Clock: cfg.Clock, Log: cfg.Log}), stores: st}
	s.ReminderJob = &ReminderJob{Store: st.Reminders, Rules: Rules{Thresholds: cfg.Thresholds.withDefaults(), Loc: cfg.Location},
		Requests: st.Requests, Escalation: domain.EscalationOptions{AfterDays: cfg.Thresholds.withDefaults().RequestEscalateDays,
			MailDomain: MailDomain(cfg.MailFrom), BaseURL: cfg.BaseURL}}
	s.DigestJob = &DigestJob{Store: st.Digest, Outbox: st.Outbox, Opts: DigestOptions{BaseURL: cfg.BaseURL,
		MailDomain: MailDomain(cfg.MailFrom), Loc: cfg.Location, Thresholds: cfg.Thresholds.withDefaults()}}
	s.OutboxJob = &OutboxJob{Store: st.Outbox, Mailer: st.Mailer, Opts: cfg.Outbox, Log: cfg.Log, Clock: cfg.Clock,
		Robots: RobotOptions{Store: st.RobotDelivery, Policy: cfg.Robots, BaseURL: cfg.BaseURL}}
	s.SummaryJob = &RobotSummaryJob{Store: st.RobotSummary, Publisher: st.RobotPublisher, Loc: cfg.Location}
	s.ReminderJob.Summary = s.SummaryJob
	if st.RobotPublisher != nil {
		s.DigestJob.Robots = st.RobotPublisher
	}
	for _, j := range []struct {
		name, label string
		fn          Func
	}{
		{JobReminders, "待办提醒 (reminders)", s.ReminderJob.Run},
		{JobDigest, "每周简报 (weekly digest)", s.DigestJob.Run},
		{JobOutbox, "邮件与群机器人消息发送 (outbox)", s.OutboxJob.Run},
		{JobRobotSummary, "群机器人每日待办摘要 (robots' daily summary)", s.SummaryJob.Run},
	} {
		if err := s.Register(j.name, j.label, cfg.Schedules[j.name], j.fn); err != nil {
			return nil, err
		}
	}
	if st.Idempotency != nil { // issue 20, offline visits
		s.IdempotencyJob = &IdempotencyJob{Store: st.Idempotency}
		if err := s.Register(JobIdempotency, "幂等键清理 (idempotency keys)", cfg.Schedules[JobIdempotency], s.IdempotencyJob.Run); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// The API's side (api.Jobs).

// JobStatuses lists the jobs for administrators.
func (s *Service) JobStatuses(ctx context.Context) ([]*domain.JobStatus, error) { return s.Status(ctx) }

// RunJob runs a job now as of at for the acting administrator.
func (s *Service) RunJob(ctx context.Context, name string, at time.Time) (*domain.JobRun, error) {
	who := "system"
	if a := domain.ActorFrom(ctx); a != nil && a.User != nil {
		if !domain.IsAdmin(a) {
			return nil, domain.Errorf(domain.EFORBIDDEN, "只有系统管理员可以运行任务 (administrators only)")
		}
		who = a.User.Username
	}
	return s.Run(ctx, name, at, who)
}

// FindOutbox lists the outbox (administrators).
func (s *Service) FindOutbox(ctx context.Context, f domain.OutboxFilter) ([]*domain.OutboxMessage, int, error) {
	return s.stores.Outbox.FindOutbox(ctx, f)
}

// DeliverRobotNow sends one robot message (a robot's test) at once.
func (s *Service) DeliverRobotNow(ctx context.Context, outboxID int64) (*domain.RobotTestResult, error) {
	return s.OutboxJob.DeliverNow(ctx, outboxID)
}

// FindMyReminders lists the caller's live reminders.
func (s *Service) FindMyReminders(ctx context.Context) ([]*domain.Reminder, error) {
	return s.stores.UserReminders.FindMyReminders(ctx)
}

// MarkReminderDone closes one of the caller's reminders.
func (s *Service) MarkReminderDone(ctx context.Context, id int64) (*domain.Reminder, error) {
	return s.stores.UserReminders.MarkReminderDone(ctx, id)
}

// SnoozeReminder hides one of the caller's reminders until a later day.
func (s *Service) SnoozeReminder(ctx context.Context, id int64, until domain.Date) (*domain.Reminder, error) {
	return s.stores.UserReminders.SnoozeReminder(ctx, id, until)
}

// SetDigestOptOut turns the caller's weekly email off or on.
func (s *Service) SetDigestOptOut(ctx context.Context, optOut bool) (*domain.User, error) {
	return s.stores.Settings.SetDigestOptOut(ctx, optOut)
}

// SetElderMode turns the caller's 长辈模式 on or off.
func (s *Service) SetElderMode(ctx context.Context, on bool) error {
	return s.stores.Settings.SetElderMode(ctx, on)
}

// SetMobile sets the caller's mobile for the group robots' @-mentions.
func (s *Service) SetMobile(ctx context.Context, mobile string) (*domain.User, error) {
	return s.stores.Settings.SetMobile(ctx, mobile)
}

// ElderMode tells whether the caller has 长辈模式 on.
func (s *Service) ElderMode(ctx context.Context) (bool, error) {
	return s.stores.Settings.ElderMode(ctx)
}

// ReminderJob keeps reminders in step with the projects.
type ReminderJob struct {
	Store domain.ReminderStore
	Rules Rules
	Batch int // projects per batch and transaction (2000)
	// Requests, when set, marks overdue service requests and escalates them (a 督办 and the
	// directors' email) after the rules, each once (issue 15).
	Requests   domain.RequestEscalator
	Escalation domain.EscalationOptions
	// Summary, when set, publishes the robots' daily summary from the first run on a workday
	// at or after 08:30 zone time (once a day: the summary's key is its day).
	Summary *RobotSummaryJob
}

// Run evaluates every project as of at and reconciles the reminders batch by batch.
func (j *ReminderJob) Run(ctx context.Context, at time.Time) (string, error) {
	today := domain.DateOf(at, j.Rules.Loc)
	now := at.UTC()
	rcpt, err := j.Store.ReminderRecipients(ctx)
	if err != nil {
		return "", err
	}
	woken, err := j.Store.WakeSnoozed(ctx, today)
	if err != nil {
		return "", err
	}
	batch := j.Batch
	if batch <= 0 {
		batch = 2000
	}
	var total domain.ReminderSync
	scanned, live := 0, 0
	err = j.Store.EachReminderBatch(ctx, batch, func(facts []*domain.ReminderFacts) error {
		ids := make([]int64, len(facts))
		var want []*domain.WantedReminder
		for i, f := range facts {
			ids[i] = f.ProjectID
			want = append(want, j.Rules.Evaluate(f, today, rcpt[f.ZoneID])...)
		}
		scanned += len(facts)
		live += len(want)
		res, err := j.Store.SyncReminders(ctx, ids, want, now)
		total.Raised += res.Raised
		total.Reopened += res.Reopened
		total.Resolved += res.Resolved
		return err
	})
	if err == nil && j.Summary != nil && Workday(today) {
		if lt := at.In(j.Rules.Loc); lt.Hour()*60+lt.Minute() >= 8*60+30 {
			if _, err = j.Summary.Run(ctx, at); err != nil {
				return "", err
			}
		}
	}
	detail := fmt.Sprintf("%s：扫描项目%d个，应有待办%d项，新增%d项，重新打开%d项，自动消除%d项，到期唤醒%d项 (scanned %d, due %d, raised %d, reopened %d, resolved %d, woken %d)",
		today, scanned, live, total.Raised, total.Reopened, total.Resolved, woken, scanned, live, total.Raised, total.Reopened, total.Resolved, woken)
	if err != nil || j.Requests == nil {
		return detail, err
	}
	esc, err := j.Requests.EscalateRequests(ctx, now, today, j.Escalation)
	detail += fmt.Sprintf("；企业诉求新逾期%d件，上报督办%d件 (requests overdue %d, escalated %d)", esc.Overdue, esc.Escalated, esc.Overdue, esc.Escalated)
	return detail, err
}

// ReplayReminders runs the reminder rules as the hourly job would have run them before at
// — weekly from eight weeks back, daily over the last two weeks, at 08:00 zone time — and
// then as of at, so that each reminder is raised on (about) the day its rule first held.
// A freshly loaded demo (repository.SeedDemoPresent) uses it: its to-do lists then show
// what a zone mid-year holds, and the first digest tells this week's news from the older
// backlog. The runs are not recorded in job_runs. It returns how many runs it made.
func (s *Service) ReplayReminders(ctx context.Context, at time.Time) (int, error) {
	loc := s.ReminderJob.Rules.Loc
	if loc == nil {
		loc = time.UTC
	}
	today := domain.DateOf(at, loc)
	var days []int
	for d := 56; d > 14; d -= 7 {
		days = append(days, d)
	}
	for d := 14; d >= 1; d-- {
		days = append(days, d)
	}
	runs := 0
	for _, d := range days {
		t := today.AddDays(-d).Time()
		if _, err := s.ReminderJob.Run(ctx, time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, loc)); err != nil {
			return runs, err
		}
		runs++
	}
	_, err := s.ReminderJob.Run(ctx, at)
	return runs + 1, err
}
