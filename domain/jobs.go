package domain

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Scheduled work: reminders (待办) raised by the rules in jobs/, the weekly digest (每周简报)
// and the outbox that delivers every email. The types below are what jobs/ computes on and
// what repository/ stores; jobs/ never sees the database.

// Reminder rules. A reminder is keyed by (rule, project, person, period): the period names
// the occurrence of the cause (the day a project went quiet, the day it entered a stage, a
// milestone's planned date, an activity), so re-running the rules never raises one twice,
// and a new occurrence of the same cause raises a new reminder.
const (
	RuleLeadIdle           = "lead_idle"           // lead/identification without activity (owner)
	RuleLeadEscalated      = "lead_escalated"      // … past the escalation threshold (chain chief)
	RuleIdentificationOpen = "identification_open" // identification open too long (owner)
	RuleRiskOverdue        = "risk_overdue"        // risk assessment not in (owner)
	RuleRiskEscalated      = "risk_escalated"      // … past the escalation threshold (chain chief)
	RuleDecisionPending    = "decision_pending"    // decision waiting (chain chief; director without one)
	RuleDecisionEscalated  = "decision_escalated"  // … past the escalation threshold (director)
	RuleMilestoneDue       = "milestone_due"       // milestone within the window (owner)
	RuleMilestoneOverdue   = "milestone_overdue"   // milestone overdue (owner and chain chief)
	RuleServiceIdle        = "service_idle"        // follow-up project without a service visit (owner)
	RuleNextStepDue        = "next_step_due"       // an activity's next step falls due (its author)
)

var ruleLabels = map[string]string{
	RuleLeadIdle: "洽谈无进展", RuleLeadEscalated: "洽谈长期无进展（上报）", RuleIdentificationOpen: "项目识别超期",
	RuleRiskOverdue: "风险评估未提交", RuleRiskEscalated: "风险评估长期未提交（上报）", RuleDecisionPending: "落地决策待定",
	RuleDecisionEscalated: "决策超期上报", RuleMilestoneDue: "里程碑临近", RuleMilestoneOverdue: "里程碑逾期",
	RuleServiceIdle: "跟踪服务待走访", RuleNextStepDue: "下一步工作到期",
}

// RuleLabel is a rule's Chinese name ("" for an unknown rule).
func RuleLabel(rule string) string { return ruleLabels[rule] }

// Reminder states. Open and snoozed reminders are live; done is the user's word, resolved
// the scheduler's (the cause is gone). A snoozed reminder wakes up on its snooze date.
const (
	ReminderOpen     = "open"
	ReminderSnoozed  = "snoozed"
	ReminderDone     = "done"
	ReminderResolved = "resolved"
)

// ReminderService is what a user does with their own reminders. Every method sees only
// the caller's reminders on projects within the caller's scope; others are ENOTFOUND.
type ReminderService interface {
	// FindMyReminders lists the caller's live reminders (open, or snoozed until today or
	// earlier), soonest due first.
	FindMyReminders(ctx context.Context) ([]*Reminder, error)
	// MarkReminderDone closes a reminder; the same cause never raises it again.
	MarkReminderDone(ctx context.Context, id int64) (*Reminder, error)
	// SnoozeReminder hides a live reminder until a later day (EINVALID for today or
	// earlier, or more than 180 days ahead).
	SnoozeReminder(ctx context.Context, id int64, until Date) (*Reminder, error)
}

// SettingsService changes the caller's own settings.
type SettingsService interface {
	// SetDigestOptOut turns the weekly email off (true) or on for the caller.
	SetDigestOptOut(ctx context.Context, optOut bool) (*User, error)
	// SetElderMode turns the caller's 长辈模式 (large text, large touch targets, higher
	// contrast in the web app) on or off.
	SetElderMode(ctx context.Context, on bool) error
	// ElderMode tells whether the caller has 长辈模式 on (off until set).
	ElderMode(ctx context.Context) (bool, error)
	// SetMobile sets the caller's mobile for the group robots' @-mentions (issue 16): a
	// mainland mobile number, or "" to remove it (EINVALID naming "mobile" otherwise).
	SetMobile(ctx context.Context, mobile string) (*User, error)
}

// NextStep is an activity's promised next step with its due date.
type NextStep struct {
	ActivityID int64
	AuthorID   int64
	Due        Date
	Text       string
}

// ReminderFacts is what the reminder rules need to know about one project.
type ReminderFacts struct {
	ProjectID         int64
	ZoneID            int64
	ChainID           *int64
	OwnerID           int64
	Stage             Stage
	StageEnteredAt    time.Time
	LastProgressAt    time.Time
	LastActivity      Date // the latest activity's day (any kind)
	LastService       Date // the latest service visit's day
	HasRiskAssessment bool
	DecisionOutcome   string
	SignedAt          Date
	Milestones        Milestones
	NextStep          *NextStep // the latest activity's next step, when it has a due date
	Deleted           bool
	// Requests are the project's pending service requests (issue 15).
	Requests []RequestFact
}

