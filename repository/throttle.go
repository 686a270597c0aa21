package repository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// ThrottleService implements domain.LoginThrottle on the tables of schema 11, so that every
// replica shares the counters and a restart forgets nothing. Counters only ever change by
// atomic statements (an upsert adding one, an UPDATE adding or taking one), never by reading
// a value and writing it back, so two replicas counting at once cannot lose a count.
//
// Rows are kept for their window only: the first attempt of a replica after a minute
// without one removes the rows of windows that are over, writing first, for each key that
// refused more than one attempt in its window, one audit line with the total.
type ThrottleService struct {
	db        *DB
	policy    domain.ThrottlePolicy
	lastSweep atomic.Int64 // Unix seconds of this replica's last clean-up
}

// NewThrottleService returns the log-in throttle on db with the given policy (the zero
// policy is domain.DefaultThrottlePolicy).
func NewThrottleService(db *DB, policy domain.ThrottlePolicy) *ThrottleService {
	if policy.Window <= 0 {
		policy = domain.DefaultThrottlePolicy
	}
	return &ThrottleService{db: db, policy: policy}
}

var _ domain.LoginThrottle = (*ThrottleService)(nil)

// throttleRow is a counter in one window (table auth_throttle, schema 11).
type throttleRow struct {
	KeyHash       string `gorm:"primaryKey"`
	WindowStart   int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind          string
	ZoneID        int64
	Zone          string
	Username      string
	Address       string
	Failures      int
	Refused       int
	RefusalLogged bool
	TotalLogged   bool
}

func (throttleRow) TableName() string { return "auth_throttle" }

// placeRow is a place a user name logged in from (table auth_places, schema 11).
type placeRow struct {
	KeyHash     string `gorm:"primaryKey"`
	Zone        string
	Username    string
	Place       string
	LastSuccess int64
}

func (placeRow) TableName() string { return "auth_places" }

func keyHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// attemptKeys are the attempt's counters, with their stored keys, in a fixed order
// (sorted by hash, so that concurrent upserts lock rows in the same order).
type attemptKey struct {
	domain.ThrottleKey
	hash string
}

func keysOf(a *domain.LoginAttempt) []attemptKey {
	a.Zone = strings.ToLower(a.Zone)
	var out []attemptKey
	for _, k := range a.Keys() {
		out = append(out, attemptKey{k, keyHash(k.String())})
	}
	slices.SortFunc(out, func(x, y attemptKey) int { return strings.Compare(x.hash, y.hash) })
	return out
}

func hashesOf(keys []attemptKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.hash
	}
	return out
}

func placeHash(a *domain.LoginAttempt) string {
	return keyHash("place\x00" + strings.ToLower(a.Zone) + "\x00" + strings.ToLower(a.Username) + "\x00" + a.Place())
}

// Begin counts the attempt or refuses it (domain.LoginThrottle).
func (s *ThrottleService) Begin(ctx context.Context, a *domain.LoginAttempt) (domain.ThrottleVerdict, error) {
	now := s.db.now()
	w := s.policy.WindowStart(now)
	a.Window = w
	keys := keysOf(a)
	s.maybeSweep(ctx, now)
	known := -1 // unknown yet: looked up only when the user counter is what refuses
	isKnown := func() (bool, error) {
		if known < 0 {
			var n int64
			err := s.db.conn(ctx).Model(&placeRow{}).Where("key_hash = ? AND last_success >= ?", placeHash(a),
				now.Add(-s.policy.KnownPlaceTTL).Unix()).Count(&n).Error
			if err != nil {
				return false, err
			}
			known = min(int(n), 1)
		}
		return known == 1, nil
	}
	// over returns the first counter of rows at or past its limit (past it when strictly).
	over := func(rows []throttleRow, strictly bool) (*attemptKey, *throttleRow, error) {
		byHash := map[string]*throttleRow{}
		for i := range rows {
			byHash[rows[i].KeyHash] = &rows[i]
		}
		for i := range keys {
			k := &keys[i]
			r := byHash[k.hash]
			if r == nil {
				continue
			}
			limit := s.policy.Limit(k.Kind)
			if r.Failures < limit || (strictly && r.Failures == limit) {
				continue
			}
			if k.Kind == domain.ThrottleUser {
				ok, err := isKnown()
				if err != nil {
					return nil, nil, err
				}
				if ok {
					continue // never refused at a place the user logged in from
				}
			}
			return k, r, nil
		}
		return nil, nil, nil
	}
	read := func(ctx context.Context) ([]throttleRow, error) {
		var rows []throttleRow
		err := s.db.conn(ctx).Where("key_hash IN ? AND window_start = ?", hashesOf(keys), w).Find(&rows).Error
		return rows, err
	}
	// Already at a limit: refused without counting (the common case under a flood).
	rows, err := read(ctx)
	if err != nil {
		return domain.ThrottleVerdict{}, err
	}
	k, _, err := over(rows, false)
	if err != nil {
		return domain.ThrottleVerdict{}, err
	}
	if k != nil {
		return s.refuse(ctx, a, k, now)
	}
	// Count the attempt on every key, then look again: the counts now include every
	// attempt that was counted before this one, here or on another replica.
	err = s.retry(ctx, func(ctx context.Context) error {
		ins := make([]throttleRow, len(keys))
		for i, k := range keys {
			ins[i] = throttleRow{KeyHash: k.hash, WindowStart: w, Kind: string(k.Kind), ZoneID: a.ZoneID, Zone: clip(k.Zone, 50),
				Username: clip(k.Username, 200), Address: clip(k.Address, 64), Failures: 1}
		}
		if err := s.db.conn(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key_hash"}, {Name: "window_start"}},
			DoUpdates: clause.Assignments(map[string]any{"failures": gorm.Expr("failures + 1")}),
		}).Create(&ins).Error; err != nil {
			return err
		}
		rows, err := read(ctx)
		if err != nil {
			return err
		}
		if k, _, err = over(rows, true); err != nil || k == nil {
			return err
		}
		// Past a limit after all (a concurrent attempt was counted first): take it back.
		return s.db.conn(ctx).Model(&throttleRow{}).Where("key_hash IN ? AND window_start = ? AND failures > 0", hashesOf(keys), w).
			Update("failures", gorm.Expr("failures - 1")).Error
	})
	if err != nil {
		return domain.ThrottleVerdict{}, err
	}
	if k != nil {
		return s.refuse(ctx, a, k, now)
	}
	return domain.ThrottleVerdict{}, nil
}

