package domain

import (
	"strings"
	"testing"
	"time"
)

func wanOf(s string) *Money {
	m, err := ParseWan(s)
	if err != nil {
		panic(err)
	}
	return &m
}

func n64(v int64) *int64 { return &v }

func TestGrowthAndShareRounding(t *testing.T) {
	for _, c := range []struct {
		cur, prev int64
		bp        int64
		ok        bool
	}{
		{5675590000, 4175680000, 3592, true}, // the seed's 35.92%
		{20001, 20000, 1, true},              // +0.005% exactly: half away from zero
		{19999, 20000, -1, true},             // −0.005%: likewise
		{20000, 20000, 0, true},
		{0, 100, -10000, true},
		{100, 0, 0, false}, // no base
		{2, 3, -3333, true},
		{1_000_000_000_000_000 / 10_000, 1, 999_999_999_990_000, true},
	} {
		bp, ok := GrowthBasisPoints(c.cur, c.prev)
		if bp != c.bp || ok != c.ok {
			t.Errorf("growth %d on %d = %d %v, want %d %v", c.cur, c.prev, bp, ok, c.bp, c.ok)
		}
	}
	if g := GrowthRate(5675590000, 4175680000); g == nil || *g != 0.3592 {
		t.Errorf("GrowthRate = %v", g)
	}
	if GrowthRate(1, 0) != nil {
		t.Error("growth on a zero base")
	}
	for _, c := range []struct {
		part, whole, bp int64
	}{
		{59917, 90859, 6595}, {30942, 90859, 3405}, // the seed's 65.95% and 34.05%
		{1, 3, 3333}, {2, 3, 6667}, {1, 8, 1250}, {12345, 100000, 1235}, {87655, 100000, 8766}, // each rounded on its own
		{0, 5, 0}, {5, 5, 10000},
	} {
		if bp, ok := ShareBasisPoints(c.part, c.whole); !ok || bp != c.bp {
			t.Errorf("share %d/%d = %d, want %d", c.part, c.whole, bp, c.bp)
		}
	}
	if _, ok := ShareBasisPoints(0, 0); ok {
		t.Error("share of nothing")
	}
	for bp, want := range map[int64]string{3592: "35.92%", -520: "-5.20%", 0: "0.00%", 10000: "100.00%", 5: "0.05%", -1: "-0.01%"} {
		if got := Percent(bp); got != want {
			t.Errorf("Percent(%d) = %s, want %s", bp, got, want)
		}
	}
}

