package chainmap

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Sheet names of the recruitment spreadsheet.
const (
	SheetMap     = "招商地图"
	SheetTargets = "推荐对接明细"
)

// mapColumns are the first sheet's headers: one row per node.
var mapColumns = []struct {
	title string
	width float64 // Excel character widths; a Chinese character takes about two
}{
	{"环节", 24}, {"环节位置", 10}, {"状态", 8}, {"区内企业", 28},
	{"目标企业", 28}, {"在谈项目", 42}, {"推荐对接", 56},
}

// targetColumns are the second sheet's headers: one row per recommended enterprise.
var targetColumns = []struct {
	title string
	width float64
}{
	{"环节", 24}, {"环节位置", 10}, {"企业", 30}, {"统一社会信用代码", 22},
	{"企业类型", 12}, {"推荐理由", 60}, {"引荐链主", 20},
}

var enterpriseKindLabels = map[domain.EnterpriseKind]string{
	domain.EnterpriseLocal: "区内企业", domain.EnterpriseInvestor: "投资方",
	domain.EnterpriseReferrer: "推荐企业", domain.EnterpriseFriendly: "友好合作企业",
	domain.EnterpriseTarget: "目标企业",
}

// maxCellRunes keeps a joined list inside Excel's 32 767-character cell limit.
const maxCellRunes = 30000

// WriteTargetsXLSX writes the recruitment map as a spreadsheet (the chain's target list by
// node): sheet 招商地图 with one row per node — 环节, 环节位置, 状态 (强/补链/缺链), 区内企业,
// 目标企业, 在谈项目 (with the stage), 推荐对接 — and sheet 推荐对接明细 with one row per
// recommended enterprise and the reason. Headers are frozen and filterable; no cell ever
// starts a formula.
func WriteTargetsXLSX(w io.Writer, m *Map) error {
	if m == nil {
		m = Build(Input{}, DefaultThresholds())
	}
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}

	if err := f.SetSheetName("Sheet1", SheetMap); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetTargets); err != nil {
		return err
	}
	title := "产业链招商地图"
	if m.Chain != nil {
		title = chainTitle(m.Chain.Name)
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: safeCell(title), Creator: "chaincrm", Language: "zh-CN"}); err != nil {
		return err
	}
	x.header = x.style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDE6F0"}},
		Alignment: &excelize.Alignment{Vertical: "center", Horizontal: "center", WrapText: true},
		Border:    borders(),
	})
	x.text = x.style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: borders()})
	for d := 0; d <= maxIndent; d++ {
		x.indent = append(x.indent, x.style(&excelize.Style{
			Font:      &excelize.Font{Bold: d == 0},
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true, Indent: d},
			Border:    borders(),
		}))
	}
	x.status = map[Status]int{}
	for s, c := range statusColours {
		x.status[s] = x.style(&excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: strings.ToUpper(c[1])},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.ToUpper(c[0])}},
			Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "center"},
			Border:    borders(),
		})
	}
	if x.err != nil {
		return x.err
	}

	// Sheet 1: the map, one row per node.
	for i, c := range mapColumns {
		col := colName(i)
		x.check(f.SetColWidth(SheetMap, col, col, c.width))
		x.cell(SheetMap, i, 1, c.title, x.header)
	}
	for r, n := range m.Nodes {
		row := r + 2
		x.cell(SheetMap, 0, row, n.Name, x.indent[min(n.Depth, maxIndent)])
		x.cell(SheetMap, 1, row, n.SegmentLabel, x.text)
		st := n.Status.ShortLabel()
		x.cell(SheetMap, 2, row, st, x.status[n.Status])
		x.cell(SheetMap, 3, row, joinCell(n.Enterprises, func(e EnterpriseRef) string {
			if e.ChainMaster {
				return e.Name + "（链主）"
			}
			return e.Name
		}), x.text)
		x.cell(SheetMap, 4, row, joinCell(n.Targets, func(e EnterpriseRef) string { return e.Name }), x.text)
		x.cell(SheetMap, 5, row, joinCell(n.Projects, func(p ProjectRef) string {
			s := p.Name
			if p.Investor != "" && p.Investor != p.Name {
				s += "（" + p.Investor + "）"
			}
			return s + "［" + p.StageLabel + "］"
		}), x.text)
		recs := m.RecommendationsFor(n.ID)
		x.cell(SheetMap, 6, row, joinCell(recs, func(r Recommendation) string { return r.Name + "：" + r.Reason }), x.text)
	}
	last := len(m.Nodes) + 1
	x.check(f.SetPanes(SheetMap, frozenHeader()))
	x.check(f.AutoFilter(SheetMap, "A1:"+colName(len(mapColumns)-1)+strconv.Itoa(last), nil))

	// Sheet 2: every recommendation with its reason.
	for i, c := range targetColumns {
		col := colName(i)
		x.check(f.SetColWidth(SheetTargets, col, col, c.width))
		x.cell(SheetTargets, i, 1, c.title, x.header)
	}
	row := 2
	for _, gr := range m.Summary.Recommendations {
		for _, r := range gr.Enterprises {
			x.cell(SheetTargets, 0, row, gr.NodeName, x.text)
			x.cell(SheetTargets, 1, row, gr.Segment.Label(), x.text)
			x.cell(SheetTargets, 2, row, r.Name, x.text)
			x.cell(SheetTargets, 3, row, r.CreditCode, x.text)
			x.cell(SheetTargets, 4, row, enterpriseKindLabels[r.Kind], x.text)
			x.cell(SheetTargets, 5, row, r.Reason, x.text)
			x.cell(SheetTargets, 6, row, strings.Join(r.ReferredBy, "、"), x.text)
			row++
		}
	}
	x.check(f.SetPanes(SheetTargets, frozenHeader()))
	x.check(f.AutoFilter(SheetTargets, "A1:"+colName(len(targetColumns)-1)+strconv.Itoa(max(row-1, 1)), nil))
	f.SetActiveSheet(0)
	if x.err != nil {
		return x.err
	}
	return f.Write(w)
}

