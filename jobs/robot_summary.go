package jobs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The robots' summaries: daily_summary (workdays 08:30 zone time: each chain's open
// reminders, and the zone's in one message for zone-wide robots) and weekly_digest (with
// the Monday digest: the week's moves, new projects, decisions waiting, open reminders).
// Each is keyed by its day or week, so re-runs never post twice.

// JobRobotSummary is the robots' daily summary job.
const JobRobotSummary = "robot_summary"

// RobotSummaryJob publishes the daily summaries.
type RobotSummaryJob struct {
	Store     domain.RobotSummaryStore
	Publisher domain.RobotPublisher
	Loc       *time.Location
	Top       int // reminders named per message (8)
}

// Workday reports whether the day is Monday to Friday.
func Workday(d domain.Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Run publishes the day's summaries as of at (on any day when run by hand; the schedule
// fires on workdays).
func (j *RobotSummaryJob) Run(ctx context.Context, at time.Time) (string, error) {
	if j.Store == nil || j.Publisher == nil {
		return "群机器人未配置 (robots not configured)", nil
	}
	loc := j.Loc
	if loc == nil {
		loc = time.UTC
	}
	today := domain.DateOf(at, loc)
	rs, err := j.Store.SummaryReminders(ctx, today)
	if err != nil {
		return "", err
	}
	top := j.Top
	if top <= 0 {
		top = 8
	}
	type group struct {
		zoneID  int64
		chainID *int64
		name    string
		items   []*domain.SummaryReminder
	}
	zones := map[int64]*group{}
	chains := map[int64]*group{}
	var zoneOrder, chainOrder []int64
	for _, r := range rs {
		if zones[r.ZoneID] == nil {
			zones[r.ZoneID] = &group{zoneID: r.ZoneID, name: "全区"}
			zoneOrder = append(zoneOrder, r.ZoneID)
		}
		zones[r.ZoneID].items = append(zones[r.ZoneID].items, r)
		if r.ChainID != nil {
			if chains[*r.ChainID] == nil {
				chains[*r.ChainID] = &group{zoneID: r.ZoneID, chainID: r.ChainID, name: r.ChainName}
				chainOrder = append(chainOrder, *r.ChainID)
			}
			chains[*r.ChainID].items = append(chains[*r.ChainID].items, r)
		}
	}
	published := 0
	publish := func(g *group, audience string) error {
		scope := "zone"
		if g.chainID != nil {
			scope = fmt.Sprintf("chain%d", *g.chainID)
		}
		n, err := j.Publisher.PublishRobotEvent(ctx, &domain.RobotEvent{ZoneID: g.zoneID, Event: domain.RobotEventDailySummary,
			Key: fmt.Sprintf("daily_summary:%d:%s:%s", g.zoneID, scope, today), ChainID: g.chainID, Audience: audience,
			Title:    fmt.Sprintf("%s今日待办（%s）", g.name, today.Chinese()),
			Markdown: dailyText(g.items, today, top), Link: "/reminders"})
		published += n
		return err
	}
	for _, id := range zoneOrder {
		if err := publish(zones[id], domain.AudienceZone); err != nil {
			return "", err
		}
	}
	for _, id := range chainOrder {
		if err := publish(chains[id], domain.AudienceChain); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s：待办%d项，写入群机器人消息%d条 (reminders %d, robot messages %d)", today, len(rs), published, len(rs), published), nil
}

// dailyText names the most overdue reminders first and counts the rest.
func dailyText(items []*domain.SummaryReminder, today domain.Date, top int) string {
	sorted := append([]*domain.SummaryReminder(nil), items...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].Due.Before(sorted[b].Due) })
	overdue := 0
	for _, r := range sorted {
		if !r.Due.IsZero() && r.Due.Before(today) {
			overdue++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "未办结待办 **%d** 项，其中已逾期 **%d** 项。\n\n", len(sorted), overdue)
	for i, r := range sorted {
		if i == top {
			fmt.Fprintf(&b, "\n……另有%d项，请在系统中查看。", len(sorted)-top)
			break
		}
		due := "无期限"
		if !r.Due.IsZero() {
			due = "到期 " + r.Due.String()
			if d := today.DaysSince(r.Due); d > 0 {
				due = fmt.Sprintf("逾期%d天", d)
			}
		}
		label := domain.RuleLabel(r.Rule)
		if label == "" {
			label = r.Rule
		}
		fmt.Fprintf(&b, "%d. %s：%s（%s，%s）\n", i+1, r.ProjectName, label, r.Person, due)
	}
	return strings.TrimRight(b.String(), "\n")
}

// publishWeekly posts the week's summary of a zone's digest data: one message for the
// zone-wide robots and one per chain for the chains' robots. Like the emails it leads with
// the news since the previous digest — reminders raised, stage moves, decisions taken, 督办
// issued — counted and named, then the backlog counted with the worst few named.
func (j *DigestJob) publishWeekly(ctx context.Context, data *domain.DigestData, week Week) (int, error) {
	if j.Robots == nil {
		return 0, nil
	}
	o := j.opts()
	ix := indexDigest(data)
	total := 0
	scopes := []*int64{nil}
	for _, c := range data.Chains {
		id := c.ID
		scopes = append(scopes, &id)
	}
	for _, chainID := range scopes {
		name, scope, audience := "全区", "zone", domain.AudienceZone
		if chainID != nil {
			name, scope, audience = ix.chains[*chainID].Name, fmt.Sprintf("chain%d", *chainID), domain.AudienceChain
		}
		n := weeklyNews(ix, chainID, week)
		n.waitingDays = func(p *domain.DigestProject) int {
			return week.Today.DaysSince(domain.DateOf(p.StageEnteredAt, o.Loc))
		}
		k, err := j.Robots.PublishRobotEvent(ctx, &domain.RobotEvent{ZoneID: data.Zone.ID, Event: domain.RobotEventWeeklyDigest,
			Key: fmt.Sprintf("weekly_digest:%d:%s:%d-w%02d", data.Zone.ID, scope, week.Year, week.Number), ChainID: chainID,
			Audience: audience, Title: fmt.Sprintf("%s每周简报（%d年第%d周）", name, week.Year, week.Number),
			Markdown: n.markdown(ix, week), Link: "/"})
		total += k
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// weekly is one scope's news and backlog for the robots' weekly message. A reminder is
// counted once per (rule, project), however many people hold it.
type weekly struct {
	newReminders, backlog []*domain.Reminder
	backlogOverdue        int
	moves                 []*domain.StageMove
	decisions             []*domain.DigestDecision
	supervisions          []*domain.DigestSupervision
	newProjects, waiting  []*domain.DigestProject
	waitingDays           func(*domain.DigestProject) int
}

func (w *weekly) news() int {
	return len(w.newReminders) + len(w.moves) + len(w.decisions) + len(w.supervisions)
}

func weeklyNews(ix *digestIndex, chainID *int64, week Week) *weekly {
	in := func(id int64) bool {
		p := ix.projects[id]
		return p != nil && (chainID == nil || (p.ChainID != nil && *p.ChainID == *chainID))
	}
	w := &weekly{}
	seen := map[string]bool{}
	for _, r := range ix.data.Reminders { // soonest due first
		k := fmt.Sprintf("%s/%d", r.Rule, r.ProjectID)
		if !in(r.ProjectID) || seen[k] {
			continue
		}
		seen[k] = true
		if week.isNew(r.CreatedAt) {
			w.newReminders = append(w.newReminders, r)
			continue
		}
		w.backlog = append(w.backlog, r)
		if !r.DueAt.IsZero() && r.DueAt.Before(week.Today) {
			w.backlogOverdue++
		}
	}
	newestFirst(w.newReminders)
	for _, m := range ix.data.Moves {
		if in(m.ProjectID) {
			w.moves = append(w.moves, m)
		}
	}
	for _, d := range ix.data.Decisions {
		if in(d.ProjectID) {
			w.decisions = append(w.decisions, d)
		}
	}
	for _, s := range ix.data.Supervisions {
		if in(s.ProjectID) {
			w.supervisions = append(w.supervisions, s)
		}
	}
	for _, p := range ix.data.Projects {
		if !in(p.ID) {
			continue
		}
		if !p.DockedAt.Before(week.First) && !p.DockedAt.After(week.Last) {
			w.newProjects = append(w.newProjects, p)
		}
		if p.Stage == domain.StageDecision && p.DecisionOutcome == "" {
			w.waiting = append(w.waiting, p)
		}
	}
	return w
}

func (w *weekly) markdown(ix *digestIndex, week Week) string {
	var b strings.Builder
	fmt.Fprintf(&b, "本周新事项 **%d** 项：新增待办 %d 项、阶段推进 %d 次、落地决策 %d 项、督办 %d 件；另有未办结待办 **%d** 项（已逾期 %d 项）。\n\n",
		w.news(), len(w.newReminders), len(w.moves), len(w.decisions), len(w.supervisions), len(w.backlog), w.backlogOverdue)
	name := func(id int64) string { return ix.projects[id].Name }
	const top = 5
	list := func(n int, line func(i int) string, more string) {
		for i := 0; i < n; i++ {
			if i == top {
				fmt.Fprintf(&b, "- ……%s\n", fmt.Sprintf(more, n))
				break
			}
			b.WriteString("- " + line(i) + "\n")
		}
	}
	list(len(w.newReminders), func(i int) string {
		r := w.newReminders[i]
		return fmt.Sprintf("新待办：%s（%s）", name(r.ProjectID), ruleLabel(r.Rule))
	}, "共%d项新增待办")
	list(len(w.moves), func(i int) string {
		m := w.moves[i]
		return fmt.Sprintf("%s：%s → %s", name(m.ProjectID), m.From.Label(), m.To.Label())
	}, "共%d次阶段变动")
	list(len(w.decisions), func(i int) string {
		d := w.decisions[i]
		return fmt.Sprintf("决策：%s %s", name(d.ProjectID), outcomeLabel(d.Outcome))
	}, "共%d项决策")
	list(len(w.supervisions), func(i int) string {
		s := w.supervisions[i]
		return fmt.Sprintf("督办：%s（%s前办结）", name(s.ProjectID), s.Due.Chinese())
	}, "共%d件督办")
	fmt.Fprintf(&b, "\n本周新增项目 **%d** 个，待决策 **%d** 个。\n", len(w.newProjects), len(w.waiting))
	list(len(w.newProjects), func(i int) string { return "新增：" + w.newProjects[i].Name }, "等%d个新项目")
	list(len(w.waiting), func(i int) string {
		p := w.waiting[i]
		return fmt.Sprintf("待决策：%s（已等%d天）", p.Name, w.waitingDays(p))
	}, "共%d个项目待决策")
	if len(w.backlog) > 0 {
		b.WriteString("\n未办结待办中逾期最久的：\n")
		list(min(len(w.backlog), top), func(i int) string {
			r := w.backlog[i]
			due := "到期 " + r.DueAt.Chinese()
			if d := week.Today.DaysSince(r.DueAt); !r.DueAt.IsZero() && d > 0 {
				due = fmt.Sprintf("逾期%d天", d)
			}
			return fmt.Sprintf("%s：%s（%s）", name(r.ProjectID), ruleLabel(r.Rule), due)
		}, "共%d项")
	}
	return strings.TrimRight(b.String(), "\n")
}
