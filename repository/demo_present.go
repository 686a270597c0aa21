package repository

import (
	"context"
	"fmt"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The demo's present (issue 16). The seed is the zone's 2022: every docking, signing, trip
// and report paragraph stays exactly as demo.go loads it. A zone loaded years later would
// then show only stale work — every lead idle since 2022, decisions waiting 1 500 days — so
// SeedDemoPresent adds what a zone mid-year looks like on the day the demo is loaded (the
// DB's clock): the open pipeline's latest visits, calls and receptions of the last weeks with
// their next steps, the stage entries of the projects in identification, risk assessment
// and decision, the follow-up projects' service visits and coming milestones. Most projects
// were touched within the last three weeks; some are a few days past their stage's limit
// (jobs/rules.go), a few have been quiet for two or three months; two decisions have waited over a
// week, one only days.
//
// It writes only rows and fields the figures do not read: activities (no figure counts
// them), projects' stage_entered_at, last_progress_at and planned milestone dates (the 2023
// target counts actual dates), the risk assessments' filing time. It writes no stage lines
// in the history: the stage durations of the dashboard are computed from those, and the
// present's entries have no true previous stage line to measure from. It is deterministic
// given the day, and runs once per demo zone (settings key demo.present).
// The reminders follow from these facts when the reminder job runs (jobs.ReplayReminders
// raises them on the days they would have been raised).

const demoPresentKey = "demo.present"

// Days ago of the open pipeline's latest activity, in project order: mostly within three
// weeks, some past the 14 days a lead may go quiet, a few quiet for two or three months.
var demoTouched = []int{3, 6, 9, 12, 2, 16, 5, 8, 11, 19, 4, 7, 23, 10, 1, 13, 62, 6, 17, 9, 27, 5, 95, 8}

// Days from the load day to the latest activity's next step: mostly ahead, a few within
// the three days that raise a reminder, two just missed.
var demoNextDue = []int{6, 10, 2, 14, -3, 8, 18, 1, 12, 5, -1, 21, 9, 16}

// Days ago that the projects in identification, risk and decision entered their stage
// (identification opens for 21 days, a risk assessment is due in 14, a decision in 7).
var (
	demoIdentEntered    = []int{12, 26, 8, 30, 17, 5, 23, 14}
	demoRiskEntered     = []int{6, 16, 30}
	demoDecisionEntered = []int{3, 9, 16}
	demoServiceVisit    = []int{6, 12, 20, 33, 9, 15, 26}  // follow-up: days since the last service visit
	demoMilestoneAhead  = []int{9, -4, 18, 40, 12, 45, -6} // follow-up: days to the next planned milestone
)

var demoPresentNotes = map[domain.Stage][]struct{ Kind, Summary, Next string }{
	domain.StageLead: {
		{"call", "电话回访投资方，对方关注开发区用地指标和能耗指标，表示近期来区考察", "安排投资方来区实地考察"},
		{"visit", "赴投资方总部拜访，介绍开发区产业政策和标准化厂房条件", "提供项目选址方案"},
		{"reception", "接待投资方来区考察，参观标准化厂房和配套设施", "收集项目建议书"},
		{"meeting", "参加京津冀产业对接会，与投资方初步洽谈投资规模", "补充项目投资测算"},
	},
	domain.StageIdentification: {
		{"meeting", "组织产业链专班与投资方研讨项目技术路线和产品市场", "完成项目研判意见"},
		{"visit", "赴投资方现有生产基地考察，核实产能和技术水平", "提交项目可行性研究报告"},
		{"call", "与投资方确认项目建议书修改意见，约定下次面谈时间", "组织部门会商"},
	},
	domain.StageRisk: {
		{"meeting", "协调自然资源、生态环境部门预审项目用地和环评条件", "提交风险评估报告"},
		{"call", "与投资方核对资金来源和能耗测算数据", "补充能耗测算材料"},
	},
	domain.StageDecision: {
		{"meeting", "向链长汇报项目情况，整理落地决策材料", "准备落地决策会材料"},
	},
	domain.StageFollowUp: {
		{"service", "上门走访企业，了解土地组卷和开工准备情况，协调解决施工用电问题", "跟进施工许可办理"},
		{"service", "到项目现场查看建设进度，听取企业对营商环境的意见", "协调解决企业用工需求"},
	},
}

// SeedDemoPresent lays the demo zone's present relative to the clock's today, once; it
// reports whether it did.
func (db *DB) SeedDemoPresent(ctx context.Context) (bool, error) {
	laid := false
	err := db.WithTx(ctx, func(ctx context.Context) error {
		q := db.conn(ctx)
		var zones []zoneRow
		if err := q.Where("code = ?", DemoZoneCode).Limit(1).Find(&zones).Error; err != nil || len(zones) == 0 {
			return err
		}
		var marks []settingRow
		if err := q.Where("`key` = ?", demoPresentKey).Find(&marks).Error; err != nil || len(marks) > 0 {
			return err
		}
		today := db.today()
		if err := db.layDemoPresent(ctx, zones[0].ID, today); err != nil {
			return err
		}
		laid = true
		return q.Create(&settingRow{Key: demoPresentKey, Value: today.String()}).Error
	})
	return laid, err
}

func (db *DB) layDemoPresent(ctx context.Context, zoneID int64, today domain.Date) error {
	q := db.conn(ctx)
	loc := db.Opts.Location
	if loc == nil {
		loc = time.UTC
	}
	at := func(d domain.Date, hour, minute int) time.Time {
		t := d.Time()
		return time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, loc).UTC()
	}
	var projects []projectRow
	if err := q.Where("zone_id = ? AND deleted_at IS NULL AND stage IN ?", zoneID,
		[]string{"lead", "identification", "risk", "decision", "follow_up"}).Order("id").Find(&projects).Error; err != nil {
		return err
	}
	var nOpen, nIdent, nRisk, nDecision, nFollow int
	for _, p := range projects {
		stage := domain.Stage(p.Stage)
		notes := demoPresentNotes[stage]
		var touched, entered int // days ago
		switch stage {
		case domain.StageLead:
			touched = demoTouched[nOpen%len(demoTouched)]
			entered = touched + 20 + (nOpen*17)%90
			nOpen++
		case domain.StageIdentification:
			touched = demoTouched[nOpen%len(demoTouched)]
			entered = demoIdentEntered[nIdent%len(demoIdentEntered)]
			if entered < touched {
				entered = touched + 2
			}
			nOpen++
			nIdent++
		case domain.StageRisk:
			entered = demoRiskEntered[nRisk%len(demoRiskEntered)]
			touched = entered / 2
			nRisk++
		case domain.StageDecision:
			entered = demoDecisionEntered[nDecision%len(demoDecisionEntered)]
			touched = entered + 1 // the last meeting before it was put to the decision
			nDecision++
		case domain.StageFollowUp:
			touched = demoServiceVisit[nFollow%len(demoServiceVisit)]
		}
		k := int(p.ID)
		note := notes[k%len(notes)]
		actDay := today.AddDays(-touched)
		act := &activityRow{ZoneID: zoneID, ProjectID: p.ID, Kind: note.Kind, OccurredAt: actDay,
			Place: []string{"北京", "开发区管委会", "天津", "雄安新区", "石家庄"}[k%5], Summary: "【示例】" + note.Summary,
			NextStep: note.Next, NextDue: today.AddDays(demoNextDue[k%len(demoNextDue)]), AuthorID: p.OwnerID,
			CreatedAt: at(actDay, 17, 30), UpdatedAt: at(actDay, 17, 30)}
		if !act.NextDue.After(actDay) {
			act.NextDue = actDay.AddDays(7)
		}
		if stage == domain.StageDecision || stage == domain.StageFollowUp {
			act.NextDue = domain.Date{} // the decision is the chief's; follow-up has its milestones
		}
		if err := q.Create(act).Error; err != nil {
			return fmt.Errorf("demo present %s: %w", p.Name, err)
		}
		cols := map[string]any{"last_progress_at": at(actDay, 17, 30)}
		if stage != domain.StageFollowUp {
			enteredAt := at(today.AddDays(-entered), 9, 30)
			cols["stage_entered_at"] = enteredAt
			if enteredAt.After(at(actDay, 17, 30)) {
				cols["last_progress_at"] = enteredAt
			}
			if stage == domain.StageDecision { // the assessment came in before the decision was asked for
				if err := q.Model(&riskRow{}).Where("project_id = ?", p.ID).Update("created_at", at(today.AddDays(-entered-2), 15, 0)).Error; err != nil {
					return err
				}
			}
		} else {
			// The next planned milestone (not yet reached) moves to the present; the ones
			// after it keep their order, a quarter apart.
			ahead := demoMilestoneAhead[nFollow%len(demoMilestoneAhead)]
			nFollow++
			next := today.AddDays(ahead)
			planned := []struct {
				col             string
				planned, actual domain.Date
			}{{"land_listing_planned", p.LandListingPlanned, p.LandListingActual},
				{"construction_planned", p.ConstructionPlanned, p.ConstructionActual},
				{"production_planned", p.ProductionPlanned, p.ProductionActual}}
			for _, m := range planned {
				if m.planned.IsZero() || !m.actual.IsZero() {
					continue
				}
				cols[m.col] = next
				next = next.AddDays(90)
			}
		}
		if err := q.Model(&projectRow{}).Where("id = ?", p.ID).Updates(cols).Error; err != nil {
			return err
		}
	}
	return nil
}
