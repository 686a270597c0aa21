package repository_test

import (
	"context"
	"testing"

	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The size, end to end: a chain of 500 nodes with 5 000 enterprises and 2 000
// projects, stored in the database, loaded through MapService.MapInput (what GET
// /chains/{code}/map does before chainmap), built, and written as JSON or SVG. The pure
// chainmap benchmarks (chainmap/bench_test.go) measure the last two steps alone.
//
//	go test -run '^$' -bench MapEndToEnd -benchtime 20x ./repository/
//
// load = MapInput, build = chainmap.Build, json = Map.JSON, svg = RenderSVG, and map_json /
// map_svg the whole request body (load + build + render).
func BenchmarkMapEndToEnd(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 500-node chain in the database; skipped under -short")
	}
	for _, driver := range dbtest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			db, ctx, chain := bigChain(b, driver, 500, 5000, 2000)
			maps := repository.NewMapService(db)
			load := func() chainmap.Input {
				in, err := maps.MapInput(ctx, chain)
				if err != nil {
					b.Fatal(err)
				}
				return in
			}
			in := load()
			if len(in.Nodes) != 500 || len(in.Projects) != 2000 || len(in.Enterprises) < 5000 {
				b.Fatalf("loaded %d nodes, %d projects, %d enterprises", len(in.Nodes), len(in.Projects), len(in.Enterprises))
			}
			th := chainmap.DefaultThresholds()
			m := chainmap.Build(in, th)
			b.Run("load", func(b *testing.B) {
				b.ReportAllocs()
				start := benchCPU()
				for b.Loop() {
					load()
				}
				reportBenchCPU(b, start)
			})
			b.Run("build", func(b *testing.B) {
				b.ReportAllocs()
				start := benchCPU()
				for b.Loop() {
					chainmap.Build(in, th)
				}
				reportBenchCPU(b, start)
			})
			b.Run("json", func(b *testing.B) {
				b.ReportAllocs()
				start := benchCPU()
				for b.Loop() {
					if _, err := m.JSON(); err != nil {
						b.Fatal(err)
					}
				}
				reportBenchCPU(b, start)
			})
			b.Run("svg", func(b *testing.B) {
				b.ReportAllocs()
				start := benchCPU()
				for b.Loop() {
					chainmap.RenderSVG(m, chainmap.SVGOptions{})
				}
				reportBenchCPU(b, start)
			})
			b.Run("map_json", func(b *testing.B) {
				b.ReportAllocs()
				start := benchCPU()
				for b.Loop() {
					if _, err := chainmap.Build(load(), th).JSON(); err != nil {
						b.Fatal(err)
					}
				}
				reportBenchCPU(b, start)
			})
			b.Run("map_svg", func(b *testing.B) {
				b.ReportAllocs()
				start := benchCPU()
				for b.Loop() {
					chainmap.RenderSVG(chainmap.Build(load(), th), chainmap.SVGOptions{})
				}
				reportBenchCPU(b, start)
			})
		})
	}
}

// bigChain seeds the demo zone on a fresh database and adds dbtest.AddBigChain's chain.
func bigChain(tb testing.TB, driver string, nodes, ents, projs int) (*repository.DB, context.Context, *domain.Chain) {
	tb.Helper()
	db := dbtest.Migrated(tb, driver, repository.Options{})
	if err := db.SeedDemo(context.Background(), demoNodes(), "Demo@2023", noRoles{}); err != nil {
		tb.Fatal(err)
	}
	ctx, chain := dbtest.AddBigChain(tb, db, nodes, ents, projs)
	return db, ctx, chain
}
