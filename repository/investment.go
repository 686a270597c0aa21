package repository

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// InvestmentService implements domain.InvestmentService. Each arrival of capital (到资) is a
// row of investments; the project keeps the running total (realised_investment) updated in
// the same transaction, so that lists, exports and figures read it without a join.
type InvestmentService struct {
	db       *DB
	projects *ProjectService
}

// NewInvestmentService returns the investment service on db.
func NewInvestmentService(db *DB) *InvestmentService {
	return &InvestmentService{db: db, projects: NewProjectService(db)}
}

var _ domain.InvestmentService = (*InvestmentService)(nil)

type investmentRow struct {
	ID        int64
	ZoneID    int64
	ProjectID int64
	Date      domain.Date
	Amount    int64
	Notes     string
	AuthorID  int64
	CreatedAt time.Time
}

func (investmentRow) TableName() string { return "investments" }

// ProjectInvestments lists a visible project's arrivals, newest first, with its totals.
func (s *InvestmentService) ProjectInvestments(ctx context.Context, projectID int64) (*domain.ProjectInvestments, error) {
	p, err := s.projects.load(ctx, projectID, false)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Row        investmentRow `gorm:"embedded"`
		AuthorName string
	}
	err = s.db.conn(ctx).Table("investments AS i").Select("i.*, u.username AS author_name").
		Joins("JOIN users u ON u.id = i.author_id").Where("i.project_id = ?", p.ID).
		Order("i.date DESC, i.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := &domain.ProjectInvestments{Items: make([]*domain.Investment, len(rows)), Planned: p.PlannedInvestment,
		Realised: p.RealisedInvestment, SignedAt: p.SignedAt, ProjectID: p.ID}
	for i, v := range rows {
		out.Items[i] = investmentToDomain(v.Row, v.AuthorName)
	}
	return out, nil
}

func investmentToDomain(r investmentRow, author string) *domain.Investment {
	return &domain.Investment{ID: r.ID, ProjectID: r.ProjectID, Date: r.Date, Amount: domain.Money(r.Amount),
		Notes: r.Notes, Author: author, CreatedAt: r.CreatedAt.UTC()}
}

// RecordInvestment records capital that arrived on a signed project the caller may edit.
func (s *InvestmentService) RecordInvestment(ctx context.Context, projectID int64, in domain.InvestmentInput) (*domain.Investment, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(s.db.today()); err != nil {
		return nil, err
	}
	var row *investmentRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.projects.load(ctx, projectID, false)
		if err != nil {
			return err
		}
		if !domain.CanEditProject(a, p) {
			return forbidden("为该项目登记到资")
		}
		// A signed project is one that went through the decision to follow-up (issue 12:
		// a signing date alone, as an old PATCH could set, is not a signing).
		if p.SignedAt.IsZero() || p.Stage != domain.StageFollowUp {
			return domain.Errorf(domain.ERULE, "项目尚未签约（当前阶段：%s），只有已签约、处于跟踪服务阶段的项目才能登记到资 (only signed projects in follow-up record realised investment)", p.Stage.Label())
		}
		if p.RealisedInvestment+in.Amount > domain.MaxMoney {
			return &domain.Error{Code: domain.EINVALID, Message: "累计到资超过上限",
				Fields: map[string]string{"amount_wan": "一个项目累计到资不能超过 10 000 000 万元（1 万亿元）(realised total over 10,000,000 万元)"}}
		}
		if in.Date.Before(p.SignedAt) {
			return &domain.Error{Code: domain.EINVALID, Message: "到资日期不能早于签约日期",
				Fields: map[string]string{"date": fmt.Sprintf("到资日期不能早于签约日期 %s (before signed_at)", p.SignedAt)}}
		}
		now := s.db.now()
		row = &investmentRow{ZoneID: p.ZoneID, ProjectID: p.ID, Date: in.Date, Amount: int64(in.Amount), Notes: in.Notes,
			AuthorID: a.User.ID, CreatedAt: now}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		total := p.RealisedInvestment + in.Amount
		res := s.db.conn(ctx).Model(&projectRow{}).Where("id = ? AND version = ?", p.ID, p.Version).Updates(map[string]any{
			"realised_investment": gorm.Expr("realised_investment + ?", int64(in.Amount)),
			"version":             p.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return staleVersion(p.Version)
		}
		return s.db.historyOf(ctx, a, p.ZoneID, p.ID, fmt.Sprintf("investment/%d", row.ID), "investment",
			"realised_investment_wan", p.RealisedInvestment.Wan(), total.Wan())
	})
	if err != nil {
		return nil, err
	}
	return investmentToDomain(*row, a.User.Username), nil
}

// InvestmentSummary totals planned against realised over the visible signed projects (those
// signed in year, when year > 0), by chain and by channel.
func (s *InvestmentService) InvestmentSummary(ctx context.Context, year int) (*domain.InvestmentSummary, error) {
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	q := s.db.conn(ctx).Table("projects AS p").
		Select("ch.code AS chain, p.channel AS channel, COUNT(*) AS n, " + moneySum("p.planned_investment") + " AS planned, " + moneySum("p.realised_investment") + " AS realised").
		Joins("LEFT JOIN chains ch ON ch.id = p.chain_id").Scopes(projectScope(scope)).
		Where("p.deleted_at IS NULL AND p.signed_at IS NOT NULL")
	if year > 0 {
		q = q.Where("p.signed_at >= ? AND p.signed_at <= ?", domain.NewDate(year, 1, 1), domain.NewDate(year, 12, 31))
	}
	var groups []struct {
		Chain    *string
		Channel  string
		N        int
		Planned  int64
		Realised int64
	}
	if err := q.Group("ch.code, p.channel").Scan(&groups).Error; err != nil {
		return nil, err
	}
	out := &domain.InvestmentSummary{Year: year, ByChain: map[string]*domain.InvestmentTotals{}, ByChannel: map[string]*domain.InvestmentTotals{}}
	for _, c := range domain.Channels {
		out.ByChannel[string(c)] = &domain.InvestmentTotals{}
	}
	add := func(t *domain.InvestmentTotals, n int, planned, realised int64) {
		t.Projects += n
		t.Planned += domain.Money(planned)
		t.Realised += domain.Money(realised)
	}
	for _, g := range groups {
		chain := "none"
		if g.Chain != nil {
			chain = *g.Chain
		}
		if out.ByChain[chain] == nil {
			out.ByChain[chain] = &domain.InvestmentTotals{}
		}
		if out.ByChannel[g.Channel] == nil {
			out.ByChannel[g.Channel] = &domain.InvestmentTotals{}
		}
		add(&out.Signed, g.N, g.Planned, g.Realised)
		add(out.ByChain[chain], g.N, g.Planned, g.Realised)
		add(out.ByChannel[g.Channel], g.N, g.Planned, g.Realised)
	}
	if year > 0 {
		var sum int64
		err := s.db.conn(ctx).Table("investments AS i").Select(moneySum("i.amount")).
			Joins("JOIN projects p ON p.id = i.project_id").Scopes(projectScope(scope)).
			Where("p.deleted_at IS NULL AND i.date >= ? AND i.date <= ?", domain.NewDate(year, 1, 1), domain.NewDate(year, 12, 31)).
			Scan(&sum).Error
		if err != nil {
			return nil, err
		}
		m := domain.Money(sum)
		out.RealisedInYear = &m
	}
	return out, nil
}
