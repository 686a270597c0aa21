package repository_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The sizes, on both databases, with data generated in bulk:
//
//	go test -run '^$' -bench 'Figures100k|Import50k' -benchtime 1x ./repository/
//
// Figures100k: one zone of 100 000 projects (SeedSynthetic) with a stage line in the
// history of every project past lead; overview = GET /stats/overview's work, annual = the
// report's figures, export = every project streamed into an .xlsx (the bytes discarded).
// Import50k: a 50 000-row .xlsx parsed and applied (new projects and investors), then the
// same file again (every row matched, nothing to change). peak-heap-MB is the largest heap
// seen above the heap at the start.

func demoSpecs() map[string][]repository.DemoNodeSpec {
	out := map[string][]repository.DemoNodeSpec{}
	for code, ns := range chainmap.DemoNodes {
		for _, n := range ns {
			out[code] = append(out[code], repository.DemoNodeSpec{Key: n.Key, Name: n.Name, Segment: n.Segment, Parent: n.Parent})
		}
	}
	return out
}

// syntheticZone seeds one synthetic zone of n projects and returns a context acting as its
// administrator.
func syntheticZone(b *testing.B, driver string, n int) (*repository.DB, context.Context) {
	b.Helper()
	db := dbtest.Migrated(b, driver, repository.Options{})
	e, err := repository.NewEnforcer(db)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	err = db.SeedSynthetic(ctx, repository.SyntheticSpec{Zones: 1, Projects: n, Seed: 7}, demoSpecs(), e, func(string) {})
	if err != nil {
		b.Fatal(err)
	}
	if driver == repository.DriverMySQL { // a bulk load leaves MariaDB's sampled statistics behind
		if err := db.Gorm().Exec("ANALYZE TABLE projects, enterprises, project_nodes, project_history").Error; err != nil {
			b.Fatal(err)
		}
	}
	users := repository.NewUserService(db)
	zone, err := users.FindZoneByCode(ctx, repository.SyntheticZoneCode(1))
	if err != nil {
		b.Fatal(err)
	}
	u, err := users.FindUserByUsername(ctx, zone.ID, "admin")
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d projects seeded in %s", driver, n, time.Since(start).Round(time.Millisecond))
	return db, domain.WithActor(ctx, &domain.Actor{User: u, Zone: zone})
}

func BenchmarkFigures100k(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100 000 projects; skipped under -short")
	}
	for _, driver := range dbtest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			db, ctx := syntheticZone(b, driver, 100_000)
			// every project past lead left lead once (a stage line for the medians)
			err := db.Gorm().Exec(`INSERT INTO project_history (zone_id, project_id, at, actor_id, actor, action, field, from_value, to_value)
				SELECT zone_id, id, stage_entered_at, 0, 'system', 'stage_changed', 'stage', 'lead', stage FROM projects WHERE stage <> 'lead'`).Error
			if err != nil {
				b.Fatal(err)
			}
			if driver == repository.DriverMySQL {
				if err := db.Gorm().Exec("ANALYZE TABLE project_history").Error; err != nil {
					b.Fatal(err)
				}
			}
			stats := repository.NewStatsService(db)
			o, err := stats.Overview(ctx, 2022)
			if err != nil {
				b.Fatal(err)
			}
			if o.DockedTotal < 10_000 || o.Signed.Count == 0 || o.StageDays["lead"].Samples == 0 {
				b.Fatalf("2022 of the synthetic zone: %+v", o)
			}
			b.Run("overview", func(b *testing.B) {
				for b.Loop() {
					if _, err := stats.Overview(ctx, 2022); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("annual", func(b *testing.B) {
				for b.Loop() {
					if _, err := stats.AnnualFigures(ctx, 2022); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("export", func(b *testing.B) {
				exports := repository.NewExportService(db)
				peak := sampleHeap()
				var rows int
				for b.Loop() {
					ex, err := spreadsheet.NewProjectExporter(io.Discard)
					if err != nil {
						b.Fatal(err)
					}
					err = exports.EachExportProject(ctx, domain.ProjectFilter{}, func(p *domain.Project, code string) error {
						return ex.AddWithCreditCode(p, code)
					})
					if err != nil {
						b.Fatal(err)
					}
					rows = ex.Rows()
					if err := ex.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
				if rows != 100_000 {
					b.Fatalf("exported %d rows", rows)
				}
			})
		})
	}
}

// importFile is an .xlsx of n new projects in the import format, over n/2 investors.
func importFile(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	ex, err := spreadsheet.NewProjectExporter(&buf)
	if err != nil {
		b.Fatal(err)
	}
	chains := []*string{nil, ptr("food"), ptr("mining"), ptr("semiconductor")}
	stages := []domain.Stage{domain.StageLead, domain.StageIdentification, domain.StageRisk, domain.StageDecision, domain.StageDropped}
	for i := 0; i < n; i++ {
		p := &domain.Project{Name: fmt.Sprintf("导入基准项目%06d", i), Investor: fmt.Sprintf("导入基准投资%06d有限公司", i/2),
			Channel: domain.Channels[i%4], Chain: chains[i%4], AssetType: domain.AssetTypes[i%2],
			PlannedInvestment: domain.Money(int64(i%9000+100) * 10000), LandArea: domain.Area(i % 30000),
			Stage: stages[i%len(stages)], DockedAt: domain.NewDate(2020+i%4, time.Month(1+i%12), 1+i%28),
			Owner: []string{"recruiter1", "recruiter2", "director"}[i%3], Notes: "基准测试数据"}
		if err := ex.Add(p); err != nil {
			b.Fatal(err)
		}
	}
	if err := ex.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func ptr(s string) *string { return &s }

func BenchmarkImport50k(b *testing.B) {
	if testing.Short() {
		b.Skip("imports 50 000 rows; skipped under -short")
	}
	file := importFile(b, 50_000)
	b.Logf("file: %.1f MB", float64(len(file))/1e6)
	lim := spreadsheet.Limits{MaxFileBytes: 64 << 20}
	for _, driver := range dbtest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			db, ctx := syntheticZone(b, driver, 0)
			run := func(b *testing.B, want func(*api.ImportReport) bool) {
				imp := repository.NewImportService(db)
				peak := sampleHeap()
				var rep *api.ImportReport
				for b.Loop() {
					var err error
					rep, err = api.ImportFile(ctx, imp, bytes.NewReader(file), int64(len(file)), "big.xlsx", lim, false)
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
				if !want(rep) {
					b.Fatalf("report: %+v", rep)
				}
			}
			b.Run("create", func(b *testing.B) {
				run(b, func(r *api.ImportReport) bool { return r.Created == 50_000 || b.N > 1 })
			})
			b.Run("unchanged", func(b *testing.B) {
				run(b, func(r *api.ImportReport) bool { return r.Unchanged == 50_000 })
			})
		})
	}
}

// sampleHeap polls the heap every two milliseconds until the returned function is called,
// which returns the largest heap seen above the heap at the start (runtime/metrics does not
// stop the world).
func sampleHeap() func() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		return peak.Load() - min(peak.Load(), base)
	}
}
