package jobs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// DigestOptions configure the weekly digest.
type DigestOptions struct {
	BaseURL      string // the app's public address, for links
	MailDomain   string // Message-IDs end in @MailDomain
	Loc          *time.Location
	Thresholds   Thresholds
	HorizonDays  int // upcoming milestones shown this many days ahead (60)
	MaxListItems int // longest list in one section (20); the rest is counted
	MaxReminders int // new reminders listed in one email (30); the rest is counted
	MaxBacklog   int // older items named per backlog list (5, the worst first); the rest is counted
}

// DigestJob writes one weekly email per person to the outbox.
type DigestJob struct {
	Store  domain.DigestStore
	Outbox domain.OutboxStore
	// Robots, when set, hears the week's summary for the group robots (issue 16).
	Robots domain.RobotPublisher
	Opts   DigestOptions
}

// Week is the digest's week: the seven days before the run, and its news window.
type Week struct {
	Year, Number int       // ISO week of the run's day
	From, To     time.Time // [From, To): the seven days before the run
	First, Last  domain.Date
	Today        domain.Date
	// The news window (NewsFrom, NewsTo]: from the previous digest run (the first
	// successful one of the latest earlier week, in job_runs) to this run's moment; for a
	// first-ever digest the seven days before the run. Every re-run of a week, on any
	// replica, computes the same window, and consecutive weeks' windows meet without a gap.
	NewsFrom, NewsTo time.Time
	FirstDigest      bool
	loc              *time.Location
}

// WeekOf returns the digest week of a run at at, with the first-ever digest's news window
// (the seven days before at); DigestJob.Run narrows it to the previous digest.
func WeekOf(at time.Time, loc *time.Location) Week {
	today := domain.DateOf(at, loc)
	y, n := today.Time().ISOWeek()
	start := time.Date(today.Year(), today.Time().Month(), today.Time().Day(), 0, 0, 0, 0, loc)
	return Week{Year: y, Number: n, From: start.AddDate(0, 0, -7).UTC(), To: start.UTC(),
		First: today.AddDays(-7), Last: today.AddDays(-1), Today: today,
		NewsFrom: at.Add(-7 * 24 * time.Hour).UTC(), NewsTo: at.UTC(), FirstDigest: true, loc: loc}
}

// isNew reports whether t falls in the news window.
func (w Week) isNew(t time.Time) bool { return t.After(w.NewsFrom) && !t.After(w.NewsTo) }

// Since is the start of the news window in the zone's words ("2023年3月13日 08:30").
func (w Week) Since() string {
	loc := w.loc
	if loc == nil {
		loc = time.UTC
	}
	t := w.NewsFrom.In(loc)
	return fmt.Sprintf("%s %s", domain.DateOf(t, loc).Chinese(), t.Format("15:04"))
}

// newsWindow sets the week's news window from the previous successful digest runs: the
// window starts at the first run of the latest ISO week before this run's week (so a
// re-run in the same week, or a second replica, starts at the same moment), or — no digest
// ever ran — seven days before the run.
func (j *DigestJob) newsWindow(ctx context.Context, week *Week, at time.Time, loc *time.Location) error {
	monday := week.Today.AddDays(-((int(week.Today.Time().Weekday()) + 6) % 7))
	weekStart := time.Date(monday.Year(), monday.Time().Month(), monday.Time().Day(), 0, 0, 0, 0, loc)
	runs, err := j.Store.DigestRuns(ctx, weekStart, 50)
	if err != nil || len(runs) == 0 {
		return err
	}
	y, n := runs[0].In(loc).ISOWeek()
	first := runs[0]
	for _, r := range runs[1:] {
		if ry, rn := r.In(loc).ISOWeek(); ry != y || rn != n {
			break
		}
		first = r
	}
	week.NewsFrom, week.NewsTo, week.FirstDigest = first.UTC(), at.UTC(), false
	return nil
}

