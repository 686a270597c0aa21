package jobs

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Digest is one person's weekly email before rendering. Sections are filled by role and
// always within the person's scope; an empty digest is not sent.
type Digest struct {
	User    *domain.User
	Zone    *domain.Zone
	Week    Week
	BaseURL string
	Title   string
	Period  string

	// News first: what happened since the previous digest (Week.NewsFrom), named in full.
	NewReminders     List[DigestReminder]   // reminders raised since the last digest
	NewsMoves        List[DigestMove]       // stage moves of the projects the person follows
	NewsDecisions    List[DigestDecided]    // landing decisions taken on them
	NewsSupervisions List[DigestSupervised] // 督办 issued on them

	// The older backlog: counted, by rule, with the worst few (most overdue) named.
	Backlog        List[DigestReminder]
	BacklogOverdue int
	BacklogByRule  []Count

	Reminders  List[DigestReminder] // everyone: all their live reminders (Total only; new + backlog)
	Milestones []DigestMilestone    // owners: coming and overdue milestones of their follow-up projects
	Chains     []*ChainDigest       // chain chiefs: one per chain they chief
	ZoneView   *ZoneDigest          // the director: the whole zone and the year's targets
	AgentMoves List[DigestMove]     // agents: their leads that moved this week
	AgentLeads int                  // agents: their open leads
	overdue    int
}

// Empty reports whether the digest has nothing to report: then no email is sent. A chain
// section counts when something moved, waits or is overdue; the director's zone view when
// the zone has any project or target.
func (d *Digest) Empty() bool {
	if d.Reminders.Total > 0 || len(d.Milestones) > 0 || d.AgentMoves.Total > 0 || d.NewsCount() > 0 {
		return false
	}
	for _, c := range d.Chains {
		if c.Reportable() {
			return false
		}
	}
	return d.ZoneView == nil || (d.ZoneView.Pipeline.Total == 0 && len(d.ZoneView.Targets) == 0)
}

// OverdueReminders counts the reminders past their due day (listed or not).
func (d *Digest) OverdueReminders() int { return d.overdue }

// NewsCount is how many new items the digest names: reminders raised, stage moves,
// decisions taken and 督办 issued since the previous digest.
func (d *Digest) NewsCount() int {
	return d.NewReminders.Total + d.NewsMoves.Total + d.NewsDecisions.Total + d.NewsSupervisions.Total
}

// NewsSummary is the news in one line: "新增待办2项、阶段推进1项、督办1项".
func (d *Digest) NewsSummary() string {
	var parts []string
	for _, c := range []Count{{"新增待办", d.NewReminders.Total}, {"阶段推进", d.NewsMoves.Total},
		{"落地决策", d.NewsDecisions.Total}, {"督办", d.NewsSupervisions.Total}} {
		if c.N > 0 {
			parts = append(parts, fmt.Sprintf("%s%d项", c.Label, c.N))
		}
	}
	return strings.Join(parts, "、")
}

// BacklogRules is the backlog counted by rule: "洽谈无进展12项、里程碑逾期3项".
func (d *Digest) BacklogRules() string {
	parts := make([]string, len(d.BacklogByRule))
	for i, c := range d.BacklogByRule {
		parts[i] = fmt.Sprintf("%s%d项", c.Label, c.N)
	}
	return strings.Join(parts, "、")
}

// DecisionsWaiting counts decisions waiting on this person (their chains', or the zone's).
func (d *Digest) DecisionsWaiting() int {
	if d.ZoneView != nil {
		return d.ZoneView.Waiting.Total
	}
	n := 0
	for _, c := range d.Chains {
		n += c.Waiting.Total
	}
	return n
}

// Greeting is how the email addresses its reader.
func (d *Digest) Greeting() string {
	name := d.User.DisplayName
	if name == "" {
		name = d.User.Username
	}
	return name
}

// Subject is the email's subject line; it leads with how many items are new:
// "【开发区】2023年第12周招商工作周报：本周3项新事项，另有45项待办 · 待决策2项".
func (d *Digest) Subject() string {
	head := fmt.Sprintf("【%s】%s", d.Zone.Name, d.Title)
	n, b := d.NewsCount(), d.Backlog.Total
	switch {
	case n > 0 && b > 0:
		head += fmt.Sprintf("：本周%d项新事项，另有%d项待办", n, b)
	case n > 0:
		head += fmt.Sprintf("：本周%d项新事项", n)
	case b > 0:
		head += fmt.Sprintf("：本周无新事项，另有%d项待办", b)
	}
	parts := []string{head}
	if n := d.DecisionsWaiting(); n > 0 {
		parts = append(parts, fmt.Sprintf("待决策%d项", n))
	}
	return strings.Join(parts, " · ")
}

