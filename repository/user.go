package repository

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// UserService implements domain.UserService: users, their roles and chains, and log-in
// sessions. Roles are casbin grouping rules (ptype g: user, role, zone) and are only ever
// written through the casbin enforcer; this service reads them to build scopes, so that the
// enforcer and the row scopes agree on one source.
type UserService struct{ db *DB }

// NewUserService returns the user service on db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

var _ domain.UserService = (*UserService)(nil)

// FindUserByUsername returns an enabled or disabled user of the zone, or ENOTFOUND.
func (s *UserService) FindUserByUsername(ctx context.Context, zoneID int64, username string) (*domain.User, error) {
	var rows []userRow
	if err := s.db.conn(ctx).Where("zone_id = ? AND username = ?", zoneID, username).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("用户")
	}
	return s.complete(ctx, rows[0])
}

// FindUserByID returns a user or ENOTFOUND.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*domain.User, error) {
	var rows []userRow
	if err := s.db.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("用户")
	}
	return s.complete(ctx, rows[0])
}

// FindUsers lists a zone's users with roles and chains.
func (s *UserService) FindUsers(ctx context.Context, zoneID int64) ([]*domain.User, error) {
	var rows []userRow
	if err := s.db.conn(ctx).Where("zone_id = ?", zoneID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*domain.User, 0, len(rows))
	for _, r := range rows {
		u, err := s.complete(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// complete adds roles (from casbin's rules) and chief assignments.
func (s *UserService) complete(ctx context.Context, r userRow) (*domain.User, error) {
	var zoneCode string
	if err := s.db.conn(ctx).Model(&zoneRow{}).Where("id = ?", r.ZoneID).Pluck("code", &zoneCode).Error; err != nil {
		return nil, err
	}
	return s.completeIn(ctx, r, zoneCode)
}

// completeIn is complete for a user of the zone with code zoneCode.
func (s *UserService) completeIn(ctx context.Context, r userRow, zoneCode string) (*domain.User, error) {
	u := &domain.User{ID: r.ID, ZoneID: r.ZoneID, Username: r.Username, DisplayName: r.DisplayName, Email: r.Email,
		Phone: r.Phone, Mobile: r.Mobile, Agency: r.Agency, Disabled: r.Disabled, DigestOptOut: r.DigestOptOut,
		MustChangePassword: r.MustChangePassword, PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC(), Roles: []domain.Role{}, Chains: []string{}, ChainIDs: []int64{}}
	var roles []string
	if err := s.db.conn(ctx).Table("casbin_rule").Where("ptype = 'g' AND v0 = ? AND v2 = ?", r.Username, zoneCode).
		Order("v1").Pluck("v1", &roles).Error; err != nil {
		return nil, err
	}
	for _, role := range roles {
		u.Roles = append(u.Roles, domain.Role(role))
	}
	var chains []struct {
		ID   int64
		Code string
	}
	if err := s.db.conn(ctx).Table("chain_chiefs AS cc").Select("c.id, c.code").Joins("JOIN chains c ON c.id = cc.chain_id").
		Where("cc.user_id = ?", r.ID).Order("c.sort_order, c.id").Scan(&chains).Error; err != nil {
		return nil, err
	}
	for _, c := range chains {
		u.ChainIDs = append(u.ChainIDs, c.ID)
		u.Chains = append(u.Chains, c.Code)
	}
	if r.DepartmentID != nil { // a department's liaison (issue 15)
		var codes []string
		if err := s.db.conn(ctx).Table("departments").Where("id = ?", *r.DepartmentID).Pluck("code", &codes).Error; err != nil {
			return nil, err
		}
		if len(codes) == 1 {
			id := *r.DepartmentID
			u.DepartmentID, u.Department = &id, &codes[0]
		}
	}
	return u, nil
}

// FindZoneByID returns a zone or ENOTFOUND.
func (s *UserService) FindZoneByID(ctx context.Context, id int64) (*domain.Zone, error) {
	var rows []zoneRow
	if err := s.db.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("开发区")
	}
	r := rows[0]
	return &domain.Zone{ID: r.ID, Code: r.Code, Name: r.Name, TimeZone: r.TimeZone}, nil
}

// FindZoneByCode returns a zone or ENOTFOUND.
func (s *UserService) FindZoneByCode(ctx context.Context, code string) (*domain.Zone, error) {
	var rows []zoneRow
	if err := s.db.conn(ctx).Where("code = ?", code).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("开发区")
	}
	r := rows[0]
	return &domain.Zone{ID: r.ID, Code: r.Code, Name: r.Name, TimeZone: r.TimeZone}, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession stores a new session and returns its token (256 random bits).
func (s *UserService) CreateSession(ctx context.Context, userID int64) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.db.now()
	ip := ""
	if a := domain.ActorFrom(ctx); a != nil {
		ip = a.IP
	}
	row := &sessionRow{UserID: userID, TokenHash: hashToken(token), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.db.Opts.SessionAbsolute), IP: ip}
	if err := s.db.conn(ctx).Create(row).Error; err != nil {
		return "", err
	}
	return token, nil
}

