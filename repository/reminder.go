package repository

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Reminders (待办): the user's side here (list, done, snooze), the scheduler's side
// (ReminderStore) in reminder_scan.go.

type reminderRow struct {
	ID          int64
	ZoneID      int64
	Rule        string
	ProjectID   int64
	UserID      int64
	PeriodKey   string
	Message     string
	DueAt       domain.Date
	Status      string
	SnoozeUntil domain.Date
	CreatedAt   time.Time
	ResolvedAt  *time.Time
}

func (reminderRow) TableName() string { return "reminders" }

type reminderView struct {
	Row         reminderRow `gorm:"embedded"`
	ProjectName string
}

func (v reminderView) toDomain(today domain.Date) *domain.Reminder {
	r := v.Row
	status := r.Status
	if status == domain.ReminderSnoozed && !r.SnoozeUntil.IsZero() && !r.SnoozeUntil.After(today) {
		status = domain.ReminderOpen // woken up; the hourly job writes it back
	}
	return &domain.Reminder{ID: r.ID, ZoneID: r.ZoneID, Rule: r.Rule, ProjectID: r.ProjectID, ProjectName: v.ProjectName,
		UserID: r.UserID, Message: r.Message, DueAt: r.DueAt, Status: status, SnoozeUntil: r.SnoozeUntil,
		CreatedAt: r.CreatedAt.UTC()}
}

// ReminderService implements domain.ReminderService.
type ReminderService struct{ db *DB }

// NewReminderService returns the reminder service on db.
func NewReminderService(db *DB) *ReminderService { return &ReminderService{db: db} }

var _ domain.ReminderService = (*ReminderService)(nil)

// mine is the caller's reminders on live projects within the caller's scope.
func (s *ReminderService) mine(ctx context.Context, a *domain.Actor) *gorm.DB {
	return s.db.conn(ctx).Table("reminders AS r").Select("r.*, p.name AS project_name").
		Joins("JOIN projects p ON p.id = r.project_id").
		Scopes(reminderScope(a)).
		Where("r.user_id = ? AND p.deleted_at IS NULL", a.User.ID)
}

// liveReminder is the condition for a reminder that asks for attention today.
func liveReminder(q *gorm.DB, alias string, today domain.Date) *gorm.DB {
	return q.Where("("+alias+".status = ? OR ("+alias+".status = ? AND "+alias+".snooze_until <= ?))",
		domain.ReminderOpen, domain.ReminderSnoozed, today)
}

// FindMyReminders lists the caller's live reminders, soonest due first.
func (s *ReminderService) FindMyReminders(ctx context.Context) ([]*domain.Reminder, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	today := s.db.today()
	var rows []reminderView
	if err := liveReminder(s.mine(ctx, a), "r", today).Order("r.due_at, r.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.Reminder, len(rows))
	for i, v := range rows {
		out[i] = v.toDomain(today)
	}
	return out, nil
}

func (s *ReminderService) loadMine(ctx context.Context, a *domain.Actor, id int64) (*reminderView, error) {
	var rows []reminderView
	if err := s.mine(ctx, a).Where("r.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("待办")
	}
	return &rows[0], nil
}

// MarkReminderDone closes one of the caller's reminders; closing a closed one is a no-op,
// one the scheduler already resolved is refused.
func (s *ReminderService) MarkReminderDone(ctx context.Context, id int64) (*domain.Reminder, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *domain.Reminder
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		v, err := s.loadMine(ctx, a, id)
		if err != nil {
			return err
		}
		switch v.Row.Status {
		case domain.ReminderDone:
		case domain.ReminderResolved:
			return domain.Errorf(domain.ERULE, "该待办的起因已消除，系统已自动关闭 (already resolved)")
		default:
			now := s.db.now()
			if err := s.db.conn(ctx).Model(&reminderRow{}).Where("id = ?", id).
				Updates(map[string]any{"status": domain.ReminderDone, "resolved_at": now}).Error; err != nil {
				return err
			}
			v.Row.Status, v.Row.ResolvedAt = domain.ReminderDone, &now
		}
		out = v.toDomain(s.db.today())
		return nil
	})
	return out, err
}

