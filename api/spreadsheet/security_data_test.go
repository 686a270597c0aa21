package spreadsheet

// Issue 12, finding 5: a 195 KB .xlsx with one 190 MB cell passed the unpacked-size limit
// and took the server from 82 MB to 1.1 GB. Every run of XML text is now bounded before
// excelize parses anything.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// runDeflate is a raw deflate stream of prefix, then mib MiB of the letter A, then suffix,
// built from sync-flushed pieces so that 190 MiB cost milliseconds.
func runDeflate(prefix string, mib int, suffix string) []byte {
	piece := func(s []byte, final bool) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		w.Write(s)
		if final {
			w.Close()
		} else {
			w.Flush()
		}
		return b.Bytes()
	}
	block := piece(bytes.Repeat([]byte("A"), 1<<20), false)
	var out bytes.Buffer
	out.Write(piece([]byte(prefix), false))
	for range mib {
		out.Write(block)
	}
	out.Write(piece([]byte(suffix), true))
	return out.Bytes()
}

// hugeCellXLSX is the file: a workbook whose second row holds one cell of mib MiB.
func hugeCellXLSX(t testing.TB, mib int) []byte {
	prefix := strings.TrimSuffix(honestSheet, `</sheetData></worksheet>`) + `<row r="2"><c r="A2" t="inlineStr"><is><t>`
	suffix := `</t></is></c></row></sheetData></worksheet>`
	return craftedXLSX(t, runDeflate(prefix, mib, suffix), uint64(len(prefix)+mib<<20+len(suffix)), 0)
}

func TestSecurityDataHugeCellRefused(t *testing.T) {
	b := hugeCellXLSX(t, 190)
	if len(b) > 400<<10 {
		t.Fatalf("the crafted file is %d bytes", len(b))
	}
	var err error
	alloc := allocated(func() { _, err = ParseProjects(bytes.NewReader(b), int64(len(b)), "big.xlsx", Limits{}) })
	if !IsLimit(err) || !strings.Contains(domain.ErrorMessage(err), "单元格内容过长") {
		t.Fatalf("want a too-large error naming the cell, got %v", err)
	}
	if alloc > 16<<20 {
		t.Errorf("refusing the file allocated %d MiB", alloc>>20)
	}
}

// A shared string past the cell limit, and a shared strings table past its own limit, are
// refused; a cell of Excel's full 32 767 CJK characters still reads (and its field is too
// long, a row error).
func TestSecurityDataSharedStrings(t *testing.T) {
	long := strings.Repeat("长", 100_000) // 300 KB of UTF-8, past Excel's own limit
	f := openXLSX(t, xlsxBytes(t, anyRow(stdHeader), anyRow(goodRow("甲"))))
	sh := f.GetSheetName(0)
	f.SetCellStr(sh, "A2", "甲") // excelize writes strings to xl/sharedStrings.xml
	b := withEntry(t, saveXLSX(t, f), "xl/sharedStrings.xml",
		`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`+long+`</t></si></sst>`)
	if _, err := parseBytes(t, b, "s.xlsx", Limits{}); !IsLimit(err) {
		t.Errorf("a 300 KB shared string: %v", err)
	}
	if _, err := parseBytes(t, xlsxBytes(t, anyRow(stdHeader), anyRow(goodRow("甲"))), "ok.xlsx", Limits{MaxSharedStringsBytes: 100}); !IsLimit(err) {
		t.Errorf("shared strings past their limit: %v", err)
	}
	f = openXLSX(t, xlsxBytes(t, anyRow(stdHeader), anyRow(goodRow("甲"))))
	f.SetCellStr(sh, "A2", strings.Repeat("长", 32767))
	res, err := parseBytes(t, saveXLSX(t, f), "max.xlsx", Limits{})
	if err != nil {
		t.Fatalf("Excel's largest cell: %v", err)
	}
	if res.OK() || res.Errors[0].Row != 2 {
		t.Errorf("want a row error for the over-long name: %+v", res.Errors)
	}
}

// withEntry is the workbook b with the entry name's content replaced (or added).
func withEntry(t testing.TB, b []byte, name, content string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create(name)
	w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
