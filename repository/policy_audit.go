package repository

import (
	"context"

	"github.com/casbin/casbin/v2"

	"github.com/laiyuan-edz/chaincrm/configs"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// EnsureDefaultPolicyAudited is EnsureDefaultPolicy with a record: every rule it adds is
// written to the zone's audit log as done by "system", and the policy version is bumped so
// that other replicas reload.
func (db *DB) EnsureDefaultPolicyAudited(ctx context.Context, e *casbin.SyncedEnforcer, zoneCode string) error {
	var missing [][]string
	for _, r := range configs.DefaultPolicy() {
		ok, err := e.HasPolicy(r.Role, zoneCode, r.Obj, r.Act)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, []string{r.Role, zoneCode, r.Obj, r.Act})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := e.AddPolicies(missing); err != nil {
		return err
	}
	zone, err := NewUserService(db).FindZoneByCode(ctx, zoneCode)
	if err != nil {
		return err
	}
	for _, m := range missing {
		if err := db.audit(ctx, domain.AuditEntry{ZoneID: zone.ID, Action: domain.AuditPolicyAdd, Object: "policy",
			Detail: auditDetail(map[string]any{"role": m[0], "zone": m[1], "obj": m[2], "act": m[3]})}); err != nil {
			return err
		}
	}
	return db.BumpPolicyVersion(ctx)
}

// AuditedRoles wraps a role assigner (the enforcer) so that every role it actually grants
// is written to the audit log as done by "system" (the demo seed and other set-up code).
func (db *DB) AuditedRoles(r RoleAssigner) RoleAssigner { return auditedRoles{db: db, next: r} }

type auditedRoles struct {
	db   *DB
	next RoleAssigner
}

func (a auditedRoles) AddRoleForUserInDomain(user, role, zoneCode string) (bool, error) {
	added, err := a.next.AddRoleForUserInDomain(user, role, zoneCode)
	if err != nil || !added {
		return added, err
	}
	ctx := context.Background()
	zone, err := NewUserService(a.db).FindZoneByCode(ctx, zoneCode)
	if err != nil {
		return added, err
	}
	users := NewUserService(a.db)
	object := "user:" + user
	if u, err := users.FindUserByUsername(ctx, zone.ID, user); err == nil {
		object = userObject(u.ID)
	}
	if err := a.db.audit(ctx, domain.AuditEntry{ZoneID: zone.ID, Action: domain.AuditRoleGrant, Object: object,
		Detail: auditDetail(map[string]any{"username": user, "role": role, "zone": zoneCode})}); err != nil {
		return added, err
	}
	return added, a.db.BumpPolicyVersion(ctx)
}
