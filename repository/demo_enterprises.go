package repository

import (
	"context"
	"fmt"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The demo zone's 客商库 (issue 14): profiles for the seed's enterprises, a few contact
// people, and one duplicate to show the merge — 同光晶体（河北）有限公司, the same company as
// 河北同光晶体有限公司 under the spelling its business licence's English-first documents
// use, with a 2023 sample project and a visit hanging on it. Nothing here is docked in
// 2022, so the seed's 2022 figures stay exactly as they are. The contact people are not in
// the seed: their notes say they are sample data.

var demoProfiles = map[string]struct {
	Ownership, Address string
	Tags               []string
}{
	"河北同光晶体有限公司":     {"private", "河北省保定市涞源县经济开发区", []string{"链主", "碳化硅", "高新技术企业"}},
	"涞源县桃木疙瘩食品有限公司":  {"private", "河北省保定市涞源县经济开发区", []string{"链主", "屠宰加工"}},
	"河北驷乾新能源科技有限公司":  {"private", "河北省保定市涞源县经济开发区", []string{"光伏"}},
	"涞源县雄源矿业有限公司":    {"private", "河北省保定市涞源县", []string{"选矿"}},
	"涞源县玖兴矿产品有限公司":   {"private", "河北省保定市涞源县", []string{"铁精粉"}},
	"涞源县宏伟集团有限公司":    {"private", "河北省保定市涞源县", []string{"链主", "建材"}},
	"德龙钢铁集团":         {"private", "河北省邢台市", []string{"友好合作"}},
	"中国华能集团有限公司":     {"central_soe", "北京市西城区", []string{"以商招商", "能源"}},
	"国家电力投资集团有限公司":   {"central_soe", "北京市西城区", []string{"以商招商", "能源"}},
	"北京能源集团有限责任公司":   {"local_soe", "北京市朝阳区", []string{"以商招商", "能源"}},
	"华能誉柯防水材料有限公司":   {"central_soe", "", []string{"已签约"}},
	"国电投氢阳新能源有限公司":   {"central_soe", "", []string{"已签约", "氢能"}},
	"京能巽欣新能源科技有限公司":  {"local_soe", "", []string{"已签约", "储能"}},
	"千喜鹤食品有限公司":      {"private", "", []string{"已签约", "中央厨房"}},
	"中材绿建科技有限公司":     {"central_soe", "", []string{"意向"}},
	"河北知行合一电器设备有限公司": {"private", "河北省", []string{"意向"}},
	"乾城绿色建材有限公司":     {"private", "", []string{"意向"}},
	"江苏国科智能科技有限公司":   {"private", "江苏省", []string{"意向", "科创园"}},
	"香河富都华创家具制造有限公司": {"private", "河北省廊坊市香河县", []string{"意向", "科创园"}},
	"中科纳米新材料科技有限公司":  {"private", "", []string{"意向", "科创园"}},
}

const demoContactNote = "示例联系人（2022年总结未列出，用于演示）"

var demoContacts = []struct {
	Enterprise, Name, Title, Mobile, Phone string
}{
	{"河北同光晶体有限公司", "郑经理", "总经理助理", "13900000101", "0312-7300101"},
	{"河北同光晶体有限公司", "孙工", "技术总监", "13900000102", ""},
	{"中国华能集团有限公司", "周主任", "战略规划部主任", "13900000201", ""},
	{"华能誉柯防水材料有限公司", "吴经理", "项目经理", "13900000301", ""},
	{"千喜鹤食品有限公司", "钱总", "副总经理", "13900000401", ""},
	{"京能巽欣新能源科技有限公司", "冯经理", "投资部经理", "13900000501", ""},
}

// DemoDuplicateName is the demo's duplicate of 河北同光晶体有限公司, for showing the merge.
const DemoDuplicateName = "同光晶体（河北）有限公司"

// seedDemoEnterprises adds the 客商库 to a freshly seeded demo zone.
func (db *DB) seedDemoEnterprises(ctx context.Context, zoneID int64, users map[string]int64) error {
	q := db.conn(ctx)
	now := db.now()
	ids := map[string]int64{}
	var rows []enterpriseRow
	if err := q.Select("id, name").Where("zone_id = ?", zoneID).Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	for name, p := range demoProfiles {
		id, ok := ids[name]
		if !ok {
			return fmt.Errorf("demo profile: no enterprise %s", name)
		}
		if err := q.Model(&enterpriseRow{}).Where("id = ?", id).Updates(map[string]any{"ownership": p.Ownership,
			"address": p.Address, "tags": tagsJSON(p.Tags), "updated_at": now}).Error; err != nil {
			return err
		}
	}
	for _, c := range demoContacts {
		row := &contactRow{ZoneID: zoneID, EnterpriseID: ids[c.Enterprise], Name: c.Name, Title: c.Title, Mobile: c.Mobile,
			Phone: c.Phone, Notes: demoContactNote, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := q.Create(row).Error; err != nil {
			return err
		}
	}

	// the duplicate, with a 2023 sample project and a visit on it
	dup := &enterpriseRow{ZoneID: zoneID, Name: DemoDuplicateName, NormName: domain.NormalizeEnterpriseName(DemoDuplicateName),
		Kind: string(domain.EnterpriseInvestor), Ownership: "private", Region: "河北", Industry: "碳化硅单晶衬底",
		Notes:  "【示例】与“河北同光晶体有限公司”是同一家企业，录入时写法不同；用于演示客商合并",
		Sample: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := q.Create(dup).Error; err != nil {
		return err
	}
	liu := &contactRow{ZoneID: zoneID, EnterpriseID: dup.ID, Name: "刘经理", Title: "扩产项目负责人", Mobile: "13900000601",
		Notes: demoContactNote, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := q.Create(liu).Error; err != nil {
		return err
	}
	docked := domain.MustDate("2023-01-09")
	at := time.Date(2023, 1, 9, 2, 0, 0, 0, time.UTC)
	semi, err := chainIDByCode(q, zoneID, "semiconductor")
	if err != nil {
		return err
	}
	proj := &projectRow{ZoneID: zoneID, Name: "【示例】同光晶体碳化硅衬底扩产项目", InvestorID: dup.ID, Channel: string(domain.ChannelSelfSourced),
		ChainID: &semi, AssetType: string(domain.AssetHeavy), PlannedInvestment: 50000 * 10000, Stage: string(domain.StageLead),
		StageEnteredAt: at, LastProgressAt: at, OwnerID: users["recruiter1"], CreatedByID: users["recruiter1"], DockedAt: docked,
		Notes: "样例数据：投资主体录成了“同光晶体（河北）有限公司”，可在客商库中合并到“河北同光晶体有限公司”", Sample: true, Version: 1,
		CreatedAt: now, UpdatedAt: now}
	if err := q.Create(proj).Error; err != nil {
		return err
	}
	if err := q.Create(&historyRow{ZoneID: zoneID, ProjectID: proj.ID, At: now, Actor: "system", Action: "seeded", Field: "stage", ToValue: proj.Stage}).Error; err != nil {
		return err
	}
	visit := &activityRow{ZoneID: zoneID, ProjectID: proj.ID, Kind: string(domain.ActivityReception), OccurredAt: docked,
		Place: "开发区管委会", Summary: "【示例】接待同光晶体扩产项目负责人，了解二期衬底扩产的用地和用电需求", NextStep: "提供标准厂房和电力接入方案",
		AuthorID: users["recruiter1"], Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := q.Create(visit).Error; err != nil {
		return err
	}
	return q.Create(&activityContactRow{ActivityID: visit.ID, ContactID: liu.ID}).Error
}
