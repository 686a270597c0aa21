package repository

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one versioned, append-only schema step. Each step owns frozen copies of the
// row structs it creates (as gitea's models/migrations do), so later changes to the live
// row structs never change what an old step did. Never edit or reorder a released step;
// append a new one.
type migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

var migrations = []migration{
	{1, "initial schema", migrateV1},
	{2, "pipeline workflow: comments, investments, supervisions", migrateV2},
	{3, "job runs as of, reminder and history indexes", migrateV3},
	{4, "figures: signing and stage-move indexes", migrateV4},
	{5, "append-only audit log", migrateV5},
	{6, "chain map editing history", migrateV6},
	{7, "change generations for cached chain maps", migrateV7},
	{8, "covering index for the dashboard's dockings", migrateV8},
	{9, "covering indexes for the chain maps' links", migrateV9},
	{11, "log-in throttle in the database, forced password change", migrateV11},
	{12, "list indexes and name bigrams (issue 13)", migrateV12},
	{13, "integration tokens", migrateV13},
	{14, "enterprises: profile, normalised names, merge; contacts, enterprise history, attachments", migrateV14},
	// issue 15: enterprise service requests (企业诉求) and departments
	{15, "service requests and departments", migrateV15},
	// group robots (issue 16)
	{16, "group robots, robot messages in the outbox, users' mobiles", migrateV16},
	// issue 17: economic indicators and project operations
	{17, "economic indicators by month with history; project operations by period", migrateV17},
	// issue 19, the provincial platform
	{19, "platform: zone kinds, province users' zone grants, export jobs shared by replicas", migrateV19},
	// issue 20, offline visits
	{20, "idempotency keys of creating requests", migrateV20},
	// issue 13, sorted lists and the remaining slow lists
	{24, "list indexes for sorting, owner and stage, live enterprises", migrateV24},
}

type schemaMigration struct {
	Version   int       `gorm:"primaryKey;autoIncrement:false"`
	Name      string    `gorm:"type:varchar(200);not null"`
	AppliedAt time.Time `gorm:"not null"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate brings the schema up to date; each step runs in its own transaction where the
// database allows (MySQL commits DDL implicitly, so a step there must be re-runnable).
func (db *DB) Migrate(ctx context.Context) error {
	g := db.gorm.WithContext(ctx)
	if err := g.Migrator().AutoMigrate(&schemaMigration{}); err != nil { // the ledger only
		return fmt.Errorf("migrate: ledger: %w", err)
	}
	var done []int
	if err := g.Model(&schemaMigration{}).Pluck("version", &done).Error; err != nil {
		return err
	}
	applied := map[int]bool{}
	for _, v := range done {
		applied[v] = true
	}
	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		err := g.Transaction(func(tx *gorm.DB) error {
			// Another process may have applied the step since the ledger was read: on
			// SQLite this transaction holds the write lock (BEGIN IMMEDIATE), so the check
			// is exact; on MySQL, StartLock keeps processes apart.
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("version = ?", m.Version).Count(&n).Error; err != nil || n > 0 {
				return err
			}
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("migrate: step %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// SchemaVersion is the newest applied step (0 for an empty database).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := db.gorm.WithContext(ctx).Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}

// LatestSchemaVersion is the version Migrate brings a database to.
func LatestSchemaVersion() int { return migrations[len(migrations)-1].Version }
