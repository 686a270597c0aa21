package spreadsheet

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// checkResult holds for any input: either a domain error with a code the API maps, or a
// result whose rows and errors are consistent.
func checkResult(t *testing.T, res *ParseResult, err error) {
	t.Helper()
	if err != nil {
		if c := domain.ErrorCode(err); c != domain.EINVALID && c != domain.ETOOLARGE {
			t.Fatalf("error with code %q: %v", c, err)
		}
		return
	}
	if res.ErrorCount < len(res.Errors)-1 || (res.ErrorCount == 0) != (len(res.Errors) == 0) {
		t.Fatalf("ErrorCount %d with %d errors", res.ErrorCount, len(res.Errors))
	}
	prev := 0
	for _, r := range res.Rows {
		if r.Row <= prev {
			t.Fatalf("row numbers not increasing: %d after %d", r.Row, prev)
		}
		prev = r.Row
		if !r.Input.Stage.Valid() && res.OK() {
			t.Fatalf("row %d: invalid stage %q in a clean result", r.Row, r.Input.Stage)
		}
	}
	if res.OK() {
		for _, r := range res.Rows {
			in := r.Input
			if err := in.Validate(); err != nil {
				t.Fatalf("row %d passed the parser but not Validate: %v", r.Row, err)
			}
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	text := csvBytes(f, stdHeader, goodRow("碳化硅衬底项目"), with(goodRow("乙"), 9, "2024年1月5日"))
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes(text)
	f.Add(text)
	f.Add(gbk)
	f.Add(append([]byte("\xEF\xBB\xBF"), text...))
	f.Add([]byte("name,investor,channel,asset_type,planned_investment_wan,docked_at\n甲,乙,\"“资源+”招商\",轻,\"1,200.5\",45296\n"))
	f.Add([]byte("项目名称\t投资主体\n\"a\nb\"\t\"\n"))
	f.Add([]byte(""))
	f.Add([]byte("\xFF\xFEa\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseProjects(bytes.NewReader(data), int64(len(data)), "fuzz.csv", Limits{MaxRows: 500})
		checkResult(t, res, err)
	})
}

// FuzzParseProjects feeds arbitrary bytes under either name, seeded with real workbooks so
// that the fuzzer mutates zips and sheet XML too.
func FuzzParseProjects(f *testing.F) {
	var tmpl bytes.Buffer
	if err := WriteTemplate(&tmpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl.Bytes(), "template.xlsx")
	f.Add(xlsxBytes(f, anyRow(stdHeader), anyRow(goodRow("甲")), []any{"乙", "丙", nil, "委托招商", nil, "重资产", 1.5, nil, nil, dateSerial(45296)}), "a.xlsx")
	f.Add(csvBytes(f, stdHeader, goodRow("甲")), "a.csv")
	f.Add([]byte("PK\x05\x06"+string(make([]byte, 18))), "empty.xlsx")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		res, err := ParseProjects(bytes.NewReader(data), int64(len(data)), name, Limits{MaxRows: 500, MaxUnzippedBytes: 8 << 20})
		checkResult(t, res, err)
	})
}

func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"projects.xlsx", "招商项目.xlsx", "a\"b\r\n.csv", "../x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		h := ContentDisposition(name)
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] >= 0x7F {
				t.Fatalf("header has byte %#x: %q", h[i], h)
			}
		}
		if bytes.Count([]byte(h), []byte(`"`)) != 2 {
			t.Fatalf("quotes in %q", h)
		}
	})
}