// xlsxWriter keeps the first error so the sheet code reads straight through.
type xlsxWriter struct {
	f            *excelize.File
	err          error
	header, text int
	indent       []int
	status       map[Status]int
}

func (x *xlsxWriter) check(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func (x *xlsxWriter) style(s *excelize.Style) int {
	id, err := x.f.NewStyle(s)
	x.check(err)
	return id
}

// cell writes s as a string (never a formula) with the style.
func (x *xlsxWriter) cell(sheet string, col, row int, s string, style int) {
	if x.err != nil {
		return
	}
	ref := colName(col) + strconv.Itoa(row)
	x.check(x.f.SetCellStr(sheet, ref, safeCell(s)))
	x.check(x.f.SetCellStyle(sheet, ref, ref, style))
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}

func borders() []excelize.Border {
	var out []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		out = append(out, excelize.Border{Type: side, Color: "#C8D0DA", Style: 1})
	}
	return out
}

// colName is the spreadsheet letter of a zero-based column (fewer than 26 here).
func colName(i int) string { return string(rune('A' + i)) }

// joinCell puts one item per line, cut short (with the total) before Excel's cell limit.
func joinCell[T any](items []T, name func(T) string) string {
	var b strings.Builder
	n := 0
	for i, it := range items {
		s := name(it)
		if n+utf8.RuneCountInString(s)+1 > maxCellRunes {
			fmt.Fprintf(&b, "\n……共%d项，其余%d项略", len(items), len(items)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
		n += utf8.RuneCountInString(s) + 1
	}
	return b.String()
}

// safeCell makes a text cell safe to open: characters XML cannot carry are dropped (line
// breaks and tabs stay), and text that a spreadsheet would read as a formula — starting
// with = + - @, a tab or a carriage return — gets a leading apostrophe.
func safeCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	clean := true
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			clean = false
			break
		}
	}
	if !clean {
		var b strings.Builder
		for _, r := range s {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
				continue
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
