package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// SupervisionService implements domain.SupervisionService and, for the reminder job,
// domain.OpenSupervisionLister. A supervision (督办) is stored open, answered or closed;
// overdue is computed from its due date and the zone's today, so it needs no job to flip it.
type SupervisionService struct {
	db       *DB
	projects *ProjectService
}

// NewSupervisionService returns the supervision service on db.
func NewSupervisionService(db *DB) *SupervisionService {
	return &SupervisionService{db: db, projects: NewProjectService(db)}
}

var (
	_ domain.SupervisionService    = (*SupervisionService)(nil)
	_ domain.OpenSupervisionLister = (*SupervisionService)(nil)
)

type supervisionRow struct {
	ID          int64
	ZoneID      int64
	ProjectID   int64
	IssuerID    int64
	OwnerID     int64
	Instruction string
	Due         domain.Date
	Status      string
	Answer      string
	AnsweredAt  *time.Time
	ClosedAt    *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (supervisionRow) TableName() string { return "supervisions" }

type supervisionView struct {
	Row         supervisionRow `gorm:"embedded"`
	ProjectName string
	IssuerName  string
	OwnerName   string
	OwnerEmail  string
	IssuerDisp  string
	OwnerDisp   string
}

func (s *SupervisionService) base(ctx context.Context) *gorm.DB {
	return s.db.conn(ctx).Table("supervisions AS s").
		Select("s.*, p.name AS project_name, iu.username AS issuer_name, ou.username AS owner_name, ou.email AS owner_email, " +
			"iu.display_name AS issuer_disp, ou.display_name AS owner_disp").
		Joins("JOIN projects p ON p.id = s.project_id").
		Joins("JOIN users iu ON iu.id = s.issuer_id").
		Joins("JOIN users ou ON ou.id = s.owner_id")
}

func (s *SupervisionService) toDomain(v supervisionView, today domain.Date) *domain.Supervision {
	r := v.Row
	out := &domain.Supervision{ID: r.ID, ZoneID: r.ZoneID, ProjectID: r.ProjectID, ProjectName: v.ProjectName,
		Instruction: r.Instruction, Due: r.Due, Status: domain.SupervisionStatusOf(domain.SupervisionStatus(r.Status), r.Due, today),
		IssuerID: r.IssuerID, Issuer: v.IssuerName, IssuerName: v.IssuerDisp, OwnerID: r.OwnerID, Owner: v.OwnerName,
		OwnerName: v.OwnerDisp, OwnerEmail: v.OwnerEmail,
		Answer: r.Answer, CreatedAt: r.CreatedAt.UTC()}
	if r.AnsweredAt != nil {
		t := r.AnsweredAt.UTC()
		out.AnsweredAt = &t
	}
	if r.ClosedAt != nil {
		t := r.ClosedAt.UTC()
		out.ClosedAt = &t
	}
	return out
}

func supervisionObject(id int64) string { return fmt.Sprintf("supervision/%d", id) }

// IssueSupervision issues an instruction on a visible project to its owner.
func (s *SupervisionService) IssueSupervision(ctx context.Context, projectID int64, in domain.SupervisionInput) (*domain.Supervision, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	today := s.db.today()
	if err := in.Validate(today); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanSupervise(a, p) {
			return forbidden("督办该项目（须为该产业链链长或开发区主任）")
		}
		if p.Stage == domain.StageDropped {
			return domain.Errorf(domain.ERULE, "项目已终止，不能督办 (the project is dropped)")
		}
		now := s.db.now()
		row := &supervisionRow{ZoneID: p.ZoneID, ProjectID: p.ID, IssuerID: a.User.ID, OwnerID: p.OwnerID,
			Instruction: in.Instruction, Due: in.Due, Status: string(domain.SupervisionOpen), CreatedAt: now, UpdatedAt: now}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		id = row.ID
		obj := supervisionObject(id)
		if err := s.db.historyOf(ctx, a, p.ZoneID, p.ID, obj, "supervision_issued", "instruction", "", in.Instruction); err != nil {
			return err
		}
		if err := s.db.historyOf(ctx, a, p.ZoneID, p.ID, obj, "supervision_issued", "due", "", in.Due.String()); err != nil {
			return err
		}
		return s.db.publishSupervision(ctx, p, id, displayName(a.User), in) // the groups hear it (issue 16)
	})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, id)
}

// find reads a supervision of the caller's zone on a project they may see.
func (s *SupervisionService) find(ctx context.Context, id int64) (*domain.Supervision, error) {
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	var rows []supervisionView
	if err := s.base(ctx).Scopes(projectScope(scope)).Where("s.id = ? AND p.deleted_at IS NULL", id).Limit(1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("督办事项")
	}
	return s.toDomain(rows[0], s.db.today()), nil
}

