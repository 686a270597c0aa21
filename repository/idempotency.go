package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// IdempotencyService implements domain.IdempotencyStore on the table of schema 20. Every
// change of a row is one conditional statement on its claim token, so that two replicas
// racing for a key settle in the database: one insert lands (unique user + key), one
// take-over matches the old token. Run holds the claim's row locked from the start of the
// request's transaction to its commit, which also writes the answer.
type IdempotencyService struct{ db *DB }

// NewIdempotencyService returns the idempotency keys on db.
func NewIdempotencyService(db *DB) *IdempotencyService { return &IdempotencyService{db: db} }

var _ domain.IdempotencyStore = (*IdempotencyService)(nil)

// idempotencyKeyRow is a key (table idempotency_keys, schema 20).
type idempotencyKeyRow struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	IdemKey     string `gorm:"column:idem_key"`
	Fingerprint string
	Token       string
	Runs        int
	Done        bool
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
	LeaseUntil  time.Time
}

func (idempotencyKeyRow) TableName() string { return "idempotency_keys" }

func (r *idempotencyKeyRow) record() *domain.IdempotencyRecord {
	return &domain.IdempotencyRecord{ID: r.ID, UserID: r.UserID, Key: r.IdemKey, Fingerprint: r.Fingerprint, Token: r.Token,
		Done: r.Done, Answer: domain.IdempotentAnswer{Status: r.Status, ContentType: r.ContentType, Body: r.Body},
		CreatedAt: r.CreatedAt.UTC(), LeaseUntil: r.LeaseUntil.UTC()}
}

func claimToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func isDuplicate(err error) bool {
	return err != nil && (errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint") || strings.Contains(err.Error(), "Duplicate entry"))
}

// errNotKept rolls back Run's transaction when the request's answer is not to be kept.
var errNotKept = errors.New("idempotency: answer not kept")

// Claim reserves the key, or returns the live record that holds it.
func (s *IdempotencyService) Claim(ctx context.Context, userID int64, key, fingerprint string, lease time.Duration) (*domain.IdempotencyRecord, *domain.IdempotencyRecord, error) {
	for attempt := 0; attempt < 3; attempt++ {
		now := s.db.now()
		row := &idempotencyKeyRow{UserID: userID, IdemKey: key, Fingerprint: fingerprint, Token: claimToken(), Runs: 1,
			CreatedAt: now, LeaseUntil: now.Add(lease)}
		var inserted bool
		err := retryDeadlock(func() error {
			return s.db.WithTx(ctx, func(ctx context.Context) error {
				// A plain insert: the unique (user, key) index decides, and its violation
				// says so on both databases (an upsert's affected-rows count does not: it
				// depends on MySQL's client flags).
				err := s.db.conn(ctx).Create(row).Error
				if isDuplicate(err) {
					return nil
				}
				inserted = err == nil
				return err
			})
		})
		if err != nil {
			return nil, nil, err
		}
		if inserted {
			return row.record(), nil, nil
		}
		existing, err := s.Find(ctx, userID, key)
		if err != nil {
			return nil, nil, err
		}
		if existing == nil {
			continue // released meanwhile: try again
		}
		if existing.CreatedAt.After(now.Add(-domain.IdempotencyTTL)) {
			return nil, existing, nil
		}
		// Older than a day: the key is free again. Remove that very row (not one another
		// request has put there since) and claim anew.
		if err := s.db.WithTx(ctx, func(ctx context.Context) error {
			return s.db.conn(ctx).Where("id = ?", existing.ID).Delete(&idempotencyKeyRow{}).Error
		}); err != nil {
			return nil, nil, err
		}
	}
	return nil, nil, errors.New("idempotency: the key could not be claimed")
}

// TakeOver claims a pending record whose lease is over.
func (s *IdempotencyService) TakeOver(ctx context.Context, rec *domain.IdempotencyRecord, lease time.Duration) (*domain.IdempotencyRecord, error) {
	now := s.db.now()
	token := claimToken()
	var n int64
	err := retryDeadlock(func() error {
		return s.db.WithTx(ctx, func(ctx context.Context) error {
			res := s.db.conn(ctx).Model(&idempotencyKeyRow{}).
				Where("id = ? AND token = ? AND done = ? AND lease_until < ?", rec.ID, rec.Token, false, now).
				Updates(map[string]any{"token": token, "lease_until": now.Add(lease), "runs": gorm.Expr("runs + 1")})
			n = res.RowsAffected
			return res.Error
		})
	})
	if err != nil || n == 0 {
		return nil, err
	}
	return s.Find(ctx, rec.UserID, rec.Key)
}

// Find reloads a user's key.
func (s *IdempotencyService) Find(ctx context.Context, userID int64, key string) (*domain.IdempotencyRecord, error) {
	var rows []idempotencyKeyRow
	if err := s.db.conn(ctx).Where("user_id = ? AND idem_key = ?", userID, key).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].record(), nil
}

// Run runs fn in the claim's transaction.
func (s *IdempotencyService) Run(ctx context.Context, claim *domain.IdempotencyRecord, fn func(ctx context.Context) (domain.IdempotentAnswer, bool)) (bool, error) {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		// Hold the row: a request that finds the lease over and tries to take it over
		// waits here until this transaction ends, then finds the key done (or free).
		res := s.db.conn(ctx).Model(&idempotencyKeyRow{}).Where("id = ? AND token = ? AND done = ?", claim.ID, claim.Token, false).
			Update("runs", gorm.Expr("runs + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrIdempotencyClaimLost
		}
		answer, keep := fn(ctx)
		if !keep {
			return errNotKept
		}
		return s.db.conn(ctx).Model(&idempotencyKeyRow{}).Where("id = ?", claim.ID).
			Updates(map[string]any{"done": true, "token": "", "status": answer.Status, "content_type": answer.ContentType, "body": answer.Body}).Error
	})
	if errors.Is(err, errNotKept) {
		return false, nil
	}
	return err == nil, err
}

// Keep stores a refusal's answer.
func (s *IdempotencyService) Keep(ctx context.Context, claim *domain.IdempotencyRecord, answer domain.IdempotentAnswer) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&idempotencyKeyRow{}).Where("id = ? AND token = ? AND done = ?", claim.ID, claim.Token, false).
			Updates(map[string]any{"done": true, "token": "", "status": answer.Status, "content_type": answer.ContentType, "body": answer.Body})
		if res.Error == nil && res.RowsAffected == 0 {
			return domain.ErrIdempotencyClaimLost
		}
		return res.Error
	})
}

// Release forgets a pending claim.
func (s *IdempotencyService) Release(ctx context.Context, claim *domain.IdempotencyRecord) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.db.conn(ctx).Where("id = ? AND token = ? AND done = ?", claim.ID, claim.Token, false).Delete(&idempotencyKeyRow{}).Error
	})
}

// Purge removes records created before the given time, a thousand rows per statement so
// that a large backlog never holds the table long.
func (s *IdempotencyService) Purge(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var ids []int64
		if err := s.db.conn(ctx).Model(&idempotencyKeyRow{}).Where("created_at < ?", before.UTC()).Order("id").Limit(1000).Pluck("id", &ids).Error; err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		var n int64
		err := retryDeadlock(func() error {
			return s.db.WithTx(ctx, func(ctx context.Context) error {
				res := s.db.conn(ctx).Where("id IN ? AND created_at < ?", ids, before.UTC()).Delete(&idempotencyKeyRow{})
				n = res.RowsAffected
				return res.Error
			})
		})
		total += n
		if err != nil {
			return total, err
		}
		if len(ids) < 1000 {
			return total, nil
		}
	}
}