// Run composes every zone's digests as of at and writes them to the outbox; a re-run in
// the same week writes nothing new (each email's Message-ID names the person and week).
func (j *DigestJob) Run(ctx context.Context, at time.Time) (string, error) {
	o := j.opts()
	week := WeekOf(at, o.Loc)
	if err := j.newsWindow(ctx, &week, at, o.Loc); err != nil {
		return "", err
	}
	zones, err := j.Store.DigestZones(ctx)
	if err != nil {
		return "", err
	}
	var queued, again, optedOut, nothing, badAddr int
	for _, z := range zones {
		data, err := j.Store.DigestData(ctx, z.ID, week.NewsFrom, week.NewsTo, week.Today)
		if err != nil {
			return "", err
		}
		ix := indexDigest(data)
		var batch []*domain.Mail
		flush := func() error {
			created, err := j.Outbox.EnqueueAll(ctx, batch)
			queued += created
			again += len(batch) - created
			batch = batch[:0]
			return err
		}
		for _, u := range data.Users {
			if u.DigestOptOut {
				optedOut++
				continue
			}
			d := j.compose(ix, u, week)
			if d.Empty() {
				nothing++
				continue
			}
			m, err := j.Mail(d)
			if err != nil {
				return "", err
			}
			if _, err := domain.CheckMailAddress(m.To); err != nil {
				badAddr++
			}
			// The emails go to the outbox a hundred to a transaction: each is stored
			// whole or not at all, and a re-run stores only the missing ones.
			if batch = append(batch, m); len(batch) == 100 {
				if err := flush(); err != nil {
					return "", err
				}
			}
		}
		if err := flush(); err != nil {
			return "", err
		}
		if _, err := j.publishWeekly(ctx, data, week); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d年第%d周（新事项自%s起）：生成周报%d封，本周已生成%d封，退订%d人，无内容%d人，地址无效%d人 (news since %s; queued %d, already %d, opted out %d, nothing to report %d, bad address %d)",
		week.Year, week.Number, week.Since(), queued, again, optedOut, nothing, badAddr, week.NewsFrom.Format(time.RFC3339),
		queued, again, optedOut, nothing, badAddr), nil
}

