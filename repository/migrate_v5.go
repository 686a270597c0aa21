package repository

import (
	"gorm.io/gorm"
)

// migrateV5 makes the audit log append-only in the database itself: triggers refuse every
// UPDATE and DELETE on audit_log, whatever the client. It also indexes the log by actor for
// the administrators' filter. (On MySQL/MariaDB with binary logging on, creating a trigger
// needs the TRIGGER privilege and SUPER or log_bin_trust_function_creators.)
func migrateV5(tx *gorm.DB) error {
	var stmts []string
	if tx.Dialector.Name() == DriverMySQL {
		stmts = []string{
			"DROP TRIGGER IF EXISTS audit_log_no_update",
			"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW " +
				"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only'",
			"DROP TRIGGER IF EXISTS audit_log_no_delete",
			"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW " +
				"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only'",
		}
	} else {
		stmts = []string{
			"CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log " +
				"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
			"CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log " +
				"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
		}
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	if !tx.Migrator().HasIndex("audit_log", "ix_audit_zone_actor") {
		return tx.Exec("CREATE INDEX ix_audit_zone_actor ON audit_log (zone_id, actor, at)").Error
	}
	return nil
}
