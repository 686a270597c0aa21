package spreadsheet

import (
	"archive/zip"
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

func ptr[T any](v T) *T { return &v }

func sampleProjects() []*domain.Project {
	return []*domain.Project{
		{Name: "碳化硅衬底项目", Investor: "河北誉柯半导体有限公司", Channel: domain.ChannelBusinessReferral,
			Chain: ptr("semiconductor"), AssetType: domain.AssetHeavy, PlannedInvestment: 38000 * 10000,
			LandArea: 12050, Stage: domain.StageFollowUp, DockedAt: domain.NewDate(2022, 3, 1),
			SignedAt: domain.NewDate(2022, 6, 30), Owner: "recruiter1", Notes: "年产 10 万片\n分两期建设"},
		{Name: "氢能装备项目", Investor: "氢阳能源", Channel: domain.ChannelResourcePlus,
			AssetType: domain.AssetLight, PlannedInvestment: 12345, // 1.2345 万元
			Stage: domain.StageLead, DockedAt: domain.NewDate(2023, 12, 31)},
		{Name: "=HYPERLINK(\"http://evil\",\"点我\")", Investor: "+86 公司", Channel: domain.ChannelEntrusted,
			Chain: ptr("food"), AssetType: domain.AssetHeavy, PlannedInvestment: 0, LandArea: 1,
			Stage: domain.StageDropped, DockedAt: domain.NewDate(2021, 1, 5), Notes: "-负数开头 @提及"},
		{Name: "矿渣综合利用", Investor: "@矿业集团", Channel: domain.ChannelSelfSourced,
			Chain: ptr("mining"), AssetType: domain.AssetHeavy, PlannedInvestment: domain.MaxMoney, // the largest a record may hold (issue 12)
			Stage: domain.StageDecision, DockedAt: domain.NewDate(2024, 2, 29), Owner: "chief_mining"},
	}
}

// expectedInput is what re-importing an exported project must give.
func expectedInput(p *domain.Project, code string) domain.ProjectInput {
	in := domain.ProjectInput{
		Name: p.Name, Investor: p.Investor, InvestorCreditCode: code, Channel: p.Channel, Chain: p.Chain,
		AssetType: p.AssetType, PlannedInvestment: p.PlannedInvestment, LandArea: p.LandArea,
		Stage: p.Stage, Owner: p.Owner, DockedAt: p.DockedAt, SignedAt: p.SignedAt, Notes: p.Notes,
	}
	in.Normalize()
	return in
}

func exportProjects(t *testing.T, ps []*domain.Project, codes []string) []byte {
	t.Helper()
	var b bytes.Buffer
	ex, err := NewProjectExporter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		code := ""
		if i < len(codes) {
			code = codes[i]
		}
		if err := ex.AddWithCreditCode(p, code); err != nil {
			t.Fatal(err)
		}
	}
	if ex.Rows() != len(ps) {
		t.Errorf("Rows() = %d", ex.Rows())
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRoundTrip: export → parse gives back the same inputs, formula-looking text included.
func TestRoundTrip(t *testing.T) {
	ps := sampleProjects()
	codes := []string{validCode, "", "", ""}
	res := mustClean(t, exportProjects(t, ps, codes), "导出.xlsx")
	if len(res.Rows) != len(ps) {
		t.Fatalf("got %d rows, want %d", len(res.Rows), len(ps))
	}
	for i, p := range ps {
		want := expectedInput(p, codes[i])
		if got := res.Rows[i]; got.Row != i+2 || !reflect.DeepEqual(got.Input, want) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+2, got.Input, want)
		}
	}
}

