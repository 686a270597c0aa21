package repository

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// WorkflowService implements domain.WorkflowService: the documents of the stages, chain
// chiefs' comments, follow-up milestones, and the board and review queue leaders work from.
type WorkflowService struct {
	db       *DB
	projects *ProjectService
}

// NewWorkflowService returns the workflow service on db.
func NewWorkflowService(db *DB) *WorkflowService {
	return &WorkflowService{db: db, projects: NewProjectService(db)}
}

var _ domain.WorkflowService = (*WorkflowService)(nil)

type commentRow struct {
	ID        int64
	ZoneID    int64
	ProjectID int64
	AuthorID  int64
	Body      string
	CreatedAt time.Time
}

func (commentRow) TableName() string { return "project_comments" }

// RiskAssessments lists every revision of a visible project's risk assessment, newest first.
func (s *WorkflowService) RiskAssessments(ctx context.Context, projectID int64) ([]*domain.RiskAssessment, error) {
	p, err := s.projects.load(ctx, projectID, false)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Row        riskRow `gorm:"embedded"`
		AuthorName string
	}
	err = s.db.conn(ctx).Table("risk_assessments AS r").Select("r.*, u.username AS author_name").
		Joins("JOIN users u ON u.id = r.author_id").Where("r.project_id = ?", p.ID).
		Order("r.created_at DESC, r.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.RiskAssessment, len(rows))
	for i, v := range rows {
		r := v.Row
		out[i] = &domain.RiskAssessment{ID: r.ID, ProjectID: r.ProjectID, Level: r.Level, Summary: r.Summary,
			Finance: r.Finance, Land: r.Land, Energy: r.Energy, Environment: r.Environment, TaxPerMu: r.TaxPerMu,
			Employment: r.Employment, Author: v.AuthorName, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// Decisions lists a visible project's landing decisions, newest first.
func (s *WorkflowService) Decisions(ctx context.Context, projectID int64) ([]*domain.Decision, error) {
	p, err := s.projects.load(ctx, projectID, false)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Row         decisionRow `gorm:"embedded"`
		DeciderName string
	}
	err = s.db.conn(ctx).Table("decisions AS d").Select("d.*, u.username AS decider_name").
		Joins("JOIN users u ON u.id = d.decider_id").Where("d.project_id = ?", p.ID).
		Order("d.created_at DESC, d.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Decision, len(rows))
	for i, v := range rows {
		out[i] = &domain.Decision{ID: v.Row.ID, ProjectID: v.Row.ProjectID, Outcome: v.Row.Outcome, Notes: v.Row.Notes,
			Decider: v.DeciderName, CreatedAt: v.Row.CreatedAt.UTC()}
	}
	return out, nil
}

// Comments lists the 批示 on a visible project, newest first.
func (s *WorkflowService) Comments(ctx context.Context, projectID int64) ([]*domain.Comment, error) {
	p, err := s.projects.load(ctx, projectID, false)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Row        commentRow `gorm:"embedded"`
		AuthorName string
	}
	err = s.db.conn(ctx).Table("project_comments AS c").Select("c.*, u.username AS author_name").
		Joins("JOIN users u ON u.id = c.author_id").Where("c.project_id = ?", p.ID).
		Order("c.created_at DESC, c.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Comment, len(rows))
	for i, v := range rows {
		out[i] = &domain.Comment{ID: v.Row.ID, ProjectID: v.Row.ProjectID, Body: v.Row.Body, Author: v.AuthorName,
			CreatedAt: v.Row.CreatedAt.UTC()}
	}
	return out, nil
}

// AddComment records a 批示 by a chief of the project's chain or the director, on any stage.
func (s *WorkflowService) AddComment(ctx context.Context, projectID int64, body string) (*domain.Comment, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	fe := domain.FieldErrors{}
	switch n := len([]rune(body)); {
	case n == 0:
		fe.Add("body", "请填写批示内容 (required)")
	case n > domain.MaxTextLen:
		fe.Add("body", fmt.Sprintf("过长，最多 %d 个字符 (too long)", domain.MaxTextLen))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var row *commentRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanComment(a, p) {
			return forbidden("对该项目作批示（须为该产业链链长或开发区主任）")
		}
		row = &commentRow{ZoneID: p.ZoneID, ProjectID: p.ID, AuthorID: a.User.ID, Body: body, CreatedAt: s.db.now()}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		return s.db.historyOf(ctx, a, p.ZoneID, p.ID, fmt.Sprintf("comment/%d", row.ID), "commented", "comment", "", body)
	})
	if err != nil {
		return nil, err
	}
	return &domain.Comment{ID: row.ID, ProjectID: row.ProjectID, Body: row.Body, Author: a.User.Username, CreatedAt: row.CreatedAt}, nil
}

// SetMilestones replaces the milestone dates of a follow-up project whose version is current.
func (s *WorkflowService) SetMilestones(ctx context.Context, projectID int64, in domain.MilestonesInput) (*domain.Project, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	fe := domain.FieldErrors{}
	if in.Version < 1 {
		fe.Add("version", "请带上当前版本号 version (required)")
	}
	for k, v := range domain.ErrorFields(in.Milestones.Validate(s.db.today())) {
		fe.Add(k, v)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("维护该项目的里程碑")
		}
		if p.Stage != domain.StageFollowUp {
			return domain.Errorf(domain.ERULE, "只有处于跟踪服务阶段的项目才能维护里程碑（当前：%s）(milestones are for follow-up projects)", p.Stage.Label())
		}
		if p.Version != in.Version {
			return staleVersion(p.Version)
		}
		old, cols := p.Milestones.List(), map[string]any{}
		var changes [][3]string
		for i, m := range in.Milestones.List() {
			if m.Date != old[i].Date {
				cols[m.Field] = m.Date
				changes = append(changes, [3]string{m.Field, old[i].Date.String(), m.Date.String()})
			}
		}
		if len(cols) == 0 {
			return nil
		}
		now := s.db.now()
		cols["version"], cols["updated_at"], cols["last_progress_at"] = p.Version+1, now, now
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", p.ID, p.Version).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		for _, c := range changes {
			if err := s.db.history(ctx, a, p.ZoneID, p.ID, "milestone", c[0], c[1], c[2]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.projects.load(ctx, projectID, false)
}

// boardFresh is the window a built board is served again in while nothing has been written
// (its cards' days in stage and stale colours move with the clock, not only with writes); in
// the next window it is answered once more while one load refreshes it (cachedWindow).
const boardFresh = 30 * time.Second

// Board groups the visible projects matching f by stage: a GROUP BY for the full counts,
// then each column's most recent moves. A built board is kept for the change stamp (any
// write drops it, listcache.go) and for a window of boardFresh (cachedWindow).
func (s *WorkflowService) Board(ctx context.Context, f domain.ProjectFilter, perColumn int) (*domain.Board, error) {
	a := domain.ActorFrom(ctx)
	if perColumn < 1 {
		perColumn = domain.DefaultBoardItems
	}
	perColumn = min(perColumn, domain.MaxBoardItems)
	f.Stage, f.IncludeDeleted, f.Page, f.Sort = nil, false, domain.Page{}, ""
	ctx = s.db.withStamp(ctx)
	where, err := s.projects.filter(ctx, domain.ScopeOf(a), f, false)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("board %d %s", perColumn,
		s.db.conn(ctx).ToSQL(func(tx *gorm.DB) *gorm.DB {
			var n int64
			return where(tx.Table("projects AS p")).Count(&n)
		}))
	return cachedWindow(ctx, s.db, key, boardFresh, func(ctx context.Context) (*domain.Board, error) { return s.board(ctx, where, perColumn) })
}

func (s *WorkflowService) board(ctx context.Context, where func(*gorm.DB) *gorm.DB, perColumn int) (*domain.Board, error) {
	type stageCount struct {
		Stage string
		N     int
	}
	// the column counts through the cache of list totals (listcache.go)
	grouped := func(tx *gorm.DB) *gorm.DB {
		return where(tx.Table("projects AS p")).Select("p.stage AS stage, COUNT(*) AS n").Group("p.stage")
	}
	counts, err := cachedScan[stageCount](ctx, s.db, grouped)
	if err != nil {
		return nil, err
	}
	n := map[domain.Stage]int{}
	for _, c := range counts {
		n[domain.Stage(c.Stage)] = c.N
	}
	// Ids first, from projects alone, so that each column is an index range read
	// (zone, stage, stage_entered_at) and the planner cannot start from a joined table.
	var ids []int64
	for _, st := range domain.Stages {
		if n[st] == 0 {
			continue
		}
		var col []int64
		if err := where(s.db.conn(ctx).Table("projects AS p")).Where("p.stage = ?", string(st)).
			Order("p.stage_entered_at DESC, p.id DESC").Limit(perColumn).Pluck("p.id", &col).Error; err != nil {
			return nil, err
		}
		ids = append(ids, col...)
	}
	ps, err := s.projects.byIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	b := &domain.Board{Columns: make([]*domain.BoardColumn, len(domain.Stages))}
	byStage := map[domain.Stage]*domain.BoardColumn{}
	for i, st := range domain.Stages {
		b.Columns[i] = &domain.BoardColumn{Stage: st, Label: st.Label(), Count: n[st], Items: []*domain.Project{}}
		byStage[st] = b.Columns[i]
	}
	for _, p := range ps {
		if c := byStage[p.Stage]; c != nil {
			c.Items = append(c.Items, p)
		}
	}
	return b, nil
}

// ReviewQueue lists the decisions waiting for the caller, the longest waiting first.
func (s *WorkflowService) ReviewQueue(ctx context.Context, page domain.Page) ([]*domain.ReviewItem, int, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	page = page.Normalize()
	var chains []int64
	switch {
	case a.User.HasRole(domain.RoleDirector):
	case a.User.HasRole(domain.RoleChainChief) && len(a.User.ChainIDs) > 0:
		chains = a.User.ChainIDs
	default:
		return []*domain.ReviewItem{}, 0, nil
	}
	// The page is kept like the board: for the change stamp (a risk assessment or a
	// decision writes the project, which moves it) and a window of boardFresh, since days
	// waiting move with the clock.
	type queuePage struct {
		items []*domain.ReviewItem
		total int
	}
	ctx = s.db.withStamp(ctx)
	scope := domain.ScopeOf(a)
	key := fmt.Sprintf("review queue %d %v %d %v %d %d %d", scope.ZoneID, scope.All, scope.SubmitterID, scope.ChainIDs,
		chains, page.Page, page.PageSize)
	r, err := cachedWindow(ctx, s.db, key, boardFresh, func(ctx context.Context) (*queuePage, error) {
		items, total, err := s.reviewQueue(ctx, scope, chains, page)
		return &queuePage{items, total}, err
	})
	if err != nil {
		return nil, 0, err
	}
	return r.items, r.total, nil
}

func (s *WorkflowService) reviewQueue(ctx context.Context, scope domain.Scope, chains []int64, page domain.Page) ([]*domain.ReviewItem, int, error) {
	queue := func(tx *gorm.DB) *gorm.DB {
		q := tx.Table("projects AS p").Scopes(projectScope(scope)).
			Where("p.deleted_at IS NULL AND p.stage = ? AND p.decision_outcome = ?", string(domain.StageDecision), "")
		if chains != nil {
			q = q.Where("p.chain_id IN ?", chains)
		}
		return q
	}
	total, err := s.db.cachedCount(ctx, func(tx *gorm.DB) *gorm.DB { return queue(tx) })
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	if err := queue(s.db.conn(ctx)).Order("p.stage_entered_at, p.id").Limit(page.PageSize).Offset(page.Offset()).Pluck("p.id", &ids).Error; err != nil {
		return nil, 0, err
	}
	ps, err := s.projects.byIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	levels, err := s.latestRiskLevels(ctx, ps)
	if err != nil {
		return nil, 0, err
	}
	now := s.db.now()
	out := make([]*domain.ReviewItem, len(ps))
	for i, p := range ps {
		out[i] = &domain.ReviewItem{Project: p, DaysWaiting: int(now.Sub(p.StageEnteredAt).Hours() / 24), RiskLevel: levels[p.ID]}
	}
	return out, int(total), nil
}

// byIDs loads projects by id (already scoped by the caller's query) in the order of ids,
// in batches that stay within SQLite's bound-variable limit.
func (s *ProjectService) byIDs(ctx context.Context, ids []int64) ([]*domain.Project, error) {
	const batch = 500
	byID := make(map[int64]*domain.Project, len(ids))
	for rest := ids; len(rest) > 0; {
		part := rest[:min(batch, len(rest))]
		rest = rest[len(part):]
		var rows []projectView
		if err := s.base(ctx).Where("p.id IN ?", part).Scan(&rows).Error; err != nil {
			return nil, err
		}
		ps, err := s.toDomain(ctx, rows)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			byID[p.ID] = p
		}
	}
	out := make([]*domain.Project, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *WorkflowService) latestRiskLevels(ctx context.Context, ps []*domain.Project) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ps) == 0 {
		return out, nil
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	var rows []riskRow
	if err := s.db.conn(ctx).Select("project_id, level").Where("project_id IN ?", ids).
		Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ProjectID] = r.Level // the last one wins: the latest revision
	}
	return out, nil
}

