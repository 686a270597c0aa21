package repository

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The demo zone's county departments, their liaisons and service requests drawn from the
// seed (issue 15): 一(六) 先后解决了道路亮化、公交车通行、甲村部队道路平交等具体问题，帮助在建企业
// 融资到位800万元 (closed in 2022), and open problems such as 中材绿建's raw-material supply.

// DemoDepartments are the contract's demo departments, in their order.
var DemoDepartments = []struct{ Code, Name string }{
	{"natural_resources", "自然资源和规划局"},
	{"environment", "生态环境分局"},
	{"development", "发展和改革局"},
	{"power", "供电公司"},
	{"human_resources", "人力资源和社会保障局"},
	{"finance", "金融工作办公室"},
}

// DemoLiaisons are the demo departments' liaisons (role department), with the demo password.
var DemoLiaisons = []struct {
	Username, DisplayName, Email, Department string
}{
	{"dept_land", "自然资源和规划局联络员", "dept_land@laiyuan-edz.example.cn", "natural_resources"},
	{"dept_power", "供电公司联络员", "dept_power@laiyuan-edz.example.cn", "power"},
}

// demoRequest is a seeded request. Days are relative to the seed's today when Created is
// empty (open ones stay open and overdue whenever the demo is loaded).
type demoRequest struct {
	Project, Department, Category, Title, Detail string
	Owner                                        string
	Amount                                       int64 // 万元
	Created, Resolved                            string
	CreatedAgo, DueIn                            int
	Status                                       domain.RequestStatus
	Satisfaction                                 domain.Satisfaction
	Reply, Reason                                string
}

var demoRequests = []demoRequest{
	{Project: "千喜鹤中央厨房项目", Department: "development", Category: "infrastructure", Title: "道路亮化",
		Detail:  "厂区周边道路夜间无照明，职工夜班通勤和物流车辆进出存在安全隐患，请求实施道路亮化。",
		Created: "2022-05-16", Resolved: "2022-07-08", Status: domain.RequestClosed, Satisfaction: domain.Satisfied,
		Reply: "已纳入园区道路亮化工程，路灯于7月上旬安装完毕并通电。"},
	{Project: "巽欣锂离子电池制造项目", Department: "development", Category: "infrastructure", Title: "公交车通行",
		Detail:  "园区至县城无公交线路，企业职工通勤不便，请求开通公交线路。",
		Created: "2022-06-20", Resolved: "2022-08-30", Status: domain.RequestClosed, Satisfaction: domain.Satisfied,
		Reply: "已协调县公交公司开通县城至开发区公交线路，每日往返8班。"},
	{Project: "誉柯防水建材生产项目", Department: "natural_resources", Category: "infrastructure", Title: "甲村部队道路平交",
		Detail:  "项目运输道路与甲村部队道路交叉，需办理平交道口手续。",
		Created: "2022-08-05", Resolved: "2022-10-25", Status: domain.RequestClosed, Satisfaction: domain.BasicallyOK,
		Reply: "已与部队协商一致，平交道口设计方案获批，道口已完成施工。"},
	{Project: "千喜鹤中央厨房项目", Department: "finance", Category: "finance", Title: "项目建设资金融资对接",
		Detail: "项目建设期流动资金缺口，请求协调银行贷款。", Amount: 800,
		Created: "2022-09-01", Resolved: "2022-11-18", Status: domain.RequestClosed, Satisfaction: domain.Satisfied,
		Reply: "已协调县农商行发放项目贷款800万元，资金已到位。"},
	{Project: "中材绿建超低能耗被动式节能建筑产业园项目（一期）", Department: "natural_resources", Category: "supply", Title: "中材绿建原材料保障",
		Detail:     "项目投产后每年需砂石骨料约30万吨，请求协调县内矿山资源保障原材料稳定供应。",
		CreatedAgo: 25, DueIn: -10, Status: domain.RequestOpen},
	{Project: "誉柯防水建材生产项目", Department: "natural_resources", Category: "land", Title: "土地组卷报批加快办理",
		Detail:     "土地使用费、社保、风险基金已由企业垫付到位，请求加快组卷报批，确保按期摘牌。",
		CreatedAgo: 3, DueIn: 27, Status: domain.RequestOpen},
	{Project: "氢阳制氢项目", Department: "power", Category: "energy", Title: "双回路供电接入",
		Detail:     "制氢项目用电负荷大，请求供电公司提前规划双回路供电接入方案。",
		CreatedAgo: 8, DueIn: 7, Status: domain.RequestInProgress, Reply: "已组织现场踏勘，正在编制接入方案。"},
	{Project: "巽欣锂离子电池制造项目", Department: "environment", Category: "permits", Title: "环评批复办理",
		Detail:     "请求协助办理项目环境影响评价批复。",
		CreatedAgo: 12, DueIn: 8, Status: domain.RequestReturned, Reason: "请企业先补充完整的环境影响报告书后再报送。"},
}

