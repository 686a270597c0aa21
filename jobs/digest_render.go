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

	Reminders  List[DigestReminder] // everyone: their live reminders
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
	if d.Reminders.Total > 0 || len(d.Milestones) > 0 || d.AgentMoves.Total > 0 {
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

// Subject is the email's subject line.
func (d *Digest) Subject() string {
	parts := []string{fmt.Sprintf("【%s】%s", d.Zone.Name, d.Title)}
	if n := d.Reminders.Total; n > 0 {
		parts = append(parts, fmt.Sprintf("待办%d项", n))
	}
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
	Link                        string
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
