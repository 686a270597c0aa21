package chainmap

import (
	"encoding/json"
	"io"
	"sync"
	"testing"
)

// The size: a chain of 500 nodes, 5 000 enterprises and 2 000 projects. Targets on
// the reference machine: the map JSON under 50 ms, the SVG under 200 ms.
var benchInput = sync.OnceValue(func() Input { return synthetic(500, 5000, 2000) })

func BenchmarkBuild(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		Build(in, DefaultThresholds())
	}
	reportCPU(b, start)
}

// BenchmarkMapJSON is what GET /chains/{code}/map spends in this package: Build, then the
// document from Map.JSON.
func BenchmarkMapJSON(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	var size int
	start := processCPU()
	for b.Loop() {
		out, err := Build(in, DefaultThresholds()).JSON()
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	reportCPU(b, start)
	b.ReportMetric(float64(size)/1024, "KiB")
}

// BenchmarkMapJSONMarshal is the same through json.Marshal, for a handler that passes the
// map to an encoder (encoding/json then re-validates the whole document).
func BenchmarkMapJSONMarshal(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		if _, err := json.Marshal(Build(in, DefaultThresholds())); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkRenderSVG renders an already built map.
func BenchmarkRenderSVG(b *testing.B) {
	m := Build(benchInput(), DefaultThresholds())
	b.ReportAllocs()
	var size int
	start := processCPU()
	for b.Loop() {
		size = len(RenderSVG(m, SVGOptions{}))
	}
	reportCPU(b, start)
	b.ReportMetric(float64(size)/1024, "KiB")
}

// BenchmarkMapSVG is what GET /chains/{code}/map.svg spends in this package: Build and render.
func BenchmarkMapSVG(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		RenderSVG(Build(in, DefaultThresholds()), SVGOptions{})
	}
	reportCPU(b, start)
}

func BenchmarkWriteTargetsXLSX(b *testing.B) {
	m := Build(benchInput(), DefaultThresholds())
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		if err := WriteTargetsXLSX(io.Discard, m); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}
