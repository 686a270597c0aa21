package repository

import (
	"context"
	"strconv"

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

// BumpPolicyVersion increments the policy version.
func (db *DB) BumpPolicyVersion(ctx context.Context) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		v, err := db.PolicyVersion(ctx)
		if err != nil {
			return err
		}
		q := db.conn(ctx)
		if v == 0 {
			return q.Create(&settingRow{Key: policyVersionKey, Value: "1"}).Error
		}
		return q.Model(&settingRow{}).Where("`key` = ?", policyVersionKey).Update("value", strconv.FormatInt(v+1, 10)).Error
	})
}
