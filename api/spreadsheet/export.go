package spreadsheet

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// formulaStarts are the first characters that make Excel, WPS or LibreOffice treat typed
// text as a formula (or, for tab and CR, let a CSV re-export start one). Exported text that
// begins with one gets a leading apostrophe (OWASP “CSV injection”); the import removes it.
const formulaStarts = "=+-@\t\r"

// Guard returns s safe to put in a cell: control characters that XML cannot carry are
// dropped, and text that would start a formula is prefixed with an apostrophe.
func Guard(s string) string {
	s = strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Column is one column of an exported table: its header and its width in Excel character
// units (a Chinese character takes about two).
type Column struct {
	Header string
	Width  float64
}

// TableWriter streams one sheet: a bold, frozen header row, then rows whose cells are typed
// by their Go value — string (guarded), domain.Money (a number in 万元), domain.Area (a
// number in 亩), domain.Date (a real date), int/int64/float64 (a number), nil (empty). Rows
// go to a temporary file past 16 MiB, so the sheet never sits in memory whole; only the
// compressed workbook is buffered at Close (excelize builds the zip in memory).
type TableWriter struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	ncol   int
	row    int
	closed bool
	style  styles
}

type styles struct {
	header, text, date, wanInt, wanDec, muInt, muDec, num int
}

// NewTableWriter starts a workbook with one sheet of the given name and columns; Close
// writes it to w.
func NewTableWriter(w io.Writer, sheet string, cols []Column) (*TableWriter, error) {
	f := excelize.NewFile()
	t := &TableWriter{w: w, f: f, ncol: len(cols)}
	if err := t.start(sheet, cols); err != nil {
		_ = f.Close()
		return nil, err
	}
	return t, nil
}

func (t *TableWriter) start(sheet string, cols []Column) error {
	if err := t.f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	var err error
	if t.style, err = newStyles(t.f); err != nil {
		return err
	}
	if t.sw, err = t.f.NewStreamWriter(sheet); err != nil {
		return err
	}
	for i, c := range cols {
		if c.Width > 0 {
			if err := t.sw.SetColWidth(i+1, i+1, c.Width); err != nil {
				return err
			}
		}
	}
	if err := t.sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: t.style.header, Value: Guard(c.Header)}
	}
	t.row = 1
	return t.sw.SetRow("A1", header, excelize.RowOpts{Height: 22})
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	add := func(dst *int, st *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(st)
		}
	}
	numFmt := func(code string) *excelize.Style {
		return &excelize.Style{CustomNumFmt: &code, Alignment: &excelize.Alignment{Vertical: "top"}}
	}
	add(&s.header, &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
	})
	add(&s.text, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	add(&s.date, numFmt("yyyy-mm-dd"))
	add(&s.wanInt, numFmt("#,##0"))
	add(&s.wanDec, numFmt("#,##0.00##"))
	add(&s.muInt, numFmt("#,##0"))
	add(&s.muDec, numFmt("#,##0.0#"))
	add(&s.num, numFmt("0"))
	return s, err
}

// AddRow writes the next row; see TableWriter for how values become cells.
func (t *TableWriter) AddRow(values ...any) error {
	if t.closed {
		return fmt.Errorf("spreadsheet: AddRow after Close")
	}
	if len(values) > t.ncol {
		return fmt.Errorf("spreadsheet: %d values for %d columns", len(values), t.ncol)
	}
	cells := make([]any, len(values))
	for i, v := range values {
		c, err := t.cell(v)
		if err != nil {
			return fmt.Errorf("spreadsheet: column %d: %w", i+1, err)
		}
		cells[i] = c
	}
	t.row++
	return t.sw.SetRow(fmt.Sprintf("A%d", t.row), cells)
}

func (t *TableWriter) cell(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		return excelize.Cell{StyleID: t.style.text, Value: Guard(v)}, nil
	case domain.Money:
		st := t.style.wanInt
		if v%10000 != 0 {
			st = t.style.wanDec
		}
		// float64(v)/1e4 is the double nearest the exact 万元 amount, and excelize writes
		// the shortest text that reads back as that double: "1.2345", not a binary tail.
		return excelize.Cell{StyleID: st, Value: float64(v) / 1e4}, nil
	case domain.Area:
		st := t.style.muInt
		if v%100 != 0 {
			st = t.style.muDec
		}
		return excelize.Cell{StyleID: st, Value: float64(v) / 100}, nil
	case domain.Date:
		if v.IsZero() {
			return nil, nil
		}
		return excelize.Cell{StyleID: t.style.date, Value: excelSerial(v)}, nil
	case time.Time:
		if v.IsZero() {
			return nil, nil
		}
		return t.cell(domain.NewDate(v.Year(), v.Month(), v.Day()))
	case int:
		return excelize.Cell{StyleID: t.style.num, Value: v}, nil
	case int64:
		return excelize.Cell{StyleID: t.style.num, Value: v}, nil
	case float64:
		return v, nil
	case bool:
		if v {
			return excelize.Cell{StyleID: t.style.text, Value: "是"}, nil
		}
		return excelize.Cell{StyleID: t.style.text, Value: "否"}, nil
	case fmt.Stringer:
		return t.cell(v.String())
	}
	return nil, fmt.Errorf("unsupported cell type %T", v)
}

