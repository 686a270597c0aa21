package repository_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

func TestPasswordHash(t *testing.T) {
	long := strings.Repeat("招商", 40) // 240 bytes: past bcrypt's 72
	h, err := repository.HashPassword(long, repository.DefaultPasswordCost)
	if err != nil {
		t.Fatal(err)
	}
	if !repository.CheckPasswordHash(h, long) {
		t.Error("long password does not verify")
	}
	if repository.CheckPasswordHash(h, long[:72]) || repository.CheckPasswordHash(h, long+"x") {
		t.Error("a long password verifies by its first 72 bytes")
	}
	short, _ := repository.HashPassword("Demo@2023", bcrypt.MinCost)
	if !repository.CheckPasswordHash(short, "Demo@2023") || repository.CheckPasswordHash(short, "Demo@2024") {
		t.Error("short password")
	}
	// hashes of the demo seed: plain bcrypt
	legacy, _ := bcrypt.GenerateFromPassword([]byte("Demo@2023"), bcrypt.DefaultCost)
	if !repository.CheckPasswordHash(string(legacy), "Demo@2023") || repository.CheckPasswordHash(string(legacy), "Demo@2024") {
		t.Error("plain bcrypt hash")
	}
	p72 := strings.Repeat("x", 72)
	legacy, _ = bcrypt.GenerateFromPassword([]byte(p72), bcrypt.DefaultCost)
	if repository.CheckPasswordHash(string(legacy), p72+"anything") {
		t.Error("plain bcrypt accepts a longer password with the same first 72 bytes")
	}
	// the stored form of a prehashed password is never a plain bcrypt hash of it
	if !strings.HasPrefix(h, "bcrypt-sha256$") {
		t.Errorf("hash %q", h)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Migrated(t, driver, repository.Options{})
			audit := repository.NewAuditService(db)
			if err := audit.Record(ctx, domain.AuditEntry{ZoneID: 1, Actor: "admin", Action: domain.AuditLogin, IP: "10.0.0.1"}); err != nil {
				t.Fatal(err)
			}
			g := db.Gorm().WithContext(ctx) // a fresh session: errors do not stick
			for _, stmt := range []string{"UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"} {
				if err := g.Exec(stmt).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %v", stmt, err)
				}
			}
			var n int64
			g.Table("audit_log").Where("actor = 'admin'").Count(&n)
			if n != 1 {
				t.Errorf("audit rows = %d after refused changes", n)
			}
			// the caller's zone only, newest first
			actx := domain.WithActor(ctx, &domain.Actor{User: &domain.User{ID: 1, ZoneID: 1, Username: "admin", Roles: []domain.Role{domain.RoleAdmin}}, IP: "10.0.0.2"})
			if err := audit.Record(actx, domain.AuditEntry{Action: domain.AuditForbidden, Object: "GET /x"}); err != nil {
				t.Fatal(err)
			}
			if err := audit.Record(ctx, domain.AuditEntry{ZoneID: 2, Actor: "other", Action: domain.AuditLogin}); err != nil {
				t.Fatal(err)
			}
			items, total, err := audit.FindAudit(actx, domain.AuditFilter{})
			if err != nil || total != 2 || items[0].Action != domain.AuditForbidden || items[0].IP != "10.0.0.2" || items[0].Actor != "admin" {
				t.Errorf("find: %d %v %+v", total, err, items)
			}
			if _, total, _ := audit.FindAudit(ctx, domain.AuditFilter{}); total != 0 {
				t.Errorf("without an actor: %d entries", total)
			}
		})
	}
}

// TestRoleChangesReachOtherReplicas: two enforcers on one database stand for two replicas.
// A role change made through one bumps the policy version; the other, reloading on that
// (as cmd/chaincrm's watchPolicy does), agrees.
func TestRoleChangesReachOtherReplicas(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Migrated(t, driver, repository.Options{})
			a, err := repository.NewEnforcer(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SeedDemo(ctx, demoNodes(), "Demo@2023", db.AuditedRoles(a)); err != nil {
				t.Fatal(err)
			}
			if err := db.EnsureDefaultPolicyAudited(ctx, a, repository.DemoZoneCode); err != nil {
				t.Fatal(err)
			}
			b, err := repository.NewEnforcer(db)
			if err != nil {
				t.Fatal(err)
			}
			v0, _ := db.PolicyVersion(ctx)
			admin := actor(t, db, "admin", domain.RoleAdmin)
			accounts := repository.NewAccountService(db, a)
			viewer, err := repository.NewUserService(db).FindUserByUsername(ctx, domain.ActorFrom(admin).User.ZoneID, "viewer")
			if err != nil {
				t.Fatal(err)
			}
			roles := []domain.Role{domain.RoleRecruiter}
			if _, err := accounts.UpdateAccount(admin, viewer.ID, domain.UserUpdate{Roles: &roles}); err != nil {
				t.Fatal(err)
			}
			may := func(e interface{ Enforce(...any) (bool, error) }) bool {
				ok, _ := e.Enforce("viewer", repository.DemoZoneCode, "project", "create")
				return ok
			}
			if !may(a) || may(b) {
				t.Fatalf("before reload: a %v, b %v", may(a), may(b))
			}
			v1, _ := db.PolicyVersion(ctx)
			if v1 <= v0 {
				t.Fatalf("policy version %d → %d", v0, v1)
			}
			if err := b.LoadPolicy(); err != nil {
				t.Fatal(err)
			}
			if !may(b) {
				t.Error("the other replica does not see the new role after reloading")
			}
			// the roles the services read are casbin's rules: the same answer
			u, _ := repository.NewUserService(db).FindUserByID(ctx, viewer.ID)
			if len(u.Roles) != 1 || u.Roles[0] != domain.RoleRecruiter {
				t.Errorf("roles read back: %v", u.Roles)
			}
			// the demo seed's grants and the default policy are in the audit log as system's
			var n int64
			db.Gorm().WithContext(ctx).Table("audit_log").Where("actor = 'system' AND action IN ?", []string{domain.AuditRoleGrant, domain.AuditPolicyAdd}).Count(&n)
			if n < int64(len(repository.DemoUsers)+100) {
				t.Errorf("system audit entries: %d", n)
			}
		})
	}
}