func TestYi4(t *testing.T) {
	for in, want := range map[string]string{
		"567559": "56.7559", "32061": "3.2061", "205017": "20.5017", "20000": "2.0000", "0": "0.0000",
		"0.4999": "0.0000", "0.5": "0.0001", "1234.565": "0.1235", "10000000": "1000.0000", "9999.99995": "",
	} {
		m, err := ParseWan(in)
		if want == "" {
			if err == nil {
				t.Errorf("%s: five decimals accepted", in)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Yi4(); got != want {
			t.Errorf("Yi4(%s万元) = %s, want %s", in, got, want)
		}
	}
}

func TestParseMonthAndPeriod(t *testing.T) {
	for in, ok := range map[string]bool{"2022-10": true, "2022-01": true, "2022-12": true, "2022-13": false, "2022-00": false,
		"2022-1": false, "2022-1010": false, "22-10": false, "2022/10": false, "1989-12": false, "2101-01": false, "abcd-10": false, "+022-10": false} {
		if _, err := ParseMonth(in); (err == nil) != ok {
			t.Errorf("ParseMonth(%q) err = %v", in, err)
		}
	}
	for in, want := range map[string]string{"2022": "2022|year|0", "2022-Q3": "2022-Q3|quarter|3", "2022-q1": "2022-Q1|quarter|1",
		"2022-10": "2022-10|month|10", "2022-Q5": "", "2022-13": "", "20221": "", "2022-": "", "2022-Q": "", "1989": ""} {
		p, err := ParsePeriod(in)
		got := ""
		if err == nil {
			got = p.String() + "|" + p.Kind + "|" + string(rune('0'+p.Index%10))
			if p.Index >= 10 {
				got = p.String() + "|" + p.Kind + "|1" + string(rune('0'+p.Index%10))
			}
		}
		if got != want {
			t.Errorf("ParsePeriod(%q) = %q, want %q", in, got, want)
		}
	}
	if f := (Period{Year: 2022, Kind: "quarter", Index: 3}).First(); f.String() != "2022-07-01" {
		t.Errorf("Q3 starts %s", f)
	}
	today := MustDate("2023-01-16")
	if CheckMonth(Month{2023, time.January}, today) != nil || CheckMonth(Month{2023, time.February}, today) == nil || CheckMonth(Month{2022, time.December}, today) != nil {
		t.Error("CheckMonth")
	}
}

func TestIndicatorValidation(t *testing.T) {
	in := IndicatorFigures{EnterprisesInStatistics: n64(3), AboveScaleEnterprises: n64(4), Revenue: wanOf("-1"), Tax: wanOf("10000000.0001"), Output: wanOf("10000000")}
	fields := ErrorFields(in.Validate())
	for _, f := range []string{"above_scale_enterprises", "revenue_wan", "tax_wan"} {
		if fields[f] == "" {
			t.Errorf("%s not refused: %v", f, fields)
		}
	}
	if fields["output_wan"] != "" || fields["enterprises_in_statistics"] != "" {
		t.Errorf("refused too much: %v", fields)
	}
	op := OperationsInput{AboveScale: true, Employees: n64(-1)}
	fields = ErrorFields(op.Validate())
	if fields["above_scale"] == "" || fields["employees"] == "" {
		t.Errorf("operations: %v", fields)
	}
	if (&IndicatorFigures{}).Validate() != nil || !(&IndicatorFigures{}).Empty() {
		t.Error("an empty month")
	}
}

func TestPerMu(t *testing.T) {
	if v := PerMu(wanOf("100.0001"), 20000); v == nil || v.Wan() != "0.5" {
		t.Errorf("100.0001万元 ÷ 200亩 = %v", v)
	}
	if v := PerMu(wanOf("1"), 300); v == nil || v.Wan() != "0.3333" {
		t.Errorf("1万元 ÷ 3亩 = %v", v)
	}
	if v := PerMu(wanOf("2"), 300); v == nil || v.Wan() != "0.6667" {
		t.Errorf("2万元 ÷ 3亩 = %v", v)
	}
	if PerMu(wanOf("1"), 0) != nil || PerMu(nil, 100) != nil {
		t.Error("per 亩 without land or tax")
	}
}

func TestIndicatorSentences(t *testing.T) {
	seed := &MonthIndicators{Month: "2022-10", IndicatorFigures: IndicatorFigures{
		EnterprisesInStatistics: n64(43), AboveScaleEnterprises: n64(24), Revenue: wanOf("567559"), Tax: wanOf("32061"),
		FixedAssetInvestment: wanOf("205017"), GovernmentInvestment: wanOf("59917"), SocialInvestment: wanOf("30942")}}
	seed.Growth.Revenue = GrowthRate(5675590000, 4175680000)
	first, structure := IndicatorSentences(2022, seed)
	if first != "截止目前，入统企业43家，其中四上企业24家。1-10月份营业收入56.7559亿元，营业收入增长率35.92%；税收收入3.2061亿元，固定资产投资20.5017亿元。" {
		t.Errorf("first: %s", first)
	}
	if structure != "2022年开发区内实际实施项目完成固定资产投资90859万元，其中政府财政性投资59917万元，占总投资65.95%，社会资本投资30942万元，占34.05%。" {
		t.Errorf("structure: %s", structure)
	}
	// what is missing is left out
	m := &MonthIndicators{Month: "2023-01", IndicatorFigures: IndicatorFigures{AboveScaleEnterprises: n64(2), Tax: wanOf("1.5"), GovernmentInvestment: wanOf("3")}}
	g := -0.052
	m.Growth.Revenue = &g // no revenue: its growth is not written either
	first, structure = IndicatorSentences(2023, m)
	if first != "截止目前，四上企业2家。1月份税收收入0.0002亿元。" || structure != "" {
		t.Errorf("partial: %q %q", first, structure)
	}
	m = &MonthIndicators{Month: "2023-03", IndicatorFigures: IndicatorFigures{Revenue: wanOf("100"), GovernmentInvestment: wanOf("0"), SocialInvestment: wanOf("0")}}
	m.Growth.Revenue = &g
	first, structure = IndicatorSentences(2023, m)
	if first != "截止目前，1-3月份营业收入0.0100亿元，营业收入增长率-5.20%。" || structure != "2023年开发区内实际实施项目完成固定资产投资0万元。" {
		t.Errorf("negative growth, zero investment: %q %q", first, structure)
	}
	if a, b := IndicatorSentences(2023, nil); a != "" || b != "" {
		t.Error("sentences without figures")
	}
	if a, _ := IndicatorSentences(2023, &MonthIndicators{Month: "2023-03"}); a != "" {
		t.Errorf("an empty month: %q", a)
	}
}

func TestCompletedSentence(t *testing.T) {
	items := []*CompletedInvestment{
		{Name: "同光项目", Amount: *wanOf("11200"), Continued: true},
		{Name: "桃木疙瘩屠宰厂项目", Amount: *wanOf("7700"), Continued: true},
		{Name: "驷乾新能源光伏组件项目", Amount: *wanOf("3100")},
	}
	want := "2022年，两个续建项目累计完成投资1.89亿元，其中：同光项目完成投资1.12亿元；桃木疙瘩屠宰厂项目完成投资0.77亿元。一个新开工项目驷乾新能源光伏组件项目，完成投资0.31亿元。"
	if got := CompletedSentence(2022, items); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var many []*CompletedInvestment
	for i := 0; i < 12; i++ {
		many = append(many, &CompletedInvestment{Name: "甲", Amount: *wanOf("100")})
	}
	if got := CompletedSentence(2023, many); !strings.HasPrefix(got, "2023年，12个新开工项目累计完成投资0.12亿元，其中：") {
		t.Errorf("twelve: %s", got)
	}
	if CompletedSentence(2023, nil) != "" {
		t.Error("nothing completed")
	}
}