// seedDemoService adds the departments, their liaisons and the demo requests to the demo
// zone when they are missing: it runs on every SeedDemo, so a demo loaded before the
// feature existed gets them too. password hashes the liaisons' password when needed.
func (db *DB) seedDemoService(ctx context.Context, password string) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		q := db.conn(ctx)
		var zone zoneRow
		if err := q.Where("code = ?", DemoZoneCode).First(&zone).Error; err != nil {
			return err
		}
		now := db.now()
		depts := map[string]int64{}
		for i, d := range DemoDepartments {
			var rows []departmentRow
			if err := q.Where("zone_id = ? AND code = ?", zone.ID, d.Code).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) > 0 {
				depts[d.Code] = rows[0].ID
				continue
			}
			row := &departmentRow{ZoneID: zone.ID, Code: d.Code, Name: d.Name, SortOrder: i + 1, CreatedAt: now}
			if err := q.Create(row).Error; err != nil {
				return err
			}
			depts[d.Code] = row.ID
		}
		hash := ""
		for _, l := range DemoLiaisons {
			var rows []userRow
			if err := q.Where("zone_id = ? AND username = ?", zone.ID, l.Username).Find(&rows).Error; err != nil {
				return err
			}
			dept := depts[l.Department]
			if len(rows) > 0 {
				if rows[0].DepartmentID == nil {
					if err := q.Model(&userRow{}).Where("id = ?", rows[0].ID).Update("department_id", dept).Error; err != nil {
						return err
					}
				}
				continue
			}
			if hash == "" {
				h, err := bcrypt.GenerateFromPassword([]byte(password), db.Opts.PasswordCost)
				if err != nil {
					return err
				}
				hash = string(h)
			}
			row := &userRow{ZoneID: zone.ID, Username: l.Username, DisplayName: l.DisplayName, Email: l.Email,
				PasswordHash: hash, DepartmentID: &dept, CreatedAt: now, UpdatedAt: now}
			if err := q.Create(row).Error; err != nil {
				return err
			}
		}
		var n int64
		if err := q.Model(&serviceRequestRow{}).Where("zone_id = ?", zone.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		return db.seedDemoRequests(ctx, zone.ID, depts)
	})
}

func (db *DB) seedDemoRequests(ctx context.Context, zoneID int64, depts map[string]int64) error {
	q := db.conn(ctx)
	loc := db.Opts.Location
	if loc == nil {
		loc = time.UTC
	}
	now := db.now()
	today := db.today()
	at := func(s string, hour int) time.Time {
		d := domain.MustDate(s).Time()
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc).UTC()
	}
	for _, r := range demoRequests {
		var p projectRow
		if err := q.Where("zone_id = ? AND name = ?", zoneID, r.Project).First(&p).Error; err != nil {
			return fmt.Errorf("demo request %s: project %s: %w", r.Title, r.Project, err)
		}
		cat := domain.RequestCategory(r.Category)
		row := &serviceRequestRow{ZoneID: zoneID, ProjectID: p.ID, DepartmentID: depts[r.Department], Category: r.Category,
			Title: r.Title, Detail: r.Detail, Status: string(r.Status), RaisedByID: p.OwnerID, Satisfaction: string(r.Satisfaction),
			ReturnReason: r.Reason, LastReply: r.Reply, Version: 1}
		if r.Amount > 0 {
			m := domain.Money(r.Amount * 10000)
			row.Amount = &m
		}
		var events []requestEventRow
		ev := func(t time.Time, action string, from, to domain.RequestStatus, text string, resolved bool) {
			events = append(events, requestEventRow{ZoneID: zoneID, At: t, Actor: "system", Action: action,
				FromStatus: string(from), ToStatus: string(to), Text: text, Resolved: resolved})
		}
		if r.Created != "" {
			created, resolved := at(r.Created, 9), at(r.Resolved, 16)
			row.CreatedAt, row.UpdatedAt = created, at(r.Resolved, 17)
			row.DueOn = domain.MustDate(r.Created).AddDays(cat.DefaultDays() * 3)
			accepted := created.Add(26 * time.Hour)
			resolvedOn := domain.MustDate(r.Resolved)
			row.AcceptedAt, row.ResolvedAt, row.ResolvedOn = &accepted, &resolved, &resolvedOn
			closed := resolved.Add(time.Hour)
			row.ClosedAt = &closed
			ev(created, "created", "", domain.RequestOpen, r.Title, false)
			ev(accepted, "accepted", domain.RequestOpen, domain.RequestInProgress, "", false)
			ev(resolved, "reply", domain.RequestInProgress, domain.RequestResolved, r.Reply, true)
			label := map[domain.Satisfaction]string{domain.Satisfied: "满意", domain.BasicallyOK: "基本满意"}[r.Satisfaction]
			ev(closed, "confirmed", domain.RequestResolved, domain.RequestClosed, label, false)
		} else {
			created := now.Add(-time.Duration(r.CreatedAgo) * 24 * time.Hour)
			row.CreatedAt, row.UpdatedAt = created, created
			row.DueOn = today.AddDays(r.DueIn)
			ev(created, "created", "", domain.RequestOpen, r.Title, false)
			switch r.Status {
			case domain.RequestInProgress:
				accepted := created.Add(20 * time.Hour)
				row.AcceptedAt = &accepted
				ev(accepted, "accepted", domain.RequestOpen, domain.RequestInProgress, "", false)
				ev(accepted.Add(48*time.Hour), "reply", domain.RequestInProgress, domain.RequestInProgress, r.Reply, false)
			case domain.RequestReturned:
				ev(created.Add(30*time.Hour), "returned", domain.RequestOpen, domain.RequestReturned, r.Reason, false)
			}
		}
		if err := q.Create(row).Error; err != nil {
			return err
		}
		for i := range events {
			events[i].RequestID = row.ID
		}
		if err := q.Create(&events).Error; err != nil {
			return err
		}
		h := &historyRow{ZoneID: zoneID, ProjectID: p.ID, At: row.CreatedAt, Actor: "system", Action: "request_raised",
			Object: requestObject(row.ID), Field: "title", ToValue: r.Title}
		if err := q.Create(h).Error; err != nil {
			return err
		}
	}
	return nil
}
