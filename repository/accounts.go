package repository

import (
	"context"
	"fmt"
	"slices"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// RoleManager is the part of the casbin enforcer that grants and revokes roles. Roles are
// only ever written through it (never with SavePolicy), so that the enforcer's memory and
// casbin_rule agree; each change bumps the policy version so that other replicas reload.
type RoleManager interface {
	AddRoleForUserInDomain(user, role, domain string) (bool, error)
	DeleteRoleForUserInDomain(user, role, domain string) (bool, error)
}

// AccountService implements domain.AccountService: the users of the caller's zone, their
// roles (casbin grouping rules), chain chief assignments and passwords. Each command writes
// the user's rows and their audit lines in one transaction; role changes go through the
// enforcer afterwards (it writes through its own connection, which must not wait on ours),
// each with its own audit line, and then bump the policy version.
type AccountService struct {
	db    *DB
	users *UserService
	roles RoleManager
}

// NewAccountService returns the account service on db, changing roles through roles.
func NewAccountService(db *DB, roles RoleManager) *AccountService {
	return &AccountService{db: db, users: NewUserService(db), roles: roles}
}

var _ domain.AccountService = (*AccountService)(nil)

var errBadLogin = domain.Errorf(domain.EUNAUTH, "用户名或密码错误 (wrong username or password)")

// Authenticate checks username and password in the zone. Whatever fails, the answer is the
// same and one bcrypt comparison has been made.
func (s *AccountService) Authenticate(ctx context.Context, zoneCode, username, password string) (*domain.User, *domain.Zone, error) {
	zone, zerr := s.users.FindZoneByCode(ctx, zoneCode)
	var u *domain.User
	uerr := zerr
	if zerr == nil {
		u, uerr = s.users.FindUserByUsername(ctx, zone.ID, username)
	}
	if uerr != nil && domain.ErrorCode(uerr) != domain.ENOTFOUND {
		return nil, nil, uerr // the database, not the user
	}
	hash := dummyHash(s.db.Opts.PasswordCost)
	if uerr == nil {
		hash = u.PasswordHash
	}
	ok := CheckPasswordHash(hash, password)
	if uerr != nil || !ok || u.Disabled {
		return nil, zone, errBadLogin
	}
	return u, zone, nil
}

// FindAccounts lists the caller's zone's users.
func (s *AccountService) FindAccounts(ctx context.Context) ([]*domain.User, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.users.FindUsers(ctx, a.User.ZoneID)
}

// FindAccount returns a user of the caller's zone or ENOTFOUND.
func (s *AccountService) FindAccount(ctx context.Context, id int64) (*domain.User, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.users.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.ZoneID != a.User.ZoneID {
		return nil, domain.NotFound("用户")
	}
	return u, nil
}

func (s *AccountService) zoneCode(ctx context.Context, a *domain.Actor) (string, error) {
	if a.Zone != nil && a.Zone.ID == a.User.ZoneID {
		return a.Zone.Code, nil
	}
	z, err := s.users.FindZoneByID(ctx, a.User.ZoneID)
	if err != nil {
		return "", err
	}
	return z.Code, nil
}

// chainIDs resolves chain codes of the zone; unknown ones are a field error.
func (s *AccountService) chainIDs(ctx context.Context, zoneID int64, codes []string, fe domain.FieldErrors) ([]int64, error) {
	var ids []int64
	for _, code := range codes {
		id, err := chainIDByCode(s.db.conn(ctx), zoneID, code)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			fe.Add("chains", "未知的产业链："+code+" (unknown chain)")
			continue
		}
		ids = append(ids, id)
	}
	return dedupe(ids), nil
}

// passwordContext is what a password of the user named username must not be built on: the
// names and the zone (the caller's, which is the user's).
func (s *AccountService) passwordContext(a *domain.Actor, username, displayName string) domain.PasswordContext {
	pc := domain.PasswordContext{Username: username, DisplayName: displayName}
	if a.Zone != nil {
		pc.ZoneCode, pc.ZoneName = a.Zone.Code, a.Zone.Name
	}
	return pc
}

