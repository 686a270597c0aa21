package spreadsheet

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// wantErr matches a RowError: exact row and column, message containing msg.
type wantErr struct {
	row int
	col string
	msg string
}

func checkErrors(t *testing.T, got []RowError, want []wantErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), errorList(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Row != w.row || g.Column != w.col || !strings.Contains(g.Message, w.msg) {
			t.Errorf("error %d = row %d %q %q; want row %d %q containing %q", i, g.Row, g.Column, g.Message, w.row, w.col, w.msg)
		}
	}
}

// TestBadFiles is the table of every kind of content error. Each file is checked both as
// CSV and as .xlsx (text cells), so both readers report the same rows and columns.
func TestBadFiles(t *testing.T) {
	h := stdHeader
	g := goodRow
	without := func(col int) []string {
		return append(append([]string(nil), h[:col]...), h[col+1:]...)
	}
	rowWithout := func(r []string, col int) []string {
		return append(append([]string(nil), r[:col]...), r[col+1:]...)
	}
	tests := []struct {
		name string
		rows [][]string
		want []wantErr
	}{
		{"missing header column", [][]string{without(1), rowWithout(g("甲"), 1)},
			[]wantErr{{1, "投资主体", "缺少必需的列"}}},
		{"two missing header columns", [][]string{without(3)[:8], rowWithout(g("甲"), 3)[:8]},
			// 招商渠道 removed, then 对接日期 (index 9) falls off the end
			[]wantErr{{1, "招商渠道", "缺少必需的列"}, {1, "对接日期", "缺少必需的列"}}},
		{"duplicate header column", [][]string{append(append([]string(nil), h...), "name"), append(g("甲"), "x")},
			[]wantErr{{1, "name", "重复的列"}}},
		{"unknown channel", [][]string{h, with(g("甲"), 3, "招商局")},
			[]wantErr{{2, "招商渠道", "未知的招商渠道「招商局」"}}},
		{"empty channel", [][]string{h, with(g("甲"), 3, "")},
			[]wantErr{{2, "招商渠道", "必填"}}},
		{"unknown chain", [][]string{h, with(g("甲"), 4, "氢能")},
			[]wantErr{{2, "产业链", "未知的产业链"}}},
		{"unknown asset type", [][]string{h, with(g("甲"), 5, "中资产")},
			[]wantErr{{2, "资产类型", "未知的资产类型"}}},
		{"unknown stage", [][]string{h, with(g("甲"), 8, "已签约")},
			[]wantErr{{2, "阶段", "未知的阶段"}}},
		{"unreadable date", [][]string{h, with(g("甲"), 9, "去年三月")},
			[]wantErr{{2, "对接日期", "日期无法识别"}}},
		{"impossible date", [][]string{h, with(g("甲"), 9, "2023-02-30")},
			[]wantErr{{2, "对接日期", "日期不存在"}}},
		{"month 13", [][]string{h, with(g("甲"), 9, "2023/13/1")},
			[]wantErr{{2, "对接日期", "日期无法识别"}}},
		{"missing docked date", [][]string{h, with(g("甲"), 9, "")},
			[]wantErr{{2, "对接日期", "请填写对接日期"}}},
		{"signed before docked", [][]string{h, with(g("甲"), 10, "2021-01-01")},
			[]wantErr{{2, "签约日期", "不能早于对接日期"}}},
		{"negative amount", [][]string{h, with(g("甲"), 6, "-5")},
			[]wantErr{{2, "计划投资(万元)", "不能为负"}}},
		{"negative land", [][]string{h, with(g("甲"), 7, "-1")},
			[]wantErr{{2, "占地面积(亩)", "不能为负"}}},
		{"amount not a number", [][]string{h, with(g("甲"), 6, "三千万")},
			[]wantErr{{2, "计划投资(万元)", "不是有效的数字"}}},
		{"amount with too many decimals", [][]string{h, with(g("甲"), 6, "1.23456")},
			[]wantErr{{2, "计划投资(万元)", "最多 4 位小数"}}},
		{"empty amount", [][]string{h, with(g("甲"), 6, "")},
			[]wantErr{{2, "计划投资(万元)", "必填"}}},
		{"bad credit code", [][]string{h, with(g("甲"), 2, "91130630MA0ABCDE1X")},
			[]wantErr{{2, "统一社会信用代码", "统一社会信用代码无效"}}},
		{"missing name", [][]string{h, with(g("甲"), 0, "  ")},
			[]wantErr{{2, "项目名称", "必填"}}},
		{"name too long", [][]string{h, with(g("甲"), 0, strings.Repeat("长", 201))},
			[]wantErr{{2, "项目名称", "过长"}}},
		{"duplicate row", [][]string{h, g("甲"), g("乙"), with(g(" 甲 "), 6, "1")},
			[]wantErr{{4, "项目名称", "与第 2 行重复"}}},
		{"every error of a row, in column order", [][]string{h,
			with(with(with(g("甲"), 3, "x"), 9, "y"), 6, "-1")},
			[]wantErr{{2, "招商渠道", "未知的招商渠道"}, {2, "计划投资(万元)", "不能为负"}, {2, "对接日期", "日期无法识别"}}},
		{"errors on many rows, blank rows skipped but counted", [][]string{h, with(g("甲"), 3, "x"),
			{"", "", ""}, g("乙"), with(g("丙"), 5, "y")},
			[]wantErr{{2, "招商渠道", "未知"}, {5, "资产类型", "未知"}}},
		{"header text reported as written", [][]string{{"Name", " Investor ", "CHANNEL", "asset_type",
			"Planned Investment Wan", "docked_at"}, {"甲", "乙", "委托", "重", "1", "bad"}},
			[]wantErr{{2, "docked_at", "日期无法识别"}}},
		{"empty file", nil, []wantErr{{1, "", "文件为空"}}},
		{"only a header", [][]string{h}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/csv", func(t *testing.T) {
			res := mustParse(t, csvBytes(t, tt.rows...), "p.csv")
			checkErrors(t, res.Errors, tt.want)
			if res.ErrorCount != len(tt.want) {
				t.Errorf("ErrorCount = %d, want %d", res.ErrorCount, len(tt.want))
			}
		})
		t.Run(tt.name+"/xlsx", func(t *testing.T) {
			rows := make([][]any, len(tt.rows))
			for i, r := range tt.rows {
				rows[i] = anyRow(r)
			}
			res := mustParse(t, xlsxBytes(t, rows...), "p.xlsx")
			checkErrors(t, res.Errors, tt.want)
		})
	}
}