// SessionActor resolves a token to its user and zone, refreshing the session's idle expiry
// at most once per hundredth of the idle limit; it fails with EUNAUTH when the session is
// unknown, revoked, expired or idle too long, or its user is disabled. Every API request
// starts here, so it reads the session with its user and zone in one query, then the
// user's roles and chains: three queries in all.
func (s *UserService) SessionActor(ctx context.Context, token string) (*domain.User, *domain.Zone, error) {
	unauth := domain.Errorf(domain.EUNAUTH, "登录已失效，请重新登录 (session expired)")
	if token == "" {
		return nil, nil, unauth
	}
	var rows []struct {
		User       userRow `gorm:"embedded"`
		SessionID  int64
		LastSeenAt time.Time
		ExpiresAt  time.Time
		RevokedAt  *time.Time
		ZoneCode   string
		ZoneName   string
		ZoneTZ     string
	}
	err := s.db.conn(ctx).Table("sessions AS s").
		Select("u.*, s.id AS session_id, s.last_seen_at, s.expires_at, s.revoked_at, z.code AS zone_code, z.name AS zone_name, z.time_zone AS zone_tz").
		Joins("JOIN users u ON u.id = s.user_id").Joins("JOIN zones z ON z.id = u.zone_id").
		Where("s.token_hash = ?", hashToken(token)).Limit(1).Scan(&rows).Error
	if err != nil {
		return nil, nil, err
	}
	now := s.db.now()
	if len(rows) == 0 {
		return nil, nil, unauth
	}
	r := rows[0]
	if r.RevokedAt != nil || !now.Before(r.ExpiresAt) || now.Sub(r.LastSeenAt) > s.db.Opts.SessionIdle || r.User.Disabled {
		return nil, nil, unauth
	}
	u, err := s.completeIn(ctx, r.User, r.ZoneCode)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(r.LastSeenAt) > s.db.Opts.SessionIdle/100 { // avoid a write per request
		s.db.conn(ctx).Model(&sessionRow{}).Where("id = ?", r.SessionID).Update("last_seen_at", now)
	}
	return u, &domain.Zone{ID: r.User.ZoneID, Code: r.ZoneCode, Name: r.ZoneName, TimeZone: r.ZoneTZ}, nil
}

// RevokeSession ends a session (log-out).
func (s *UserService) RevokeSession(ctx context.Context, token string) error {
	now := s.db.now()
	return s.db.conn(ctx).Model(&sessionRow{}).Where("token_hash = ? AND revoked_at IS NULL", hashToken(token)).
		Update("revoked_at", now).Error
}

// RevokeUserSessions ends every session of a user (password change, disable).
func (s *UserService) RevokeUserSessions(ctx context.Context, userID int64) error {
	now := s.db.now()
	return s.db.conn(ctx).Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", now).Error
}
