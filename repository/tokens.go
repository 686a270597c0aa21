package repository

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// apiTokenRow is an integration token (api_tokens, migration 13).
type apiTokenRow struct {
	ID         int64
	ZoneID     int64
	UserID     int64
	Name       string
	TokenHash  string
	Hint       string
	ReadOnly   bool
	ExpiresOn  domain.Date
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	RevokedBy  string
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// TokenService implements domain.TokenService.
type TokenService struct{ db *DB }

// NewTokenService returns the integration token service on db.
func NewTokenService(db *DB) *TokenService { return &TokenService{db: db} }

// tokenTouchEvery bounds the writes a busy token causes: its last-used time moves at most
// once a minute.
const tokenTouchEvery = time.Minute

func tokenObject(id int64) string { return "token:" + strconv.FormatInt(id, 10) }

// CreateToken makes a token for the caller: 32 random bytes after the ccrm_ prefix; only
// the hash is stored.
func (s *TokenService) CreateToken(ctx context.Context, in domain.APITokenInput) (*domain.NewAPIToken, error) {
	a := domain.ActorFrom(ctx)
	if a == nil || a.User == nil {
		return nil, domain.Errorf(domain.EUNAUTH, "请先登录 (not logged in)")
	}
	if err := in.Validate(s.db.today()); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	secret := domain.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	row := &apiTokenRow{ZoneID: a.User.ZoneID, UserID: a.User.ID, Name: in.Name, TokenHash: hashToken(secret),
		Hint: secret[:len(domain.TokenPrefix)+4], ReadOnly: in.ReadOnly, ExpiresOn: in.ExpiresOn, CreatedAt: s.db.now()}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditTokenCreate, Object: tokenObject(row.ID),
			Detail: auditDetail(map[string]any{"name": row.Name, "read_only": row.ReadOnly, "expires_on": row.ExpiresOn.String()})})
	})
	if err != nil {
		return nil, err
	}
	return &domain.NewAPIToken{APIToken: *s.show(row, a.User.Ref()), Token: secret}, nil
}

func (s *TokenService) show(r *apiTokenRow, owner *domain.UserRef) *domain.APIToken {
	t := &domain.APIToken{ID: r.ID, ZoneID: r.ZoneID, UserID: r.UserID, User: owner, Name: r.Name, Hint: r.Hint + "…",
		ReadOnly: r.ReadOnly, ExpiresOn: r.ExpiresOn, CreatedAt: r.CreatedAt.UTC(), RevokedBy: r.RevokedBy, Status: domain.TokenActive}
	if r.LastUsedAt != nil {
		v := r.LastUsedAt.UTC()
		t.LastUsedAt = &v
	}
	switch {
	case r.RevokedAt != nil:
		v := r.RevokedAt.UTC()
		t.RevokedAt = &v
		t.Status = domain.TokenRevoked
	case r.ExpiresOn.Before(s.db.today()):
		t.Status = domain.TokenExpired
	}
	return t
}

// find lists tokens with their owners, newest first.
func (s *TokenService) find(ctx context.Context, where string, args ...any) ([]*domain.APIToken, error) {
	var rows []*apiTokenRow
	if err := s.db.conn(ctx).Table("api_tokens AS t").Where(where, args...).
		Order("t.created_at DESC, t.id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	owners := map[int64]*domain.UserRef{}
	var ids []int64
	for _, r := range rows {
		if owners[r.UserID] == nil {
			owners[r.UserID] = &domain.UserRef{ID: r.UserID}
			ids = append(ids, r.UserID)
		}
	}
	if len(ids) > 0 {
		var us []userRow
		if err := s.db.conn(ctx).Where("id IN ?", ids).Find(&us).Error; err != nil {
			return nil, err
		}
		for _, u := range us {
			owners[u.ID].Username, owners[u.ID].DisplayName = u.Username, u.DisplayName
		}
	}
	out := make([]*domain.APIToken, len(rows))
	for i, r := range rows {
		out[i] = s.show(r, owners[r.UserID])
	}
	return out, nil
}

// FindMyTokens lists the caller's tokens.
func (s *TokenService) FindMyTokens(ctx context.Context) ([]*domain.APIToken, error) {
	a := domain.ActorFrom(ctx)
	if a == nil || a.User == nil {
		return nil, domain.Errorf(domain.EUNAUTH, "请先登录 (not logged in)")
	}
	return s.find(ctx, "t.user_id = ?", a.User.ID)
}

// FindZoneTokens lists the zone's tokens (administrators).
func (s *TokenService) FindZoneTokens(ctx context.Context) ([]*domain.APIToken, error) {
	a := domain.ActorFrom(ctx)
	if !domain.IsAdmin(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "只有系统管理员可以查看全区的集成令牌 (administrators only)")
	}
	return s.find(ctx, "t.zone_id = ?", a.User.ZoneID)
}