// List is a capped list: the first items and how many there are in all.
type List[T any] struct {
	Items []T
	Total int
}

func (l *List[T]) add(max int, v T) {
	l.Total++
	if len(l.Items) < max {
		l.Items = append(l.Items, v)
	}
}

// More is how many items the list leaves out.
func (l List[T]) More() int { return l.Total - len(l.Items) }

// Count is a labelled number.
type Count struct {
	Label string
	N     int
}

// Pipeline is a set of projects counted by stage and (open ones) by channel.
type Pipeline struct {
	Total, Open int
	ByStage     []Count
	ByChannel   []Count
}

// DigestReminder is a reminder line.
type DigestReminder struct {
	Rule, Project, Message, Due string
	Overdue                     bool
	DaysOverdue                 int
	Link                        string
}

// DigestDecided is a landing decision taken since the last digest.
type DigestDecided struct {
	Project, Outcome, Decider, Notes, Day string
	Approved                              bool
	Link                                  string
}

// DigestSupervised is a 督办 issued since the last digest.
type DigestSupervised struct {
	Project, Issuer, Instruction, Due, Day string
	Mine                                   bool // the reader owns the project: theirs to do
	Link                                   string
}

// DigestMilestone is a coming or overdue milestone.
type DigestMilestone struct {
	Project, What, Date string
	DaysLeft            int
	Overdue             bool
	Link                string
	sortKey             string
}

// DaysOverdue is -DaysLeft.
func (m DigestMilestone) DaysOverdue() int { return -m.DaysLeft }

// DigestMove is a stage change of the week.
type DigestMove struct {
	Project, From, To, Actor, Day string
	Link                          string
	Signed, Dropped               bool
}

// DigestDecision is a project waiting for its landing decision.
type DigestDecision struct {
	Project, Chain, Investment string
	Days                       int
	Escalated                  bool
	Link                       string
}

// DigestOverdue is an overdue item.
type DigestOverdue struct {
	Project, What, Since string
	Days                 int
	Link                 string
}

// ChainDigest is a chain chief's view of one chain.
type ChainDigest struct {
	Name, Code          string
	MapLink, ReviewLink string
	Pipeline            Pipeline
	Moves               List[DigestMove]
	Waiting             List[DigestDecision]
	Overdue             List[DigestOverdue]
}

// Reportable: something moved, waits for a decision, or is overdue.
func (c *ChainDigest) Reportable() bool {
	return c.Moves.Total > 0 || c.Waiting.Total > 0 || c.Overdue.Total > 0
}

// ZoneDigest is the director's view of the zone.
type ZoneDigest struct {
	Year                      int
	DashboardLink, ReviewLink string
	Pipeline                  Pipeline
	ByChain                   []Count // open projects per chain
	DockedCount, SignedCount  int
	SignedYi                  string
	Moves                     List[DigestMove]
	Waiting                   List[DigestDecision]
	Overdue                   List[DigestOverdue]
	Targets                   []DigestTarget
}

// DigestTarget is a yearly target with its progress.
type DigestTarget struct {
	Label           string
	Value, Progress int64
	Percent         int
	Known           bool
}

//go:embed templates/digest.html.tmpl templates/digest.txt.tmpl
var digestTemplates embed.FS

var (
	digestHTML = htmltemplate.Must(htmltemplate.New("digest.html.tmpl").Funcs(htmltemplate.FuncMap{"add": func(a, b int) int { return a + b }}).
			ParseFS(digestTemplates, "templates/digest.html.tmpl"))
	digestText = texttemplate.Must(texttemplate.New("digest.txt.tmpl").Funcs(texttemplate.FuncMap{"add": func(a, b int) int { return a + b }}).
			ParseFS(digestTemplates, "templates/digest.txt.tmpl"))
)

// RenderDigest renders d as a subject, a plain-text part and an HTML part. The HTML
// template escapes every value; links are built from the configured base URL only.
func RenderDigest(d *Digest) (subject, text, html string, err error) {
	var h, t bytes.Buffer
	if err := digestHTML.Execute(&h, d); err != nil {
		return "", "", "", fmt.Errorf("digest html: %w", err)
	}
	if err := digestText.Execute(&t, d); err != nil {
		return "", "", "", fmt.Errorf("digest text: %w", err)
	}
	return domain.CleanHeader(d.Subject()), t.String(), h.String(), nil
}
