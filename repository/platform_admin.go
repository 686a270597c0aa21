package repository

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The platform administrator's (role platform_admin, issue 19): every zone with its
// figures of size, the platform's users, and the province users' grants. Granting and
// revoking is audited like user create: zone_granted / zone_revoked in each zone's own log
// (so that the zone's administrator sees who may read its figures) and grants_changed in
// the platform's.

// AuditZoneRevoked is written to a zone's audit log when a province user loses it.
const AuditZoneRevoked = "zone_revoked"

// AuditGrantsChanged is written to the platform's log when a user's grants change.
const AuditGrantsChanged = "grants_changed"

var _ domain.PlatformAdminService = (*PlatformService)(nil)

// platformAdmin returns the caller when they are the platform's administrator: a user of
// the platform's row holding RolePlatformAdmin; anyone else is refused.
func (s *PlatformService) platformAdmin(ctx context.Context) (*domain.Actor, *domain.Zone, error) {
	a := domain.ActorFrom(ctx)
	if a == nil || a.User == nil || a.User.Disabled || !slices.Contains(a.User.Roles, domain.RolePlatformAdmin) {
		return nil, nil, forbidden("管理平台 (platform administrators only)")
	}
	pz, err := s.db.PlatformZone(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	if pz == nil || pz.ID != a.User.ZoneID {
		return nil, nil, forbidden("管理平台 (platform administrators only)")
	}
	return a, pz, nil
}

// AdminZones lists every zone, the platform's row last, with its users, projects and grants.
func (s *PlatformService) AdminZones(ctx context.Context) ([]*domain.PlatformAdminZone, error) {
	if _, _, err := s.platformAdmin(ctx); err != nil {
		return nil, err
	}
	var rows []struct {
		Code, Name, TimeZone, Kind string
		CreatedAt                  time.Time
		Users, Projects, Grants    int
	}
	err := s.db.conn(ctx).Table("zones AS z").Select("z.code, z.name, z.time_zone, z.kind, z.created_at, " +
		"(SELECT COUNT(*) FROM users u WHERE u.zone_id = z.id) AS users, " +
		"(SELECT COUNT(*) FROM projects p WHERE p.zone_id = z.id AND p.deleted_at IS NULL) AS projects, " +
		"(SELECT COUNT(*) FROM zone_grants g WHERE g.zone_id = z.id) AS grants").
		Order("CASE WHEN z.kind = 'platform' THEN 1 ELSE 0 END, z.code").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*domain.PlatformAdminZone, 0, len(rows))
	for _, r := range rows {
		out = append(out, &domain.PlatformAdminZone{Code: r.Code, Name: r.Name, TimeZone: r.TimeZone, Kind: r.Kind,
			Users: r.Users, Projects: r.Projects, Grants: r.Grants, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

// PlatformUsers lists the platform's users (province users and administrators) with the
// zones granted to each.
func (s *PlatformService) PlatformUsers(ctx context.Context) ([]*domain.PlatformUser, error) {
	_, pz, err := s.platformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	users, err := NewUserService(s.db).FindUsers(ctx, pz.ID)
	if err != nil {
		return nil, err
	}
	grants, err := s.grantCodes(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.PlatformUser, 0, len(users))
	for _, u := range users {
		zones := grants[u.ID]
		if zones == nil {
			zones = []string{}
		}
		out = append(out, &domain.PlatformUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles,
			Disabled: u.Disabled, Zones: zones, CreatedAt: u.CreatedAt})
	}
	return out, nil
}

// grantCodes are the zone codes granted to each user (to userID only when not 0), sorted.
func (s *PlatformService) grantCodes(ctx context.Context, userID int64) (map[int64][]string, error) {
	var rows []struct {
		UserID int64
		Code   string
	}
	q := s.db.conn(ctx).Table("zone_grants AS g").Select("g.user_id, z.code").Joins("JOIN zones z ON z.id = g.zone_id").
		Where("z.kind = ?", ZoneKindZone)
	if userID != 0 {
		q = q.Where("g.user_id = ?", userID)
	}
	if err := q.Order("g.user_id, z.code").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.Code)
	}
	return out, nil
}

// provinceUser loads a province user of the platform's row (else 404: the administrator
// edits no one else's grants).
func (s *PlatformService) provinceUser(ctx context.Context, pz *domain.Zone, id int64) (*domain.User, error) {
	u, err := NewUserService(s.db).FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.ZoneID != pz.ID || !slices.Contains(u.Roles, domain.RoleProvince) {
		return nil, domain.NotFound("省市级用户")
	}
	return u, nil
}

// Grants returns a province user's zones.
func (s *PlatformService) Grants(ctx context.Context, userID int64) (*domain.PlatformGrants, error) {
	_, pz, err := s.platformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.provinceUser(ctx, pz, userID)
	if err != nil {
		return nil, err
	}
	return s.grantsOf(ctx, u)
}

func (s *PlatformService) grantsOf(ctx context.Context, u *domain.User) (*domain.PlatformGrants, error) {
	g, err := s.grantCodes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	zones := g[u.ID]
	if zones == nil {
		zones = []string{}
	}
	return &domain.PlatformGrants{UserID: u.ID, Username: u.Username, Zones: zones}, nil
}

// SetGrants replaces a province user's zones by zones (development zones' codes; an unknown
// one is refused naming it, and nothing changes). Each zone granted or revoked is audited in
// its own log, the change in the platform's, all in one transaction.
func (s *PlatformService) SetGrants(ctx context.Context, userID int64, zones []string) (*domain.PlatformGrants, error) {
	a, pz, err := s.platformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.provinceUser(ctx, pz, userID)
	if err != nil {
		return nil, err
	}
	want := []string{}
	for _, z := range zones {
		if z = strings.TrimSpace(z); z != "" && !slices.Contains(want, z) {
			want = append(want, z)
		}
	}
	if len(want) > 1000 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "开发区过多 (too many zones)", Fields: map[string]string{"zones": "最多 1000 个 (at most 1000)"}}
	}
	var rows []zoneRow
	if len(want) > 0 {
		if err := s.db.conn(ctx).Where("code IN ? AND kind = ?", want, ZoneKindZone).Find(&rows).Error; err != nil {
			return nil, err
		}
	}
	byCode := map[string]zoneRow{}
	for _, r := range rows {
		byCode[r.Code] = r
	}
	var unknown []string
	for _, c := range want {
		if _, ok := byCode[c]; !ok {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) > 0 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "输入有误，请检查标出的字段 (invalid input)",
			Fields: map[string]string{"zones": "没有这个开发区：" + strings.Join(unknown, "、") + " (unknown zone)"}}
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		var had []zoneRow
		if err := q.Table("zone_grants AS g").Select("z.*").Joins("JOIN zones z ON z.id = g.zone_id").
			Where("g.user_id = ? AND z.kind = ?", u.ID, ZoneKindZone).Order("z.code").Scan(&had).Error; err != nil {
			return err
		}
		var added, removed []string
		for _, h := range had {
			if _, keep := byCode[h.Code]; keep {
				delete(byCode, h.Code)
				continue
			}
			if err := q.Where("user_id = ? AND zone_id = ?", u.ID, h.ID).Delete(&zoneGrantRow{}).Error; err != nil {
				return err
			}
			removed = append(removed, h.Code)
			if err := s.db.audit(ctx, domain.AuditEntry{ZoneID: h.ID, Action: AuditZoneRevoked, Object: "zone:" + h.Code,
				Detail: auditDetail(map[string]any{"username": u.Username, "role": domain.RoleProvince})}); err != nil {
				return err
			}
		}
		for _, c := range want {
			z, ok := byCode[c]
			if !ok {
				continue // held already
			}
			if err := q.Create(&zoneGrantRow{UserID: u.ID, ZoneID: z.ID, GrantedBy: a.User.Username, CreatedAt: s.db.now()}).Error; err != nil {
				return err
			}
			added = append(added, c)
			if err := s.db.audit(ctx, domain.AuditEntry{ZoneID: z.ID, Action: AuditZoneGranted, Object: "zone:" + z.Code,
				Detail: auditDetail(map[string]any{"username": u.Username, "role": domain.RoleProvince})}); err != nil {
				return err
			}
		}
		if len(added)+len(removed) == 0 {
			return nil
		}
		slices.Sort(added)
		return s.db.audit(ctx, domain.AuditEntry{ZoneID: pz.ID, Action: AuditGrantsChanged, Object: userObject(u.ID),
			Detail: auditDetail(map[string]any{"username": u.Username, "granted": nonNil(added), "revoked": nonNil(removed)})})
	})
	if err != nil {
		return nil, fmt.Errorf("grants of %s: %w", u.Username, err)
	}
	return s.grantsOf(ctx, u)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