// TestParseValues covers the spellings people use for each kind of value.
func TestParseValues(t *testing.T) {
	food, semi := "food", "semiconductor"
	tests := []struct {
		name string
		col  int
		in   string
		// check inspects the parsed input
		check func(domain.ProjectInput) bool
	}{
		{"channel label", 3, "委托招商", func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelEntrusted }},
		{"channel code", 3, "business_referral", func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelBusinessReferral }},
		{"channel code upper", 3, " SELF_SOURCED ", func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelSelfSourced }},
		{"resource plus curly quotes", 3, "“资源+”招商", func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelResourcePlus }},
		{"resource plus ascii quotes", 3, `"资源+"招商`, func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelResourcePlus }},
		{"resource plus bare", 3, "资源+招商", func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelResourcePlus }},
		{"resource plus full-width plus", 3, "资源＋招商", func(p domain.ProjectInput) bool { return p.Channel == domain.ChannelResourcePlus }},
		{"chain label", 4, "现代食品", func(p domain.ProjectInput) bool { return p.Chain != nil && *p.Chain == food }},
		{"chain code", 4, "semiconductor", func(p domain.ProjectInput) bool { return p.Chain != nil && *p.Chain == semi }},
		{"chain with 产业链", 4, "第三代半导体产业链", func(p domain.ProjectInput) bool { return p.Chain != nil && *p.Chain == semi }},
		{"chain empty", 4, "", func(p domain.ProjectInput) bool { return p.Chain == nil }},
		{"chain 无", 4, "无", func(p domain.ProjectInput) bool { return p.Chain == nil }},
		{"asset label", 5, "轻资产", func(p domain.ProjectInput) bool { return p.AssetType == domain.AssetLight }},
		{"asset code", 5, "heavy", func(p domain.ProjectInput) bool { return p.AssetType == domain.AssetHeavy }},
		{"stage label", 8, "落地决策", func(p domain.ProjectInput) bool { return p.Stage == domain.StageDecision }},
		{"stage code", 8, "follow_up", func(p domain.ProjectInput) bool { return p.Stage == domain.StageFollowUp }},
		{"stage dropped", 8, "已终止", func(p domain.ProjectInput) bool { return p.Stage == domain.StageDropped }},
		{"stage default lead", 8, "", func(p domain.ProjectInput) bool { return p.Stage == domain.StageLead }},
		{"amount thousands", 6, "1,200", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 1200*10000 }},
		{"amount full-width comma", 6, "1，200", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 1200*10000 }},
		{"amount full-width digits", 6, "１２００", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 1200*10000 }},
		{"amount decimals exact", 6, "0.0001", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 1 }},
		{"amount with unit", 6, "3800万元", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 3800*10000 }},
		{"amount zero", 6, "0", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 0 }},
		{"amount float noise from xml", 6, "1234.5600000000001", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 12345600 }},
		{"amount exponent from xml", 6, "1E-4", func(p domain.ProjectInput) bool { return p.PlannedInvestment == 1 }},
		{"land", 7, "12.5", func(p domain.ProjectInput) bool { return p.LandArea == 1250 }},
		{"land empty", 7, "", func(p domain.ProjectInput) bool { return p.LandArea == 0 }},
		{"date iso", 9, "2024-01-05", dockedOn(2024, 1, 5)},
		{"date slashes", 9, "2024/1/5", dockedOn(2024, 1, 5)},
		{"date dots", 9, "2024.1.5", dockedOn(2024, 1, 5)},
		{"date chinese", 9, "2024年1月5日", dockedOn(2024, 1, 5)},
		{"date with time", 9, "2024-01-05 09:30:00", dockedOn(2024, 1, 5)},
		{"date iso datetime", 9, "2024-01-05T00:00:00Z", dockedOn(2024, 1, 5)},
		{"date compact", 9, "20240105", dockedOn(2024, 1, 5)},
		{"date serial as text", 9, "45296", dockedOn(2024, 1, 5)},
		{"date full-width", 9, "２０２４年１月５日", dockedOn(2024, 1, 5)},
		{"credit code lower and spaced", 2, " " + strings.ToLower(validCode) + " ", func(p domain.ProjectInput) bool { return p.InvestorCreditCode == validCode }},
		{"formula guard removed", 0, "'=SUM(A1)", func(p domain.ProjectInput) bool { return p.Name == "=SUM(A1)" }},
		{"plain apostrophe kept", 0, "'甲'项目", func(p domain.ProjectInput) bool { return p.Name == "'甲'项目" }},
		{"notes kept", 12, "第一行\n第二行", func(p domain.ProjectInput) bool { return p.Notes == "第一行\n第二行" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := with(goodRow("甲"), tt.col, tt.in)
			if tt.col == 9 {
				row[10] = "" // signed date must not precede the docked one
			}
			res := mustClean(t, csvBytes(t, stdHeader, row), "v.csv")
			if len(res.Rows) != 1 {
				t.Fatalf("got %d rows", len(res.Rows))
			}
			if in := res.Rows[0].Input; !tt.check(in) {
				t.Errorf("%q parsed to %+v", tt.in, in)
			}
		})
	}
}

