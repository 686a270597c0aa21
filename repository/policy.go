package repository

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/configs"
)

// NewEnforcer builds the casbin enforcer on the casbin_rule table (created by the
// migrations; the adapter's own auto-migration is off) and loads the policy.
func NewEnforcer(db *DB) (*casbin.SyncedEnforcer, error) {
	m, err := model.NewModelFromString(configs.RBACModel)
	if err != nil {
		return nil, err
	}
	g := db.gorm.Session(&gorm.Session{})
	gormadapter.TurnOffAutoMigrate(g)
	adapter, err := gormadapter.NewAdapterByDBUseTableName(g, "", "casbin_rule")
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m, adapter)
	if err != nil {
		return nil, err
	}
	return e, e.LoadPolicy()
}

// EnsureDefaultPolicy adds, through the enforcer's API, every default rule a zone lacks.
// Existing rules (and an administrator's additions) are left alone.
func EnsureDefaultPolicy(e *casbin.SyncedEnforcer, zoneCode string) error {
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
	_, err := e.AddPolicies(missing)
	return err
}

// ZoneCodes lists every development zone's code, the default zone first (not the
// platform's row of province users).
func (db *DB) ZoneCodes(ctx context.Context) ([]string, error) {
	var codes []string
	err := db.gorm.WithContext(ctx).Model(&zoneRow{}).Where("kind = ?", ZoneKindZone).Order("id").Pluck("code", &codes).Error
	return codes, err
}

const policyVersionKey = "policy_version"

// PolicyVersion is a counter bumped on every policy or role change, so that replicas know
// when to reload the enforcer.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	var vals []string
	if err := db.gorm.WithContext(ctx).Model(&settingRow{}).Where("`key` = ?", policyVersionKey).Pluck("value", &vals).Error; err != nil {
		return 0, err
	}
	if len(vals) == 0 {
		return 0, nil
	}
	return strconv.ParseInt(vals[0], 10, 64)
}

// BumpPolicyVersion increments the policy version in one statement, so that two replicas
// changing roles at once both move it (a read-then-write lost one of the two increments:
// a replica that reloaded between them kept the older policy until the next change).
func (db *DB) BumpPolicyVersion(ctx context.Context) error {
	q := db.conn(ctx)
	for range 3 {
		res := q.Model(&settingRow{}).Where("`key` = ?", policyVersionKey).Update("value", gorm.Expr("value + 1"))
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		// a plain insert: the primary key decides (an upsert's affected-rows count depends
		// on MySQL's client flags); a duplicate means another replica made the row just now
		if err := q.Create(&settingRow{Key: policyVersionKey, Value: "1"}).Error; !isDuplicate(err) {
			return err
		}
	}
	return fmt.Errorf("policy version: could not bump")
}

// FreshEnforcer decides requests with the newest policy: before each decision it reads the
// policy version (one primary-key read of settings) and reloads the enforcer when another
// replica — or the command line — changed roles or rules since it last loaded them. A role
// revoked on replica A is thus refused on replica B at B's next request (issue 19), where a
// periodic reload left a window of seconds.
type FreshEnforcer struct {
	db *DB
	e  *casbin.SyncedEnforcer

	mu     sync.Mutex
	loaded int64
	known  bool
}

// NewFreshEnforcer wraps e, which loads its policy from db.
func NewFreshEnforcer(db *DB, e *casbin.SyncedEnforcer) *FreshEnforcer {
	return &FreshEnforcer{db: db, e: e}
}

// Enforce is the enforcer's decision after Sync.
func (f *FreshEnforcer) Enforce(rvals ...any) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.Sync(ctx); err != nil {
		return false, err
	}
	return f.e.Enforce(rvals...)
}

// Sync reloads the policy when its version moved since the last load. The version is read
// before the load, so a change made during the load is picked up by the next Sync.
func (f *FreshEnforcer) Sync(ctx context.Context) error {
	v, err := f.db.PolicyVersion(ctx)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.known && v == f.loaded {
		return nil
	}
	if err := f.e.LoadPolicy(); err != nil {
		return fmt.Errorf("casbin reload: %w", err)
	}
	f.loaded, f.known = v, true
	return nil
}
