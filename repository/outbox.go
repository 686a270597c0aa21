package repository

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// OutboxStore implements domain.OutboxStore: every email is a row written in the
// transaction of the event that causes it (Enqueue joins the transaction in the context),
// and the outbox job delivers the rows. A row is claimed with a lease before sending, so
// two senders never send it at the same time; one that dies mid-send leaves the lease to
// expire and the row is tried again.
type OutboxStore struct{ db *DB }

// NewOutboxStore returns the outbox on db.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

var _ domain.OutboxStore = (*OutboxStore)(nil)

type outboxRow struct {
	ID            int64
	ZoneID        int64
	Channel       string // schema 16: mail or robot
	RobotID       *int64
	Event         string
	MessageID     string
	ToAddr        string
	Subject       string
	BodyText      string
	BodyHTML      string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

func (outboxRow) TableName() string { return "outbox" }

// outboxNew is an outbox row to insert-or-ignore. It has no ID field on purpose: without a
// generated column GORM sends no RETURNING clause, which MariaDB would answer with a row
// even for an ignored duplicate, and RowsAffected stays the true count of inserted rows.
type outboxNew struct {
	ZoneID        int64
	Channel       string
	RobotID       *int64
	Event         string
	MessageID     string
	ToAddr        string
	Subject       string
	BodyText      string
	BodyHTML      string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
}

func (outboxNew) TableName() string { return "outbox" }

func (r *outboxRow) toDomain() *domain.OutboxMessage {
	m := &domain.OutboxMessage{ID: r.ID, ZoneID: r.ZoneID, Channel: r.Channel, RobotID: r.RobotID, Event: r.Event, MessageID: r.MessageID, To: r.ToAddr, Subject: r.Subject,
		Text: r.BodyText, HTML: r.BodyHTML, Status: r.Status, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(),
		LastError: r.LastError, CreatedAt: r.CreatedAt.UTC()}
	if r.SentAt != nil {
		t := r.SentAt.UTC()
		m.SentAt = &t
	}
	return m
}

// Enqueue stores m in the caller's transaction; a known MessageID is not stored again.
func (s *OutboxStore) Enqueue(ctx context.Context, m *domain.Mail) (bool, error) {
	n, err := s.EnqueueAll(ctx, []*domain.Mail{m})
	return n == 1, err
}

// EnqueueAll stores ms in one transaction (joining the caller's) with one multi-row
// insert per hundred; known MessageIDs are skipped.
func (s *OutboxStore) EnqueueAll(ctx context.Context, ms []*domain.Mail) (int, error) {
	now := s.db.now()
	rows := make([]outboxNew, 0, len(ms))
	for _, m := range ms {
		if !domain.ValidMessageID(m.MessageID) {
			return 0, domain.Errorf(domain.EINVALID, "邮件标识无效 (malformed Message-ID %q)", m.MessageID)
		}
		row := outboxNew{ZoneID: m.ZoneID, Channel: domain.ChannelMail, MessageID: m.MessageID, ToAddr: truncateRunes(domain.CleanHeader(m.To), 200),
			Subject: truncateRunes(domain.CleanHeader(m.Subject), 200), BodyText: m.Text, BodyHTML: m.HTML,
			Status: domain.OutboxPending, NextAttemptAt: now, CreatedAt: now}
		if _, err := domain.CheckMailAddress(m.To); err != nil {
			row.Status, row.LastError = domain.OutboxDead, err.Error()
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var created int
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		tx := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 100)
		created = int(tx.RowsAffected)
		return tx.Error
	})
	return created, err
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// ClaimOutbox takes due messages one by one with a conditional update, so that of two
// concurrent senders exactly one gets each message.
func (s *OutboxStore) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*domain.OutboxMessage, error) {
	q := s.db.gorm.WithContext(ctx)
	var due []outboxRow
	if err := q.Model(&outboxRow{}).Select("id, attempts, status").
		Where("status IN ? AND next_attempt_at <= ?", []string{domain.OutboxPending, domain.OutboxSending}, now.UTC()).
		Order("next_attempt_at, id").Limit(limit).Scan(&due).Error; err != nil {
		return nil, err
	}
	var claimed []int64
	for _, d := range due {
		var won bool
		if err := retryDeadlock(func() error {
			tx := q.Model(&outboxRow{}).Where("id = ? AND status = ? AND attempts = ? AND next_attempt_at <= ?", d.ID, d.Status, d.Attempts, now.UTC()).
				Updates(map[string]any{"status": domain.OutboxSending, "attempts": d.Attempts + 1, "next_attempt_at": now.Add(lease).UTC()})
			won = tx.RowsAffected == 1
			return tx.Error
		}); err != nil {
			return nil, err
		}
		if won {
			claimed = append(claimed, d.ID)
		}
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	var rows []outboxRow
	if err := q.Where("id IN ?", claimed).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.OutboxMessage, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// ClaimOutboxID claims message id now, whatever its due time (a robot's test message is
// sent at once); nil when it is sent, dead or held by another sender's lease.
func (s *OutboxStore) ClaimOutboxID(ctx context.Context, id int64, now time.Time, lease time.Duration) (*domain.OutboxMessage, error) {
	q := s.db.gorm.WithContext(ctx)
	var won bool
	if err := retryDeadlock(func() error {
		tx := q.Model(&outboxRow{}).
			Where("id = ? AND (status = ? OR (status = ? AND next_attempt_at <= ?))", id, domain.OutboxPending, domain.OutboxSending, now.UTC()).
			Updates(map[string]any{"status": domain.OutboxSending, "attempts": gorm.Expr("attempts + 1"), "next_attempt_at": now.Add(lease).UTC()})
		won = tx.RowsAffected == 1
		return tx.Error
	}); err != nil || !won {
		return nil, err
	}
	var row outboxRow
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, err
	}
	return row.toDomain(), nil
}

// Defer puts a claimed message back without counting the attempt.
func (s *OutboxStore) Defer(ctx context.Context, id int64, next time.Time) error {
	return retryDeadlock(func() error {
		return s.db.gorm.WithContext(ctx).Model(&outboxRow{}).Where("id = ? AND status = ?", id, domain.OutboxSending).
			Updates(map[string]any{"status": domain.OutboxPending, "next_attempt_at": next.UTC(),
				"attempts": gorm.Expr("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END")}).Error
	})
}

// MarkSent records a delivery.
func (s *OutboxStore) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return retryDeadlock(func() error {
		return s.db.gorm.WithContext(ctx).Model(&outboxRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": domain.OutboxSent, "sent_at": at.UTC(), "last_error": ""}).Error
	})
}

// MarkFailed records a failed attempt.
func (s *OutboxStore) MarkFailed(ctx context.Context, id int64, next time.Time, errText string, dead bool) error {
	status := domain.OutboxPending
	if dead {
		status = domain.OutboxDead
	}
	return retryDeadlock(func() error {
		return s.db.gorm.WithContext(ctx).Model(&outboxRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": status, "next_attempt_at": next.UTC(), "last_error": truncateRunes(errText, 2000)}).Error
	})
}

// FindOutbox lists stored emails, newest first; administrators only (dead letters
// included, filter status=dead).
func (s *OutboxStore) FindOutbox(ctx context.Context, f domain.OutboxFilter) ([]*domain.OutboxMessage, int, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !domain.IsAdmin(a) {
		return nil, 0, forbidden("查看邮件发送队列")
	}
	f.Page = f.Page.Normalize()
	q := s.db.conn(ctx).Model(&outboxRow{}).Where("zone_id = ?", a.User.ZoneID)
	if f.Status != nil {
		q = q.Where("status = ?", *f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []outboxRow
	if err := q.Select("id, zone_id, channel, robot_id, event, message_id, to_addr, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at").
		Order("id DESC").Limit(f.PageSize).Offset(f.Offset()).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]*domain.OutboxMessage, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

// JobRunStore implements domain.JobRunStore on job_runs, whose unique (job, fire_at) key
// is the lock that lets one replica of many run a scheduled fire.
type JobRunStore struct{ db *DB }

// NewJobRunStore returns the job-run store on db.
func NewJobRunStore(db *DB) *JobRunStore { return &JobRunStore{db: db} }

var _ domain.JobRunStore = (*JobRunStore)(nil)

// jobRunNew is a run to insert-or-lose (no ID: see outboxNew).
type jobRunNew struct {
	Job       string
	FireAt    time.Time
	AsOf      *time.Time
	Instance  string
	StartedAt time.Time
	Status    string
	Detail    string
}

func (jobRunNew) TableName() string { return "job_runs" }

type jobRunRow struct {
	ID         int64
	Job        string
	FireAt     time.Time
	AsOf       *time.Time
	Instance   string
	StartedAt  time.Time
	FinishedAt *time.Time
	Status     string
	Detail     string
}

func (jobRunRow) TableName() string { return "job_runs" }

// ClaimRun inserts the run unless (job, fire_at) exists: insert-or-lose, the same on
// SQLite (ON CONFLICT DO NOTHING) and MySQL (ON DUPLICATE KEY UPDATE id = id).
func (s *JobRunStore) ClaimRun(ctx context.Context, run *domain.JobRun) (bool, error) {
	asOf := run.AsOf.UTC()
	row := &jobRunNew{Job: run.Job, FireAt: run.FireAt.UTC(), AsOf: &asOf, Instance: truncateRunes(run.Instance, 100),
		StartedAt: run.StartedAt.UTC(), Status: domain.JobRunning, Detail: run.Detail}
	q := s.db.gorm.WithContext(ctx)
	tx := q.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	if tx.Error != nil || tx.RowsAffected != 1 {
		return false, tx.Error
	}
	var ids []int64
	if err := q.Model(&jobRunRow{}).Where("job = ? AND fire_at = ?", row.Job, row.FireAt).Pluck("id", &ids).Error; err != nil {
		return false, err
	}
	if len(ids) != 1 {
		return false, fmt.Errorf("job run %s at %s: inserted but not found", row.Job, row.FireAt)
	}
	run.ID, run.Status = ids[0], domain.JobRunning
	return true, nil
}

// FinishRun records a run's outcome.
func (s *JobRunStore) FinishRun(ctx context.Context, id int64, status, detail string, finished time.Time) error {
	return s.db.gorm.WithContext(ctx).Model(&jobRunRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "detail": truncateRunes(detail, 4000), "finished_at": finished.UTC()}).Error
}

// LastRuns returns each job's newest run.
func (s *JobRunStore) LastRuns(ctx context.Context) (map[string]*domain.JobRun, error) {
	q := s.db.gorm.WithContext(ctx)
	var rows []jobRunRow
	sub := q.Model(&jobRunRow{}).Select("MAX(id)").Group("job")
	if err := q.Where("id IN (?)", sub).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]*domain.JobRun{}
	for _, r := range rows {
		run := &domain.JobRun{ID: r.ID, Job: r.Job, FireAt: r.FireAt.UTC(), Instance: r.Instance, StartedAt: r.StartedAt.UTC(),
			Status: r.Status, Detail: r.Detail}
		if r.AsOf != nil {
			run.AsOf = r.AsOf.UTC()
		} else {
			run.AsOf = run.FireAt
		}
		if r.FinishedAt != nil {
			t := r.FinishedAt.UTC()
			run.FinishedAt = &t
		}
		out[r.Job] = run
	}
	return out, nil
}