// refuse adds one refusal to key k; the first refusal of the key in its window is written
// to the audit log (in the same transaction that marks it written, so exactly once however
// many replicas refuse at the same moment).
func (s *ThrottleService) refuse(ctx context.Context, a *domain.LoginAttempt, k *attemptKey, now time.Time) (domain.ThrottleVerdict, error) {
	v := domain.ThrottleVerdict{RetryAfter: s.policy.RetryAfter(now), Kind: k.Kind}
	w := a.Window
	err := s.retry(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx).Model(&throttleRow{}).Where("key_hash = ? AND window_start = ?", k.hash, w)
		if err := q.Update("refused", gorm.Expr("refused + 1")).Error; err != nil {
			return err
		}
		res := s.db.conn(ctx).Model(&throttleRow{}).Where("key_hash = ? AND window_start = ? AND refusal_logged = ?", k.hash, w, false).
			Update("refusal_logged", true)
		if res.Error != nil {
			return res.Error
		}
		v.FirstRefusal = res.RowsAffected == 1
		if !v.FirstRefusal {
			return nil
		}
		return s.db.audit(ctx, domain.AuditEntry{ZoneID: a.ZoneID, Actor: a.Username, Action: domain.AuditLoginThrottled,
			Object: auditObject(a), IP: a.IP, Detail: auditDetail(map[string]any{
				"key": string(k.Kind), "retry_after_s": int(v.RetryAfter.Seconds()),
				"window_start": time.Unix(w, 0).UTC(), "window_end": time.Unix(w, 0).Add(s.policy.Window).UTC(),
			})})
	})
	if err != nil {
		return domain.ThrottleVerdict{}, err
	}
	return v, nil
}

func auditObject(a *domain.LoginAttempt) string {
	if a.Purpose == "password" {
		return "password"
	}
	return "zone:" + a.Zone
}

// Succeeded clears the pair, takes the attempt back from the address and the user, and
// remembers the place (domain.LoginThrottle).
func (s *ThrottleService) Succeeded(ctx context.Context, a *domain.LoginAttempt) error {
	keys := keysOf(a)
	var pair string
	var others []string
	for _, k := range keys {
		if k.Kind == domain.ThrottlePair {
			pair = k.hash
		} else {
			others = append(others, k.hash)
		}
	}
	now := s.db.now()
	return s.retry(ctx, func(ctx context.Context) error {
		g := s.db.conn(ctx)
		if err := g.Model(&throttleRow{}).Where("key_hash = ? AND window_start = ?", pair, a.Window).
			Update("failures", 0).Error; err != nil {
			return err
		}
		if err := g.Model(&throttleRow{}).Where("key_hash IN ? AND window_start = ? AND failures > 0", others, a.Window).
			Update("failures", gorm.Expr("failures - 1")).Error; err != nil {
			return err
		}
		return g.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key_hash"}},
			DoUpdates: clause.AssignmentColumns([]string{"last_success"}),
		}).Create(&placeRow{KeyHash: placeHash(a), Zone: clip(strings.ToLower(a.Zone), 50),
			Username: clip(strings.ToLower(a.Username), 200), Place: clip(a.Place(), 64), LastSuccess: now.Unix()}).Error
	})
}