func userObject(id int64) string { return fmt.Sprintf("user:%d", id) }

// CreateAccount stores a new user with roles and chains.
func (s *AccountService) CreateAccount(ctx context.Context, in domain.UserInput) (*domain.User, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	fe := domain.FieldErrors{}
	for k, v := range domain.ErrorFields(in.Validate()) {
		fe.Add(k, v)
	}
	if _, bad := fe["password"]; !bad {
		if msg := CheckPasswordPolicy(in.Password, s.passwordContext(a, in.Username, in.DisplayName)); msg != "" {
			fe.Add("password", msg)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	roles := uniqueRoles(in.Roles)
	slices.Sort(in.Chains)
	in.Chains = slices.Compact(in.Chains)
	for _, r := range roles {
		if !domain.CanGrantRole(a, r) {
			return nil, forbidden("授予管理员角色")
		}
	}
	code, err := s.zoneCode(ctx, a)
	if err != nil {
		return nil, err
	}
	hash, err := s.db.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		fe := domain.FieldErrors{}
		chains, err := s.chainIDs(ctx, a.User.ZoneID, in.Chains, fe)
		if err != nil {
			return err
		}
		var n int64
		if err := s.db.conn(ctx).Model(&userRow{}).Where("zone_id = ? AND username = ?", a.User.ZoneID, in.Username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &domain.Error{Code: domain.ECONFLICT, Message: "用户名已被使用 (username taken)", Fields: map[string]string{"username": "用户名已被使用 (taken)"}}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.db.now()
		row := &userRow{ZoneID: a.User.ZoneID, Username: in.Username, DisplayName: in.DisplayName, Email: in.Email,
			Phone: in.Phone, Agency: in.Agency, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if in.Department != "" { // a liaison's department (issue 15)
			d, err := NewServiceRequestService(s.db).department(ctx, a.User.ZoneID, in.Department)
			if err != nil {
				return err
			}
			row.DepartmentID = &d.ID
		}
		if err := s.db.conn(ctx).Create(row).Error; err != nil {
			return translate(err, "username", "用户名已被使用 (taken)")
		}
		id = row.ID
		for _, cid := range chains {
			if err := s.db.conn(ctx).Create(&chainChiefRow{UserID: id, ChainID: cid}).Error; err != nil {
				return err
			}
		}
		for _, code := range in.Chains {
			if err := s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditChiefAssign, Object: userObject(id),
				Detail: auditDetail(map[string]any{"username": in.Username, "chain": code})}); err != nil {
				return err
			}
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditUserCreate, Object: userObject(id),
			Detail: auditDetail(map[string]any{"username": in.Username, "display_name": in.DisplayName, "email": in.Email,
				"phone": in.Phone, "agency": in.Agency, "roles": roles, "chains": in.Chains, "department": in.Department})})
	})
	if err != nil {
		return nil, err
	}
	if err := s.changeRoles(ctx, id, in.Username, code, nil, roles); err != nil {
		return nil, err
	}
	return s.FindAccount(ctx, id)
}

func uniqueRoles(rs []domain.Role) []domain.Role {
	out := []domain.Role{}
	for _, r := range rs {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// changeRoles brings the user's roles in the zone from have to want through the enforcer,
// auditing each grant and revocation, and bumps the policy version when anything changed.
func (s *AccountService) changeRoles(ctx context.Context, id int64, username, zoneCode string, have, want []domain.Role) error {
	changed := false
	for _, r := range want {
		if slices.Contains(have, r) {
			continue
		}
		if _, err := s.roles.AddRoleForUserInDomain(username, string(r), zoneCode); err != nil {
			return fmt.Errorf("casbin: grant %s to %s: %w", r, username, err)
		}
		changed = true
		if err := s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditRoleGrant, Object: userObject(id),
			Detail: auditDetail(map[string]any{"username": username, "role": r, "zone": zoneCode})}); err != nil {
			return err
		}
	}
	for _, r := range have {
		if slices.Contains(want, r) {
			continue
		}
		if _, err := s.roles.DeleteRoleForUserInDomain(username, string(r), zoneCode); err != nil {
			return fmt.Errorf("casbin: revoke %s from %s: %w", r, username, err)
		}
		changed = true
		if err := s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditRoleRevoke, Object: userObject(id),
			Detail: auditDetail(map[string]any{"username": username, "role": r, "zone": zoneCode})}); err != nil {
			return err
		}
	}
	if !changed {
		return nil
	}
	return s.db.BumpPolicyVersion(ctx)
}

