//go:build linux

package api_test

// Issue 12, finding 5, measured: the import's peak resident memory for a 50 000-row .xlsx
// and for the 195 KB file with one 190 MB cell (refused), each in a fresh process (the
// test binary run again as a child) so that the figure is the whole server's and nothing
// else's. Figures in docs/benchmarks.md.
//
//	go test -run '^$' -bench BenchmarkSecurityDataImportPeakRSS -benchtime 1x ./api/

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

const rssChildEnv = "CHAINCRM_RSS_CHILD_FILE"

// TestSecurityDataRSSChild is the child: a server on a fresh demo database (SQLite) that
// imports the file named by the environment ("-": none, the baseline) as admin.
func TestSecurityDataRSSChild(t *testing.T) {
	path := os.Getenv(rssChildEnv)
	if path == "" {
		t.Skip("run by BenchmarkSecurityDataImportPeakRSS")
	}
	e := apitest.New(t, "sqlite")
	if path == "-" {
		fmt.Println("status 0")
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := upload(t, e, "admin", "", filepath.Base(path), b)
	b = nil
	fmt.Printf("status %d %.200s\n", r.Status, r.Body)
}

func BenchmarkSecurityDataImportPeakRSS(b *testing.B) {
	dir := b.TempDir()
	files := []struct {
		name, file string
		data       func() []byte
		status     int
	}{
		{"baseline", "-", nil, 0},
		{"rows=50000", "rows50000.xlsx", func() []byte { return rssRowsXLSX(b, 50000) }, http.StatusOK},
		{"cell=190MiB", "cell190.xlsx", func() []byte { return rssHugeCellXLSX(b, 190) }, http.StatusRequestEntityTooLarge},
	}
	for _, f := range files {
		path := f.file
		if f.data != nil {
			data := f.data()
			path = filepath.Join(dir, f.file)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d bytes", f.file, len(data))
		}
		b.Run(f.name, func(b *testing.B) {
			var peak int64
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run", "^TestSecurityDataRSSChild$", "-test.count", "1", "-test.v")
				cmd.Env = append(os.Environ(), rssChildEnv+"="+path, "CHAINCRM_TEST_SKIP_MYSQL=1")
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				if !strings.Contains(string(out), fmt.Sprintf("status %d", f.status)) {
					b.Fatalf("child answered otherwise than %d:\n%s", f.status, out)
				}
				peak = max(peak, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) // KiB on Linux
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
		})
	}
}

// rssRowsXLSX is an import file of n valid, distinct projects (every column filled).
func rssRowsXLSX(tb testing.TB, n int) []byte {
	var buf bytes.Buffer
	ex, err := spreadsheet.NewProjectExporter(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	chains := []*string{nil, ptrTo("food"), ptrTo("mining"), ptrTo("semiconductor")}
	stages := []domain.Stage{domain.StageLead, domain.StageIdentification, domain.StageRisk, domain.StageDecision, domain.StageDropped}
	for i := range n {
		docked := domain.NewDate(2020, 1, 1).AddDays(i % 1000)
		p := &domain.Project{
			Name: fmt.Sprintf("第%d号年产十万吨综合利用项目", i), Investor: fmt.Sprintf("河北示例实业有限公司%d", i%5000),
			Channel: domain.Channels[i%4], Chain: chains[i%4], AssetType: domain.AssetTypes[i%2],
			PlannedInvestment: domain.Money(int64(i%90000+1) * 1234), LandArea: domain.Area(i % 30000),
			Stage: stages[i%5], DockedAt: docked, Owner: "recruiter1",
			Notes: "客商来访洽谈，已提供选址方案与要素保障清单，下一步赴企业总部对接。",
		}
		if err := ex.Add(p); err != nil {
			tb.Fatal(err)
		}
	}
	if err := ex.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func ptrTo(s string) *string { return &s }

// rssHugeCellXLSX is issue 12's file: a workbook whose second row holds one cell of mib
// MiB of the letter A, its sheet deflated from sync-flushed pieces (a few hundred KB).
func rssHugeCellXLSX(tb testing.TB, mib int) []byte {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"项目名称", "投资主体"})
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		tb.Fatal(err)
	}
	prefix := `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c><c r="B1" t="inlineStr"><is><t>投资主体</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>`
	suffix := `</t></is></c></row></sheetData></worksheet>`
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
	mibA := bytes.Repeat([]byte("A"), 1<<20)
	block := piece(mibA, false)
	var sheet bytes.Buffer
	sheet.Write(piece([]byte(prefix), false))
	sum := crc32.ChecksumIEEE([]byte(prefix))
	for range mib {
		sheet.Write(block)
		sum = crc32.Update(sum, crc32.IEEETable, mibA)
	}
	sum = crc32.Update(sum, crc32.IEEETable, []byte(suffix))
	sheet.Write(piece([]byte(suffix), true))

	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			if err := zw.Copy(zf); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, CRC32: sum,
			CompressedSize64: uint64(sheet.Len()), UncompressedSize64: uint64(len(prefix) + mib<<20 + len(suffix))})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(sheet.Bytes())
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}
