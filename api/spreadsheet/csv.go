package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// parseCSV reads a CSV (or tab-separated text, as Excel's “Unicode 文本” writes it). The
// encoding is decided once for the whole file: a UTF-8 or UTF-16 BOM says so; otherwise
// valid UTF-8 is UTF-8 and anything else is GB18030, the superset of GBK that Excel on a
// Chinese Windows writes.
func parseCSV(b []byte, lim Limits) (*ParseResult, error) {
	res := &ParseResult{Format: "csv"}
	text, enc, err := decodeText(b)
	if err != nil {
		return nil, notSpreadsheet("无法识别文件编码 (unrecognised text encoding)")
	}
	res.Encoding = enc

	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	p := newImporter(res, lim)
	if err := p.run(&csvRows{r: r}); err != nil {
		return nil, err
	}
	return res, nil
}

func decodeText(b []byte) (text, encoding string, err error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return string(b[3:]), "utf-8-bom", nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(b)
		return string(out), "utf-16", err
	case utf8.Valid(b):
		return string(b), "utf-8", nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	return string(out), "gb18030", err
}

// sniffDelimiter picks the separator the header line uses most: comma, tab or semicolon.
func sniffDelimiter(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	best, bestN := ',', strings.Count(line, ",")
	for _, d := range []rune{'\t', ';'} {
		if n := strings.Count(line, string(d)); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// csvRows numbers records as a spreadsheet program shows them: one row per record, a
// quoted field's line breaks staying inside its row, and blank lines (which encoding/csv
// skips) counting as empty rows.
type csvRows struct {
	r       *csv.Reader
	row     int // spreadsheet row of the last record
	endLine int // text line on which the last record ended
}

func (c *csvRows) next() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// LazyQuotes makes this rare; a broken record still must not abort the
			// whole report, so treat what follows as unreadable.
			return 0, nil, notSpreadsheet("CSV 第 %d 行格式错误 (malformed CSV at line %d)", pe.StartLine, pe.StartLine)
		}
		return 0, nil, err
	}
	start, _ := c.r.FieldPos(0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.row += 1 + max(0, start-c.endLine-1)
	c.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	return c.row, rec, nil
}
