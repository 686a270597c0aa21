package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// validCode is a unified social credit code with a correct check character.
var validCode = func() string {
	const p = "91130630MA0ABCDE1"
	return p + string(domain.CreditCodeCheckChar(p))
}()

var stdHeader = []string{"项目名称", "投资主体", "统一社会信用代码", "招商渠道", "产业链", "资产类型",
	"计划投资(万元)", "占地面积(亩)", "阶段", "对接日期", "签约日期", "负责人", "备注"}

// goodRow is a valid data row for stdHeader; with(i, v) variants make bad ones.
func goodRow(name string) []string {
	return []string{name, "河北誉柯半导体有限公司", validCode, "以商招商", "第三代半导体", "重资产",
		"38,000", "120.5", "项目识别", "2022-03-01", "2022-06-30", "recruiter1", "备注"}
}

func with(row []string, col int, v string) []string {
	out := append([]string(nil), row...)
	out[col] = v
	return out
}

func csvBytes(t testing.TB, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xlsxBytes writes rows into the first sheet; a string cell is text, a float64 or int is a
// number, and a dateSerial is a number formatted as a date, as Excel stores a typed date.
type dateSerial float64

func xlsxBytes(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			switch v := v.(type) {
			case nil:
			case dateSerial:
				_ = f.SetCellFloat("Sheet1", cell, float64(v), -1, 64)
				_ = f.SetCellStyle("Sheet1", cell, cell, dateStyle)
			case string:
				_ = f.SetCellStr("Sheet1", cell, v)
			default:
				_ = f.SetCellValue("Sheet1", cell, v)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func anyRow(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func parseBytes(t testing.TB, b []byte, name string, lim Limits) (*ParseResult, error) {
	t.Helper()
	return ParseProjects(bytes.NewReader(b), int64(len(b)), name, lim)
}

func mustParse(t testing.TB, b []byte, name string) *ParseResult {
	t.Helper()
	res, err := parseBytes(t, b, name, Limits{})
	if err != nil {
		t.Fatalf("ParseProjects(%s): %v", name, err)
	}
	return res
}

func mustClean(t testing.TB, b []byte, name string) *ParseResult {
	t.Helper()
	res := mustParse(t, b, name)
	if !res.OK() {
		t.Fatalf("ParseProjects(%s): unexpected errors:\n%s", name, errorList(res.Errors))
	}
	return res
}

func errorList(errs []RowError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  row %d %q: %s\n", e.Row, e.Column, e.Message)
	}
	return b.String()
}

func openXLSX(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func saveXLSX(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