func dockedOn(y, m, d int) func(domain.ProjectInput) bool {
	return func(p domain.ProjectInput) bool {
		return p.DockedAt == domain.NewDate(y, time.Month(m), d)
	}
}

// TestHeaders: Chinese or English, any order, full-width brackets, spaces, title row above.
func TestHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		row    []string
	}{
		{"english, shuffled", []string{"docked_at", "asset_type", "channel", "investor", "name", "planned_investment_wan", "stage"},
			[]string{"2022-03-01", "light", "entrusted", "乙公司", "甲项目", "10", "lead"}},
		{"full-width brackets and spaces", []string{" 项目名称 ", "投资 主体", "招商渠道", "资产类型", "计划投资（万元）", "对接日期", "占地面积（亩）"},
			[]string{"甲项目", "乙公司", "委托招商", "轻资产", "10", "2022-03-01", "3"}},
		{"required asterisks and aliases", []string{"*项目名称", "*投资方", "*渠道", "*资产类型", "*计划投资", "*对接时间"},
			[]string{"甲项目", "乙公司", "委托招商", "轻资产", "10", "2022-03-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustClean(t, csvBytes(t, tt.header, tt.row), "h.csv")
			if len(res.Rows) != 1 || res.Rows[0].Input.Name != "甲项目" || res.Rows[0].Input.Investor != "乙公司" {
				t.Fatalf("rows = %+v", res.Rows)
			}
		})
	}

	t.Run("title row and extra columns", func(t *testing.T) {
		rows := [][]string{{"2024年招商项目台账"}, {}, append([]string{"序号"}, stdHeader...), append([]string{"1"}, goodRow("甲")...)}
		res := mustClean(t, csvBytes(t, rows...), "t.csv")
		if len(res.Rows) != 1 || res.Rows[0].Row != 4 {
			t.Fatalf("rows = %+v", res.Rows)
		}
		if !reflect.DeepEqual(res.Ignored, []string{"序号"}) {
			t.Errorf("Ignored = %v", res.Ignored)
		}
		if got := res.Header("planned_investment_wan"); got != "计划投资(万元)" {
			t.Errorf("Header = %q", got)
		}
	})

	t.Run("Header falls back to the Chinese name", func(t *testing.T) {
		res := mustClean(t, csvBytes(t, []string{"name", "investor", "channel", "asset_type", "planned_investment_wan", "docked_at"},
			[]string{"甲", "乙", "委托招商", "重资产", "1", "2022-01-01"}), "e.csv")
		if res.Header("name") != "name" || res.Header("owner") != "负责人" {
			t.Errorf("Header(name) = %q, Header(owner) = %q", res.Header("name"), res.Header("owner"))
		}
	})
}

