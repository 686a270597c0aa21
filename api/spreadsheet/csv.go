package spreadsheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// parseCSV reads a CSV (or tab-separated text, as Excel's “Unicode 文本” writes it) as a
// stream. The encoding is decided once for the whole file: a UTF-8 or UTF-16 BOM says so;
// otherwise valid UTF-8 is UTF-8 and anything else is GB18030, the superset of GBK that
// Excel on a Chinese Windows writes. Deciding takes one pass over the bytes; reading takes
// a second, so the file is never held in memory as a whole.
func parseCSV(r io.ReaderAt, size int64, lim Limits) (*ParseResult, error) {
	res := &ParseResult{Format: "csv"}
	text, enc, err := decodeText(r, size)
	if err != nil {
		return nil, err
	}
	res.Encoding = enc

	br := bufio.NewReaderSize(text, 64<<10)
	head, _ := br.Peek(64 << 10)
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(head)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	p := newImporter(res, lim)
	if err := p.run(&csvRows{r: cr}); err != nil {
		return nil, err
	}
	return res, nil
}

// decodeText returns a UTF-8 reader over the file and the encoding it found.
func decodeText(r io.ReaderAt, size int64) (io.Reader, string, error) {
	bom := make([]byte, min(size, 3))
	if _, err := r.ReadAt(bom, 0); err != nil && err != io.EOF {
		return nil, "", err
	}
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		return io.NewSectionReader(r, 3, size-3), "utf-8-bom", nil
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}), bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return transform.NewReader(io.NewSectionReader(r, 0, size), dec), "utf-16", nil
	}
	ok, err := validUTF8(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, "", err
	}
	if ok {
		return io.NewSectionReader(r, 0, size), "utf-8", nil
	}
	dec := simplifiedchinese.GB18030.NewDecoder()
	return transform.NewReader(io.NewSectionReader(r, 0, size), dec), "gb18030", nil
}

// validUTF8 reports whether everything r yields is UTF-8, reading in chunks and carrying
// a rune split across a chunk boundary over to the next.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := io.ReadFull(r, buf[carry:])
		n += carry
		end := n
		if err == nil { // more may follow: hold back an incomplete last rune
			for i := 1; i <= utf8.UTFMax && i <= n; i++ {
				if utf8.RuneStart(buf[n-i]) {
					if !utf8.FullRune(buf[n-i : n]) {
						end = n - i
					}
					break
				}
			}
		}
		if !utf8.Valid(buf[:end]) {
			return false, nil
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return true, nil
		default:
			return false, err
		}
		carry = copy(buf, buf[end:n])
	}
}

// sniffDelimiter picks the separator the header line uses most: comma, tab or semicolon.
func sniffDelimiter(head []byte) rune {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	best, bestN := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{'\t', ';'} {
		if n := bytes.Count(line, []byte(string(d))); n > bestN {
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
			// LazyQuotes makes this rare (a quote that never closes, for one).
			return 0, nil, notSpreadsheet("CSV 第 %d 行格式错误 (malformed CSV at line %d)", pe.StartLine, pe.StartLine)
		}
		if err == io.EOF {
			return 0, nil, err
		}
		return 0, nil, notSpreadsheet("无法读取 CSV 文件 (unreadable CSV): %v", err)
	}
	start, _ := c.r.FieldPos(0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.row += 1 + max(0, start-c.endLine-1)
	c.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	return c.row, rec, nil
}
