package spreadsheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// rowReader yields a sheet's rows in order. Row numbers are the spreadsheet's own (1 for
// the first row), so blank rows in between show as gaps or as empty cell lists.
type rowReader interface {
	next() (row int, cells []string, err error) // io.EOF after the last row
}

// headerScan is how many non-blank rows may precede the header: people put a title such as
// “2024年招商项目台账” above the table, and the header is still easy to find.
const headerScan = 10

// importer turns rows into ProjectRows and RowErrors; it is the part both formats share.
type importer struct {
	lim      Limits
	res      *ParseResult
	date1904 bool
	col      [numFields]int // cell index of each field, -1 when the column is absent
	header   bool           // the header row has been found
	pending  []pendingRow   // non-blank rows seen while looking for the header
	seen     map[string]int // name + investor → first row
}

type pendingRow struct {
	row   int
	cells []string
}

func newImporter(res *ParseResult, lim Limits) *importer {
	p := &importer{lim: lim, res: res, seen: map[string]int{}}
	for i := range p.col {
		p.col[i] = -1
	}
	return p
}

// run reads every row. The only errors it returns are limits and unreadable files; the
// file's content problems go into the result.
func (p *importer) run(rr rowReader) error {
	for {
		n, cells, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		if !p.header {
			p.pending = append(p.pending, pendingRow{n, cloneCells(cells)})
			if knownHeaders(cells) >= 2 {
				p.setHeader(n, cells)
			} else if len(p.pending) >= headerScan {
				p.fallbackHeader()
			}
			continue
		}
		if err := p.dataRow(n, cells); err != nil {
			return err
		}
	}
	if !p.header {
		if len(p.pending) == 0 {
			p.addError(1, "", "文件为空，第一行应为表头 (empty file; the first row must be the header)")
			return nil
		}
		p.fallbackHeader()
	}
	p.finish()
	return nil
}

// fallbackHeader takes the first non-blank row as the header when none looked like one,
// so that the errors name the missing columns; later rows are then read as data.
func (p *importer) fallbackHeader() {
	rows := p.pending
	p.pending = nil
	p.setHeader(rows[0].row, rows[0].cells)
	for _, r := range rows[1:] {
		_ = p.dataRow(r.row, r.cells) // at most headerScan rows: never past a limit
	}
}

func knownHeaders(cells []string) int {
	n := 0
	for _, c := range cells {
		if _, ok := headerIndex[headerKey(c)]; ok {
			n++
		}
	}
	return n
}

func (p *importer) setHeader(row int, cells []string) {
	p.header = true
	p.pending = nil
	for i, c := range cells {
		h := strings.TrimSpace(c)
		if h == "" {
			continue
		}
		f, ok := headerIndex[headerKey(h)]
		switch {
		case !ok:
			p.res.Ignored = append(p.res.Ignored, h)
		case p.col[f] >= 0:
			p.addError(row, h, fmt.Sprintf("重复的列：与第 %s 列「%s」相同 (duplicate column)", colName(p.col[f]), p.res.headers[f]))
		default:
			p.col[f] = i
			p.res.headers[f] = h
		}
	}
	for f, c := range columns {
		if c.required && p.col[f] < 0 {
			p.addError(row, c.zh, fmt.Sprintf("缺少必需的列「%s」(missing required column %s)", c.zh, c.key))
		}
	}
}

// dataRow reads one non-blank row after the header.
func (p *importer) dataRow(n int, cells []string) error {
	if len(p.res.Rows) >= p.lim.MaxRows {
		return tooLarge("数据行数超过上限 %d 行 (more than %d rows)", p.lim.MaxRows, p.lim.MaxRows)
	}
	get := func(f field) string {
		i := p.col[f]
		if i < 0 || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(unguard(strings.TrimSpace(cells[i])))
	}
	var msg [numFields]string
	fail := func(f field, m string) {
		if msg[f] == "" {
			msg[f] = m
		}
	}

	in := domain.ProjectInput{
		Name:               get(fName),
		Investor:           get(fInvestor),
		InvestorCreditCode: narrow(get(fCreditCode)),
		Owner:              get(fOwner),
		Notes:              get(fNotes),
	}
	var m string
	if in.Channel, m = parseChannel(get(fChannel)); m != "" {
		fail(fChannel, m)
	}
	if in.AssetType, m = parseAsset(get(fAssetType)); m != "" {
		fail(fAssetType, m)
	}
	if in.Stage, m = parseStage(get(fStage)); m != "" {
		fail(fStage, m)
	}
	if in.Chain, m = parseChain(get(fChain)); m != "" {
		fail(fChain, m)
	}
	if s := get(fPlanned); s == "" {
		fail(fPlanned, "必填，单位万元，可填 0 (required; in 10k yuan, 0 allowed)")
	} else {
		v, m := parseAmount(s, 4, "万元", "万")
		in.PlannedInvestment = domain.Money(v)
		if m != "" {
			fail(fPlanned, m)
		}
	}
	if s := get(fLand); s != "" {
		v, m := parseAmount(s, 2, "亩")
		in.LandArea = domain.Area(v)
		if m != "" {
			fail(fLand, m)
		}
	}
	if in.DockedAt, m = parseDate(get(fDocked), p.date1904); m != "" {
		fail(fDocked, m)
	}
	if in.SignedAt, m = parseDate(get(fSigned), p.date1904); m != "" {
		fail(fSigned, m)
	}

	in.Normalize()
	for key, why := range domain.ErrorFields(in.Validate()) {
		f := fieldByKey(key)
		if f < 0 {
			continue // a field the import does not carry; cannot be wrong here
		}
		fail(f, why)
	}
	if in.Name != "" && in.Investor != "" {
		k := in.Name + "\x00" + in.Investor
		if first, ok := p.seen[k]; ok {
			fail(fName, fmt.Sprintf("与第 %d 行重复：项目名称和投资主体都相同 (duplicate of row %d)", first, first))
		} else {
			p.seen[k] = n
		}
	}

	for f, why := range msg {
		if why == "" {
			continue
		}
		if p.col[f] < 0 && columns[f].required {
			continue // reported once, as a missing column
		}
		p.addError(n, p.res.Header(columns[f].key), why)
	}
	p.res.Rows = append(p.res.Rows, ProjectRow{Row: n, Input: in})
	return nil
}

func fieldByKey(key string) field {
	for i, c := range columns {
		if c.key == key {
			return field(i)
		}
	}
	return -1
}

func (p *importer) addError(row int, col, msg string) {
	p.res.ErrorCount++
	if len(p.res.Errors) < p.lim.MaxErrors {
		p.res.Errors = append(p.res.Errors, RowError{Row: row, Column: col, Message: msg})
	}
}

func (p *importer) finish() {
	if more := p.res.ErrorCount - len(p.res.Errors); more > 0 {
		p.res.Errors = append(p.res.Errors, RowError{
			Message: fmt.Sprintf("另有 %d 处错误未列出，请先修正以上错误 (%d more errors not listed)", more, more),
		})
	}
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cloneCells copies a row that outlives the reader's buffer (CSV reuses its record).
func cloneCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.Clone(c)
	}
	return out
}

// colName is the spreadsheet letter of a zero-based column index (0 → A, 26 → AA).
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
