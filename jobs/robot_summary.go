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
// zone-wide robots and one per chain for the chains' robots.
func (j *DigestJob) publishWeekly(ctx context.Context, data *domain.DigestData, week Week) (int, error) {
	if j.Robots == nil {
		return 0, nil
	}
	ix := indexDigest(data)
	total := 0
	scopes := []*int64{nil}
	for _, c := range data.Chains {
		id := c.ID
		scopes = append(scopes, &id)
	}
	remindersOf := map[int64]int{}
	for _, r := range data.Reminders {
		remindersOf[r.ProjectID]++
	}
	for _, chainID := range scopes {
		name, scope, audience := "全区", "zone", domain.AudienceZone
		if chainID != nil {
			name, scope, audience = ix.chains[*chainID].Name, fmt.Sprintf("chain%d", *chainID), domain.AudienceChain
		}
		in := func(p *domain.DigestProject) bool {
			return chainID == nil || (p.ChainID != nil && *p.ChainID == *chainID)
		}
		var newProjects, waiting []*domain.DigestProject
		reminders := 0
		for _, p := range data.Projects {
			if !in(p) {
				continue
			}
			if !p.DockedAt.Before(week.First) && !p.DockedAt.After(week.Last) {
				newProjects = append(newProjects, p)
			}
			if p.Stage == domain.StageDecision {
				waiting = append(waiting, p)
			}
			reminders += remindersOf[p.ID]
		}
		var moves []*domain.StageMove
		for _, m := range data.Moves {
			if p := ix.projects[m.ProjectID]; p != nil && in(p) {
				moves = append(moves, m)
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "本周新增项目 **%d** 个，阶段变动 **%d** 次，待决策 **%d** 个，未办结待办 **%d** 项。\n\n",
			len(newProjects), len(moves), len(waiting), reminders)
		for i, p := range newProjects {
			if i == 5 {
				fmt.Fprintf(&b, "- ……等%d个新项目\n", len(newProjects))
				break
			}
			fmt.Fprintf(&b, "- 新增：%s\n", p.Name)
		}
		for i, m := range moves {
			if i == 5 {
				fmt.Fprintf(&b, "- ……共%d次阶段变动\n", len(moves))
				break
			}
			fmt.Fprintf(&b, "- %s：%s → %s\n", ix.projects[m.ProjectID].Name, m.From.Label(), m.To.Label())
		}
		for i, p := range waiting {
			if i == 5 {
				fmt.Fprintf(&b, "- ……共%d个项目待决策\n", len(waiting))
				break
			}
			fmt.Fprintf(&b, "- 待决策：%s（已等%d天）\n", p.Name, week.Today.DaysSince(domain.DateOf(p.StageEnteredAt, j.opts().Loc)))
		}
		n, err := j.Robots.PublishRobotEvent(ctx, &domain.RobotEvent{ZoneID: data.Zone.ID, Event: domain.RobotEventWeeklyDigest,
			Key: fmt.Sprintf("weekly_digest:%d:%s:%d-w%02d", data.Zone.ID, scope, week.Year, week.Number), ChainID: chainID,
			Audience: audience, Title: fmt.Sprintf("%s每周简报（%d年第%d周）", name, week.Year, week.Number),
			Markdown: strings.TrimRight(b.String(), "\n"), Link: "/"})
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