// TestExportFormat: frozen bold header, widths, numbers and dates as typed cells, labels.
func TestExportFormat(t *testing.T) {
	f := openXLSX(t, exportProjects(t, sampleProjects(), nil))
	sheet := f.GetSheetList()[0]
	if sheet != "招商项目" {
		t.Errorf("sheet = %q", sheet)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v", panes, err)
	}
	header, _ := f.GetRows(sheet)
	if !reflect.DeepEqual(header[0], stdHeader) {
		t.Errorf("header = %v", header[0])
	}
	if w, _ := f.GetColWidth(sheet, "A"); w < 30 {
		t.Errorf("name column width %v", w)
	}
	styleID, _ := f.GetCellStyle(sheet, "A1")
	if st, _ := f.GetStyle(styleID); st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style = %+v", st)
	}
	checks := []struct {
		cell, raw, formatted string
	}{
		{"D2", "以商招商", ""},
		{"D3", "“资源+”招商", ""},
		{"E2", "第三代半导体", ""},
		{"F3", "轻资产", ""},
		{"I2", "跟踪服务", ""},
		{"G2", "38000", "38,000"},
		{"G3", "1.2345", "1.2345"},
		{"H2", "120.5", "120.5"},
		{"J2", "44621", "2022-03-01"},
		{"K2", "44742", "2022-06-30"},
		{"E3", "", ""},
	}
	for _, c := range checks {
		raw, _ := f.GetCellValue(sheet, c.cell, excelize.Options{RawCellValue: true})
		if raw != c.raw {
			t.Errorf("%s raw = %q, want %q", c.cell, raw, c.raw)
		}
		if c.formatted != "" {
			if got, _ := f.GetCellValue(sheet, c.cell); got != c.formatted {
				t.Errorf("%s shows %q, want %q", c.cell, got, c.formatted)
			}
			if typ, _ := f.GetCellType(sheet, c.cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s type = %v, want a number", c.cell, typ)
			}
		}
	}
}

// TestFormulaGuard: no exported cell starts a formula, and the sheet has no <f> at all.
func TestFormulaGuard(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+86 138": "'+86 138", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "普通文本": "普通文本", "": "",
		"x\x00y\x1bz": "xyz", "'=already": "'=already", "\x01=x": "'=x",
	} {
		if got := Guard(in); got != want {
			t.Errorf("Guard(%q) = %q, want %q", in, got, want)
		}
	}

	b := exportProjects(t, sampleProjects(), nil)
	f := openXLSX(t, b)
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, v := range r {
			if v != "" && strings.IndexByte(formulaStarts, v[0]) >= 0 {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				t.Errorf("%s starts a formula: %q", cell, v)
			}
		}
	}
	if got, _ := f.GetCellValue(sheet, "A4"); !strings.HasPrefix(got, "'=HYPERLINK") {
		t.Errorf("A4 = %q", got)
	}
	if xml := sheetXML(t, b); strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") {
		t.Error("sheet XML contains a formula element")
	}
}

func sheetXML(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			rc, _ := f.Open()
			x, _ := io.ReadAll(rc)
			rc.Close()
			return string(x)
		}
	}
	t.Fatal("no sheet")
	return ""
}