func (j *DigestJob) opts() DigestOptions {
	o := j.Opts
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if o.HorizonDays <= 0 {
		o.HorizonDays = 60
	}
	if o.MaxListItems <= 0 {
		o.MaxListItems = 20
	}
	if o.MaxReminders <= 0 {
		o.MaxReminders = 30
	}
	if o.MaxBacklog <= 0 {
		o.MaxBacklog = 5
	}
	if o.MailDomain == "" {
		o.MailDomain = "chaincrm.invalid"
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	o.Thresholds = o.Thresholds.withDefaults()
	return o
}

// Compose builds one user's digest from a zone's data (exported for tests and docs).
func (j *DigestJob) Compose(data *domain.DigestData, u *domain.User, week Week) *Digest {
	if week.loc == nil {
		week.loc = j.opts().Loc
	}
	return j.compose(indexDigest(data), u, week)
}

// Mail renders d into the email that goes to the outbox.
func (j *DigestJob) Mail(d *Digest) (*domain.Mail, error) {
	o := j.opts()
	subject, text, html, err := RenderDigest(d)
	if err != nil {
		return nil, err
	}
	zone := EMLName(d.Zone.Code)
	zone = strings.TrimSuffix(zone, ".eml")
	return &domain.Mail{ZoneID: d.Zone.ID, To: d.User.Email, Subject: subject, Text: text, HTML: html,
		MessageID: fmt.Sprintf("digest-%d-w%02d-%s-u%d@%s", d.Week.Year, d.Week.Number, zone, d.User.ID, o.MailDomain)}, nil
}

// digestIndex is a zone's data arranged for composing many digests.
type digestIndex struct {
	data       *domain.DigestData
	projects   map[int64]*domain.DigestProject
	chains     map[int64]*domain.Chain
	byChain    map[int64][]*domain.DigestProject // chain id (0: none) → projects
	byOwner    map[int64][]*domain.DigestProject
	byCreator  map[int64][]*domain.DigestProject
	reminders  map[int64][]*domain.Reminder // user → reminders
	users      map[int64]*domain.User
	movesOf    map[int64][]*domain.StageMove // project → moves
	orderMoves []*domain.StageMove
}

func indexDigest(d *domain.DigestData) *digestIndex {
	ix := &digestIndex{data: d, projects: map[int64]*domain.DigestProject{}, chains: map[int64]*domain.Chain{},
		byChain: map[int64][]*domain.DigestProject{}, byOwner: map[int64][]*domain.DigestProject{},
		byCreator: map[int64][]*domain.DigestProject{}, reminders: map[int64][]*domain.Reminder{},
		users: map[int64]*domain.User{}, movesOf: map[int64][]*domain.StageMove{}, orderMoves: d.Moves}
	for _, c := range d.Chains {
		ix.chains[c.ID] = c
	}
	for _, p := range d.Projects {
		ix.projects[p.ID] = p
		var k int64
		if p.ChainID != nil {
			k = *p.ChainID
		}
		ix.byChain[k] = append(ix.byChain[k], p)
		ix.byOwner[p.OwnerID] = append(ix.byOwner[p.OwnerID], p)
		ix.byCreator[p.CreatedByID] = append(ix.byCreator[p.CreatedByID], p)
	}
	for _, r := range d.Reminders {
		ix.reminders[r.UserID] = append(ix.reminders[r.UserID], r)
	}
	for _, u := range d.Users {
		ix.users[u.ID] = u
	}
	for _, m := range d.Moves {
		ix.movesOf[m.ProjectID] = append(ix.movesOf[m.ProjectID], m)
	}
	return ix
}

// visible applies the user's scope to a project, exactly as the API's row scope does.
func visible(s domain.Scope, p *domain.DigestProject) bool {
	if s.Empty() || p == nil {
		return false
	}
	if s.All {
		return true
	}
	if p.ChainID != nil {
		for _, id := range s.ChainIDs {
			if id == *p.ChainID {
				return true
			}
		}
	}
	return s.SubmitterID != 0 && p.CreatedByID == s.SubmitterID
}

func (j *DigestJob) compose(ix *digestIndex, u *domain.User, week Week) *Digest {
	o := j.opts()
	scope := domain.ScopeOf(&domain.Actor{User: u})
	d := &Digest{User: u, Zone: ix.data.Zone, Week: week, BaseURL: o.BaseURL,
		Title:  fmt.Sprintf("%d年第%d周招商工作周报", week.Year, week.Number),
		Period: fmt.Sprintf("%s—%s", week.First.Chinese(), week.Last.Chinese())}
	link := func(p int64) string { return fmt.Sprintf("%s/projects/%d", o.BaseURL, p) }

	// The reminders: the ones raised since the last digest are news, named in full; the
	// older backlog is counted (by rule) and only its worst few are named. The store gives
	// them soonest due first, so the backlog's first are the most overdue.
	byRule := map[string]int{}
	var ruleOrder []string
	var fresh []*domain.Reminder
	freshItems := map[*domain.Reminder]DigestReminder{}
	for _, r := range ix.reminders[u.ID] {
		if !visible(scope, ix.projects[r.ProjectID]) {
			continue
		}
		overdue := !r.DueAt.IsZero() && r.DueAt.Before(week.Today)
		if overdue {
			d.overdue++
		}
		item := DigestReminder{Rule: ruleLabel(r.Rule), Project: r.ProjectName, Message: r.Message,
			Due: r.DueAt.Chinese(), Overdue: overdue, Link: link(r.ProjectID)}
		if overdue {
			item.DaysOverdue = week.Today.DaysSince(r.DueAt)
		}
		d.Reminders.Total++
		if week.isNew(r.CreatedAt) {
			fresh = append(fresh, r)
			freshItems[r] = item
			continue
		}
		if overdue {
			d.BacklogOverdue++
		}
		if byRule[item.Rule] == 0 {
			ruleOrder = append(ruleOrder, item.Rule)
		}
		byRule[item.Rule]++
		d.Backlog.add(o.MaxBacklog, item)
	}
	// The news newest first, as a feed: what was raised last is named first.
	newestFirst(fresh)
	for _, r := range fresh {
		d.NewReminders.add(o.MaxReminders, freshItems[r])
	}
	for _, r := range ruleOrder {
		d.BacklogByRule = append(d.BacklogByRule, Count{Label: r, N: byRule[r]})
	}
	sort.SliceStable(d.BacklogByRule, func(a, b int) bool { return d.BacklogByRule[a].N > d.BacklogByRule[b].N })

	// The news of the projects this person follows: the week's stage moves, landing
	// decisions and 督办.
	j.news(ix, u, scope, d, link)

	{ // the milestones of the follow-up projects the user owns
		for _, p := range ix.byOwner[u.ID] {
			if p.Stage != domain.StageFollowUp || !visible(scope, p) {
				continue
			}
			for i, m := range milestoneDates(p.Milestones) {
				planned, actual := m[0], m[1]
				if planned.IsZero() || !actual.IsZero() {
					continue
				}
				left := planned.DaysSince(week.Today)
				if left > o.HorizonDays {
					continue
				}
				d.Milestones = append(d.Milestones, DigestMilestone{Project: p.Name, What: milestoneKinds[i].Label,
					Date: planned.Chinese(), DaysLeft: left, Overdue: left < 0, Link: link(p.ID), sortKey: planned.String()})
			}
		}
		sort.SliceStable(d.Milestones, func(a, b int) bool { return d.Milestones[a].sortKey < d.Milestones[b].sortKey })
	}

	if u.HasRole(domain.RoleChainChief) {
		for _, cid := range u.ChainIDs {
			c := ix.chains[cid]
			if c == nil {
				continue
			}
			sec := &ChainDigest{Name: c.Name, Code: c.Code, MapLink: o.BaseURL + "/map/" + c.Code, ReviewLink: o.BaseURL + "/review"}
			ps := ix.byChain[cid]
			sec.Pipeline = j.pipeline(ps, scope)
			sec.Moves = j.moves(ix, ps, scope, link)
			sec.Waiting = j.waiting(ix, ps, scope, week, link)
			sec.Overdue = j.overdue(ps, scope, week, link)
			d.Chains = append(d.Chains, sec)
		}
	}

	if u.HasRole(domain.RoleDirector) && scope.All {
		z := &ZoneDigest{Year: week.Today.Year(), DashboardLink: o.BaseURL + "/", ReviewLink: o.BaseURL + "/review"}
		all := ix.data.Projects
		z.Pipeline = j.pipeline(all, scope)
		for _, c := range ix.data.Chains {
			z.ByChain = append(z.ByChain, Count{Label: c.Name, N: countOpen(ix.byChain[c.ID])})
		}
		z.ByChain = append(z.ByChain, Count{Label: "未归链", N: countOpen(ix.byChain[0])})
		var signed domain.Money
		for _, p := range all {
			if !p.SignedAt.IsZero() && p.SignedAt.Year() == z.Year {
				z.SignedCount++
				signed += domain.ClampMoney(p.PlannedInvestment)
			}
			if p.DockedAt.Year() == z.Year {
				z.DockedCount++
			}
		}
		z.SignedYi = signed.Yi()
		z.Moves = j.moves(ix, all, scope, link)
		z.Waiting = j.waiting(ix, all, scope, week, link)
		z.Overdue = j.overdue(all, scope, week, link)
		for _, t := range ix.data.Targets {
			dt := DigestTarget{Label: t.Label, Value: t.Value, Progress: t.Progress, Known: t.Progress >= 0}
			if dt.Known && t.Value > 0 {
				dt.Percent = int(t.Progress * 100 / t.Value)
				if dt.Percent > 100 {
					dt.Percent = 100
				}
			}
			z.Targets = append(z.Targets, dt)
		}
		d.ZoneView = z
	}

	if u.HasRole(domain.RoleAgent) && scope.SubmitterID != 0 {
		mine := ix.byCreator[u.ID]
		d.AgentMoves = j.moves(ix, mine, scope, link)
		d.AgentLeads = countOpen(mine)
	}
	return d
}

// newestFirst orders reminders by when they were raised, newest first; then soonest due.
func newestFirst(rs []*domain.Reminder) {
	sort.SliceStable(rs, func(a, b int) bool {
		x, y := rs[a], rs[b]
		if !x.CreatedAt.Equal(y.CreatedAt) {
			return x.CreatedAt.After(y.CreatedAt)
		}
		if !x.DueAt.Time().Equal(y.DueAt.Time()) {
			return x.DueAt.Before(y.DueAt)
		}
		return x.ID < y.ID
	})
}

// follows reports whether a project's news concerns u: the director's zone, a chief's
// chains, an owner's projects, an agent's submissions — always within u's scope.
func follows(u *domain.User, scope domain.Scope, p *domain.DigestProject) bool {
	if !visible(scope, p) {
		return false
	}
	if scope.All && u.HasRole(domain.RoleDirector) {
		return true
	}
	if p.OwnerID == u.ID || (u.HasRole(domain.RoleAgent) && p.CreatedByID == u.ID) {
		return true
	}
	if p.ChainID != nil && u.HasRole(domain.RoleChainChief) {
		for _, id := range u.ChainIDs {
			if id == *p.ChainID {
				return true
			}
		}
	}
	return false
}

// news fills the moves, decisions and 督办 of the news window that concern u.
func (j *DigestJob) news(ix *digestIndex, u *domain.User, scope domain.Scope, d *Digest, link func(int64) string) {
	o := j.opts()
	for _, m := range ix.orderMoves {
		p := ix.projects[m.ProjectID]
		if p == nil || !follows(u, scope, p) {
			continue
		}
		d.NewsMoves.add(o.MaxListItems, DigestMove{Project: p.Name, From: m.From.Label(), To: m.To.Label(), Actor: m.Actor,
			Day: domain.DateOf(m.At, o.Loc).Chinese(), Link: link(p.ID), Signed: m.To == domain.StageFollowUp,
			Dropped: m.To == domain.StageDropped})
	}
	for _, dc := range ix.data.Decisions {
		p := ix.projects[dc.ProjectID]
		if p == nil || !follows(u, scope, p) {
			continue
		}
		d.NewsDecisions.add(o.MaxListItems, DigestDecided{Project: p.Name, Outcome: outcomeLabel(dc.Outcome),
			Approved: dc.Outcome == "approved", Decider: dc.Decider, Notes: dc.Notes,
			Day: domain.DateOf(dc.At, o.Loc).Chinese(), Link: link(p.ID)})
	}
	for _, s := range ix.data.Supervisions {
		p := ix.projects[s.ProjectID]
		if p == nil || !follows(u, scope, p) {
			continue
		}
		d.NewsSupervisions.add(o.MaxListItems, DigestSupervised{Project: p.Name, Issuer: s.Issuer, Instruction: s.Instruction,
			Due: s.Due.Chinese(), Day: domain.DateOf(s.At, o.Loc).Chinese(), Mine: p.OwnerID == u.ID, Link: link(p.ID)})
	}
}

func outcomeLabel(outcome string) string {
	switch outcome {
	case "approved":
		return "同意落地"
	case "rejected":
		return "不予落地"
	}
	return outcome
}

func countOpen(ps []*domain.DigestProject) int {
	n := 0
	for _, p := range ps {
		if p.Stage.Open() {
			n++
		}
	}
	return n
}

// pipeline counts the visible projects by stage and, for open ones, by channel.
func (j *DigestJob) pipeline(ps []*domain.DigestProject, scope domain.Scope) Pipeline {
	byStage := map[domain.Stage]int{}
	byChannel := map[domain.Channel]int{}
	var pl Pipeline
	for _, p := range ps {
		if !visible(scope, p) {
			continue
		}
		pl.Total++
		byStage[p.Stage]++
		if p.Stage.Open() {
			pl.Open++
			byChannel[p.Channel]++
		}
	}
	for _, s := range domain.Stages {
		pl.ByStage = append(pl.ByStage, Count{Label: s.Label(), N: byStage[s]})
	}
	for _, c := range domain.Channels {
		pl.ByChannel = append(pl.ByChannel, Count{Label: c.Label(), N: byChannel[c]})
	}
	return pl
}

// moves lists the week's stage changes of the visible projects among ps.
func (j *DigestJob) moves(ix *digestIndex, ps []*domain.DigestProject, scope domain.Scope, link func(int64) string) List[DigestMove] {
	in := make(map[int64]*domain.DigestProject, len(ps))
	for _, p := range ps {
		if visible(scope, p) {
			in[p.ID] = p
		}
	}
	o := j.opts()
	var out List[DigestMove]
	for _, m := range ix.orderMoves {
		p := in[m.ProjectID]
		if p == nil {
			continue
		}
		out.add(o.MaxListItems, DigestMove{Project: p.Name, From: m.From.Label(), To: m.To.Label(), Actor: m.Actor,
			Day: domain.DateOf(m.At, o.Loc).Chinese(), Link: link(p.ID), Signed: m.To == domain.StageFollowUp,
			Dropped: m.To == domain.StageDropped})
	}
	return out
}

// waiting lists the visible projects waiting for a landing decision, longest first.
func (j *DigestJob) waiting(ix *digestIndex, ps []*domain.DigestProject, scope domain.Scope, week Week, link func(int64) string) List[DigestDecision] {
	o := j.opts()
	var rows []DigestDecision
	for _, p := range ps {
		if p.Stage != domain.StageDecision || p.DecisionOutcome != "" || !visible(scope, p) {
			continue
		}
		days := week.Today.DaysSince(domain.DateOf(p.StageEnteredAt, o.Loc))
		chain := "未归链"
		if p.ChainID != nil && ix.chains[*p.ChainID] != nil {
			chain = ix.chains[*p.ChainID].Name
		}
		rows = append(rows, DigestDecision{Project: p.Name, Chain: chain, Days: days, Investment: p.PlannedInvestment.Yi(),
			Escalated: days >= o.Thresholds.DecisionEscalateDays, Link: link(p.ID)})
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].Days > rows[b].Days })
	var out List[DigestDecision]
	for _, r := range rows {
		out.add(o.MaxBacklog, r)
	}
	return out
}