// ZoneRecipients says who may receive a zone's reminders: enabled users only.
type ZoneRecipients struct {
	Directors []int64           // users holding the director role
	Chiefs    map[int64][]int64 // chain id → its chiefs
	Active    map[int64]bool    // enabled users
	// Departments: department id → its liaisons (issue 15).
	Departments map[int64][]int64
}

// WantedReminder is a reminder the rules call for now; Period names the occurrence of its
// cause (see the rules above).
type WantedReminder struct {
	ZoneID    int64
	ProjectID int64
	UserID    int64
	Rule      string
	Period    string
	Message   string
	Due       Date
}

// Key is the reminder's identity: the same key is never raised twice.
func (w *WantedReminder) Key() string {
	return fmt.Sprintf("%s|%d|%d|%s", w.Rule, w.ProjectID, w.UserID, w.Period)
}

// ReminderSync counts what one reconciliation changed.
type ReminderSync struct {
	Raised, Reopened, Resolved int
}

// ReminderStore is the reminder job's access to the database.
type ReminderStore interface {
	// ReminderRecipients returns every zone's directors, chain chiefs and enabled users.
	ReminderRecipients(ctx context.Context) (map[int64]*ZoneRecipients, error)
	// EachReminderBatch walks every project of every zone (deleted and dropped ones
	// included, so that their reminders resolve) in batches of about size, in id order.
	EachReminderBatch(ctx context.Context, size int, fn func([]*ReminderFacts) error) error
	// SyncReminders makes the live reminders of the given projects exactly want: new keys
	// are raised, resolved ones whose cause came back are reopened, live ones not wanted
	// are resolved. Done and snoozed reminders are left to their owner. One transaction.
	SyncReminders(ctx context.Context, projectIDs []int64, want []*WantedReminder, now time.Time) (ReminderSync, error)
	// WakeSnoozed reopens snoozed reminders whose snooze date has come.
	WakeSnoozed(ctx context.Context, today Date) (int, error)
}

// Job run states.
const (
	JobRunning = "running"
	JobOK      = "ok"
	JobFailed  = "failed"
)

// JobRun is one run of a scheduled job, as recorded in job_runs.
type JobRun struct {
	ID         int64      `json:"id"`
	Job        string     `json:"job"`
	FireAt     time.Time  `json:"fire_at"`
	AsOf       time.Time  `json:"as_of"`
	Instance   string     `json:"instance"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Status     string     `json:"status"`
	Detail     string     `json:"detail"`
}

// JobStatus describes a job for administrators.
type JobStatus struct {
	Name      string     `json:"name"`
	Label     string     `json:"label"`
	Schedule  string     `json:"schedule"`
	Enabled   bool       `json:"enabled"` // scheduled in this process
	Running   bool       `json:"running"` // running in this process now
	NextRunAt *time.Time `json:"next_run_at"`
	LastRunAt *time.Time `json:"last_run_at"`
	LastRun   *JobRun    `json:"last_run"`
}

// JobRunStore records job runs; ClaimRun is the lock that makes a scheduled run happen
// once across replicas.
type JobRunStore interface {
	// ClaimRun inserts the run (job, fireAt); ok is false, with no error, when another
	// instance inserted it first.
	ClaimRun(ctx context.Context, run *JobRun) (ok bool, err error)
	// FinishRun records the outcome of a claimed run.
	FinishRun(ctx context.Context, id int64, status, detail string, finished time.Time) error
	// LastRuns returns the newest run of each job.
	LastRuns(ctx context.Context) (map[string]*JobRun, error)
}

// Mail is one email to one person. MessageID is deterministic (the same email always has
// the same id), so writing it twice stores it once and receivers can tell repeats.
type Mail struct {
	ZoneID    int64
	MessageID string // without angle brackets: local@domain
	To        string // a bare address, user@example.cn
	Subject   string
	Text      string
	HTML      string
}

// CleanHeader makes a header value safe: line breaks and other control characters become
// spaces, so no value can start a header of its own.
func CleanHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// CheckMailAddress accepts one bare address (user@host) and nothing else: no display name, no
// list, no line breaks, no header syntax. It returns the address as it must be used.
func CheckMailAddress(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n\t<>,;\"") || strings.TrimSpace(s) != s || s == "" || len(s) > 200 {
		return "", errors.New("收件地址无效 (malformed address)")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", errors.New("收件地址无效 (malformed address)")
	}
	local, host, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", errors.New("收件地址无效 (malformed address)")
	}
	return a.Address, nil
}

var messageIDPattern = regexp.MustCompile(`^[A-Za-z0-9._+\-]{1,100}@[A-Za-z0-9.\-]{1,90}$`)

// ValidMessageID reports whether id (without angle brackets) is a safe Message-ID.
func ValidMessageID(id string) bool { return messageIDPattern.MatchString(id) }

// Outbox states: pending → sending (claimed, with a lease) → sent; after the last attempt,
// or at once for a permanent failure such as a malformed address, dead.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxDead    = "dead"
)

// OutboxMessage is a stored email and its delivery state.
type OutboxMessage struct {
	ID            int64      `json:"id"`
	ZoneID        int64      `json:"-"`
	Channel       string     `json:"channel" enum:"mail,robot" description:"mail, or robot: a group robot's message (issue 16)"`
	RobotID       *int64     `json:"robot_id" description:"the group robot, for channel robot"`
	Event         string     `json:"event" description:"the robot event (decision_waiting, supervision, request_overdue, daily_summary, weekly_digest, test); \"\" for mail"`
	MessageID     string     `json:"message_id"`
	To            string     `json:"to"`
	Subject       string     `json:"subject"`
	Text          string     `json:"-"`
	HTML          string     `json:"-"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
}

