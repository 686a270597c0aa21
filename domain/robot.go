package domain

import (
	"context"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Group robots (群机器人, issue 16): WeCom (企业微信) and DingTalk (钉钉) group webhooks that
// hear the zone's events. An administrator registers a robot for the whole zone or for one
// chain and picks the events it hears; anything in the zone publishes an event with one
// call (RobotPublisher.PublishRobotEvent) in its own transaction, which writes one outbox
// row per listening robot; the outbox job renders the platform's JSON and posts it.

// Robot platforms.
const (
	RobotWeCom    = "wecom"
	RobotDingTalk = "dingtalk"
)

// Robot events.
const (
	RobotEventDecisionWaiting = "decision_waiting" // a project of the chain enters decision (@ its chain chiefs)
	RobotEventSupervision     = "supervision"      // a 督办 is opened (@ the project's owner)
	RobotEventRequestOverdue  = "request_overdue"  // a service request is overdue (@ the department's liaisons)
	RobotEventDailySummary    = "daily_summary"    // workdays 08:30: the chain's open reminders
	RobotEventWeeklyDigest    = "weekly_digest"    // Monday: the week in numbers
)

// RobotEvents are the events in the order the web page lists them.
var RobotEvents = []string{RobotEventDecisionWaiting, RobotEventSupervision, RobotEventRequestOverdue,
	RobotEventDailySummary, RobotEventWeeklyDigest}

var robotEventLabels = map[string]string{
	RobotEventDecisionWaiting: "项目待决策", RobotEventSupervision: "督办", RobotEventRequestOverdue: "企业诉求逾期",
	RobotEventDailySummary: "每日待办摘要", RobotEventWeeklyDigest: "每周简报",
}

// RobotEventLabel is an event's Chinese name ("" for an unknown event).
func RobotEventLabel(ev string) string { return robotEventLabels[ev] }

// QuietEvent reports whether quiet hours hold messages of ev (the summaries); every other
// event goes out at once.
func QuietEvent(ev string) bool {
	return ev == RobotEventDailySummary || ev == RobotEventWeeklyDigest
}

// Robot is a group robot as administrators see it; the secret never leaves the server.
type Robot struct {
	ID        int64     `json:"id"`
	ZoneID    int64     `json:"-"`
	Kind      string    `json:"kind" enum:"wecom,dingtalk"`
	Name      string    `json:"name"`
	Webhook   string    `json:"webhook"`
	Secret    string    `json:"-"`
	HasSecret bool      `json:"has_secret" description:"a signing secret is set (DingTalk 加签); the secret itself is never returned"`
	ChainID   *int64    `json:"-"`
	Chain     *string   `json:"chain" description:"the chain's code; null: the whole zone"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RobotInput creates a robot, or (with pointer fields left nil) edits one.
type RobotInput struct {
	Kind    *string   `json:"kind" enum:"wecom,dingtalk"`
	Name    *string   `json:"name"`
	Webhook *string   `json:"webhook"`
	Secret  *string   `json:"secret" description:"DingTalk 加签 secret (SEC…); \"\" removes it; write-only"`
	Chain   *string   `json:"chain" description:"a chain code; null or \"\" for the whole zone"`
	Events  *[]string `json:"events"`
	// ChainSet tells an edit that chain was present in the body (null included).
	ChainSet bool `json:"-"`
}

// RobotPolicy is what the deployment allows robots to do: the webhook hosts (against
// request forgery towards internal addresses), plain http, and the quiet hours.
type RobotPolicy struct {
	AllowedHosts []string // "host" (any port) or "host:port", lower case
	AllowHTTP    bool
	QuietFrom    int // minutes after midnight, zone time (21:00 → 1260)
	QuietTo      int // (08:00 → 480); QuietFrom == QuietTo: no quiet hours
}

// DefaultRobotHosts are the platforms' webhook hosts.
const DefaultRobotHosts = "qyapi.weixin.qq.com,oapi.dingtalk.com"

// ParseRobotPolicy reads the configuration's strings: hosts comma-separated, quiet hours
// "21:00-08:00" ("" or "off": none).
func ParseRobotPolicy(hosts string, allowHTTP bool, quiet string) (RobotPolicy, error) {
	p := RobotPolicy{AllowHTTP: allowHTTP}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			p.AllowedHosts = append(p.AllowedHosts, h)
		}
	}
	quiet = strings.TrimSpace(quiet)
	if quiet == "" || strings.EqualFold(quiet, "off") {
		return p, nil
	}
	from, to, ok := strings.Cut(quiet, "-")
	f, err1 := clockMinutes(from)
	t, err2 := clockMinutes(to)
	if !ok || err1 != nil || err2 != nil {
		return p, Errorf(EINVALID, "免打扰时段格式应为 21:00-08:00 (robots quiet hours %q)", quiet)
	}
	p.QuietFrom, p.QuietTo = f, t
	return p, nil
}

func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, Errorf(EINVALID, "bad time %q", s)
	}
	return hh*60 + mm, nil
}

// QuietUntil tells whether t falls in the quiet hours (in loc) and, if so, when they end.
func (p RobotPolicy) QuietUntil(t time.Time, loc *time.Location) (time.Time, bool) {
	if p.QuietFrom == p.QuietTo {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	end := func(dayOffset int) time.Time {
		return midnight.AddDate(0, 0, dayOffset).Add(time.Duration(p.QuietTo) * time.Minute)
	}
	if p.QuietFrom < p.QuietTo { // e.g. 12:00-14:00
		if m >= p.QuietFrom && m < p.QuietTo {
			return end(0), true
		}
		return time.Time{}, false
	}
	switch { // across midnight, e.g. 21:00-08:00
	case m >= p.QuietFrom:
		return end(1), true
	case m < p.QuietTo:
		return end(0), true
	}
	return time.Time{}, false
}

// CheckWebhook accepts an https (or, when allowed, http) URL whose host is on the
// allow-list; the error says why not.
func (p RobotPolicy) CheckWebhook(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return Errorf(EINVALID, "Webhook 地址无效 (malformed URL)")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !p.AllowHTTP {
			return Errorf(EINVALID, "Webhook 地址须以 https:// 开头 (plain http is not allowed)")
		}
	default:
		return Errorf(EINVALID, "Webhook 地址须以 https:// 开头 (scheme %q)", u.Scheme)
	}
	if u.User != nil {
		return Errorf(EINVALID, "Webhook 地址不能含用户名或密码 (no userinfo)")
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	for _, a := range p.AllowedHosts {
		ah, ap, err := net.SplitHostPort(a)
		if err != nil { // a bare host: any port
			if strings.Trim(a, "[]") == host {
				return nil
			}
			continue
		}
		if strings.ToLower(ah) == host && ap == port {
			return nil
		}
	}
	return Errorf(EINVALID, "Webhook 主机 %s 不在允许列表中（CHAINCRM_ROBOTS_ALLOWED_HOSTS）(host not allowed)", u.Host)
}

// Validate checks a new robot (create is true: kind, name, webhook and events required) or
// an edit; the webhook against policy. Errors name the field.
func (in *RobotInput) Validate(create bool, p RobotPolicy) error {
	fe := FieldErrors{}
	if in.Kind != nil {
		*in.Kind = strings.TrimSpace(*in.Kind)
		if *in.Kind != RobotWeCom && *in.Kind != RobotDingTalk {
			fe.Add("kind", "应为 wecom（企业微信）或 dingtalk（钉钉）")
		}
	} else if create {
		fe.Add("kind", "请选择平台：wecom（企业微信）或 dingtalk（钉钉）")
	}
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		switch {
		case *in.Name == "":
			fe.Add("name", "请填写机器人名称")
		case len([]rune(*in.Name)) > 100:
			fe.Add("name", "名称不能超过100个字")
		case HasControlChars(*in.Name):
			fe.Add("name", "名称不能含控制字符")
		}
	} else if create {
		fe.Add("name", "请填写机器人名称")
	}
	if in.Webhook != nil {
		*in.Webhook = strings.TrimSpace(*in.Webhook)
		switch {
		case *in.Webhook == "":
			fe.Add("webhook", "请填写 Webhook 地址")
		case len(*in.Webhook) > 1000:
			fe.Add("webhook", "Webhook 地址过长（最多1000字符）")
		default:
			if err := p.CheckWebhook(*in.Webhook); err != nil {
				fe.Add("webhook", ErrorMessage(err))
			}
		}
	} else if create {
		fe.Add("webhook", "请填写 Webhook 地址")
	}
	if in.Secret != nil {
		*in.Secret = strings.TrimSpace(*in.Secret)
		if len(*in.Secret) > 200 || HasControlChars(*in.Secret) {
			fe.Add("secret", "加签密钥无效（最多200字符）")
		}
	}
	if in.Chain != nil {
		*in.Chain = strings.TrimSpace(*in.Chain)
	}
	if in.Events != nil {
		seen := map[string]bool{}
		var evs []string
		for _, e := range *in.Events {
			e = strings.TrimSpace(e)
			if robotEventLabels[e] == "" {
				fe.Add("events", "未知事件 "+e+"；可选 decision_waiting、supervision、request_overdue、daily_summary、weekly_digest")
				break
			}
			if !seen[e] {
				seen[e] = true
				evs = append(evs, e)
			}
		}
		sort.SliceStable(evs, func(i, j int) bool { return eventOrder(evs[i]) < eventOrder(evs[j]) })
		if evs == nil {
			evs = []string{}
		}
		*in.Events = evs
	} else if create {
		empty := []string{}
		in.Events = &empty
	}
	return fe.Err()
}

func eventOrder(e string) int {
	for i, v := range RobotEvents {
		if v == e {
			return i
		}
	}
	return len(RobotEvents)
}

// HasControlChars reports control characters (other than tab and newline) and bidi overrides.
func HasControlChars(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return true
		}
	}
	return false
}

// Robot event audiences: who hears an event of a chain.
const (
	// AudienceChainAndZone (the default): the chain's robots and the zone-wide ones.
	AudienceChainAndZone = ""
	// AudienceChain: the chain's robots only (a chain's summary).
	AudienceChain = "chain"
	// AudienceZone: the zone-wide robots only (the zone's summary).
	AudienceZone = "zone"
)

// RobotEvent is one thing to say in the groups. Key names the occurrence (the same key is
// delivered once per robot however often it is published); the message is short Chinese
// markdown (headings, bold, links and quotes render on both platforms).
type RobotEvent struct {
	ZoneID   int64
	Event    string // one of RobotEvents
	Key      string // e.g. "decision_waiting:project:12:2023-01-16T02:00:00Z"
	ChainID  *int64 // nil: a zone-wide event (only zone-wide robots hear it)
	Audience string // see the Audience constants
	Title    string // one line, plain text
	Markdown string // the body, without the title
	Link     string // a path in the web app ("/projects/12"), made absolute when sent
	// MentionUserIDs are the people to @ by the mobile in their settings (users without a
	// mobile, or disabled, are named in the text only).
	MentionUserIDs []int64
}

// RobotNote is what the outbox stores of an event for one robot: rendered into the
// platform's JSON when it is sent.
type RobotNote struct {
	Event    string   `json:"event"`
	Title    string   `json:"title"`
	Markdown string   `json:"markdown"`
	Link     string   `json:"link,omitempty"`
	Mobiles  []string `json:"mobiles,omitempty"`
}

// RobotPublisher is the one call that tells the groups: it writes one outbox message per
// robot that hears ev (its chain's and the zone-wide robots subscribed to ev.Event) in the
// transaction carried by ctx, so the message exists exactly when the event does. Publishing
// the same ev.Key again writes nothing. It returns how many messages were written.
type RobotPublisher interface {
	PublishRobotEvent(ctx context.Context, ev *RobotEvent) (int, error)
}

// RobotService is the administrators' management of the zone's robots. Every method is for
// administrators only (EFORBIDDEN otherwise); robots of other zones are ENOTFOUND.
type RobotService interface {
	FindRobots(ctx context.Context) ([]*Robot, error)
	FindRobot(ctx context.Context, id int64) (*Robot, error)
	// CreateRobot stores a validated robot (RobotInput.Validate first).
	CreateRobot(ctx context.Context, in RobotInput) (*Robot, error)
	UpdateRobot(ctx context.Context, id int64, in RobotInput) (*Robot, error)
	DeleteRobot(ctx context.Context, id int64) error
	// EnqueueRobotTest writes a test message for the robot into the outbox (audited) and
	// returns the outbox message's id; the API then has it delivered at once.
	EnqueueRobotTest(ctx context.Context, id int64) (outboxID int64, err error)
}

// RobotTestResult is the outcome of a test message.
type RobotTestResult struct {
	OK        bool   `json:"ok"`
	Status    string `json:"status" enum:"sent,pending,dead" description:"the test message's outbox status"`
	Error     string `json:"error" description:"why it failed (the platform's errcode and errmsg, or the network error)"`
	MessageID string `json:"message_id"`
}

// RobotTarget is a robot as the outbox sends to it.
type RobotTarget struct {
	ID       int64
	ZoneID   int64
	Kind     string
	Name     string
	Webhook  string
	Secret   string
	Location *time.Location // the zone's time zone (quiet hours)
}

// RobotDeliveryStore is the outbox job's access to robots.
type RobotDeliveryStore interface {
	// RobotTarget loads a robot by id (ENOTFOUND when deleted).
	RobotTarget(ctx context.Context, id int64) (*RobotTarget, error)
	// RobotSentSince lists when robot's messages were sent at or after since, oldest first.
	RobotSentSince(ctx context.Context, robotID int64, since time.Time) ([]time.Time, error)
}

// SummaryReminder is one live reminder as the robots' daily summary names it.
type SummaryReminder struct {
	ZoneID      int64
	ChainID     *int64
	ChainName   string
	ProjectID   int64
	ProjectName string
	Person      string // display name of the reminder's holder
	Rule        string
	Due         Date
}

// RobotSummaryStore loads what the daily summary says.
type RobotSummaryStore interface {
	// SummaryReminders lists every zone's live reminders (open, or snoozed until today or
	// earlier) on projects not deleted, soonest due first.
	SummaryReminders(ctx context.Context, today Date) ([]*SummaryReminder, error)
}

// CheckUserMobile normalises a user's mobile (spaces, dashes, +86 removed): a mainland
// mobile number, or "" to remove it.
func CheckUserMobile(s string) (string, error) {
	m := NormalizeMobile(s)
	if m != "" && !mobileRE.MatchString(m) {
		return "", &Error{Code: EINVALID, Message: "手机号格式不对 (invalid mobile)",
			Fields: map[string]string{"mobile": "手机号应为 11 位中国大陆手机号码，以 13–19 开头 (a mainland mobile number: 11 digits, 1[3-9]…)"}}
	}
	return m, nil
}

// Audit actions of the robots and the mobile setting.
const (
	AuditMobileSet   = "mobile_set"
	AuditRobotCreate = "robot_created"
	AuditRobotUpdate = "robot_updated"
	AuditRobotDelete = "robot_deleted"
	AuditRobotTest   = "robot_tested"
)