// overdue lists overdue milestones and long-missing risk assessments, oldest first.
func (j *DigestJob) overdue(ps []*domain.DigestProject, scope domain.Scope, week Week, link func(int64) string) List[DigestOverdue] {
	o := j.opts()
	var rows []DigestOverdue
	for _, p := range ps {
		if !visible(scope, p) {
			continue
		}
		switch p.Stage {
		case domain.StageFollowUp:
			for i, m := range milestoneDates(p.Milestones) {
				if !m[0].IsZero() && m[1].IsZero() && m[0].Before(week.Today) {
					rows = append(rows, DigestOverdue{Project: p.Name, What: "计划" + milestoneKinds[i].Label,
						Since: m[0].Chinese(), Days: week.Today.DaysSince(m[0]), Link: link(p.ID)})
				}
			}
		case domain.StageRisk:
			entered := domain.DateOf(p.StageEnteredAt, o.Loc)
			if days := week.Today.DaysSince(entered); !p.HasRiskAssessment && days >= o.Thresholds.RiskEscalateDays {
				rows = append(rows, DigestOverdue{Project: p.Name, What: "风险评估未提交", Since: entered.Chinese(), Days: days, Link: link(p.ID)})
			}
		}
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].Days > rows[b].Days })
	var out List[DigestOverdue]
	for _, r := range rows {
		out.add(o.MaxBacklog, r)
	}
	return out
}

func ruleLabel(rule string) string {
	if l := domain.RuleLabel(rule); l != "" {
		return l
	}
	return rule
}
