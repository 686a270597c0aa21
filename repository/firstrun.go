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
	Chains    []string // the chains the zone was made with (zone create --chains/--template)
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
	run, err := db.createZone(ctx, code, name, timeZone, password, roles, "CHAINCRM_ADMIN_PASSWORD", nil)
	if err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	return run, nil
}
