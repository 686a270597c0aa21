package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The reminder job's side of service requests (domain.RequestEscalator). Reminders on the
// due date and the directors' reminder after service.escalate_after_days are ordinary
// reminder rules (jobs/rules.go, facts from reminder_scan.go); what is not a reminder is
// done here, each once per request:
//
//   - the first run after the deadline marks the request overdue (overdue_at) and publishes
//     request_overdue to the EventSink (the group robots);
//   - afterDays past the deadline it marks it escalated (escalated_at), opens a 督办 on the
//     project from the zone's director to the project's owner, and emails every director
//     through the outbox.
//
// "Once" is a conditional UPDATE … WHERE overdue_at IS NULL (escalated_at IS NULL) in the
// same transaction as its effects: across replicas and re-runs only one transaction
// changes the row, and the others write nothing.

// EscalateRequests marks newly overdue requests and escalates those afterDays overdue.
func (s *ServiceRequestService) EscalateRequests(ctx context.Context, now time.Time, today domain.Date, o domain.EscalationOptions) (domain.EscalationResult, error) {
	var res domain.EscalationResult
	if o.AfterDays <= 0 {
		o.AfterDays = 7
	}
	if o.MailDomain == "" {
		o.MailDomain = "chaincrm.invalid"
	}
	var overdue []int64
	if err := s.db.gorm.WithContext(ctx).Table("service_requests AS r").Joins("JOIN projects p ON p.id = r.project_id").
		Where("r.status IN ? AND r.due_on < ? AND r.overdue_at IS NULL AND p.deleted_at IS NULL", pendingStatuses, today).
		Order("r.id").Pluck("r.id", &overdue).Error; err != nil {
		return res, err
	}
	for _, id := range overdue {
		done, err := s.markOverdue(ctx, id, now, today)
		if err != nil {
			return res, err
		}
		if done {
			res.Overdue++
		}
	}
	var late []int64
	if err := s.db.gorm.WithContext(ctx).Table("service_requests AS r").Joins("JOIN projects p ON p.id = r.project_id").
		Where("r.status IN ? AND r.due_on <= ? AND r.escalated_at IS NULL AND p.deleted_at IS NULL", pendingStatuses, today.AddDays(-o.AfterDays)).
		Order("r.id").Pluck("r.id", &late).Error; err != nil {
		return res, err
	}
	for _, id := range late {
		done, err := s.escalate(ctx, id, now, today, o)
		if err != nil {
			return res, err
		}
		if done {
			res.Escalated++
		}
	}
	return res, nil
}

// system reads a request without a scope (the job acts for every zone).
func (s *ServiceRequestService) system(ctx context.Context, id int64) (*requestView, error) {
	var rows []requestView
	if err := s.base(ctx).Where("r.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("企业诉求")
	}
	return &rows[0], nil
}

func (s *ServiceRequestService) markOverdue(ctx context.Context, id int64, now time.Time, today domain.Date) (bool, error) {
	done := false
	err := retryDeadlock(func() error {
		done = false
		return s.db.WithTx(ctx, func(ctx context.Context) error {
			res := s.db.conn(ctx).Model(&serviceRequestRow{}).
				Where("id = ? AND overdue_at IS NULL AND status IN ? AND due_on < ?", id, pendingStatuses, today).
				Update("overdue_at", now)
			if res.Error != nil || res.RowsAffected != 1 {
				return res.Error
			}
			done = true
			v, err := s.system(ctx, id)
			if err != nil {
				return err
			}
			r := v.toDomain(today)
			if err := s.event(ctx, nil, r.ZoneID, id, "overdue", "", "", fmt.Sprintf("已超过办理期限 %s", r.DueOn), false); err != nil {
				return err
			}
			if s.Events == nil {
				return nil
			}
			var mentions []int64
			if err := s.db.conn(ctx).Model(&userRow{}).Where("department_id = ? AND disabled = ?", r.DepartmentID, false).
				Order("id").Pluck("id", &mentions).Error; err != nil {
				return err
			}
			return s.Events.Publish(ctx, domain.Event{Kind: domain.EventRequestOverdue, ZoneID: r.ZoneID, ChainID: v.ChainID,
				ProjectID: r.ProjectID, Object: requestObject(id), Mentions: append(mentions, v.ProjectOwner),
				Title: fmt.Sprintf("企业诉求逾期：%s", r.Title),
				Text: fmt.Sprintf("项目：%s（%s）\n诉求：%s\n承办部门：%s\n办理期限：%s，已逾期，请尽快办理。",
					r.Project.Name, r.Project.Investor, r.Title, r.DepartmentName, r.DueOn.Chinese()),
				At: now})
		})
	})
	return done, err
}

