package repository

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// FirstRun is what CreateFirstZone made: the zone and its administrator, whose password
// was generated (Generated) or given.
type FirstRun struct {
	Zone      *domain.Zone
	Admin     string
	Password  string
	Generated bool
}

// FirstAdminUsername is the first-run administrator's user name.
const FirstAdminUsername = "admin"

// passwordAlphabet has no look-alike characters (0/O, 1/l/I), so that a password read off a
// terminal is typed right.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns n random characters of passwordAlphabet (n = 16: about 93 bits).
func GeneratePassword(n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(passwordAlphabet) // rejection sampling: every character equally likely
	b := make([]byte, 1)
	for len(out) < n {
		rand.Read(b) // never fails (crypto/rand, Go 1.24+)
		if int(b[0]) < limit {
			out = append(out, passwordAlphabet[int(b[0])%len(passwordAlphabet)])
		}
	}
	return string(out)
}

// CreateFirstZone sets up an empty database for production (issue 12): one zone with one
// administrator, "admin", whose password is password when given (it must pass the
// policy) or else generated; either way it must be changed at the first log-in. It does
// nothing and returns nil when the database has a zone already.
func (db *DB) CreateFirstZone(ctx context.Context, code, name, timeZone, password string, roles RoleAssigner) (*FirstRun, error) {
	codes, err := db.ZoneCodes(ctx)
	if err != nil || len(codes) > 0 {
		return nil, err
	}
	run := &FirstRun{Admin: FirstAdminUsername, Password: password}
	if password == "" {
		run.Password, run.Generated = GeneratePassword(16), true
	} else if msg := CheckPasswordPolicy(password, domain.PasswordContext{Username: FirstAdminUsername, ZoneCode: code, ZoneName: name}); msg != "" {
		return nil, fmt.Errorf("CHAINCRM_ADMIN_PASSWORD: %s", msg)
	}
	hash, err := db.hashPassword(run.Password)
	if err != nil {
		return nil, err
	}
	zone := &zoneRow{Code: code, Name: name, TimeZone: timeZone, CreatedAt: db.now()}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		q := db.conn(ctx)
		if err := q.Create(zone).Error; err != nil {
			return err
		}
		u := &userRow{ZoneID: zone.ID, Username: FirstAdminUsername, DisplayName: "系统管理员", Email: "admin@localhost",
			PasswordHash: hash, MustChangePassword: true, CreatedAt: db.now(), UpdatedAt: db.now()}
		if err := q.Create(u).Error; err != nil {
			return err
		}
		return db.audit(ctx, domain.AuditEntry{ZoneID: zone.ID, Action: domain.AuditUserCreate, Object: userObject(u.ID),
			Detail: auditDetail(map[string]any{"username": FirstAdminUsername, "first_run": true, "generated_password": run.Generated})})
	})
	if err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	if _, err := roles.AddRoleForUserInDomain(FirstAdminUsername, string(domain.RoleAdmin), code); err != nil {
		return nil, fmt.Errorf("first run: administrator role: %w", err)
	}
	run.Zone = &domain.Zone{ID: zone.ID, Code: zone.Code, Name: zone.Name, TimeZone: zone.TimeZone}
	return run, nil
}
