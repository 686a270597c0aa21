package repository

import (
	"context"
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The demo zone's economic indicators (issue 17), from the seed's 一(一), 一(六) and 三(五):
//
//   - 2022-10, the zone's year-to-date figures as reported for October: 入统企业43家，其中四上
//     企业24家；营业收入56.7559亿元；税收收入3.2061亿元；固定资产投资20.5017亿元; and the year's
//     fixed investment of the projects carried out, 政府财政性投资59917万元 and 社会资本投资
//     30942万元 (together 90859万元);
//   - 2021-10, the one figure the seed's growth rate implies: 营业收入 41.7568亿元, on which
//     56.7559亿元 is a growth of 35.92%. The seed gives no other 2021 figure, so none is made up;
//   - the investment completed in 2022 by the three projects under construction: 同光 1.12亿元,
//     桃木疙瘩屠宰厂 0.77亿元 (both 续建), 驷乾新能源 0.31亿元 (新开工).
//
// Nothing here touches projects, dockings or signings: the demo's other 2022 figures stay as
// they are.

var demoIndicatorMonths = []struct {
	Month   string
	Figures domain.IndicatorFigures
}{
	{"2021-10", domain.IndicatorFigures{Revenue: wanPtr("417568")}},
	{"2022-10", domain.IndicatorFigures{EnterprisesInStatistics: intPtr(43), AboveScaleEnterprises: intPtr(24),
		Revenue: wanPtr("567559"), Tax: wanPtr("32061"), FixedAssetInvestment: wanPtr("205017"),
		GovernmentInvestment: wanPtr("59917"), SocialInvestment: wanPtr("30942")}},
}

var demoOperations = []struct {
	Project, Period string
	Completed       string
	InStatistics    bool
}{
	{"同光高质量碳化硅单晶衬底及外延片产业化项目", "2022", "11200", true},
	{"桃木疙瘩屠宰厂项目", "2022", "7700", false},
	{"驷乾新能源光伏组件项目", "2022", "3100", false},
}

func wanPtr(s string) *domain.Money {
	m, err := domain.ParseWan(s)
	if err != nil {
		panic(err)
	}
	return &m
}

func intPtr(n int64) *int64 { return &n }

// seedDemoIndicators adds the demo's indicators and operations when the demo zone has no
// indicators yet, so that a database seeded before issue 17 gains them too (idempotent).
func (db *DB) seedDemoIndicators(ctx context.Context) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		q := db.conn(ctx)
		var zones []zoneRow
		if err := q.Where("code = ?", DemoZoneCode).Limit(1).Find(&zones).Error; err != nil || len(zones) == 0 {
			return err
		}
		zoneID := zones[0].ID
		var n int64
		if err := q.Model(&indicatorRow{}).Where("zone_id = ?", zoneID).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		var users []userRow
		if err := q.Where("zone_id = ? AND username = ?", zoneID, "director").Limit(1).Find(&users).Error; err != nil {
			return err
		}
		var actorID int64
		actor := "system"
		if len(users) == 1 {
			actorID, actor = users[0].ID, users[0].Username
		}
		now := db.now()
		for _, m := range demoIndicatorMonths {
			mon, err := domain.ParseMonth(m.Month)
			if err != nil {
				return err
			}
			row := &indicatorRow{ZoneID: zoneID, Year: mon.Year, Month: int(mon.Month), UpdatedByID: actorID, UpdatedBy: actor,
				CreatedAt: now, UpdatedAt: now}
			row.set(m.Figures)
			if err := q.Create(row).Error; err != nil {
				return fmt.Errorf("demo indicators %s: %w", m.Month, err)
			}
		}
		for _, o := range demoOperations {
			var ps []projectRow
			if err := q.Where("zone_id = ? AND name = ? AND deleted_at IS NULL", zoneID, o.Project).Limit(1).Find(&ps).Error; err != nil {
				return err
			}
			if len(ps) == 0 {
				continue
			}
			p, err := domain.ParsePeriod(o.Period)
			if err != nil {
				return err
			}
			var exists int64
			if err := q.Model(&operationRow{}).Where("project_id = ? AND period = ?", ps[0].ID, p.String()).Count(&exists).Error; err != nil {
				return err
			}
			if exists > 0 {
				continue
			}
			row := &operationRow{ZoneID: zoneID, ProjectID: ps[0].ID, Period: p.String(), Kind: p.Kind, Year: p.Year,
				PeriodIndex: p.Index, InvestmentCompleted: raw(wanPtr(o.Completed)), InStatistics: o.InStatistics,
				UpdatedByID: actorID, UpdatedBy: actor, CreatedAt: now, UpdatedAt: now}
			if err := q.Create(row).Error; err != nil {
				return fmt.Errorf("demo operations %s: %w", o.Project, err)
			}
		}
		return nil
	})
}
