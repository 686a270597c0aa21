// Package spreadsheet moves projects between chaincrm and the zone's spreadsheets.
//
// The zone keeps its investment pipeline in Excel, so the import has to read what people
// actually save: .xlsx from any Excel or WPS, and CSV in UTF-8 (with or without a BOM) or
// in GBK/GB18030 as Excel on a Chinese Windows writes it. Headers may be Chinese or English
// in any order; dates may be Excel serials or typed text; amounts may carry thousands
// separators. Parsing is pure — no database — and reports every problem at once, by the
// row number the user sees and the header text the user wrote, because the import is all or
// nothing and a user fixing a file wants the whole list.
//
// Uploads are untrusted: ParseProjects checks the file size, the zip directory (entry count
// and declared uncompressed size, which archive/zip enforces while reading) and the row
// count before and while parsing, and reads the sheet as a stream, so memory stays bounded.
//
// The export side (ProjectExporter, ActivityExporter, TableWriter) writes the same headers,
// so an export re-imports unchanged, and guards every text cell against formula injection.
package spreadsheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Limits bound what an upload may cost before and while it is parsed. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	MaxFileBytes     int64 // the upload itself
	MaxUnzippedBytes int64 // sum of the declared uncompressed sizes of an .xlsx's entries
	MaxZipEntries    int   // entries in an .xlsx's zip directory
	MaxRows          int   // non-blank data rows, header excluded
	MaxErrors        int   // row errors kept; past it one closing error says how many more
	// MaxCellBytes bounds every run of XML between two tags of an .xlsx (a cell's text, a
	// shared string, an attribute list): Excel itself holds at most 32 767 characters in a
	// cell, so a longer run is a hostile file, refused before anything is parsed (issue 12:
	// one 190 MB cell in a 195 KB file took the server to 1.1 GB).
	MaxCellBytes int64
	// MaxSharedStringsBytes bounds xl/sharedStrings.xml, which excelize reads whole into
	// memory (the sheet itself streams from a temporary file).
	MaxSharedStringsBytes int64
}

// DefaultLimits are generous for a county zone's pipeline (a few thousand rows) and still
// keep a hostile upload cheap.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:     20 << 20,
		MaxUnzippedBytes: 200 << 20,
		MaxZipEntries:    1000,
		MaxRows:          100_000,
		MaxErrors:        10_000,
		// 32 767 characters of 3-byte UTF-8, with room for escapes
		MaxCellBytes:          256 << 10,
		MaxSharedStringsBytes: 48 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxUnzippedBytes <= 0 {
		l.MaxUnzippedBytes = d.MaxUnzippedBytes
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = d.MaxZipEntries
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxErrors <= 0 {
		l.MaxErrors = d.MaxErrors
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = d.MaxCellBytes
	}
	if l.MaxSharedStringsBytes <= 0 {
		l.MaxSharedStringsBytes = d.MaxSharedStringsBytes
	}
	return l
}

// ProjectRow is one data row of an import: the spreadsheet's own row number (header = 1)
// and what it asks for. Input has been normalised; Input.Stage is never empty.
type ProjectRow struct {
	Row   int                 `json:"row"`
	Input domain.ProjectInput `json:"input"`
}

// RowError is one problem in an import file. Column is the header as the file wrote it
// (or, for a missing column, the Chinese header it should have); Message is Chinese first,
// English in brackets. Row 1 is the header row.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

func (e RowError) String() string {
	return fmt.Sprintf("第 %d 行「%s」：%s", e.Row, e.Column, e.Message)
}

// ParseResult is what a file holds. When Errors is non-empty the file must not be applied:
// Rows then holds the rows as far as they could be read, for a preview only.
type ParseResult struct {
	Format   string       `json:"format"`             // "xlsx" or "csv"
	Encoding string       `json:"encoding,omitempty"` // CSV only: "utf-8", "utf-8-bom", "utf-16" or "gb18030"
	Sheet    string       `json:"sheet,omitempty"`
	Rows     []ProjectRow `json:"rows"`
	Errors   []RowError   `json:"errors"`
	// ErrorCount counts every error found, including those past Limits.MaxErrors.
	ErrorCount int `json:"error_count"`
	// Ignored lists header cells that name no known column; they are read past silently
	// so that a sheet with an extra 序号 or 联系人 column still imports.
	Ignored []string `json:"ignored_columns,omitempty"`

	headers [numFields]string // as written, "" when the column is absent
}