// Abandon takes the attempt back from every counter (domain.LoginThrottle).
func (s *ThrottleService) Abandon(ctx context.Context, a *domain.LoginAttempt) error {
	keys := keysOf(a)
	return s.retry(ctx, func(ctx context.Context) error {
		return s.db.conn(ctx).Model(&throttleRow{}).Where("key_hash IN ? AND window_start = ? AND failures > 0", hashesOf(keys), a.Window).
			Update("failures", gorm.Expr("failures - 1")).Error
	})
}

// Unlock forgets the failures counted against u's name, from every address, and writes the
// administrator's audit line (domain.LoginThrottle).
func (s *ThrottleService) Unlock(ctx context.Context, u *domain.User, zoneCode string) (int, error) {
	var n int
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&throttleRow{}).
			Where("zone = ? AND username = ? AND kind IN ? AND failures > 0", clip(strings.ToLower(zoneCode), 50),
				clip(strings.ToLower(u.Username), 200), []string{string(domain.ThrottlePair), string(domain.ThrottleUser)}).
			Update("failures", 0)
		if res.Error != nil {
			return res.Error
		}
		n = int(res.RowsAffected)
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditUserUnlocked, Object: userObject(u.ID),
			Detail: auditDetail(map[string]any{"username": u.Username, "counters_cleared": n})})
	})
	return n, err
}

// Locked reports which of the zone's user names are refused at unknown places or at some
// address right now (for the administrators' user list).
func (s *ThrottleService) Locked(ctx context.Context, zoneCode string) (map[string]bool, error) {
	w := s.policy.WindowStart(s.db.now())
	var rows []throttleRow
	err := s.db.conn(ctx).Select("kind, username, failures").
		Where("zone = ? AND window_start = ? AND ((kind = ? AND failures >= ?) OR (kind = ? AND failures >= ?))",
			clip(strings.ToLower(zoneCode), 50), w, string(domain.ThrottlePair), s.policy.PairLimit,
			string(domain.ThrottleUser), s.policy.UserLimit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range rows {
		out[r.Username] = true
	}
	return out, nil
}

// sweepEvery is how often a replica removes the rows of windows that are over.
const sweepEvery = time.Minute

// maybeSweep cleans up at most once a minute per replica; a failure is only logged, since
// the attempt itself does not depend on it.
func (s *ThrottleService) maybeSweep(ctx context.Context, now time.Time) {
	last := s.lastSweep.Load()
	if now.Unix()-last < int64(sweepEvery/time.Second) || !s.lastSweep.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := s.Sweep(context.WithoutCancel(ctx)); err != nil {
		slog.ErrorContext(ctx, "log-in throttle clean-up failed", "err", err)
	}
}

// Sweep writes the refusal totals of the windows that are over and removes their rows,
// and forgets places not used for longer than the policy keeps them. Any replica may run
// it at any time: each total is claimed by one atomic UPDATE before it is written.
func (s *ThrottleService) Sweep(ctx context.Context) error {
	now := s.db.now()
	w := s.policy.WindowStart(now)
	for {
		var rows []throttleRow
		if err := s.db.conn(ctx).Where("window_start < ? AND refused > 1 AND total_logged = ?", w, false).
			Order("window_start, key_hash").Limit(100).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			err := s.retry(ctx, func(ctx context.Context) error {
				res := s.db.conn(ctx).Model(&throttleRow{}).
					Where("key_hash = ? AND window_start = ? AND total_logged = ?", r.KeyHash, r.WindowStart, false).
					Update("total_logged", true)
				if res.Error != nil || res.RowsAffected != 1 {
					return res.Error // another replica wrote it
				}
				actor := r.Username
				if actor == "" {
					actor = "system"
				}
				return s.db.audit(ctx, domain.AuditEntry{ZoneID: r.ZoneID, Actor: actor, Action: domain.AuditLoginThrottledTotal,
					Object: "throttle:" + r.Kind, IP: r.Address, Detail: auditDetail(map[string]any{
						"key": r.Kind, "refused": r.Refused, "failures": r.Failures,
						"window_start": time.Unix(r.WindowStart, 0).UTC(), "window_end": time.Unix(r.WindowStart, 0).Add(s.policy.Window).UTC(),
					})})
			})
			if err != nil {
				return err
			}
		}
		if len(rows) < 100 {
			break
		}
	}
	if err := s.db.conn(ctx).Where("window_start < ? AND (refused <= 1 OR total_logged = ?)", w, true).
		Delete(&throttleRow{}).Error; err != nil {
		return err
	}
	return s.db.conn(ctx).Where("last_success < ?", now.Add(-s.policy.KnownPlaceTTL).Unix()).Delete(&placeRow{}).Error
}

// retry runs fn in a transaction, again when MySQL chose it as a deadlock's victim (two
// upserts of neighbouring new rows can deadlock on InnoDB's gap locks; the loser is rolled
// back whole, so running it again is safe).
func (s *ThrottleService) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	return retryDeadlock(func() error { return s.db.WithTx(ctx, fn) })
}