// directors are the enabled directors of a zone: (id, email).
func (s *ServiceRequestService) directors(ctx context.Context, zoneID int64) ([]userRow, error) {
	var rows []userRow
	err := s.db.conn(ctx).Table("users AS u").Select("u.*").
		Joins("JOIN zones z ON z.id = u.zone_id").
		Joins("JOIN casbin_rule cr ON cr.ptype = 'g' AND cr.v0 = u.username AND cr.v1 = ? AND cr.v2 = z.code", string(domain.RoleDirector)).
		Where("u.zone_id = ? AND u.disabled = ?", zoneID, false).Order("u.id").Scan(&rows).Error
	return rows, err
}

// supervisionDays is how long the owner has to answer an escalation's 督办.
const supervisionDays = 7

func (s *ServiceRequestService) escalate(ctx context.Context, id int64, now time.Time, today domain.Date, o domain.EscalationOptions) (bool, error) {
	done := false
	err := retryDeadlock(func() error {
		done = false
		return s.db.WithTx(ctx, func(ctx context.Context) error {
			res := s.db.conn(ctx).Model(&serviceRequestRow{}).
				Where("id = ? AND escalated_at IS NULL AND status IN ?", id, pendingStatuses).
				Update("escalated_at", now)
			if res.Error != nil || res.RowsAffected != 1 {
				return res.Error
			}
			done = true
			v, err := s.system(ctx, id)
			if err != nil {
				return err
			}
			r := v.toDomain(today)
			dirs, err := s.directors(ctx, r.ZoneID)
			if err != nil {
				return err
			}
			days := today.DaysSince(r.DueOn)
			instruction := fmt.Sprintf("企业诉求「%s」（%s，承办部门：%s）办理期限为%s，已逾期%d天仍未办结，请协调承办部门尽快办理并反馈。",
				r.Title, r.Project.Investor, r.DepartmentName, r.DueOn.Chinese(), days)
			text := fmt.Sprintf("已逾期%d天，上报开发区主任", days)
			if len(dirs) > 0 {
				sup := &supervisionRow{ZoneID: r.ZoneID, ProjectID: r.ProjectID, IssuerID: dirs[0].ID, OwnerID: v.ProjectOwner,
					Instruction: instruction, Due: today.AddDays(supervisionDays), Status: string(domain.SupervisionOpen),
					CreatedAt: now, UpdatedAt: now}
				if err := s.db.conn(ctx).Create(sup).Error; err != nil {
					return err
				}
				if err := s.db.conn(ctx).Model(&serviceRequestRow{}).Where("id = ?", id).Update("supervision_id", sup.ID).Error; err != nil {
					return err
				}
				obj := supervisionObject(sup.ID)
				if err := s.db.historyOf(ctx, nil, r.ZoneID, r.ProjectID, obj, "supervision_issued", "instruction", "", instruction); err != nil {
					return err
				}
				if err := s.db.historyOf(ctx, nil, r.ZoneID, r.ProjectID, obj, "supervision_issued", "due", "", sup.Due.String()); err != nil {
					return err
				}
				text += fmt.Sprintf("，已发起督办（督办 #%d）", sup.ID)
				// the groups hear this 督办 as they hear one issued by hand (issue 16)
				issuer := dirs[0].DisplayName
				if issuer == "" {
					issuer = dirs[0].Username
				}
				p := &domain.Project{ID: r.ProjectID, ZoneID: r.ZoneID, Name: r.Project.Name, ChainID: v.ChainID, OwnerID: v.ProjectOwner}
				if err := s.db.publishSupervision(ctx, p, sup.ID, issuer, domain.SupervisionInput{Instruction: instruction, Due: sup.Due}); err != nil {
					return err
				}
			}
			if err := s.event(ctx, nil, r.ZoneID, id, "escalated", "", "", text, false); err != nil {
				return err
			}
			link := strings.TrimRight(o.BaseURL, "/") + fmt.Sprintf("/requests/%d", id)
			var mails []*domain.Mail
			for _, d := range dirs {
				if d.Email == "" {
					continue
				}
				mails = append(mails, &domain.Mail{ZoneID: r.ZoneID, To: d.Email,
					MessageID: fmt.Sprintf("request-%d-escalated-u%d@%s", id, d.ID, o.MailDomain),
					Subject:   fmt.Sprintf("【企业诉求逾期上报】%s", r.Title),
					Text: fmt.Sprintf("%s：\n\n%s\n\n项目：%s\n企业：%s\n项目负责人：%s\n诉求类别：%s\n诉求内容：%s\n\n已向项目负责人发起督办。查看：%s\n",
						d.DisplayName, instruction, r.Project.Name, r.Project.Investor, r.Project.OwnerName, r.CategoryLabel,
						r.Detail, link)})
			}
			if len(mails) == 0 {
				return nil
			}
			_, err = NewOutboxStore(s.db).EnqueueAll(ctx, mails)
			return err
		})
	})
	return done, err
}
