package spreadsheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// parseXLSX reads the first sheet of a workbook as a stream of rows.
func parseXLSX(r io.ReaderAt, size int64, lim Limits) (*ParseResult, error) {
	if err := checkZip(r, size, lim); err != nil {
		return nil, err
	}
	if err := checkXMLRuns(r, size, lim); err != nil {
		return nil, err
	}
	var (
		f        *excelize.File
		sheets   []string
		rows     *excelize.Rows
		date1904 bool
	)
	err := guard(func() error {
		var err error
		f, err = excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
			RawCellValue:      true, // dates as serials, numbers as typed, not as formatted
			UnzipSizeLimit:    lim.MaxUnzippedBytes,
			UnzipXMLSizeLimit: min(lim.MaxUnzippedBytes, 4<<20), // larger sheets stream from a temp file
		})
		if err != nil {
			return notSpreadsheet("不是有效的 Excel 工作簿 (not a valid .xlsx workbook)")
		}
		if sheets = f.GetSheetList(); len(sheets) == 0 {
			return notSpreadsheet("工作簿中没有工作表 (the workbook has no sheet)")
		}
		if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
			date1904 = *props.Date1904
		}
		if rows, err = f.Rows(sheets[0]); err != nil {
			return notSpreadsheet("无法读取第一个工作表 (cannot read the first sheet)")
		}
		return nil
	})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	res := &ParseResult{Format: "xlsx", Sheet: sheets[0]}
	p := newImporter(res, lim)
	p.date1904 = date1904
	if err := p.run(&xlsxRows{rows: rows}); err != nil {
		return nil, err
	}
	return res, nil
}

type xlsxRows struct {
	rows *excelize.Rows
	n    int
}

func (x *xlsxRows) next() (n int, cells []string, err error) {
	err = guard(func() error {
		if !x.rows.Next() {
			if err := x.rows.Error(); err != nil {
				return notSpreadsheet("工作表格式错误 (malformed sheet): %v", err)
			}
			return io.EOF
		}
		x.n++
		var err error
		if cells, err = x.rows.Columns(); err != nil {
			return notSpreadsheet("工作表第 %d 行无法读取 (unreadable row %d)", x.n, x.n)
		}
		return nil
	})
	return x.n, cells, err
}

// guard turns a panic inside excelize, which parses hostile input, into a bad-file error
// rather than a crashed request. Only excelize calls run under it, so that a panic in this
// package's own code still fails its tests and fuzzing.
func guard(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = notSpreadsheet("Excel 文件已损坏，无法读取 (corrupt workbook)")
		}
	}()
	return fn()
}