// AnswerSupervision records the owner's answer; an answered supervision may be answered
// again (the history keeps both) until the issuer closes it.
func (s *SupervisionService) AnswerSupervision(ctx context.Context, id int64, answer string) (*domain.Supervision, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	answer = strings.TrimSpace(answer)
	fe := domain.FieldErrors{}
	switch n := len([]rune(answer)); {
	case n == 0:
		fe.Add("answer", "请填写办理情况 (required)")
	case n > domain.MaxTextLen:
		fe.Add("answer", fmt.Sprintf("过长，最多 %d 个字符 (too long)", domain.MaxTextLen))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		sup, err := s.find(ctx, id)
		if err != nil {
			return err
		}
		p, err := s.projects.load(ctx, sup.ProjectID, false)
		if err != nil {
			return err
		}
		if sup.OwnerID != a.User.ID && p.OwnerID != a.User.ID {
			return forbidden("答复该督办（须为项目负责人）")
		}
		if sup.Status == domain.SupervisionClosed {
			return domain.Errorf(domain.ERULE, "督办已办结，不能再答复 (the supervision is closed)")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&supervisionRow{}).Where("id = ? AND status <> ?", id, string(domain.SupervisionClosed)).
			Updates(map[string]any{"status": string(domain.SupervisionAnswered), "answer": answer, "answered_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ERULE, "督办已办结，不能再答复 (the supervision is closed)")
		}
		obj := supervisionObject(id)
		if err := s.db.historyOf(ctx, a, sup.ZoneID, sup.ProjectID, obj, "supervision_answered", "answer", sup.Answer, answer); err != nil {
			return err
		}
		if sup.Status == domain.SupervisionAnswered {
			return nil
		}
		return s.db.historyOf(ctx, a, sup.ZoneID, sup.ProjectID, obj, "supervision_answered", "status", string(sup.Status), string(domain.SupervisionAnswered))
	})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, id)
}

// CloseSupervision closes a supervision; only its issuer may.
func (s *SupervisionService) CloseSupervision(ctx context.Context, id int64) (*domain.Supervision, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		sup, err := s.find(ctx, id)
		if err != nil {
			return err
		}
		if sup.IssuerID != a.User.ID {
			return forbidden("办结他人发出的督办（须为督办人）")
		}
		if sup.Status == domain.SupervisionClosed {
			return domain.Errorf(domain.ERULE, "督办已办结 (already closed)")
		}
		now := s.db.now()
		res := s.db.conn(ctx).Model(&supervisionRow{}).Where("id = ? AND status <> ?", id, string(domain.SupervisionClosed)).
			Updates(map[string]any{"status": string(domain.SupervisionClosed), "closed_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ERULE, "督办已办结 (already closed)")
		}
		return s.db.historyOf(ctx, a, sup.ZoneID, sup.ProjectID, supervisionObject(id), "supervision_closed", "status",
			string(sup.Status), string(domain.SupervisionClosed))
	})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, id)
}

// FindSupervisions lists what the caller owns or issued, or every one in the zone for
// administrators and the director; with a ProjectID, every supervision of that visible
// project. Newest first.
func (s *SupervisionService) FindSupervisions(ctx context.Context, f domain.SupervisionFilter) ([]*domain.Supervision, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	q := s.base(ctx).Scopes(projectScope(domain.ScopeOf(a))).Where("p.deleted_at IS NULL")
	if f.ProjectID != nil {
		if _, err := s.projects.load(ctx, *f.ProjectID, false); err != nil {
			return nil, err
		}
		q = q.Where("s.project_id = ?", *f.ProjectID)
	} else if !a.User.HasRole(domain.RoleAdmin) && !a.User.HasRole(domain.RoleDirector) {
		q = q.Where("(s.owner_id = ? OR s.issuer_id = ?)", a.User.ID, a.User.ID)
	}
	today := s.db.today()
	if f.Status != nil {
		switch *f.Status {
		case domain.SupervisionOpen:
			q = q.Where("s.status = ? AND s.due >= ?", string(domain.SupervisionOpen), today)
		case domain.SupervisionOverdue:
			q = q.Where("s.status = ? AND s.due < ?", string(domain.SupervisionOpen), today)
		default:
			q = q.Where("s.status = ?", string(*f.Status))
		}
	}
	var rows []supervisionView
	if err := q.Order("s.created_at DESC, s.id DESC").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Supervision, len(rows))
	for i, r := range rows {
		out[i] = s.toDomain(r, today)
	}
	return out, nil
}

// OpenSupervisions lists, across every zone, the supervisions still waiting for their
// owner's answer (open, overdue ones included), earliest due first, with the owner's user
// id, username and email and the project's name. It acts as the system (no actor): the
// reminder job calls it to remind owners, and escalates the overdue ones.
func (s *SupervisionService) OpenSupervisions(ctx context.Context) ([]*domain.Supervision, error) {
	var rows []supervisionView
	if err := s.base(ctx).Where("s.status = ? AND p.deleted_at IS NULL", string(domain.SupervisionOpen)).
		Order("s.due, s.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	today := s.db.today()
	out := make([]*domain.Supervision, len(rows))
	for i, r := range rows {
		out[i] = s.toDomain(r, today)
	}
	return out, nil
}
