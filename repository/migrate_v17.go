package repository

import (
	"time"

	"gorm.io/gorm"
)

// Frozen row structs of step 17 (issue 17): do not edit.

// zoneIndicatorRowV17 is one zone's year-to-date figures for a month (经济指标); a figure not
// reported is NULL. Amounts are in 元. One row per zone and month.
type zoneIndicatorRowV17 struct {
	ID                      int64     `gorm:"primaryKey"`
	ZoneID                  int64     `gorm:"not null;uniqueIndex:ux_zone_indicators_month,priority:1"`
	Year                    int       `gorm:"not null;uniqueIndex:ux_zone_indicators_month,priority:2"`
	Month                   int       `gorm:"not null;uniqueIndex:ux_zone_indicators_month,priority:3"`
	EnterprisesInStatistics *int64    `gorm:"type:bigint"`
	AboveScaleEnterprises   *int64    `gorm:"type:bigint"`
	Output                  *int64    `gorm:"type:bigint"`
	Revenue                 *int64    `gorm:"type:bigint"`
	Tax                     *int64    `gorm:"type:bigint"`
	FixedAssetInvestment    *int64    `gorm:"type:bigint"`
	GovernmentInvestment    *int64    `gorm:"type:bigint"`
	SocialInvestment        *int64    `gorm:"type:bigint"`
	UpdatedByID             int64     `gorm:"not null"`
	UpdatedBy               string    `gorm:"type:varchar(64);not null"`
	CreatedAt               time.Time `gorm:"not null"`
	UpdatedAt               time.Time `gorm:"not null"`
}

func (zoneIndicatorRowV17) TableName() string { return "zone_indicators" }

// zoneIndicatorHistoryRowV17 is one figure changed by one entry of a month.
type zoneIndicatorHistoryRowV17 struct {
	ID        int64     `gorm:"primaryKey"`
	ZoneID    int64     `gorm:"not null;index:ix_zone_indicator_history_month,priority:1"`
	Year      int       `gorm:"not null;index:ix_zone_indicator_history_month,priority:2"`
	Month     int       `gorm:"not null;index:ix_zone_indicator_history_month,priority:3"`
	At        time.Time `gorm:"not null;index:ix_zone_indicator_history_month,priority:4"`
	ActorID   int64     `gorm:"not null"`
	Actor     string    `gorm:"type:varchar(64);not null"`
	Field     string    `gorm:"type:varchar(64);not null"`
	FromValue *string   `gorm:"type:varchar(40)"`
	ToValue   *string   `gorm:"type:varchar(40)"`
}

func (zoneIndicatorHistoryRowV17) TableName() string { return "zone_indicator_history" }

// projectOperationRowV17 is what one project reported for one period (YYYY, YYYY-Qn or
// YYYY-MM). Unique per project and period; the yearly ranking reads (zone_id, year).
type projectOperationRowV17 struct {
	ID                  int64     `gorm:"primaryKey"`
	ZoneID              int64     `gorm:"not null;index:ix_project_operations_year,priority:1"`
	ProjectID           int64     `gorm:"not null;uniqueIndex:ux_project_operations_period,priority:1"`
	Period              string    `gorm:"type:varchar(8);not null;uniqueIndex:ux_project_operations_period,priority:2"`
	Kind                string    `gorm:"type:varchar(8);not null"`
	Year                int       `gorm:"not null;index:ix_project_operations_year,priority:2"`
	PeriodIndex         int       `gorm:"not null"`
	Output              *int64    `gorm:"type:bigint"`
	Revenue             *int64    `gorm:"type:bigint"`
	Tax                 *int64    `gorm:"type:bigint"`
	Employees           *int64    `gorm:"type:bigint"`
	InvestmentCompleted *int64    `gorm:"type:bigint"`
	InStatistics        bool      `gorm:"not null"`
	AboveScale          bool      `gorm:"not null"`
	UpdatedByID         int64     `gorm:"not null"`
	UpdatedBy           string    `gorm:"type:varchar(64);not null"`
	CreatedAt           time.Time `gorm:"not null"`
	UpdatedAt           time.Time `gorm:"not null"`
}

func (projectOperationRowV17) TableName() string { return "project_operations" }

// migrateV17 adds the zone's monthly economic indicators with their history, and projects'
// operations by period (issue 17). Each table is created only when missing, so the step can
// run again on MySQL (DDL commits there).
func migrateV17(tx *gorm.DB) error {
	for _, model := range []any{&zoneIndicatorRowV17{}, &zoneIndicatorHistoryRowV17{}, &projectOperationRowV17{}} {
		m := tx.Migrator()
		if !m.HasTable(model) {
			if err := m.CreateTable(model); err != nil {
				return err
			}
		}
	}
	return nil
}