// checkZip looks at the zip's directory before anything is decompressed: the entry count
// (from the end-of-central-directory record, so that a directory of a million entries is
// refused before archive/zip allocates for it), then the declared uncompressed sizes.
// archive/zip refuses to inflate an entry past its declared size, so the declared total is
// a real bound on what excelize can unpack.
func checkZip(r io.ReaderAt, size int64, lim Limits) error {
	n, err := zipEntryCount(r, size)
	if err != nil {
		return notSpreadsheet("文件已损坏，不是有效的 .xlsx (corrupt .xlsx: %v)", err)
	}
	if n > uint64(lim.MaxZipEntries) {
		return tooLarge("压缩包条目过多（%d 个，上限 %d），疑似恶意文件 (too many zip entries)", n, lim.MaxZipEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && err != zip.ErrInsecurePath {
		return notSpreadsheet("文件已损坏，不是有效的 .xlsx (corrupt .xlsx)")
	}
	if len(zr.File) > lim.MaxZipEntries {
		return tooLarge("压缩包条目过多（%d 个，上限 %d），疑似恶意文件 (too many zip entries)", len(zr.File), lim.MaxZipEntries)
	}
	var total uint64
	workbook := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxUnzippedBytes) || zf.UncompressedSize64 > uint64(lim.MaxUnzippedBytes) {
			return tooLarge("解压后超过 %s，疑似压缩炸弹 (uncompressed size over %s)", humanBytes(lim.MaxUnzippedBytes), humanBytes(lim.MaxUnzippedBytes))
		}
		if strings.EqualFold(strings.ReplaceAll(zf.Name, `\`, "/"), "xl/workbook.xml") {
			workbook = true
		}
	}
	if !workbook {
		return notSpreadsheet("压缩包不是 Excel 工作簿 (.xlsx) (a zip, but not an .xlsx workbook)")
	}
	return nil
}

// zipEntryCount reads the total entry count from the end-of-central-directory record
// (or its zip64 form).
func zipEntryCount(r io.ReaderAt, size int64) (uint64, error) {
	const eocdLen, maxComment, locatorLen = 22, 65535, 20
	tail := min(size, eocdLen+maxComment+locatorLen)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	for i >= 0 && len(buf)-i < eocdLen {
		i = bytes.LastIndex(buf[:i], []byte("PK\x05\x06"))
	}
	if i < 0 {
		return 0, fmt.Errorf("no end of central directory")
	}
	eocd := buf[i:]
	n := uint64(binary.LittleEndian.Uint16(eocd[10:12]))
	if n != 0xFFFF && binary.LittleEndian.Uint32(eocd[16:20]) != 0xFFFFFFFF {
		return n, nil
	}
	// zip64: the locator sits just before the EOCD and points at the zip64 record.
	if i < locatorLen || string(buf[i-locatorLen:i-locatorLen+4]) != "PK\x06\x07" {
		return n, nil // not zip64 after all; 65535 entries is still counted
	}
	off := binary.LittleEndian.Uint64(buf[i-locatorLen+8 : i-locatorLen+16])
	if off > uint64(size) || uint64(size)-off < 56 {
		return 0, fmt.Errorf("bad zip64 locator")
	}
	rec := make([]byte, 56)
	if _, err := r.ReadAt(rec, int64(off)); err != nil {
		return 0, err
	}
	if string(rec[:4]) != "PK\x06\x06" {
		return 0, fmt.Errorf("bad zip64 record")
	}
	return binary.LittleEndian.Uint64(rec[32:40]), nil
}

// checkXMLRuns streams every XML entry of the workbook once, before excelize sees it, and
// refuses the file when a run of bytes between two tags (a cell's text, a shared string)
// or inside one (attributes, a CDATA section) is longer than Limits.MaxCellBytes, or the
// shared strings table is larger than Limits.MaxSharedStringsBytes. The scan holds one
// 32 KiB buffer whatever the file: a 190 MB cell is refused after its first 256 KiB.
func checkXMLRuns(r io.ReaderAt, size int64, lim Limits) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && err != zip.ErrInsecurePath {
		return notSpreadsheet("文件已损坏，不是有效的 .xlsx (corrupt .xlsx)")
	}
	buf := make([]byte, 32<<10)
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))
		if !strings.HasSuffix(name, ".xml") && !strings.HasSuffix(name, ".rels") {
			continue
		}
		if name == "xl/sharedstrings.xml" && zf.UncompressedSize64 > uint64(lim.MaxSharedStringsBytes) {
			return tooLarge("共享字符串表解压后超过 %s，文件中的文字过多，请拆分后分批导入 (shared strings over %s)",
				humanBytes(lim.MaxSharedStringsBytes), humanBytes(lim.MaxSharedStringsBytes))
		}
		rc, err := zf.Open()
		if err != nil {
			return notSpreadsheet("文件已损坏，不是有效的 .xlsx (corrupt .xlsx)")
		}
		err = scanRuns(rc, buf, lim.MaxCellBytes)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// scanRuns reads an XML stream and fails at the first run between '<' and '>' (or '>' and
// '<') longer than max bytes.
func scanRuns(rd io.Reader, buf []byte, max int64) error {
	var run int64
	for {
		n, err := rd.Read(buf)
		for _, b := range buf[:n] {
			if b == '<' || b == '>' {
				run = 0
				continue
			}
			if run++; run > max {
				return tooLarge("文件中有单元格内容过长（超过 %s；Excel 单元格最多 32767 个字符），疑似恶意文件，已拒绝 (a cell longer than %s)",
					humanBytes(max), humanBytes(max))
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return notSpreadsheet("文件已损坏，不是有效的 .xlsx (corrupt .xlsx)")
		}
	}
}
