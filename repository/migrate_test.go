package repository_test

import (
	"context"
	"testing"

	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

func TestMigrateEmptyDatabase(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, driver, repository.Options{})
			if v, err := db.SchemaVersion(ctx); err == nil && v != 0 {
				t.Fatalf("empty database at version %d", v)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			if err := db.Migrate(ctx); err != nil { // a second run is a no-op
				t.Fatalf("migrate again: %v", err)
			}
			v, err := db.SchemaVersion(ctx)
			if err != nil || v != repository.LatestSchemaVersion() {
				t.Fatalf("version = %d, %v; want %d", v, err, repository.LatestSchemaVersion())
			}
			for _, table := range []string{"zones", "users", "sessions", "chains", "chain_nodes", "enterprises",
				"projects", "project_nodes", "activities", "project_history", "campaigns", "targets",
				"reminders", "outbox", "job_runs", "audit_log", "casbin_rule", "settings"} {
				if !db.Gorm().Migrator().HasTable(table) {
					t.Errorf("table %s missing", table)
				}
			}
		})
	}
}
