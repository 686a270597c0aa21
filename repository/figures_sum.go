package repository

import (
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// moneySum is the SQL total of a money column (元) that cannot overflow on either database
// whatever is stored (issue 12): each row counts within 0 … domain.MaxMoney, the bound every
// write obeys now, so that a record stored before the bound existed (up to 10¹⁸ 元) can
// neither overflow SQLite's 64-bit SUM ("integer overflow") nor MariaDB's DECIMAL total
// scanned into int64 ("value out of range"). Ninety million rows at the bound still fit.
func moneySum(col string) string {
	return fmt.Sprintf("COALESCE(SUM(CASE WHEN %[1]s > %[2]d THEN %[2]d WHEN %[1]s < 0 THEN 0 ELSE %[1]s END), 0)",
		col, int64(domain.MaxMoney))
}
