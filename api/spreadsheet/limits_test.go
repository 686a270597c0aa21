package spreadsheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// zeroDeflate returns a raw deflate stream that inflates to n MiB of zeros, built by
// repeating one flushed block so that a gigabyte costs kilobytes and milliseconds.
func zeroDeflate(t testing.TB, mib int) []byte {
	t.Helper()
	block := zeroBlock()
	var out bytes.Buffer
	for range mib {
		out.Write(block)
	}
	var end bytes.Buffer
	w, _ := flate.NewWriter(&end, flate.BestCompression)
	_ = w.Close() // an empty final block
	out.Write(end.Bytes())
	return out.Bytes()
}

// zeroBlock is 1 MiB of zeros, deflated and sync-flushed: a non-final, self-contained run
// of blocks that may be repeated.
var zeroBlock = sync.OnceValue(func() []byte {
	var block bytes.Buffer
	w, _ := flate.NewWriter(&block, flate.BestCompression)
	w.Write(make([]byte, 1<<20))
	w.Flush()
	return block.Bytes()
})

// craftedXLSX is a real workbook (a header row) whose sheet1.xml is replaced by the given
// raw deflate data, declaring `declared` bytes uncompressed; extra adds that many tiny
// entries.
func craftedXLSX(t testing.TB, sheet []byte, declared uint64, extra int) []byte {
	t.Helper()
	base := xlsxBytes(t, anyRow(stdHeader))
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			w, err := zw.CreateRaw(&zip.FileHeader{
				Name: f.Name, Method: zip.Deflate,
				CompressedSize64: uint64(len(sheet)), UncompressedSize64: declared,
			})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(sheet)
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for i := range extra {
		if _, err := zw.Create(fmt.Sprintf("xl/media/pad%d.bin", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// deflate compresses s as a raw deflate stream.
func deflate(s string) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

const honestSheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c><c r="B1" t="inlineStr"><is><t>投资主体</t></is></c></row></sheetData></worksheet>`

// allocated runs fn and returns the bytes it allocated (the whole process's, so it is an
// upper bound).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestLimits(t *testing.T) {
	okCSV := csvBytes(t, stdHeader, goodRow("甲"))
	var manyRows [][]string
	manyRows = append(manyRows, stdHeader)
	for i := range 11 {
		manyRows = append(manyRows, goodRow(fmt.Sprintf("项目%d", i)), nil)
	}
	tenRows := csvBytes(t, manyRows[:21]...) // 10 data rows and blank rows between
	elevenRows := csvBytes(t, manyRows...)
	template := func() []byte {
		var b bytes.Buffer
		if err := WriteTemplate(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}()
	notXLSXZip := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("readme.txt")
		io.WriteString(w, "hello")
		zw.Close()
		return b.Bytes()
	}()

	tests := []struct {
		name string
		data []byte
		file string
		lim  Limits
		code string // "" for success
	}{
		{"file over the size limit", okCSV, "p.csv", Limits{MaxFileBytes: int64(len(okCSV) - 1)}, domain.ETOOLARGE},
		{"file at the size limit", okCSV, "p.csv", Limits{MaxFileBytes: int64(len(okCSV))}, ""},
		{"crafted workbook, honest sheet", craftedXLSX(t, deflate(honestSheet), uint64(len(honestSheet)), 0), "ok.xlsx", Limits{}, ""},
		{"zip bomb: declared 10 GiB", craftedXLSX(t, zeroDeflate(t, 1), 10<<30, 0), "bomb.xlsx", Limits{}, domain.ETOOLARGE},
		{"zip bomb: declared just over the limit", craftedXLSX(t, zeroDeflate(t, 1), 1<<20+1, 0), "bomb.xlsx", Limits{MaxUnzippedBytes: 1 << 20}, domain.ETOOLARGE},
		{"too many zip entries", craftedXLSX(t, zeroDeflate(t, 1), 1<<20, 1001), "many.xlsx", Limits{}, domain.ETOOLARGE},
		{"entries over a small limit", template, "t.xlsx", Limits{MaxZipEntries: 3}, domain.ETOOLARGE},
		{"template within the limits", template, "t.xlsx", Limits{}, ""},
		{"rows over the limit", elevenRows, "r.csv", Limits{MaxRows: 10}, domain.ETOOLARGE},
		{"rows at the limit, blank rows free", tenRows, "r.csv", Limits{MaxRows: 10}, ""},
		{"not a spreadsheet: PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "p.png", Limits{}, domain.EINVALID},
		{"not a spreadsheet: PNG named .csv", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "p.csv", Limits{}, domain.EINVALID},
		{"not a spreadsheet: text named .xlsx", okCSV, "p.xlsx", Limits{}, domain.EINVALID},
		{"not a spreadsheet: a zip without a workbook", notXLSXZip, "p.xlsx", Limits{}, domain.EINVALID},
		{"not a spreadsheet: truncated xlsx", template[:len(template)/2], "p.xlsx", Limits{}, domain.EINVALID},
		{"not a spreadsheet: legacy .xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "p.xls", Limits{}, domain.EINVALID},
		{"empty .xlsx", nil, "p.xlsx", Limits{}, domain.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = parseBytes(t, tt.data, tt.file, tt.lim) })
			if got := domain.ErrorCode(err); err != nil && got != tt.code || err == nil && tt.code != "" {
				t.Fatalf("err = %v (code %q), want code %q", err, got, tt.code)
			}
			if err != nil && !strings.Contains(domain.ErrorMessage(err), "(") {
				t.Errorf("message %q has no English part", domain.ErrorMessage(err))
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			if tt.code == domain.ETOOLARGE && !IsLimit(err) {
				t.Errorf("IsLimit(%v) = false", err)
			}
		})
	}
}

// TestZipBombThatLies: an entry that declares 1 KiB but inflates to 1 GiB. archive/zip stops
// at the declared size, so whatever excelize makes of the rest, nothing large is allocated.
func TestZipBombThatLies(t *testing.T) {
	bomb := craftedXLSX(t, zeroDeflate(t, 1024), 1024, 0)
	if len(bomb) > 4<<20 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	alloc := allocated(func() {
		res, err := parseBytes(t, bomb, "liar.xlsx", Limits{})
		if err == nil && len(res.Rows) > 0 {
			t.Errorf("rows from a bomb: %+v", res.Rows)
		}
	})
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB for a lying bomb", alloc>>20)
	}
}

// TestZipEntryCount reads the count from the end-of-directory record, before archive/zip
// allocates for the entries.
func TestZipEntryCount(t *testing.T) {
	b := craftedXLSX(t, zeroDeflate(t, 1), 1<<20, 7)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := zipEntryCount(bytes.NewReader(b), int64(len(b)))
	if err != nil || n != uint64(len(zr.File)) || n < 8 {
		t.Errorf("zipEntryCount = %d, %v; want %d", n, err, len(zr.File))
	}
	if _, err := zipEntryCount(bytes.NewReader([]byte("PK\x03\x04 not really")), 16); err == nil {
		t.Error("no error for a zip without a directory")
	}
}

func TestReadProjects(t *testing.T) {
	data := csvBytes(t, stdHeader, goodRow("甲"))
	res, err := ReadProjects(bytes.NewReader(data), "p.csv", Limits{})
	if err != nil || !res.OK() || len(res.Rows) != 1 {
		t.Fatalf("ReadProjects = %+v, %v", res, err)
	}
	_, err = ReadProjects(bytes.NewReader(data), "p.csv", Limits{MaxFileBytes: 10})
	if domain.ErrorCode(err) != domain.ETOOLARGE {
		t.Errorf("err = %v, want ETOOLARGE", err)
	}
}

// TestMaxErrors: every error is counted; past MaxErrors the list ends with one that says
// how many more there are.
func TestMaxErrors(t *testing.T) {
	rows := [][]string{stdHeader}
	for i := range 30 {
		rows = append(rows, with(goodRow(fmt.Sprint(i)), 3, "x"))
	}
	res, err := parseBytes(t, csvBytes(t, rows...), "e.csv", Limits{MaxErrors: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.ErrorCount != 30 || len(res.Errors) != 6 || !strings.Contains(res.Errors[5].Message, "另有 25 处错误") {
		t.Errorf("ErrorCount %d, %d errors:\n%s", res.ErrorCount, len(res.Errors), errorList(res.Errors))
	}
	if e := res.Err(); domain.ErrorCode(e) != domain.EINVALID || len(domain.ErrorFields(e)) == 0 {
		t.Errorf("Err() = %v", e)
	}
}