// Rows returns how many data rows have been written.
func (t *TableWriter) Rows() int { return max(0, t.row-1) }

// Close finishes the workbook and writes it to w. It must be called exactly once; the
// temporary files are removed even when writing fails.
func (t *TableWriter) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	err := t.sw.Flush()
	if err == nil {
		_, err = t.f.WriteTo(t.w)
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ProjectHeaders are the export's headers: the import's canonical Chinese headers, in the
// contract's order, so that an export re-imports unchanged.
func ProjectHeaders() []string {
	h := make([]string, numFields)
	for i, c := range columns {
		h[i] = c.zh
	}
	return h
}

func projectColumns() []Column {
	cols := make([]Column, numFields)
	for i, c := range columns {
		cols[i] = Column{Header: c.zh, Width: c.width}
	}
	return cols
}

// ProjectExporter streams projects in the import format. Enum values are written as their
// Chinese labels, amounts as numbers in 万元, dates as dates.
type ProjectExporter struct {
	t *TableWriter
}

// NewProjectExporter starts an export to w; call Add for each project, then Close.
func NewProjectExporter(w io.Writer) (*ProjectExporter, error) {
	t, err := NewTableWriter(w, "招商项目", projectColumns())
	if err != nil {
		return nil, err
	}
	return &ProjectExporter{t: t}, nil
}

// Add writes one project. Its investor's credit code is not part of domain.Project; use
// AddWithCreditCode where the caller has it.
func (e *ProjectExporter) Add(p *domain.Project) error { return e.AddWithCreditCode(p, "") }

// AddWithCreditCode writes one project with its investor's unified social credit code.
func (e *ProjectExporter) AddWithCreditCode(p *domain.Project, creditCode string) error {
	row := make([]any, numFields)
	row[fName] = p.Name
	row[fInvestor] = p.Investor
	row[fCreditCode] = creditCode
	row[fChannel] = p.Channel.Label()
	if p.Chain != nil {
		row[fChain] = chainLabel(*p.Chain)
	}
	row[fAssetType] = p.AssetType.Label()
	row[fPlanned] = p.PlannedInvestment
	if p.LandArea != 0 {
		row[fLand] = p.LandArea
	}
	row[fStage] = p.Stage.Label()
	row[fDocked] = p.DockedAt
	row[fSigned] = p.SignedAt
	row[fOwner] = p.Owner
	row[fNotes] = p.Notes
	return e.t.AddRow(row...)
}

// Rows returns how many projects have been written.
func (e *ProjectExporter) Rows() int { return e.t.Rows() }

// Close finishes the workbook and writes it out.
func (e *ProjectExporter) Close() error { return e.t.Close() }

// activityKindNames are the Chinese labels of activity kinds (domain/enums.go comments).
var activityKindNames = map[domain.ActivityKind]string{
	domain.ActivityVisit:        "外出拜访",
	domain.ActivityReception:    "来访接待",
	domain.ActivityMeeting:      "洽谈",
	domain.ActivityCall:         "电话",
	domain.ActivityServiceVisit: "跟踪服务",
}

// ActivityKindLabel is the Chinese label of k, or k itself when unknown.
func ActivityKindLabel(k domain.ActivityKind) string {
	if s, ok := activityKindNames[k]; ok {
		return s
	}
	return string(k)
}

var activityColumns = []Column{
	{"项目", 32}, {"类型", 10}, {"日期", 12}, {"地点", 16}, {"我方人员", 18}, {"对方人员", 18},
	{"内容摘要", 48}, {"下一步", 32}, {"下一步期限", 12}, {"记录人", 12},
}

// ActivityExporter streams activities (走访、接待、洽谈记录) with the project they belong to.
type ActivityExporter struct {
	t *TableWriter
}

// NewActivityExporter starts an export to w; call Add for each activity, then Close.
func NewActivityExporter(w io.Writer) (*ActivityExporter, error) {
	t, err := NewTableWriter(w, "活动记录", activityColumns)
	if err != nil {
		return nil, err
	}
	return &ActivityExporter{t: t}, nil
}

// Add writes one activity; projectName is shown in the 项目 column, since an activity
// carries only its project's id.
func (e *ActivityExporter) Add(projectName string, a *domain.Activity) error {
	return e.t.AddRow(projectName, ActivityKindLabel(a.Kind), a.OccurredAt, a.Place, a.OurPeople,
		a.TheirPeople, a.Summary, a.NextStep, a.NextDue, a.Author)
}

// Rows returns how many activities have been written.
func (e *ActivityExporter) Rows() int { return e.t.Rows() }

// Close finishes the workbook and writes it out.
func (e *ActivityExporter) Close() error { return e.t.Close() }