// TestCSVEncodings: UTF-8 with and without BOM, GBK as Chinese Excel saves it, UTF-16 with
// tabs as Excel's “Unicode 文本”, semicolon separated.
func TestCSVEncodings(t *testing.T) {
	text := string(csvBytes(t, stdHeader, goodRow("碳化硅衬底项目"), goodRow("“资源+”招商示范项目")))
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ",", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, enc string
	}{
		{"utf-8", text, "utf-8"},
		{"utf-8 with BOM", "\xEF\xBB\xBF" + text, "utf-8-bom"},
		{"gbk", gbk, "gb18030"},
		{"utf-16 tab separated", utf16, "utf-16"},
		{"semicolons", strings.ReplaceAll(strings.ReplaceAll(text, "38,000", "38000"), ",", ";"), "utf-8"},
		{"CRLF line ends", strings.ReplaceAll(text, "\n", "\r\n"), "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "gbk" && tt.data == text {
				t.Fatal("GBK encoding did not change the bytes")
			}
			res := mustClean(t, []byte(tt.data), "enc.csv")
			if res.Encoding != tt.enc {
				t.Errorf("Encoding = %q, want %q", res.Encoding, tt.enc)
			}
			if len(res.Rows) != 2 {
				t.Fatalf("got %d rows", len(res.Rows))
			}
			if h := res.Header("name"); h != "项目名称" {
				t.Errorf("first header = %q", h)
			}
			in := res.Rows[1].Input
			if in.Name != "“资源+”招商示范项目" || in.Investor != "河北誉柯半导体有限公司" || in.Channel != domain.ChannelBusinessReferral ||
				in.PlannedInvestment != 38000*10000 || *in.Chain != "semiconductor" {
				t.Errorf("row = %+v", in)
			}
		})
	}
}

