package repository

import (
	"gorm.io/gorm"
)

// migrateV11 moves the log-in throttle into the database (issue 12; issue 19 runs several
// replicas on one database) and marks accounts that must change their password:
//
//   - auth_throttle: one row per counter key and fixed window (Unix seconds), with the
//     failures counted and the attempts refused in it. Rows are changed only by atomic
//     upserts and increments (no read-modify-write), and removed when their window is over.
//   - auth_places: where each user name last logged in successfully (a known place is
//     never refused by the per-user counter).
//   - users.must_change_password: the first-run administrator's generated password must be
//     changed before anything else.
//
// The structs are frozen copies: do not edit. Each change is checked first, so the step can
// run again on MySQL.
func migrateV11(tx *gorm.DB) error {
	type AuthThrottle struct {
		KeyHash       string `gorm:"type:char(64);primaryKey"`
		WindowStart   int64  `gorm:"primaryKey;autoIncrement:false;index:ix_auth_throttle_window"`
		Kind          string `gorm:"type:varchar(8);not null"`
		ZoneID        int64  `gorm:"not null;default:0"`
		Zone          string `gorm:"type:varchar(50);not null;default:'';index:ix_auth_throttle_user,priority:1"`
		Username      string `gorm:"type:varchar(200);not null;default:'';index:ix_auth_throttle_user,priority:2"`
		Address       string `gorm:"type:varchar(64);not null;default:''"`
		Failures      int    `gorm:"not null;default:0"`
		Refused       int    `gorm:"not null;default:0"`
		RefusalLogged bool   `gorm:"not null;default:false"`
		TotalLogged   bool   `gorm:"not null;default:false"`
	}
	type AuthPlace struct {
		KeyHash     string `gorm:"type:char(64);primaryKey"`
		Zone        string `gorm:"type:varchar(50);not null;default:''"`
		Username    string `gorm:"type:varchar(200);not null;default:''"`
		Place       string `gorm:"type:varchar(64);not null;default:''"`
		LastSuccess int64  `gorm:"not null;index:ix_auth_places_last"`
	}
	type User struct {
		MustChangePassword bool `gorm:"not null;default:false"`
	}
	for _, t := range []struct {
		name string
		row  any
	}{{"auth_throttle", &AuthThrottle{}}, {"auth_places", &AuthPlace{}}} {
		m := tx.Table(t.name).Migrator()
		if !m.HasTable(t.name) {
			if err := m.CreateTable(t.row); err != nil {
				return err
			}
		}
	}
	m := tx.Table("users").Migrator()
	if !m.HasColumn(&User{}, "must_change_password") {
		return m.AddColumn(&User{}, "MustChangePassword")
	}
	return nil
}