func TestActivityExport(t *testing.T) {
	var b bytes.Buffer
	ex, err := NewActivityExporter(&b)
	if err != nil {
		t.Fatal(err)
	}
	a := &domain.Activity{Kind: domain.ActivityVisit, OccurredAt: domain.NewDate(2022, 5, 10), Place: "深圳",
		OurPeople: "张三、李四", TheirPeople: "王总", Summary: "=cmd|' /C calc'!A0", NextStep: "寄送资料",
		NextDue: domain.NewDate(2022, 5, 20), Author: "recruiter1"}
	if err := ex.Add("碳化硅衬底项目", a); err != nil {
		t.Fatal(err)
	}
	if err := ex.Add("氢能", &domain.Activity{Kind: "unknown_kind", OccurredAt: domain.NewDate(2022, 1, 1), Summary: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	rows, _ := f.GetRows("活动记录")
	want := [][]string{
		{"项目", "类型", "日期", "地点", "我方人员", "对方人员", "内容摘要", "下一步", "下一步期限", "记录人"},
		{"碳化硅衬底项目", "外出拜访", "2022-05-10", "深圳", "张三、李四", "王总", "'=cmd|' /C calc'!A0", "寄送资料", "2022-05-20", "recruiter1"},
		{"氢能", "unknown_kind", "2022-01-01", "", "", "", "x"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows =\n%q\nwant\n%q", rows, want)
	}
	if panes, _ := f.GetPanes("活动记录"); !panes.Freeze {
		t.Error("header not frozen")
	}
}

func TestTableWriter(t *testing.T) {
	var b bytes.Buffer
	tw, err := NewTableWriter(&b, "目标清单", []Column{{"企业", 30}, {"数量", 8}, {"金额(万元)", 14}, {"日期", 12}, {"是否链主", 8}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.AddRow("=x", 3, domain.Money(15000), domain.NewDate(2023, 1, 2), true); err != nil {
		t.Fatal(err)
	}
	if err := tw.AddRow(nil, int64(4)); err != nil {
		t.Fatal(err)
	}
	if err := tw.AddRow(struct{}{}); err == nil {
		t.Error("no error for an unsupported value")
	}
	if err := tw.AddRow(1, 2, 3, 4, 5, 6); err == nil {
		t.Error("no error for too many values")
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tw.AddRow("late"); err == nil {
		t.Error("no error after Close")
	}
	f := openXLSX(t, b.Bytes())
	rows, _ := f.GetRows("目标清单")
	if want := []string{"'=x", "3", "1.50", "2023-01-02", "是"}; !reflect.DeepEqual(rows[1], want) {
		t.Errorf("row = %q, want %q", rows[1], want)
	}
}

// TestTemplate: the template parses as it is, and carries its lists, comments and panes.
func TestTemplate(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTemplate(&b); err != nil {
		t.Fatal(err)
	}
	res := mustClean(t, b.Bytes(), "template.xlsx")
	if len(res.Rows) != 1 || res.Rows[0].Row != 2 {
		t.Fatalf("rows = %+v", res.Rows)
	}
	in := res.Rows[0].Input
	if in.Channel != domain.ChannelBusinessReferral || *in.Chain != "food" || in.PlannedInvestment != 38000*10000 ||
		in.LandArea != 12000 || in.DockedAt != domain.NewDate(2024, 1, 5) || !domain.ValidCreditCode(in.InvestorCreditCode) {
		t.Errorf("example row = %+v", in)
	}

	f := openXLSX(t, b.Bytes())
	sheet := f.GetSheetList()[0]
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		if dv.Type == "list" {
			lists[dv.Sqref[:1]] = dv.Formula1
		}
	}
	for col, want := range map[string][]string{
		"D": {"委托招商", "以商招商", "自主招商", "“资源+”招商"},
		"E": {"现代食品", "矿业", "第三代半导体"},
		"F": {"重资产", "轻资产"},
		"I": {"洽谈对接", "项目识别", "风险评估", "落地决策", "跟踪服务", "已终止"},
	} {
		for _, v := range want {
			if !strings.Contains(lists[col], v) {
				t.Errorf("list on %s = %q, missing %q", col, lists[col], v)
			}
		}
	}
	if len(lists) != 4 {
		t.Errorf("%d drop-down lists, want 4", len(lists))
	}
	comments, _ := f.GetComments(sheet)
	if len(comments) != int(numFields) {
		t.Errorf("%d header comments, want %d", len(comments), numFields)
	}
	if panes, _ := f.GetPanes(sheet); !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v", panes)
	}
	if w, _ := f.GetColWidth(sheet, "A"); w < 30 {
		t.Errorf("width A = %v", w)
	}
	for _, cell := range []string{"A1", "J1"} {
		id, _ := f.GetCellStyle(sheet, cell)
		if st, _ := f.GetStyle(id); st == nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s not bold: %+v", cell, st)
		}
	}
	if w, _ := f.GetColWidth(sheet, "J"); w != 12 {
		t.Errorf("width J = %v", w)
	}
	if id, _ := f.GetColStyle(sheet, "J"); id == 0 {
		t.Error("date column has no style")
	} else if st, _ := f.GetStyle(id); st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd" {
		t.Errorf("date column style = %+v", st)
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct{ in, want string }{
		{"projects.xlsx", `attachment; filename="projects.xlsx"`},
		{"招商项目.xlsx", `attachment; filename="download.xlsx"; filename*=UTF-8''%E6%8B%9B%E5%95%86%E9%A1%B9%E7%9B%AE.xlsx`},
		{"招商项目2024.xlsx", `attachment; filename="2024.xlsx"; filename*=UTF-8''%E6%8B%9B%E5%95%86%E9%A1%B9%E7%9B%AE2024.xlsx`},
		{"projects 2024-01.xlsx", `attachment; filename="projects 2024-01.xlsx"`},
		{`a"b;c.xlsx`, `attachment; filename="ab_c.xlsx"; filename*=UTF-8''ab%3Bc.xlsx`},
		{"../../etc/passwd", `attachment; filename="passwd"`},
		{`C:\Users\x\报告.docx`, `attachment; filename="download.docx"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.docx`},
		{"line\r\nbreak.csv", `attachment; filename="linebreak.csv"`},
		{"", `attachment; filename="download"`},
		{"100% 完成.xlsx", `attachment; filename="100.xlsx"; filename*=UTF-8''100%25%20%E5%AE%8C%E6%88%90.xlsx`},
	}
	for _, tt := range tests {
		if got := ContentDisposition(tt.in); got != tt.want {
			t.Errorf("ContentDisposition(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
