package spreadsheet

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// bigProjects makes n distinct, valid projects with every column filled.
func bigProjects(n int) []*domain.Project {
	chains := []*string{nil, ptr("food"), ptr("mining"), ptr("semiconductor")}
	ps := make([]*domain.Project, n)
	for i := range ps {
		docked := domain.NewDate(2020, 1, 1).AddDays(i % 1500)
		ps[i] = &domain.Project{
			Name:              fmt.Sprintf("第%d号年产十万吨综合利用项目", i),
			Investor:          fmt.Sprintf("河北示例实业有限公司%d", i%5000),
			Channel:           domain.Channels[i%4],
			Chain:             chains[i%4],
			AssetType:         domain.AssetTypes[i%2],
			PlannedInvestment: domain.Money(int64(i%90000+1) * 1234),
			LandArea:          domain.Area(i % 30000),
			Stage:             domain.Stages[i%6],
			DockedAt:          docked,
			SignedAt:          docked.AddDays(i % 200),
			Owner:             "recruiter1",
			Notes:             "客商来访洽谈，已提供选址方案与要素保障清单，下一步赴企业总部对接。",
		}
	}
	return ps
}

func bigXLSX(tb testing.TB, n int) []byte {
	tb.Helper()
	var b bytes.Buffer
	ex, err := NewProjectExporter(&b)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range bigProjects(n) {
		if err := ex.Add(p); err != nil {
			tb.Fatal(err)
		}
	}
	if err := ex.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func bigCSV(tb testing.TB, n int) []byte {
	tb.Helper()
	rows := [][]string{stdHeader}
	for _, p := range bigProjects(n) {
		chain := ""
		if p.Chain != nil {
			chain = chainLabel(*p.Chain)
		}
		rows = append(rows, []string{p.Name, p.Investor, "", p.Channel.Label(), chain, p.AssetType.Label(),
			p.PlannedInvestment.Wan(), p.LandArea.Mu(), p.Stage.Label(), p.DockedAt.String(),
			p.SignedAt.String(), p.Owner, p.Notes})
	}
	return csvBytes(tb, rows...)
}

// TestBigFiles parses 50 000 rows in each format; under -short or the race detector,
// 3 000.
func TestBigFiles(t *testing.T) {
	n := 50_000
	if testing.Short() || raceEnabled {
		n = 3_000
	}
	for _, tt := range []struct {
		name string
		data func(testing.TB, int) []byte
	}{{"big.xlsx", bigXLSX}, {"big.csv", bigCSV}} {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t, n)
			start := time.Now()
			res := mustClean(t, data, tt.name)
			t.Logf("%d rows, %d KiB, parsed in %v", n, len(data)>>10, time.Since(start))
			if len(res.Rows) != n {
				t.Fatalf("got %d rows, want %d", len(res.Rows), n)
			}
			last := res.Rows[n-1]
			if last.Row != n+1 || last.Input.Name != fmt.Sprintf("第%d号年产十万吨综合利用项目", n-1) {
				t.Errorf("last row = %d %q", last.Row, last.Input.Name)
			}
		})
	}
}

// BenchmarkParse50k parses a 50 000-row .xlsx and CSV, reporting time, allocation and the
// peak live heap seen by a sampler (the figure the 200 MB budget is about).
func BenchmarkParse50k(b *testing.B) {
	for _, bb := range []struct {
		name string
		data func(testing.TB, int) []byte
	}{{"xlsx", bigXLSX}, {"csv", bigCSV}} {
		b.Run(bb.name, func(b *testing.B) {
			data := bb.data(b, 50_000)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			peak := sampleHeap()
			b.ResetTimer()
			for b.Loop() {
				res, err := ParseProjects(bytes.NewReader(data), int64(len(data)), "big."+bb.name, Limits{})
				if err != nil || !res.OK() || len(res.Rows) != 50_000 {
					b.Fatalf("parse: %v", err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
		})
	}
}

// BenchmarkExport100k streams 100 000 projects to an .xlsx.
func BenchmarkExport100k(b *testing.B) {
	ps := bigProjects(100_000)
	b.ReportAllocs()
	peak := sampleHeap()
	var size int
	b.ResetTimer()
	for b.Loop() {
		var out bytes.Buffer
		ex, err := NewProjectExporter(&out)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			if err := ex.Add(p); err != nil {
				b.Fatal(err)
			}
		}
		if err := ex.Close(); err != nil {
			b.Fatal(err)
		}
		size = out.Len()
	}
	b.StopTimer()
	b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
	b.ReportMetric(float64(size)/1e6, "file-MB")
}

// sampleHeap polls the heap (live and not yet collected objects) every two milliseconds
// until the returned function is called, which returns the largest value seen above the
// heap at the start — so the benchmark's own fixtures are not counted. It reads
// runtime/metrics, which unlike ReadMemStats does not stop the world.
func sampleHeap() func() uint64 {
	runtime.GC()
	base := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(base)
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > max.Load() {
					max.Store(v)
				}
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		return max.Load() - min(max.Load(), base[0].Value.Uint64())
	}
}