// OK reports whether the file may be applied.
func (r *ParseResult) OK() bool { return r.ErrorCount == 0 }

// Header returns the header text the file used for a ProjectInput JSON field name
// ("owner", "chain", ...), or the canonical Chinese header when the column is absent. The
// API uses it to report its own row errors (an unknown owner) against the user's column.
func (r *ParseResult) Header(field string) string {
	for i, c := range columns {
		if c.key == field {
			if r.headers[i] != "" {
				return r.headers[i]
			}
			return c.zh
		}
	}
	return field
}

// Err returns nil for a clean file, else an EINVALID error whose Fields list the first
// problems as "第 N 行 列名" → reason; handlers that speak the import contract should send
// Errors itself instead.
func (r *ParseResult) Err() error {
	if r.OK() {
		return nil
	}
	fe := domain.FieldErrors{}
	for i, e := range r.Errors {
		if i == 50 {
			break
		}
		fe.Add(fmt.Sprintf("第 %d 行 %s", e.Row, e.Column), e.Message)
	}
	return &domain.Error{
		Code:    domain.EINVALID,
		Message: fmt.Sprintf("导入文件有 %d 处错误，未写入任何数据 (%d errors in the file; nothing written)", r.ErrorCount, r.ErrorCount),
		Fields:  fe,
	}
}

// ParseProjects reads an import file of the contract's format. The format comes from the
// content (a zip is an .xlsx, text is a CSV), with filename's extension as a tie-breaker
// and to refuse an .xls. It returns an *domain.Error with ETOOLARGE for a file past a
// limit, EINVALID for one that is not a spreadsheet, and otherwise a result whose Errors
// list every problem in the file.
func ParseProjects(r io.ReaderAt, size int64, filename string, lim Limits) (*ParseResult, error) {
	lim = lim.withDefaults()
	if size > lim.MaxFileBytes {
		return nil, tooLarge("文件过大，最大 %s (file larger than %s)", humanBytes(lim.MaxFileBytes), humanBytes(lim.MaxFileBytes))
	}
	if size < 0 {
		return nil, notSpreadsheet("无法读取文件 (unreadable file)")
	}
	head := make([]byte, min(size, 8192))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return nil, fmt.Errorf("spreadsheet: read header: %w", err)
	}
	switch sniff(head, filename) {
	case kindXLSX:
		return parseXLSX(r, size, lim)
	case kindCSV:
		return parseCSV(r, size, lim)
	case kindXLS:
		return nil, notSpreadsheet("不支持旧版 .xls 或加密的工作簿，请在 Excel 中另存为 .xlsx 或 CSV 后再导入 (legacy .xls or encrypted workbooks are not supported; save as .xlsx or CSV)")
	}
	return nil, notSpreadsheet("不是 Excel (.xlsx) 或 CSV 文件 (not an .xlsx or CSV file)")
}

// ReadProjects is ParseProjects for a stream (the CLI's file, stdin): it reads at most
// Limits.MaxFileBytes into memory first.
func ReadProjects(r io.Reader, filename string, lim Limits) (*ParseResult, error) {
	lim = lim.withDefaults()
	b, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("spreadsheet: read: %w", err)
	}
	return ParseProjects(bytes.NewReader(b), int64(len(b)), filename, lim)
}

func tooLarge(format string, args ...any) error {
	return domain.Errorf(domain.ETOOLARGE, format, args...)
}

func notSpreadsheet(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}

// IsLimit reports whether err is a limit error (ETOOLARGE) from this package or another.
func IsLimit(err error) bool {
	var e *domain.Error
	return errors.As(err, &e) && e.Code == domain.ETOOLARGE
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

type fileKind int

const (
	kindUnknown fileKind = iota
	kindXLSX
	kindCSV
	kindXLS
)

// sniff decides by content first: the extension is what a user chose, the bytes are what
// the file is.
func sniff(head []byte, filename string) fileKind {
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindXLSX
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return kindXLS
	case ext == ".xlsx" || ext == ".xlsm" || ext == ".xls":
		return kindUnknown // named a workbook, is not one
	case looksLikeText(head):
		return kindCSV
	}
	return kindUnknown
}

// looksLikeText accepts UTF-8, UTF-16 with a BOM, and GBK/GB18030 text; it refuses
// anything with NUL bytes or many control characters (images, PDFs, executables).
func looksLikeText(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	ctrl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctrl++
		}
	}
	return ctrl*100 <= len(head) // at most 1%
}