// FindCampaign returns a campaign of the caller's zone with the visible projects docked at
// it, newest docking first.
func (s *WorkflowService) FindCampaign(ctx context.Context, id int64) (*domain.CampaignDetail, error) {
	zoneID := zoneOf(ctx)
	var rows []campaignRow
	if err := s.db.conn(ctx).Where("id = ? AND zone_id = ?", id, zoneID).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("招商活动")
	}
	r := rows[0]
	c := &domain.Campaign{ID: r.ID, ZoneID: r.ZoneID, Kind: domain.CampaignKind(r.Kind), Title: r.Title, City: r.City,
		StartDate: r.StartDate, EndDate: r.EndDate, Notes: r.Notes, CreatedAt: r.CreatedAt.UTC()}
	projects := []*domain.Project{}
	err := s.projects.EachProject(ctx, domain.ProjectFilter{CampaignID: &id}, func(p *domain.Project) error {
		projects = append(projects, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(projects, func(i, j int) bool {
		if projects[i].DockedAt != projects[j].DockedAt {
			return projects[j].DockedAt.Before(projects[i].DockedAt)
		}
		return projects[i].ID > projects[j].ID
	})
	c.ProjectCount = len(projects)
	return &domain.CampaignDetail{Campaign: c, Projects: projects}, nil
}
