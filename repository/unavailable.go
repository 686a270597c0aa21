package repository

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// A database that cannot be reached is not a bug: the API answers 503 with Retry-After
// (contract, "Limits every write obeys"; issue 12 found 500). The classification happens
// once, here, on every statement's error (a GORM callback after each kind of statement)
// and on transactions that cannot begin, so no service has to think of it.

// errUnavailable is what every statement that could not reach the database returns; the
// driver's error stays in the chain for the logs.
var errUnavailable = &domain.Error{Code: domain.EUNAVAILABLE,
	Message: "数据库暂时无法访问，请稍后再试 (the database is unavailable; try again shortly)"}

// unreachable tells a lost or refused connection from every other failure.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, mysqldriver.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, syscall.EHOSTUNREACH) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, 1053, 1077, 1129, 1152, 1158, 1159, 1160, 1161, 1317: // too many connections, shutdown, aborted, interrupted
			return true
		}
		return false
	}
	msg := err.Error()
	for _, s := range []string{"sql: database is closed", "connection refused", "invalid connection", "bad connection", "broken pipe", "unable to open database file"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// asUnavailable wraps err as EUNAVAILABLE when it says the database cannot be reached.
func asUnavailable(err error) error {
	if unreachable(err) {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	return err
}

// markUnavailable registers the classification after every kind of statement.
func markUnavailable(g *gorm.DB) error {
	fn := func(tx *gorm.DB) {
		if tx.Error != nil && unreachable(tx.Error) {
			tx.Error = asUnavailable(tx.Error)
		}
	}
	cb := g.Callback()
	for name, err := range map[string]error{
		"create": cb.Create().Register("chaincrm:unavailable", fn),
		"query":  cb.Query().Register("chaincrm:unavailable", fn),
		"update": cb.Update().Register("chaincrm:unavailable", fn),
		"delete": cb.Delete().Register("chaincrm:unavailable", fn),
		"row":    cb.Row().Register("chaincrm:unavailable", fn),
		"raw":    cb.Raw().Register("chaincrm:unavailable", fn),
	} {
		if err != nil {
			return fmt.Errorf("register %s callback: %w", name, err)
		}
	}
	return nil
}
