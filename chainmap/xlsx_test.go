package chainmap

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

func readXLSX(t *testing.T, m *Map) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTargetsXLSX(&buf, m); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriteTargetsXLSX(t *testing.T) {
	fx := semiconductorFixture()
	m := Build(fx.input(), DefaultThresholds())
	f := readXLSX(t, m)

	if got := f.GetSheetList(); len(got) != 2 || got[0] != SheetMap || got[1] != SheetTargets {
		t.Fatalf("sheets = %v", got)
	}
	rows, err := f.GetRows(SheetMap)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"环节", "环节位置", "状态", "区内企业", "目标企业", "在谈项目", "推荐对接"}
	if strings.Join(rows[0], "|") != strings.Join(wantHeader, "|") {
		t.Errorf("header = %v", rows[0])
	}
	if len(rows) != len(m.Nodes)+1 {
		t.Fatalf("rows = %d, want a header and one per node (%d)", len(rows), len(m.Nodes))
	}
	byName := map[string][]string{}
	for i, r := range rows[1:] {
		if r[0] != m.Nodes[i].Name {
			t.Errorf("row %d is %q, want node %q in map order", i+2, r[0], m.Nodes[i].Name)
		}
		for len(r) < len(wantHeader) {
			r = append(r, "")
		}
		byName[r[0]] = r
		if st := r[2]; st != "强" && st != "补链" && st != "缺链" {
			t.Errorf("status %q", st)
		}
	}
	checks := []struct {
		node string
		col  int
		want string
	}{
		{"碳化硅单晶衬底", 1, "中游"},
		{"碳化硅单晶衬底", 2, "强"},
		{"碳化硅单晶衬底", 3, "同光晶体（链主）\n同光二厂"},
		{"光伏组件", 2, "补链"},
		{"光伏组件", 5, "国科智能光伏组件生产线（国科智能）［风险评估］"},
		{"外延片", 2, "缺链"},
		{"外延片", 4, "瀚天外延"},
		{"外延片", 5, "天域外延片项目（天域外延）［洽谈对接］"},
		{"外延片", 6, "瀚天外延：缺链环节“外延片”的关联企业，尚未对接；可通过链主企业“同光晶体”以商招商"},
		{"晶体生长设备", 0, "晶体生长设备"},
		{"高纯碳化硅粉料", 1, "上游"},
		{"5G射频", 1, "下游"},
	}
	for _, c := range checks {
		if got := byName[c.node][c.col]; got != c.want {
			t.Errorf("%s / %s = %q, want %q", c.node, wantHeader[c.col], got, c.want)
		}
	}

	// Frozen header on both sheets, widths set for Chinese.
	for _, sheet := range []string{SheetMap, SheetTargets} {
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s panes = %+v %v", sheet, panes, err)
		}
	}
	if w, _ := f.GetColWidth(SheetMap, "G"); w < 40 {
		t.Errorf("推荐对接 width = %v", w)
	}

	// The detail sheet: one row per recommendation.
	detail, _ := f.GetRows(SheetTargets)
	n := 0
	for _, gr := range m.Summary.Recommendations {
		n += len(gr.Enterprises)
	}
	if len(detail) != n+1 || detail[0][5] != "推荐理由" {
		t.Errorf("detail rows = %d, want %d; header %v", len(detail), n+1, detail[0])
	}
}

func TestWriteTargetsXLSXNeverStartsAFormula(t *testing.T) {
	f := newFixture()
	f.chain.Name = "=HYPERLINK(\"http://x\")"
	evil := []string{"=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1", "=cmd|' /C calc'!A0"}
	for i, name := range evil {
		f.node(name, domain.Segments[i%3], "", i)
	}
	f.ent("=恶意企业", domain.EnterpriseTarget, evil[0])
	f.ent("+本地企业", domain.EnterpriseLocal, evil[1])
	inv := f.ent("-投资方", domain.EnterpriseInvestor)
	f.project("@项目", inv.Name, domain.StageLead, evil[2])
	f.ent("控制\x01字符", domain.EnterpriseTarget, evil[3])
	m := Build(f.input(), DefaultThresholds())
	x := readXLSX(t, m)

	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
					t.Errorf("%s R%dC%d starts a formula: %q", sheet, r+1, c+1, v)
				}
				if strings.ContainsRune(v, '\x01') {
					t.Errorf("%s R%dC%d keeps a control character", sheet, r+1, c+1)
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := x.GetCellFormula(sheet, ref); formula != "" {
					t.Errorf("%s %s has a formula %q", sheet, ref, formula)
				}
			}
		}
	}
	rows, _ := x.GetRows(SheetMap)
	if rows[1][0] != "'=1+1" || rows[1][4] != "'=恶意企业" {
		t.Errorf("guarded cells = %q, %q", rows[1][0], rows[1][4])
	}
}

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"外延片", "外延片"},
		{"=1+1", "'=1+1"},
		{"+86 010", "'+86 010"},
		{"-5", "'-5"},
		{"@SUM", "'@SUM"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{"", ""},
		{"＝全角", "＝全角"},
		{"甲\n乙", "甲\n乙"},
		{"\x01=1", "'=1"}, // a control character cannot hide a formula
		{"bad\xffutf8", "bad\uFFFDutf8"},
	}
	for _, tt := range tests {
		if got := safeCell(tt.in); got != tt.want {
			t.Errorf("safeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteTargetsXLSXHugeCells(t *testing.T) {
	f := newFixture()
	f.node("热门环节", domain.SegmentMidstream, "", 0)
	for i := 0; i < 3000; i++ {
		f.ent(strings.Repeat("很长的目标企业名称", 2)+string(rune(0x4e00+i)), domain.EnterpriseTarget, "热门环节")
	}
	x := readXLSX(t, Build(f.input(), DefaultThresholds()))
	v, err := x.GetCellValue(SheetMap, "E2")
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(v)); n > 32767 || !strings.Contains(v, "共3000项") {
		t.Errorf("cell of %d characters, tail %q", n, string([]rune(v)[len([]rune(v))-20:]))
	}
}
