package repository

import (
	"context"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ExportService implements domain.Exporter: it streams projects and activities for the
// spreadsheet exports in batches, so that memory stays flat for any number of rows.
type ExportService struct {
	db       *DB
	projects *ProjectService
}

// NewExportService returns the export service on db.
func NewExportService(db *DB) *ExportService {
	return &ExportService{db: db, projects: NewProjectService(db)}
}

var _ domain.Exporter = (*ExportService)(nil)

const exportBatch = 1000

// EachExportProject walks the visible projects matching f (EachProject) and adds each
// investor's credit code, read once per batch.
func (s *ExportService) EachExportProject(ctx context.Context, f domain.ProjectFilter, fn func(*domain.Project, string) error) error {
	var batch []*domain.Project
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids := make([]int64, 0, len(batch))
		for _, p := range batch {
			ids = append(ids, p.InvestorID)
		}
		var codes []struct {
			ID         int64
			CreditCode *string
		}
		if err := s.db.conn(ctx).Model(&enterpriseRow{}).Select("id, credit_code").
			Where("id IN ? AND credit_code IS NOT NULL", dedupe(ids)).Scan(&codes).Error; err != nil {
			return err
		}
		code := map[int64]string{}
		for _, c := range codes {
			code[c.ID] = *c.CreditCode
		}
		for _, p := range batch {
			if err := fn(p, code[p.InvestorID]); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err := s.projects.EachProject(ctx, f, func(p *domain.Project) error {
		batch = append(batch, p)
		if len(batch) == exportBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

type activityExportView struct {
	Row         activityRow `gorm:"embedded"`
	AuthorName  string
	ProjectName string
}

// EachActivity walks the live activities of the visible projects matching f, in the order
// they were logged, with each one's project name.
func (s *ExportService) EachActivity(ctx context.Context, f domain.ProjectFilter, from, to domain.Date, fn func(string, *domain.Activity) error) error {
	a := domain.ActorFrom(ctx)
	where, err := s.projects.filter(ctx, domain.ScopeOf(a), f, domain.IsAdmin(a))
	if err != nil {
		return err
	}
	var afterID int64
	for {
		q := where(s.db.conn(ctx).Table("projects AS p")).
			Joins("JOIN activities a ON a.project_id = p.id").Joins("JOIN users u ON u.id = a.author_id").
			Select("a.*, u.username AS author_name, p.name AS project_name").
			Where("a.deleted_at IS NULL AND a.id > ?", afterID)
		if !from.IsZero() {
			q = q.Where("a.occurred_at >= ?", from)
		}
		if !to.IsZero() {
			q = q.Where("a.occurred_at <= ?", to)
		}
		var rows []activityExportView
		if err := q.Order("a.id").Limit(exportBatch).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r.ProjectName, activityToDomain(activityView{Row: r.Row, AuthorName: r.AuthorName})); err != nil {
				return err
			}
		}
		if len(rows) < exportBatch {
			return nil
		}
		afterID = rows[len(rows)-1].Row.ID
	}
}
