package examples_test

import (
	"context"
	"image/png"
	"os"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/nightshift-network/nightshift/pkg/examples/internal/abitest"
	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

// benchCase is one example item size, run on program.Engine and natively.
type benchCase struct {
	name   string
	code   []byte
	params []byte
	input  []byte
	native func(item uint64) bool
}

func benchCases(b *testing.B) []benchCase {
	b.Helper()
	pp := proth.Params{N: 521, KStart: 1, KPerItem: 4}
	mc, err := montecarlo.Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 252, PathsPerItem: 256, Style: montecarlo.Asian}.Params()
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open("tiles/testdata/sample.png")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		b.Fatal(err)
	}
	_, small, err := tiles.Split(img, 64)
	if err != nil {
		b.Fatal(err)
	}
	_, whole, err := tiles.Split(img, 256)
	if err != nil {
		b.Fatal(err)
	}
	edges := tiles.Params{Filter: tiles.Edges}
	tile := func(in []byte) func(uint64) bool {
		return func(uint64) bool { _, ok := tiles.Reference(edges, in); return ok }
	}
	return []benchCase{
		{"proth", proth.Wasm, pp.Encode(), nil, func(item uint64) bool { _, ok := proth.Reference(1, item, pp); return ok }},
		{"montecarlo", montecarlo.Wasm, mc.Encode(), nil, func(item uint64) bool { _, ok := montecarlo.Reference(1, item, mc); return ok }},
		{"tiles-64x64", tiles.Wasm, edges.Encode(), small[0], tile(small[0])},
		{"tiles-200x150", tiles.Wasm, edges.Encode(), whole[0], tile(whole[0])},
	}
}

// BenchmarkExamples: items per CPU second of each example on program.Engine (the
// compiler, warm cache, a fresh instance per item), uninstrumented on bare wazero,
// and of its native Go reference.
// scripts/bench/examples.sh runs it in rounds and reports the ratios
// (docs/benchmarks.md, "Example programs").
func BenchmarkExamples(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name+"/engine", func(b *testing.B) {
			r, err := abitest.New(c.code, false)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = r.Close() }()
			ctx := context.Background()
			// Compile outside the measurement: validators and workers keep programs cached.
			if _, err := r.RunFuel(ctx, program.Call{JobID: 1, Params: c.params, Input: c.input}); err != nil {
				b.Fatal(err)
			}
			var item, fuel uint64
			start := abitest.CPUNanos()
			for b.Loop() {
				res, err := r.RunFuel(ctx, program.Call{JobID: 1, Item: item, Params: c.params, Input: c.input})
				if err != nil || res.Output[0] != 0 {
					b.Fatalf("%v %x", err, res.Output[:min(len(res.Output), 2)])
				}
				fuel += res.Fuel
				item++
			}
			report(b, start, item, fuel)
		})
		for _, closeOnDone := range []bool{false, true} {
			name := c.name + "/plain"
			if closeOnDone {
				name += "-close-on-ctx"
			}
			b.Run(name, func(b *testing.B) { benchPlain(b, c, closeOnDone) })
		}
		b.Run(c.name+"/native", func(b *testing.B) {
			var item uint64
			start := abitest.CPUNanos()
			for b.Loop() {
				if !c.native(item) {
					b.Fatal("the reference refused the item")
				}
				item++
			}
			report(b, start, item, 0)
		})
	}
}

// benchPlain runs the uninstrumented module on a bare wazero compiler runtime with
// the ABI's calls, with or without WithCloseOnContextDone (which program.Engine
// sets): it shows how much of the engine's time is metering and how much that option.
func benchPlain(b *testing.B, c benchCase, closeOnDone bool) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(closeOnDone))
	defer func() { _ = rt.Close(ctx) }()
	compiled, err := rt.CompileModule(ctx, c.code)
	if err != nil {
		b.Fatal(err)
	}
	place := func(m api.Module, data []byte) uint64 {
		res, err := m.ExportedFunction("nightshift_alloc").Call(ctx, uint64(len(data)))
		if err != nil || !m.Memory().Write(uint32(res[0]), data) {
			b.Fatal("alloc failed", err)
		}
		return res[0]
	}
	var item uint64
	start := abitest.CPUNanos()
	for b.Loop() {
		m, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			b.Fatal(err)
		}
		pp, ip := place(m, c.params), place(m, c.input)
		if _, err := m.ExportedFunction("nightshift_run").Call(ctx, 1, item, pp, uint64(len(c.params)), ip, uint64(len(c.input))); err != nil {
			b.Fatal(err)
		}
		_ = m.Close(ctx)
		item++
	}
	report(b, start, item, 0)
}

func report(b *testing.B, start int64, items, fuel uint64) {
	cpu := float64(abitest.CPUNanos() - start)
	b.ReportMetric(cpu/float64(items), "cpu-ns/op")
	b.ReportMetric(float64(items)*1e9/cpu, "items/cpu-s")
	if fuel > 0 {
		b.ReportMetric(float64(fuel)/float64(items), "fuel/op")
		b.ReportMetric(cpu/float64(fuel), "cpu-ns/fuel")
	}
}