// SnoozeReminder hides a live reminder until a later day, at most 180 days ahead.
func (s *ReminderService) SnoozeReminder(ctx context.Context, id int64, until domain.Date) (*domain.Reminder, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	today := s.db.today()
	switch {
	case until.IsZero():
		return nil, &domain.Error{Code: domain.EINVALID, Message: "请填写推迟到的日期 (until is required)",
			Fields: map[string]string{"until": "请填写日期 YYYY-MM-DD (required)"}}
	case !until.After(today):
		return nil, &domain.Error{Code: domain.EINVALID, Message: "推迟日期须晚于今天 (until must be after today)",
			Fields: map[string]string{"until": "须晚于今天 " + today.String() + " (must be after today)"}}
	case until.After(today.AddDays(180)):
		return nil, &domain.Error{Code: domain.EINVALID, Message: "最多推迟180天 (at most 180 days)",
			Fields: map[string]string{"until": "最多推迟180天 (at most 180 days ahead)"}}
	}
	var out *domain.Reminder
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		v, err := s.loadMine(ctx, a, id)
		if err != nil {
			return err
		}
		if v.Row.Status != domain.ReminderOpen && v.Row.Status != domain.ReminderSnoozed {
			return domain.Errorf(domain.ERULE, "该待办已关闭，不能推迟 (reminder is closed)")
		}
		if err := s.db.conn(ctx).Model(&reminderRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": domain.ReminderSnoozed, "snooze_until": until}).Error; err != nil {
			return err
		}
		v.Row.Status, v.Row.SnoozeUntil = domain.ReminderSnoozed, until
		out = v.toDomain(today)
		return nil
	})
	return out, err
}

// SettingsService implements domain.SettingsService.
type SettingsService struct{ db *DB }

// NewSettingsService returns the settings service on db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

var _ domain.SettingsService = (*SettingsService)(nil)

// SetDigestOptOut turns the caller's weekly email off or on.
func (s *SettingsService) SetDigestOptOut(ctx context.Context, optOut bool) (*domain.User, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.conn(ctx).Model(&userRow{}).Where("id = ?", a.User.ID).
		Updates(map[string]any{"digest_opt_out": optOut, "updated_at": s.db.now()}).Error
	if err != nil {
		return nil, err
	}
	return NewUserService(s.db).FindUserByID(ctx, a.User.ID)
}

// SetMobile sets the caller's mobile (for the group robots' @-mentions), audited.
func (s *SettingsService) SetMobile(ctx context.Context, mobile string) (*domain.User, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	m, err := domain.CheckUserMobile(mobile)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.conn(ctx).Model(&userRow{}).Where("id = ?", a.User.ID).
			Updates(map[string]any{"mobile": m, "updated_at": s.db.now()}).Error; err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditMobileSet, Object: "user:" + strconv.FormatInt(a.User.ID, 10),
			Detail: auditDetail(map[string]any{"mobile": maskMobile(m)})})
	})
	if err != nil {
		return nil, err
	}
	return NewUserService(s.db).FindUserByID(ctx, a.User.ID)
}

// maskMobile keeps a mobile's first three and last four digits for the audit log.
func maskMobile(m string) string {
	if len(m) != 11 {
		return m
	}
	return m[:3] + "****" + m[7:]
}

// elderModeKey is the caller's 长辈模式 in the settings key/value table (no column on users:
// it is a preference of the web app only).
func elderModeKey(userID int64) string {
	return "user." + strconv.FormatInt(userID, 10) + ".elder_mode"
}

// SetElderMode turns the caller's 长辈模式 on or off.
func (s *SettingsService) SetElderMode(ctx context.Context, on bool) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	v := "0"
	if on {
		v = "1"
	}
	return s.db.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value"})}).
		Create(&settingRow{Key: elderModeKey(a.User.ID), Value: v}).Error
}

// ElderMode tells whether the caller has 长辈模式 on.
func (s *SettingsService) ElderMode(ctx context.Context) (bool, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return false, err
	}
	var vals []string
	if err := s.db.conn(ctx).Model(&settingRow{}).Where("`key` = ?", elderModeKey(a.User.ID)).Pluck("value", &vals).Error; err != nil {
		return false, err
	}
	return len(vals) > 0 && vals[0] == "1", nil
}