// TestRowNumbers: rows are numbered as the spreadsheet shows them, blank lines and
// multi-line cells included.
func TestRowNumbers(t *testing.T) {
	h := strings.Join(stdHeader, ",")
	r := func(name string) string {
		return strings.Join(with(with(goodRow(name), 6, "38000"), 12, ""), ",")
	}
	multi := strings.Join(with(with(goodRow("乙"), 6, "38000"), 12, "\"一\n二\n三\""), ",")
	text := h + "\n" + r("甲") + "\n\n\n" + multi + "\n" + r("丙") + "\n,,,\n" + strings.Join(with(with(goodRow("丁"), 6, "38000"), 3, "x"), ",") + "\n"
	res := mustParse(t, []byte(text), "n.csv")
	var got []int
	for _, row := range res.Rows {
		got = append(got, row.Row)
	}
	if want := []int{2, 5, 6, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	checkErrors(t, res.Errors, []wantErr{{8, "招商渠道", "未知"}})
}

// TestExcelDates: typed dates are numbers with a date format; text dates are read too;
// a 1904-system workbook shifts serials.
func TestExcelDates(t *testing.T) {
	rows := [][]any{
		anyRow(stdHeader),
		{"甲", "乙公司", nil, "委托招商", nil, "重资产", 38000, 120.5, nil, dateSerial(44621), dateSerial(44742)},
		{"乙", "乙公司", nil, "委托招商", nil, "重资产", 1234.56, nil, nil, dateSerial(44621.75), "2022年6月30日"},
		{"丙", "乙公司", nil, "委托招商", nil, "重资产", "1,200", nil, nil, "2022/3/1", nil},
	}
	res := mustClean(t, xlsxBytes(t, rows...), "d.xlsx")
	if len(res.Rows) != 3 {
		t.Fatalf("rows = %d", len(res.Rows))
	}
	mar1, jun30 := domain.NewDate(2022, 3, 1), domain.NewDate(2022, 6, 30)
	for i, row := range res.Rows {
		if row.Input.DockedAt != mar1 {
			t.Errorf("row %d docked = %v, want 2022-03-01", row.Row, row.Input.DockedAt)
		}
		if i < 2 && row.Input.SignedAt != jun30 {
			t.Errorf("row %d signed = %v, want 2022-06-30", row.Row, row.Input.SignedAt)
		}
	}
	if got := res.Rows[0].Input; got.PlannedInvestment != 38000*10000 || got.LandArea != 12050 {
		t.Errorf("numbers = %v %v", got.PlannedInvestment, got.LandArea)
	}
	if got := res.Rows[1].Input.PlannedInvestment; got != 12345600 {
		t.Errorf("1234.56 → %v", got)
	}

	t.Run("1900 leap-year bug and range", func(t *testing.T) {
		for serial, want := range map[string]string{"1": "1900-01-01", "59": "1900-02-28", "61": "1900-03-01", "44621": "2022-03-01", "2958465": "9999-12-31"} {
			if got := excelDay(atoi(serial), false).Format("2006-01-02"); got != want {
				t.Errorf("excelDay(%s) = %s, want %s", serial, got, want)
			}
		}
		if _, msg := parseDate("45", false); !strings.Contains(msg, "超出合理范围") {
			t.Errorf("serial 45 (1900) accepted: %q", msg)
		}
		if got := excelSerial(domain.NewDate(2022, 3, 1)); got != 44621 {
			t.Errorf("excelSerial = %v", got)
		}
	})

	t.Run("1904 system", func(t *testing.T) {
		b := xlsxBytes(t, anyRow(stdHeader), []any{"甲", "乙", nil, "委托招商", nil, "重资产", 1, nil, nil, dateSerial(44621 - 1462)})
		f := openXLSX(t, b)
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
		res := mustClean(t, saveXLSX(t, f), "1904.xlsx")
		if got := res.Rows[0].Input.DockedAt; got != mar1 {
			t.Errorf("docked = %v", got)
		}
	})
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
