package repository

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The demo zone: Laiyuan Economic Development Zone as its 2022 year-end summary describes it
// (../shared/seed/laiyuan-edz-2022-summary.txt, 一(六), 一(七), 三(二)–三(四)). Every named
// enterprise, project, amount and area comes from that text; the 77 docked projects it only
// counts are generated deterministically, marked sample (示例) in name and flag.

// DemoZoneCode is the demo zone's code.
const DemoZoneCode = "laiyuan"

// DemoNodeSpec is one node of a demo chain tree (cmd/chaincrm passes chainmap.DemoNodes).
type DemoNodeSpec struct{ Key, Name, Segment, Parent string }

// RoleAssigner is the part of the casbin enforcer that grants roles; roles are only ever
// written through it.
type RoleAssigner interface {
	AddRoleForUserInDomain(user, role, domain string) (bool, error)
}

// DemoUser is a user of the demo zone.
type DemoUser struct {
	Username, DisplayName, Email, Agency string
	Roles                                []domain.Role
	Chains                               []string
}

// DemoUsers are the contract's demo log-ins.
var DemoUsers = []DemoUser{
	{Username: "admin", DisplayName: "系统管理员", Email: "admin@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleAdmin}},
	{Username: "director", DisplayName: "开发区主任", Email: "director@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleDirector}},
	{Username: "chief_food", DisplayName: "现代食品产业链链长", Email: "chief_food@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleChainChief}, Chains: []string{"food"}},
	{Username: "chief_mining", DisplayName: "矿业产业链链长", Email: "chief_mining@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleChainChief}, Chains: []string{"mining"}},
	{Username: "chief_semi", DisplayName: "第三代半导体产业链链长", Email: "chief_semi@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleChainChief}, Chains: []string{"semiconductor"}},
	{Username: "recruiter1", DisplayName: "招商专员（一组）", Email: "recruiter1@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleRecruiter}},
	{Username: "recruiter2", DisplayName: "招商专员（二组）", Email: "recruiter2@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleRecruiter}},
	{Username: "agent1", DisplayName: "委托招商机构联络人", Email: "agent1@agency.example.cn", Agency: "京津冀产业招商服务中心（示例机构）", Roles: []domain.Role{domain.RoleAgent}},
	{Username: "viewer", DisplayName: "统计督查（只读）", Email: "viewer@laiyuan-edz.example.cn", Roles: []domain.Role{domain.RoleViewer}},
}

type demoEnterprise struct {
	Name, Kind, Industry, Region string
	Nodes                        []string // node keys
	MasterOf                     string   // chain code
	Sample                       bool
}

var demoEnterprises = []demoEnterprise{
	// 区内企业 (一(六), 三(四)3)
	{Name: "河北同光晶体有限公司", Kind: "local", Industry: "碳化硅单晶衬底", Region: "涞源经济开发区", Nodes: []string{"semi-substrate", "semi-wafer-processing", "semi-epitaxy"}, MasterOf: "semiconductor"},
	{Name: "涞源县桃木疙瘩食品有限公司", Kind: "local", Industry: "屠宰及肉类加工", Region: "涞源经济开发区", Nodes: []string{"food-slaughter", "food-cut-meat"}, MasterOf: "food"},
	{Name: "河北驷乾新能源科技有限公司", Kind: "local", Industry: "光伏组件", Region: "涞源经济开发区", Nodes: []string{"semi-pv-modules"}},
	{Name: "涞源县雄源矿业有限公司", Kind: "local", Industry: "选矿", Region: "涞源县", Nodes: []string{"mining-beneficiation", "mining-iron-ore"}},
	{Name: "涞源县玖兴矿产品有限公司", Kind: "local", Industry: "铁精粉", Region: "涞源县", Nodes: []string{"mining-smelting", "mining-beneficiation"}},
	{Name: "涞源县宏伟集团有限公司", Kind: "local", Industry: "采矿及建材", Region: "涞源县", Nodes: []string{"mining-extraction", "mining-iron-ore", "mining-aggregate"}, MasterOf: "mining"},
	// 友好合作企业与已签约企业
	{Name: "德龙钢铁集团", Kind: "friendly", Industry: "钢铁", Region: "河北邢台", Nodes: []string{"mining-smelting"}},
	{Name: "中国华能集团有限公司", Kind: "referrer", Industry: "能源", Region: "北京"},
	{Name: "国家电力投资集团有限公司", Kind: "referrer", Industry: "能源", Region: "北京"},
	{Name: "北京能源集团有限责任公司", Kind: "referrer", Industry: "能源", Region: "北京"},
	// 2022 年签约与意向项目的投资主体 (一(七))
	{Name: "华能誉柯防水材料有限公司", Kind: "investor", Industry: "防水建材", Nodes: []string{"mining-waterproof"}},
	{Name: "国电投氢阳新能源有限公司", Kind: "investor", Industry: "光伏制氢"},
	{Name: "京能巽欣新能源科技有限公司", Kind: "investor", Industry: "锂离子电池", Nodes: []string{"semi-storage-charging"}},
	{Name: "千喜鹤食品有限公司", Kind: "investor", Industry: "中央厨房", Nodes: []string{"food-central-kitchen"}},
	{Name: "中材绿建科技有限公司", Kind: "investor", Industry: "超低能耗被动式节能建筑", Nodes: []string{"mining-prefab"}},
	{Name: "河北知行合一电器设备有限公司", Kind: "investor", Industry: "电器设备制造"},
	{Name: "乾城绿色建材有限公司", Kind: "investor", Industry: "绿色建材", Nodes: []string{"mining-green-materials"}},
	{Name: "江苏国科智能科技有限公司", Kind: "investor", Industry: "智能光伏组件", Region: "江苏", Nodes: []string{"semi-pv-modules"}},
	{Name: "香河富都华创家具制造有限公司", Kind: "investor", Industry: "现代家居制造", Region: "河北香河"},
	{Name: "中科纳米新材料科技有限公司", Kind: "investor", Industry: "微纳米新材料"},
	// 目标企业（示例）: not in the seed, marked sample; they fill the map's recommendations.
	{Name: "【示例】某碳化硅外延片企业", Kind: "target", Industry: "碳化硅外延", Nodes: []string{"semi-epitaxy"}, Sample: true},
	{Name: "【示例】某碳化硅功率器件企业", Kind: "target", Industry: "SiC MOSFET", Nodes: []string{"semi-power-devices"}, Sample: true},
	{Name: "【示例】某高纯碳化硅粉料企业", Kind: "target", Industry: "高纯碳化硅粉", Nodes: []string{"semi-sic-powder"}, Sample: true},
	{Name: "【示例】某石墨热场材料企业", Kind: "target", Industry: "石墨热场", Nodes: []string{"semi-graphite"}, Sample: true},
	{Name: "【示例】某冷链物流企业", Kind: "target", Industry: "冷链物流", Nodes: []string{"food-cold-chain", "food-cold-storage"}, Sample: true},
	{Name: "【示例】某肉牛养殖企业", Kind: "target", Industry: "肉牛养殖", Nodes: []string{"food-cattle-pig"}, Sample: true},
	{Name: "【示例】某尾矿制砂企业", Kind: "target", Industry: "尾矿综合利用", Nodes: []string{"mining-tailings", "mining-tailings-sand"}, Sample: true},
	{Name: "【示例】某矿山装备企业", Kind: "target", Industry: "矿山装备", Nodes: []string{"mining-equipment"}, Sample: true},
	// More sample targets, so that every chain's gaps in all three segments have someone to
	// approach, some of them through a chain master (以商招商).
	{Name: "【示例】某饲料加工企业", Kind: "target", Industry: "饲料加工", Nodes: []string{"food-feed"}, Sample: true},
	{Name: "【示例】某食品包装材料企业", Kind: "target", Industry: "食品包装", Nodes: []string{"food-packaging"}, Sample: true},
	{Name: "【示例】某生鲜电商平台企业", Kind: "target", Industry: "生鲜电商", Nodes: []string{"food-ecommerce"}, Sample: true},
	{Name: "【示例】某地质勘查企业", Kind: "target", Industry: "地质勘查", Nodes: []string{"mining-exploration"}, Sample: true},
	{Name: "【示例】某新型墙体材料企业", Kind: "target", Industry: "新型墙材", Nodes: []string{"mining-building-materials"}, Sample: true},
	{Name: "【示例】某晶体生长炉设备企业", Kind: "target", Industry: "晶体生长设备", Nodes: []string{"semi-crystal-furnace"}, Sample: true},
	{Name: "【示例】某新能源汽车电驱系统企业", Kind: "target", Industry: "电驱系统", Nodes: []string{"semi-ev-drive"}, Sample: true},
	{Name: "【示例】某光伏逆变器企业", Kind: "target", Industry: "光伏逆变器", Nodes: []string{"semi-pv-inverter"}, Sample: true},
}

// demoReferrals: chain masters' partners (以商招商 leads for the map's recommendations).
var demoReferrals = [][2]string{
	{"河北同光晶体有限公司", "【示例】某碳化硅外延片企业"},
	{"河北同光晶体有限公司", "【示例】某碳化硅功率器件企业"},
	{"涞源县桃木疙瘩食品有限公司", "【示例】某冷链物流企业"},
	{"涞源县宏伟集团有限公司", "【示例】某尾矿制砂企业"},
	{"涞源县桃木疙瘩食品有限公司", "【示例】某饲料加工企业"},
	{"涞源县宏伟集团有限公司", "【示例】某新型墙体材料企业"},
	{"河北同光晶体有限公司", "【示例】某晶体生长炉设备企业"},
}

type demoProject struct {
	Name, Investor, Channel, Chain, Asset, Stage string
	Nodes                                        []string
	Wan, Mu                                      int64
	Docked, Signed                               string
	Referrer, Notes                              string
	Milestones                                   domain.Milestones
}

var demoProjects = []demoProject{
	// 新签约落地项目 4 个，签约投资额 8.05 亿元
	{Name: "誉柯防水建材生产项目", Investor: "华能誉柯防水材料有限公司", Channel: "business_referral", Chain: "mining", Asset: "heavy", Stage: "follow_up",
		Nodes: []string{"mining-waterproof"}, Wan: 38000, Docked: "2022-03-18", Signed: "2022-09-26", Referrer: "中国华能集团有限公司",
		Notes:      "土地使用费（区片地价）、社保、风险基金已由企业全部垫付到位，正在组卷报批",
		Milestones: domain.Milestones{LandListingPlanned: domain.MustDate("2023-03-31"), ConstructionPlanned: domain.MustDate("2023-03-31")}},
	{Name: "氢阳制氢项目", Investor: "国电投氢阳新能源有限公司", Channel: "resource_plus", Asset: "heavy", Stage: "follow_up",
		Wan: 10500, Docked: "2022-04-12", Signed: "2022-10-20", Referrer: "国家电力投资集团有限公司",
		Notes:      "光伏制氢；土地使用费、社保、风险基金已由企业全部垫付到位",
		Milestones: domain.Milestones{LandListingPlanned: domain.MustDate("2023-03-31"), ConstructionPlanned: domain.MustDate("2023-03-31")}},
	{Name: "巽欣锂离子电池制造项目", Investor: "京能巽欣新能源科技有限公司", Channel: "resource_plus", Chain: "semiconductor", Asset: "heavy", Stage: "follow_up",
		Nodes: []string{"semi-storage-charging"}, Wan: 20000, Docked: "2022-05-09", Signed: "2022-11-08", Referrer: "北京能源集团有限责任公司",
		Notes:      "土地使用费、社保、风险基金已由企业全部垫付到位",
		Milestones: domain.Milestones{LandListingPlanned: domain.MustDate("2023-03-31"), ConstructionPlanned: domain.MustDate("2023-03-31")}},
	{Name: "千喜鹤中央厨房项目", Investor: "千喜鹤食品有限公司", Channel: "self_sourced", Chain: "food", Asset: "heavy", Stage: "follow_up",
		Nodes: []string{"food-central-kitchen"}, Wan: 12000, Docked: "2022-06-15", Signed: "2022-11-25",
		Notes:      "土地使用费、社保、风险基金已由企业全部垫付到位",
		Milestones: domain.Milestones{LandListingPlanned: domain.MustDate("2023-03-31"), ConstructionPlanned: domain.MustDate("2023-03-31")}},
	// 有意向入驻的重资产类项目 3 个
	{Name: "中材绿建超低能耗被动式节能建筑产业园项目（一期）", Investor: "中材绿建科技有限公司", Channel: "entrusted", Chain: "mining", Asset: "heavy", Stage: "decision",
		Nodes: []string{"mining-prefab"}, Wan: 80000, Mu: 200, Docked: "2022-07-06", Notes: "待解决原材料保障问题后签约"},
	{Name: "河北知行合一电器设备制造项目", Investor: "河北知行合一电器设备有限公司", Channel: "entrusted", Asset: "heavy", Stage: "risk",
		Wan: 15000, Mu: 50, Docked: "2022-08-03"},
	{Name: "乾城绿色建材产业园项目", Investor: "乾城绿色建材有限公司", Channel: "self_sourced", Chain: "mining", Asset: "heavy", Stage: "risk",
		Nodes: []string{"mining-green-materials"}, Wan: 58000, Mu: 200, Docked: "2022-08-22"},
	// 有意向入驻科创园轻资产项目 3 个
	{Name: "江苏国科智能光伏组件生产线项目", Investor: "江苏国科智能科技有限公司", Channel: "business_referral", Chain: "semiconductor", Asset: "light", Stage: "decision",
		Nodes: []string{"semi-pv-modules"}, Wan: 3000, Docked: "2022-09-14", Notes: "计划设备投资3000万元，入驻标准化科创园", Referrer: "河北驷乾新能源科技有限公司"},
	{Name: "香河富都华创家具制造有限公司现代家居制造项目", Investor: "香河富都华创家具制造有限公司", Channel: "entrusted", Asset: "light", Stage: "risk",
		Wan: 8000, Docked: "2022-10-11", Notes: "入驻标准化科创园"},
	{Name: "中科纳米新材料产业园项目", Investor: "中科纳米新材料科技有限公司", Channel: "resource_plus", Asset: "light", Stage: "decision",
		Wan: 10000, Docked: "2022-10-27", Notes: "导入“社会资本+微纳米技术”产业，入驻标准化科创园"},
}

// Projects under construction before 2022 (一(六)); they are not among 2022's dockings.
var demoBuilding = []demoProject{
	{Name: "同光高质量碳化硅单晶衬底及外延片产业化项目", Investor: "河北同光晶体有限公司", Channel: "self_sourced", Chain: "semiconductor", Asset: "heavy", Stage: "follow_up",
		Nodes: []string{"semi-substrate", "semi-epitaxy"}, Wan: 11200, Docked: "2020-05-10", Signed: "2020-08-18",
		Notes:      "二期配套工程2022年8月完工交付，完成投资1.12亿元（计划投资暂以完成投资列示）",
		Milestones: domain.Milestones{ConstructionActual: domain.MustDate("2021-03-15"), ProductionPlanned: domain.MustDate("2023-06-30")}},
	{Name: "桃木疙瘩屠宰厂项目", Investor: "涞源县桃木疙瘩食品有限公司", Channel: "self_sourced", Chain: "food", Asset: "heavy", Stage: "follow_up",
		Nodes: []string{"food-slaughter"}, Wan: 7700, Docked: "2021-03-02", Signed: "2021-06-18",
		Notes:      "生产性主体结构已完工，2022年完成投资0.77亿元，预计2023年5月竣工（计划投资暂以完成投资列示）",
		Milestones: domain.Milestones{ConstructionActual: domain.MustDate("2021-09-01"), ProductionPlanned: domain.MustDate("2023-05-31")}},
	{Name: "驷乾新能源光伏组件项目", Investor: "河北驷乾新能源科技有限公司", Channel: "business_referral", Chain: "semiconductor", Asset: "heavy", Stage: "follow_up",
		Nodes: []string{"semi-pv-modules"}, Wan: 3100, Docked: "2021-08-20", Signed: "2021-12-16",
		Notes:      "厂区全部构筑物主体结构已建成，2022年完成投资0.31亿元（计划投资暂以完成投资列示）",
		Milestones: domain.Milestones{ConstructionActual: domain.MustDate("2022-04-10"), ProductionPlanned: domain.MustDate("2023-06-30")}},
}

// The 15 outbound trips of 2022, first to 北京, then 天津, 雄安 and 石家庄 (先后到北京、天津、
// 雄安、石家庄等开展招商15次: the annual report names the cities in the order first visited).
var demoTrips = []struct{ City, Date, Title string }{
	{"北京", "2022-02-23", "赴北京对接央企及能源企业"}, {"天津", "2022-03-15", "赴天津对接食品加工企业"},
	{"北京", "2022-04-07", "赴北京拜访华能、国电投"}, {"雄安", "2022-04-26", "赴雄安新区对接疏解企业"},
	{"石家庄", "2022-05-18", "赴石家庄对接省属企业"}, {"北京", "2022-06-08", "赴北京对接中央厨房项目"},
	{"天津", "2022-06-29", "赴天津对接冷链物流企业"}, {"石家庄", "2022-07-13", "赴石家庄对接建材企业"},
	{"北京", "2022-07-27", "赴北京对接中材绿建"}, {"雄安", "2022-08-17", "赴雄安新区对接建材及装配式建筑企业"},
	{"北京", "2022-09-07", "赴北京对接光伏及新能源企业"}, {"天津", "2022-09-28", "赴天津对接新能源企业"},
	{"雄安", "2022-10-19", "赴雄安新区对接科创企业"}, {"石家庄", "2022-11-09", "赴石家庄对接新材料企业"},
	{"北京", "2022-11-30", "赴北京对接科创园轻资产项目"},
}

// The 2023 targets (三(二)2, 三(四)3, 三(四)4).
var demoTargets = []struct {
	Metric string
	Value  int64
	Label  string
}{
	{"light_signed_science_park", 5, "科创园轻资产项目签约落地不少于5个"},
	{"conferences_held", 3, "在北京、雄安等地组织集中招商推介会不少于3次"},
	{"projects_started", 4, "4个已签约项目第一季度全部开工"},
}

// DemoSeeded reports whether the demo zone exists.
func (db *DB) DemoSeeded(ctx context.Context) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&zoneRow{}).Where("code = ?", DemoZoneCode).Count(&n).Error
	return n > 0, err
}

// SeedDemo loads the demo zone once; when it exists already it only makes sure the demo
// users hold their roles. Passwords are password (CHAINCRM_DEMO_PASSWORD).
func (db *DB) SeedDemo(ctx context.Context, nodes map[string][]DemoNodeSpec, password string, roles RoleAssigner) error {
	seeded, err := db.DemoSeeded(ctx)
	if err != nil {
		return err
	}
	if !seeded {
		hash, err := bcrypt.GenerateFromPassword([]byte(password), db.Opts.PasswordCost)
		if err != nil {
			return err
		}
		if err := db.WithTx(ctx, func(ctx context.Context) error { return db.seedDemo(ctx, nodes, string(hash)) }); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
	}
	// issue 17: the seed's economic indicators, also for a demo seeded before they existed
	if err := db.seedDemoIndicators(ctx); err != nil {
		return fmt.Errorf("seed demo indicators: %w", err)
	}
	for _, u := range DemoUsers {
		for _, r := range u.Roles {
			if _, err := roles.AddRoleForUserInDomain(u.Username, string(r), DemoZoneCode); err != nil {
				return fmt.Errorf("seed demo roles: %w", err)
			}
		}
	}
	// issue 15: departments, their liaisons and service requests
	if err := db.seedDemoService(ctx, password); err != nil {
		return fmt.Errorf("seed demo service requests: %w", err)
	}
	for _, l := range DemoLiaisons {
		if _, err := roles.AddRoleForUserInDomain(l.Username, string(domain.RoleDepartment), DemoZoneCode); err != nil {
			return fmt.Errorf("seed demo roles: %w", err)
		}
	}
	return nil
}

func (db *DB) seedDemo(ctx context.Context, nodeSpecs map[string][]DemoNodeSpec, hash string) error {
	q := db.conn(ctx)
	now := db.now()
	zone := &zoneRow{Code: DemoZoneCode, Name: "河北涞源经济开发区", TimeZone: "Asia/Shanghai", CreatedAt: now}
	if err := q.Create(zone).Error; err != nil {
		return err
	}
	users := map[string]int64{}
	for _, u := range DemoUsers {
		row := &userRow{ZoneID: zone.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
			Agency: u.Agency, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := q.Create(row).Error; err != nil {
			return err
		}
		users[u.Username] = row.ID
	}
	chains, nodes, err := db.createChains(ctx, zone.ID, DemoChains, nodeSpecs)
	if err != nil {
		return err
	}
	for _, u := range DemoUsers {
		for _, c := range u.Chains {
			if err := q.Create(&chainChiefRow{UserID: users[u.Username], ChainID: chains[c]}).Error; err != nil {
				return err
			}
		}
	}
	ents := map[string]int64{}
	for _, e := range demoEnterprises {
		row := &enterpriseRow{ZoneID: zone.ID, Name: e.Name, NormName: domain.NormalizeEnterpriseName(e.Name), Kind: e.Kind,
			Industry: e.Industry, Region: e.Region, Sample: e.Sample, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := q.Create(row).Error; err != nil {
			return err
		}
		ents[e.Name] = row.ID
		for _, k := range e.Nodes {
			if id, ok := nodes[k]; ok {
				if err := q.Create(&enterpriseNodeRow{EnterpriseID: row.ID, NodeID: id}).Error; err != nil {
					return err
				}
			}
		}
		if e.MasterOf != "" {
			if err := q.Create(&chainMasterRow{ChainID: chains[e.MasterOf], EnterpriseID: row.ID}).Error; err != nil {
				return err
			}
		}
	}
	for _, r := range demoReferrals {
		if err := q.Create(&enterpriseRelationRow{FromID: ents[r[0]], ToID: ents[r[1]], Kind: "referral"}).Error; err != nil {
			return err
		}
	}
	trips := make([]int64, len(demoTrips))
	for i, t := range demoTrips {
		d := domain.MustDate(t.Date)
		row := &campaignRow{ZoneID: zone.ID, Kind: "trip", Title: t.Title, City: t.City, StartDate: d, EndDate: d.AddDays(2), CreatedAt: now}
		if err := q.Create(row).Error; err != nil {
			return err
		}
		trips[i] = row.ID
	}
	for _, t := range demoTargets {
		if err := q.Create(&targetRow{ZoneID: zone.ID, Year: 2023, Metric: t.Metric, Value: t.Value, Label: t.Label}).Error; err != nil {
			return err
		}
	}
	add := func(p demoProject, owner, creator string, campaign *int64, sample bool) (int64, error) {
		investor, ok := ents[p.Investor]
		if !ok {
			id, err := db.findOrCreateEnterprise(ctx, zone.ID, p.Investor, "", domain.EnterpriseInvestor)
			if err != nil {
				return 0, err
			}
			if err := q.Model(&enterpriseRow{}).Where("id = ?", id).Update("sample", sample).Error; err != nil {
				return 0, err
			}
			ents[p.Investor], investor = id, id
		}
		docked := domain.MustDate(p.Docked)
		entered := docked.Time().Add(time.Duration(len(p.Name)%20+5) * 24 * time.Hour)
		row := &projectRow{ZoneID: zone.ID, Name: p.Name, InvestorID: investor, Channel: p.Channel, AssetType: p.Asset,
			PlannedInvestment: p.Wan * 10000, LandArea: p.Mu * 100, Stage: p.Stage, StageEnteredAt: entered, LastProgressAt: entered,
			OwnerID: users[owner], CreatedByID: users[creator], DockedAt: docked, CampaignID: campaign, Notes: p.Notes,
			Sample: sample, Version: 1, CreatedAt: now, UpdatedAt: now,
			LandListingPlanned: p.Milestones.LandListingPlanned, LandListingActual: p.Milestones.LandListingActual,
			ConstructionPlanned: p.Milestones.ConstructionPlanned, ConstructionActual: p.Milestones.ConstructionActual,
			ProductionPlanned: p.Milestones.ProductionPlanned, ProductionActual: p.Milestones.ProductionActual}
		if p.Chain != "" {
			id := chains[p.Chain]
			row.ChainID = &id
		}
		if p.Signed != "" {
			row.SignedAt = domain.MustDate(p.Signed)
		}
		if p.Referrer != "" {
			id := ents[p.Referrer]
			row.ReferrerID = &id
		}
		if p.Channel == "entrusted" {
			row.Agency = DemoUsers[7].Agency
		}
		switch domain.Stage(p.Stage) {
		case domain.StageDecision, domain.StageFollowUp:
			row.HasRiskAssessment = true
			if p.Stage == "follow_up" {
				row.DecisionOutcome = "approved"
			}
		case domain.StageDropped:
			row.PrevStage, row.DropReason = "lead", "投资方暂缓投资计划（示例）"
		}
		if err := q.Create(row).Error; err != nil {
			return 0, err
		}
		for _, k := range p.Nodes {
			if id, ok := nodes[k]; ok {
				if err := q.Create(&projectNodeRow{ProjectID: row.ID, NodeID: id}).Error; err != nil {
					return 0, err
				}
			}
		}
		h := &historyRow{ZoneID: zone.ID, ProjectID: row.ID, At: now, Actor: "system", Action: "seeded", Field: "stage", ToValue: p.Stage}
		return row.ID, q.Create(h).Error
	}
	// A trip for every few 2022 dockings: the one just before the docking date.
	tripFor := func(docked string) *int64 {
		d := domain.MustDate(docked)
		var id *int64
		for i, t := range demoTrips {
			if !domain.MustDate(t.Date).After(d) {
				v := trips[i]
				id = &v
			}
		}
		return id
	}
	for i, p := range demoProjects {
		owner := []string{"recruiter1", "recruiter2"}[i%2]
		pid, err := add(p, owner, owner, tripFor(p.Docked), false)
		if err != nil {
			return err
		}
		if p.Stage != "lead" {
			if err := db.seedAssessment(ctx, zone.ID, pid, users[owner], domain.Stage(p.Stage), users); err != nil {
				return err
			}
		}
	}
	for _, p := range demoBuilding {
		if _, err := add(p, "recruiter1", "recruiter1", nil, false); err != nil {
			return err
		}
	}
	for i, p := range sampleProjects() {
		owner, creator := []string{"recruiter1", "recruiter2"}[i%2], ""
		creator = owner
		if p.Channel == "entrusted" && i%3 == 0 {
			creator = "agent1"
		}
		var campaign *int64
		if i%4 == 0 {
			campaign = tripFor(p.Docked)
		}
		pid, err := add(p, owner, creator, campaign, true)
		if err != nil {
			return err
		}
		if err := db.seedActivities(ctx, zone.ID, pid, users[owner], p, i); err != nil {
			return err
		}
	}
	return db.seedDemoEnterprises(ctx, zone.ID, users)
}

func (db *DB) seedAssessment(ctx context.Context, zoneID, projectID, author int64, stage domain.Stage, users map[string]int64) error {
	q := db.conn(ctx)
	now := db.now()
	if stage == domain.StageRisk {
		return nil // the assessment is what this stage waits for
	}
	if err := q.Create(&riskRow{ZoneID: zoneID, ProjectID: projectID, Level: "low", Summary: "投资主体实力较强，用地、能耗、环评条件具备",
		Finance: "资金来源明确", Land: "符合开发区用地规划", Energy: "能耗指标可保障", Environment: "环评无重大制约",
		TaxPerMu: "预计亩均税收达到开发区准入标准", AuthorID: author, CreatedAt: now}).Error; err != nil {
		return err
	}
	if stage == domain.StageFollowUp {
		return q.Create(&decisionRow{ZoneID: zoneID, ProjectID: projectID, Outcome: "approved", Notes: "同意落地，抓紧办理前期手续",
			DeciderID: users["director"], CreatedAt: now}).Error
	}
	return nil
}

func (db *DB) seedActivities(ctx context.Context, zoneID, projectID, author int64, p demoProject, i int) error {
	kinds := []string{"visit", "call", "reception", "meeting"}
	places := []string{"北京", "天津", "雄安新区", "石家庄", "开发区管委会"}
	d := domain.MustDate(p.Docked)
	n := 1 + i%3
	for k := 0; k < n; k++ {
		occurred := d.AddDays(k * 9)
		row := &activityRow{ZoneID: zoneID, ProjectID: projectID, Kind: kinds[(i+k)%4], OccurredAt: occurred,
			Place: places[(i+k)%5], Summary: "【示例】与投资方就项目选址、投资规模进行洽谈", NextStep: "补充项目资料",
			AuthorID: author, CreatedAt: db.now(), UpdatedAt: db.now()}
		if err := db.conn(ctx).Create(row).Error; err != nil {
			return err
		}
	}
	return nil
}

// sampleProjects generates the 77 docked projects the summary only counts, so that 2022
// has 87 dockings split 26/15/21/25 by channel. They stay in lead, identification or
// dropped: the summary's intended (risk, decision) and signed projects are all named.
func sampleProjects() []demoProject {
	counts := []struct {
		Channel string
		N       int
	}{{"entrusted", 23}, {"business_referral", 13}, {"self_sourced", 19}, {"resource_plus", 22}}
	industries := []struct{ Chain, Node, What string }{
		{"food", "food-processing", "特色农产品精深加工"}, {"food", "food-cold-chain", "冷链物流中心"},
		{"food", "food-cattle-pig", "肉牛标准化养殖"}, {"food", "food-retail", "团餐配送中心"},
		{"mining", "mining-tailings", "尾矿综合利用"}, {"mining", "mining-aggregate", "机制砂石骨料"},
		{"mining", "mining-equipment", "矿山装备维修"}, {"semiconductor", "semi-power-devices", "碳化硅功率器件"},
		{"semiconductor", "semi-epitaxy", "碳化硅外延"}, {"semiconductor", "semi-pv-modules", "分布式光伏"},
		{"", "", "文旅康养"}, {"", "", "现代物流仓储"}, {"", "", "装配式建材"}, {"", "", "数据中心"},
	}
	regions := []string{"北京", "天津", "雄安", "石家庄", "保定", "廊坊", "江苏", "山东"}
	var out []demoProject
	i := 0
	for _, c := range counts {
		for k := 0; k < c.N; k++ {
			ind := industries[i%len(industries)]
			stage := []string{"lead", "lead", "identification", "lead", "dropped"}[i%5]
			month := 1 + i%12
			day := 1 + (i*7)%27
			p := demoProject{
				Name:     fmt.Sprintf("【示例】%s%s项目（%02d）", regions[i%len(regions)], ind.What, i+1),
				Investor: fmt.Sprintf("【示例】%s%s有限公司（%02d）", regions[(i+3)%len(regions)], ind.What, i+1),
				Channel:  c.Channel, Chain: ind.Chain, Asset: []string{"heavy", "light"}[i%2], Stage: stage,
				Wan: int64(1000 + (i*733)%20000), Mu: int64((i * 13) % 120),
				Docked: fmt.Sprintf("2022-%02d-%02d", month, day),
				Notes:  "样例数据：2022年总结只给出对接数量，未列出该项目",
			}
			if ind.Node != "" {
				p.Nodes = []string{ind.Node}
			}
			if p.Asset == "light" {
				p.Mu = 0
			}
			out = append(out, p)
			i++
		}
	}
	return out
}
