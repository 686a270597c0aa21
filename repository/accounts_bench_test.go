package repository_test

import (
	"context"
	"testing"

	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// BenchmarkAuthenticate: a log-in of a known user with the right password, with a wrong
// one, and of a user who does not exist cost the same (one bcrypt comparison each), so
// that timing does not tell whether a username exists.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Migrated(b, repository.DriverSQLite, repository.Options{})
	if err := db.SeedDemo(ctx, demoNodes(), "Demo@2023", noRoles{}); err != nil {
		b.Fatal(err)
	}
	accounts := repository.NewAccountService(db, nil)
	for _, c := range []struct{ name, user, password string }{
		{"known", "recruiter1", "Demo@2023"},
		{"wrong_password", "recruiter1", "Demo@2024"},
		{"unknown_user", "nobody", "Demo@2023"},
		{"unknown_zone", "recruiter1", "Demo@2023"},
	} {
		zone := repository.DemoZoneCode
		if c.name == "unknown_zone" {
			zone = "atlantis"
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				accounts.Authenticate(ctx, zone, c.user, c.password)
			}
		})
	}
}