// OutboxFilter narrows the administrators' outbox list.
type OutboxFilter struct {
	Status *string
	Page
}

// Outbox channels.
const (
	ChannelMail  = "mail"
	ChannelRobot = "robot"
)

// OutboxStore is the transactional outbox.
type OutboxStore interface {
	// Enqueue stores m in the transaction carried by ctx, so that the email exists exactly
	// when the event that caused it does. created is false when m.MessageID is already
	// stored. A malformed recipient is stored dead at once, never sent.
	Enqueue(ctx context.Context, m *Mail) (created bool, err error)
	// EnqueueAll is Enqueue for many emails in one transaction (the caller's, or its own);
	// it returns how many were new.
	EnqueueAll(ctx context.Context, ms []*Mail) (created int, err error)
	// ClaimOutbox takes up to limit messages due at now (pending, or sending with an
	// expired lease), marks them sending until now+lease and counts the attempt.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*OutboxMessage, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// MarkFailed records a failed attempt: dead, or pending again at next.
	MarkFailed(ctx context.Context, id int64, next time.Time, errText string, dead bool) error
	// ClaimOutboxID claims one message (as ClaimOutbox) whatever its due time, unless it is
	// sent, dead or claimed by another sender: nil then.
	ClaimOutboxID(ctx context.Context, id int64, now time.Time, lease time.Duration) (*OutboxMessage, error)
	// Defer puts a claimed message back, due at next, without counting the attempt (quiet
	// hours, a robot's rate limit).
	Defer(ctx context.Context, id int64, next time.Time) error
	// FindOutbox lists stored emails, newest first; administrators only.
	FindOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxMessage, int, error)
}

// Mailer delivers one email.
type Mailer interface {
	Send(ctx context.Context, m *Mail) error
}

// DigestProject is a project as the weekly digest shows it.
type DigestProject struct {
	ID                int64
	Name              string
	ChainID           *int64
	Channel           Channel
	AssetType         AssetType
	Stage             Stage
	OwnerID           int64
	CreatedByID       int64
	PlannedInvestment Money
	DockedAt          Date
	SignedAt          Date
	StageEnteredAt    time.Time
	HasRiskAssessment bool
	DecisionOutcome   string
	Milestones        Milestones
}

// StageMove is one stage change in the digest's week.
type StageMove struct {
	ProjectID int64
	At        time.Time
	Actor     string
	From, To  Stage
}

// DigestDecision is a landing decision taken in the digest's news window.
type DigestDecision struct {
	ProjectID int64
	At        time.Time
	Outcome   string // approved, rejected
	Decider   string // display name
	Notes     string
}

// DigestSupervision is a 督办 issued in the digest's news window.
type DigestSupervision struct {
	ProjectID   int64
	At          time.Time
	Issuer      string // display name
	Instruction string
	Due         Date
}

// DigestData is everything one zone's weekly digest is composed from. The news window is
// (From, To]: everything since the previous digest (see DigestStore.DigestRuns).
type DigestData struct {
	Zone         *Zone
	Users        []*User // enabled users with roles and chains
	Chains       []*Chain
	Projects     []*DigestProject     // not deleted
	Moves        []*StageMove         // stage changes in (From, To]
	Decisions    []*DigestDecision    // landing decisions taken in (From, To]
	Supervisions []*DigestSupervision // 督办 issued in (From, To]
	Reminders    []*Reminder          // live reminders (open, or snoozed until today or earlier); CreatedAt in (From, To] is news
	Targets      []*Target            // the year's targets with progress (-1: not computable)
}

// DigestStore loads what the weekly digest needs.
type DigestStore interface {
	DigestZones(ctx context.Context) ([]*Zone, error)
	// DigestData reads a zone; from and to bound the news window (from, to].
	DigestData(ctx context.Context, zoneID int64, from, to time.Time, today Date) (*DigestData, error)
	// DigestRuns lists the as-of moments of the successful digest runs (job_runs) before
	// before, newest first, at most limit: where "since the last digest" starts.
	DigestRuns(ctx context.Context, before time.Time, limit int) ([]time.Time, error)
}
