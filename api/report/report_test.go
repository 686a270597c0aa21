package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

func wan(s string) domain.Money {
	m, err := domain.ParseWan(s)
	if err != nil {
		panic(err)
	}
	return m
}

func TestAmount(t *testing.T) {
	for in, want := range map[string]string{
		"80500": "8.05亿元", "38000": "3.8亿元", "20000": "2亿元", "10000": "1亿元", "12345.5": "1.23亿元",
		"10050": "1.01亿元", "10049": "1亿元", "9999.9999": "9999.9999万元", "3000": "3000万元", "0.5": "0.5万元", "0": "0万元",
		"1234567": "123.46亿元",
	} {
		if got := Amount(wan(in)); got != want {
			t.Errorf("Amount(%s万元) = %s, want %s", in, got, want)
		}
	}
}

func figures() *domain.AnnualFigures {
	o := &domain.Overview{Year: 2030, ByChannel: map[string]int{"entrusted": 0, "business_referral": 2, "self_sourced": 0, "resource_plus": 1},
		ByStage: map[string]int{}, Conversion: map[string]int{}, DockedTotal: 3}
	return &domain.AnnualFigures{Year: 2030, Zone: "测试区", Scope: "zone", Overview: o,
		Signed: domain.ReportList{Projects: []*domain.ReportProject{}}, IntendedHeavy: domain.ReportList{}, IntendedLight: domain.ReportList{}}
}

func TestTextLeavesOutWhatIsNotThere(t *testing.T) {
	f := figures()
	if got, want := Text(f), "共对接项目3个，其中：以商招商2个、“资源+”招商1个。至目前，暂无新签约落地项目。"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	f.Overview.DockedTotal, f.Overview.ByChannel = 0, map[string]int{}
	if got := Text(f); got != "共对接项目0个。至目前，暂无新签约落地项目。" {
		t.Errorf("empty year: %s", got)
	}
}

func TestTextNamesTenAndSaysDeng(t *testing.T) {
	f := figures()
	f.Overview.Campaigns = domain.CampaignTotals{Trips: 9, TripCities: []string{"甲", "乙", "丙", "丁", "戊", "己", "庚"},
		Conferences: 2, ConferenceCities: []string{"北京"}}
	for i := 0; i < 10; i++ {
		f.Signed.Projects = append(f.Signed.Projects, &domain.ReportProject{Name: fmt.Sprintf("项目%d", i), PlannedInvestment: wan("5000")})
	}
	f.Signed.Count = 12
	f.Overview.Signed = domain.SignedFigures{Count: 12, PlannedInvestment: wan("60000"), Increase: wan("300")}
	f.IntendedHeavy = domain.ReportList{Count: 1, Projects: []*domain.ReportProject{{Name: "重甲", PlannedInvestment: wan("15000"), LandArea: 5025}}}
	text := Text(f)
	for _, want := range []string{
		"先后到甲、乙、丙、丁、戊、己等开展招商9次，在北京举办招商推介会2次，共对接项目3个",
		"新签约落地项目12个，签约投资额6亿元，（项目0计划总投资5000万元，", "项目9计划总投资5000万元等）。",
		"往年签约项目追加投资300万元。", "有意向入驻的重资产类项目1个（重甲计划投资1.5亿元，占地50.25亩）。",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "庚") || strings.Contains(text, "轻资产") {
		t.Errorf("too much: %s", text)
	}
}

func TestHTMLEscapes(t *testing.T) {
	f := figures()
	f.Signed = domain.ReportList{Count: 1, Projects: []*domain.ReportProject{{Name: "<script>alert(1)</script>项目", PlannedInvestment: wan("1")}}}
	f.Overview.Signed.Count = 1
	var b bytes.Buffer
	if err := HTML(&b, f); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") || !strings.Contains(s, "2030年招商引资工作情况") {
		t.Errorf("html: %s", s)
	}
}