// UpdateAccount changes a user of the caller's zone.
func (s *AccountService) UpdateAccount(ctx context.Context, id int64, upd domain.UserUpdate) (*domain.User, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.FindAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if upd.Roles != nil {
		rs := uniqueRoles(*upd.Roles)
		upd.Roles = &rs
		if !slices.Contains(rs, domain.RoleChainChief) && upd.Chains == nil && len(cur.Chains) > 0 {
			none := []string{} // no longer a chief: the chains go with the role
			upd.Chains = &none
		}
	}
	if err := upd.Validate(cur); err != nil {
		return nil, err
	}
	self := cur.ID == a.User.ID
	if self && upd.Disabled != nil && *upd.Disabled {
		return nil, domain.Errorf(domain.ERULE, "不能停用自己的账号 (you cannot disable yourself)")
	}
	want := cur.Roles
	if upd.Roles != nil {
		want = *upd.Roles
		if self && cur.HasRole(domain.RoleAdmin) && !slices.Contains(want, domain.RoleAdmin) {
			return nil, domain.Errorf(domain.ERULE, "不能取消自己的管理员角色 (you cannot drop your own admin role)")
		}
		for _, r := range append(slices.Clone(want), cur.Roles...) {
			if slices.Contains(want, r) != cur.HasRole(r) && !domain.CanGrantRole(a, r) {
				return nil, forbidden("授予或取消管理员角色")
			}
		}
	}
	if cur.HasRole(domain.RoleAdmin) && !domain.IsAdmin(a) {
		return nil, forbidden("修改管理员账号")
	}
	code, err := s.zoneCode(ctx, a)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.conn(ctx)
		cols := map[string]any{}
		changes := map[string]any{}
		str := func(field string, from string, to *string) {
			if to != nil && *to != from {
				cols[field] = *to
				changes[field] = map[string]string{"from": from, "to": *to}
			}
		}
		str("display_name", cur.DisplayName, upd.DisplayName)
		str("email", cur.Email, upd.Email)
		str("phone", cur.Phone, upd.Phone)
		str("agency", cur.Agency, upd.Agency)
		if len(cols) > 0 {
			cols["updated_at"] = s.db.now()
			if err := q.Model(&userRow{}).Where("id = ?", id).Updates(cols).Error; err != nil {
				return err
			}
			if err := s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditUserUpdate, Object: userObject(id),
				Detail: auditDetail(map[string]any{"username": cur.Username, "changes": changes})}); err != nil {
				return err
			}
		}
		if upd.Chains != nil {
			if err := s.setChains(ctx, cur, *upd.Chains); err != nil {
				return err
			}
		}
		if upd.Disabled != nil && *upd.Disabled != cur.Disabled {
			if err := q.Model(&userRow{}).Where("id = ?", id).Updates(map[string]any{"disabled": *upd.Disabled, "updated_at": s.db.now()}).Error; err != nil {
				return err
			}
			action := domain.AuditUserEnable
			if *upd.Disabled {
				action = domain.AuditUserDisable
				if err := s.users.RevokeUserSessions(ctx, id); err != nil {
					return err
				}
			}
			return s.db.audit(ctx, domain.AuditEntry{Action: action, Object: userObject(id),
				Detail: auditDetail(map[string]any{"username": cur.Username})})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if upd.Roles != nil {
		if err := s.changeRoles(ctx, id, cur.Username, code, cur.Roles, want); err != nil {
			return nil, err
		}
	}
	return s.FindAccount(ctx, id)
}