// RevokeToken ends a token: the caller's own, or any of the zone for an administrator.
func (s *TokenService) RevokeToken(ctx context.Context, id int64) error {
	a := domain.ActorFrom(ctx)
	if a == nil || a.User == nil {
		return domain.Errorf(domain.EUNAUTH, "请先登录 (not logged in)")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var r apiTokenRow
		q := s.db.conn(ctx).Where("id = ? AND zone_id = ?", id, a.User.ZoneID)
		if !domain.IsAdmin(a) {
			q = q.Where("user_id = ?", a.User.ID)
		}
		if err := q.Limit(1).Find(&r).Error; err != nil {
			return err
		}
		if r.ID == 0 {
			return domain.NotFound("集成令牌")
		}
		if r.RevokedAt != nil {
			return nil
		}
		now := s.db.now()
		if err := s.db.conn(ctx).Model(&apiTokenRow{}).Where("id = ? AND revoked_at IS NULL", id).
			Updates(map[string]any{"revoked_at": now, "revoked_by": a.User.Username}).Error; err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditTokenRevoke, Object: tokenObject(id),
			Detail: auditDetail(map[string]any{"name": r.Name, "owner_id": r.UserID})})
	})
}

// TokenActor resolves a token to its user and zone in one query (then the user's roles and
// chains, as for a session), and records its use: last_used_at moves at most once a minute,
// and the first use of a zone day is reported (FirstToday) once, whichever replica sees it,
// by a conditional update.
func (s *TokenService) TokenActor(ctx context.Context, token string) (*domain.User, *domain.Zone, *domain.TokenUse, error) {
	unauth := domain.Errorf(domain.EUNAUTH, "集成令牌无效、已过期或已撤销 (invalid, expired or revoked token)")
	if !domain.IsIntegrationToken(token) {
		return nil, nil, nil, unauth
	}
	var rows []struct {
		User     userRow     `gorm:"embedded"`
		Token    apiTokenRow `gorm:"embedded;embeddedPrefix:t_"`
		ZoneCode string
		ZoneName string
		ZoneTZ   string
	}
	err := s.db.conn(ctx).Table("api_tokens AS t").
		Select("u.*, t.id AS t_id, t.zone_id AS t_zone_id, t.user_id AS t_user_id, t.name AS t_name, t.hint AS t_hint, "+
			"t.read_only AS t_read_only, t.expires_on AS t_expires_on, t.created_at AS t_created_at, "+
			"t.last_used_at AS t_last_used_at, t.revoked_at AS t_revoked_at, t.revoked_by AS t_revoked_by, "+
			"z.code AS zone_code, z.name AS zone_name, z.time_zone AS zone_tz").
		Joins("JOIN users u ON u.id = t.user_id").Joins("JOIN zones z ON z.id = u.zone_id").
		Where("t.token_hash = ?", hashToken(token)).Limit(1).Scan(&rows).Error
	if err != nil {
		return nil, nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, nil, unauth
	}
	r := rows[0]
	today := s.db.today()
	if r.Token.RevokedAt != nil || r.Token.ExpiresOn.Before(today) || r.User.Disabled {
		return nil, nil, nil, unauth
	}
	u, err := (&UserService{db: s.db}).completeIn(ctx, r.User, r.ZoneCode)
	if err != nil {
		return nil, nil, nil, err
	}
	use := &domain.TokenUse{Token: s.show(&r.Token, u.Ref())}
	now := s.db.now()
	if last := r.Token.LastUsedAt; last == nil || now.Sub(*last) >= tokenTouchEvery {
		dayStart := today.Time().Add(-offsetOf(now, s.db.Opts.Location)) // the zone day's start, in UTC
		res := s.db.conn(ctx).Model(&apiTokenRow{}).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", r.Token.ID, dayStart).
			Update("last_used_at", now)
		if res.Error == nil && res.RowsAffected == 1 {
			use.FirstToday = true
		} else if res.Error == nil {
			s.db.conn(ctx).Model(&apiTokenRow{}).Where("id = ?", r.Token.ID).Update("last_used_at", now)
		}
		use.Token.LastUsedAt = &now
	}
	return u, &domain.Zone{ID: r.User.ZoneID, Code: r.ZoneCode, Name: r.ZoneName, TimeZone: r.ZoneTZ}, use, nil
}

// offsetOf is loc's offset from UTC at t.
func offsetOf(t time.Time, loc *time.Location) time.Duration {
	_, off := t.In(loc).Zone()
	return time.Duration(off) * time.Second
}
