package domain

import "testing"

// TestNormalizeEnterpriseName: real-looking pairs of company names, with whether they are
// one enterprise once normalised.
func TestNormalizeEnterpriseName(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		// the contract's rules
		{"同光晶体（河北）有限公司", "河北同光晶体有限公司", true},
		{"河北同光晶体有限责任公司", "河北同光晶体有限公司", true},
		{"河北 同光晶体 有限公司", "河北同光晶体有限公司", true},
		{"ＡＢＣ科技（北京）有限公司", "北京ABC科技有限公司", true},
		{"同光晶体(河北)有限公司", "同光晶体（河北）有限公司", true},
		// regions with their suffixes
		{"河北省同光晶体有限公司", "河北同光晶体有限公司", true},
		{"同光晶体（河北省）有限公司", "河北同光晶体有限公司", true},
		{"北京市京能清洁能源电力股份有限公司", "北京京能清洁能源电力股份有限公司", true},
		{"内蒙古自治区伊利实业集团股份有限公司", "内蒙古伊利实业集团股份有限公司", true},
		{"伊利实业集团（内蒙古）股份有限公司", "内蒙古伊利实业集团股份有限公司", true},
		{"广西壮族自治区柳工机械股份有限公司", "广西柳工机械股份有限公司", true},
		{"涞源县桃木疙瘩食品有限公司", "涞源桃木疙瘩食品有限公司", true},
		{"桃木疙瘩食品（涞源县）有限公司", "涞源县桃木疙瘩食品有限公司", true},
		{"西门子（中国）有限公司", "中国西门子有限公司", true},
		{"河北省保定市长城汽车零部件有限公司", "河北保定长城汽车零部件有限公司", true},
		{"雄安新区中关村科技园发展有限公司", "雄安中关村科技园发展有限公司", true},
		// legal forms, group marks, punctuation, case, traditional characters
		{"京东方科技集团股份有限公司", "京东方科技集团股份公司", true},
		{"德龙钢铁（集团）有限公司", "德龙钢铁集团有限公司", true},
		{"千喜鹤·食品有限公司", "千喜鹤食品有限公司", true},
		{"中材绿建科技有限公司。", "中材绿建科技有限公司", true},
		{"华能誉柯防水材料有限公司", "華能誉柯防水材料有限公司", true},
		{"国电投氢阳新能源有限公司", "國電投氫阳新能源有限公司", false}, // 氫 is not in the cheap table
		{"Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO LTD", true},
		{"Siemens Limited", "SIEMENS LTD.", true},
		{"Tesla Motors Company", "Tesla Motors Co.", true},
		{"【示例】某冷链物流企业", "[示例]某冷链物流企业", true},
		// different enterprises stay apart
		{"河北同光晶体有限公司", "河北同光半导体有限公司", false},
		{"河北同光晶体有限公司", "山西同光晶体有限公司", false},
		{"同光晶体（河北）有限公司", "同光晶体（山西）有限公司", false},
		{"德龙钢铁集团有限公司", "德龙钢铁有限公司", false},
		{"京东方科技集团股份有限公司", "京东方科技集团有限公司", false},
		{"北京能源集团有限责任公司", "北京能源投资集团有限公司", false},
		{"千喜鹤食品有限公司", "千喜鹤食品有限公司北京分公司", false},
		{"中材绿建科技有限公司", "中材绿建科技发展有限公司", false},
		{"中国华能集团有限公司", "华能集团有限公司", false},
		{"【示例】北京冷链物流中心有限公司（01）", "【示例】北京冷链物流中心有限公司（02）", false},
		{"北京区块链科技有限公司", "北京科技有限公司", false},
		{"河北驷乾新能源科技有限公司", "河南驷乾新能源科技有限公司", false},
		{"江苏国科智能科技有限公司", "江西国科智能科技有限公司", false},
		{"Huawei Technologies Co., Ltd.", "Huawei Device Co., Ltd.", false},
	} {
		na, nb := NormalizeEnterpriseName(c.a), NormalizeEnterpriseName(c.b)
		if (na == nb) != c.same {
			t.Errorf("%q → %q, %q → %q: same = %v, want %v", c.a, na, c.b, nb, na == nb, c.same)
		}
	}
}

func TestNormalizeEnterpriseNameForms(t *testing.T) {
	for in, want := range map[string]string{
		"同光晶体（河北）有限公司":                  "河北同光晶体有限公司",
		"京东方科技集团股份有限公司":                 "京东方科技集团股份公司",
		"Huawei Technologies Co., Ltd.": "huaweitechnologiescoltd",
		"（河北）同光晶体有限公司":                  "河北同光晶体有限公司",
		"同光晶体（ＸＹＺ）有限公司":                 "同光晶体xyz有限公司",
		"": "",
	} {
		if got := NormalizeEnterpriseName(in); got != want {
			t.Errorf("NormalizeEnterpriseName(%q) = %q, want %q", in, got, want)
		}
	}
}