// setChains makes the user chief of exactly codes, auditing each assignment.
func (s *AccountService) setChains(ctx context.Context, cur *domain.User, codes []string) error {
	fe := domain.FieldErrors{}
	want, err := s.chainIDs(ctx, cur.ZoneID, codes, fe)
	if err != nil {
		return err
	}
	if err := fe.Err(); err != nil {
		return err
	}
	q := s.db.conn(ctx)
	for i, cid := range cur.ChainIDs {
		if slices.Contains(want, cid) {
			continue
		}
		if err := q.Where("user_id = ? AND chain_id = ?", cur.ID, cid).Delete(&chainChiefRow{}).Error; err != nil {
			return err
		}
		if err := s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditChiefUnassign, Object: userObject(cur.ID),
			Detail: auditDetail(map[string]any{"username": cur.Username, "chain": cur.Chains[i]})}); err != nil {
			return err
		}
	}
	for _, cid := range want {
		if slices.Contains(cur.ChainIDs, cid) {
			continue
		}
		if err := q.Create(&chainChiefRow{UserID: cur.ID, ChainID: cid}).Error; err != nil {
			return err
		}
		var code string
		if err := q.Model(&chainRow{}).Where("id = ?", cid).Pluck("code", &code).Error; err != nil {
			return err
		}
		if err := s.db.audit(ctx, domain.AuditEntry{Action: domain.AuditChiefAssign, Object: userObject(cur.ID),
			Detail: auditDetail(map[string]any{"username": cur.Username, "chain": code})}); err != nil {
			return err
		}
	}
	return nil
}

// ResetPassword sets another user's password (an administrator's reset) and ends every
// session of theirs.
func (s *AccountService) ResetPassword(ctx context.Context, id int64, password string) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	cur, err := s.FindAccount(ctx, id)
	if err != nil {
		return err
	}
	if msg := CheckPasswordPolicy(password, s.passwordContext(a, cur.Username, cur.DisplayName)); msg != "" {
		return &domain.Error{Code: domain.EINVALID, Message: "密码不符合要求 (password refused)", Fields: map[string]string{"password": msg}}
	}
	if cur.HasRole(domain.RoleAdmin) && !domain.IsAdmin(a) {
		return forbidden("重置管理员的密码")
	}
	return s.setPassword(ctx, cur, password, domain.AuditPasswordReset)
}

func (s *AccountService) setPassword(ctx context.Context, u *domain.User, password, action string) error {
	hash, err := s.db.hashPassword(password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		set := map[string]any{"password_hash": hash, "updated_at": s.db.now()}
		if action == domain.AuditPasswordChange { // the user chose it: no longer a generated one
			set["must_change_password"] = false
		}
		if err := s.db.conn(ctx).Model(&userRow{}).Where("id = ?", u.ID).Updates(set).Error; err != nil {
			return err
		}
		if err := s.users.RevokeUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, domain.AuditEntry{Action: action, Object: userObject(u.ID),
			Detail: auditDetail(map[string]any{"username": u.Username, "sessions_revoked": true})})
	})
}

// ChangePassword changes the caller's own password.
func (s *AccountService) ChangePassword(ctx context.Context, current, next string) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	u, err := s.users.FindUserByID(ctx, a.User.ID)
	if err != nil {
		return err
	}
	if !CheckPasswordHash(u.PasswordHash, current) {
		return &domain.Error{Code: domain.EINVALID, Message: "当前密码不正确 (wrong current password)",
			Fields: map[string]string{"current": "当前密码不正确 (wrong password)"}}
	}
	msg := CheckPasswordPolicy(next, s.passwordContext(a, u.Username, u.DisplayName))
	if msg == "" && next == current {
		msg = "新密码不能与当前密码相同 (same as the current one)"
	}
	if msg != "" {
		return &domain.Error{Code: domain.EINVALID, Message: "新密码不符合要求 (password refused)", Fields: map[string]string{"new": msg}}
	}
	return s.setPassword(ctx, u, next, domain.AuditPasswordChange)
}
