package program

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/tetratelabs/wazero"
)

// benchKernels are the programs benchmarked, each with a call long enough that
// instantiation is a small part of a run: mix at 20000 rounds (arithmetic and a
// call_indirect per round, ~0.9M fuel), calls at 20000 (two calls per round, one to
// a leaf) and echo of 64 KiB (byte loads and stores, a memory.grow, ~1.5M fuel).
var benchKernels = []struct {
	name, fixture string
	call          func() Call
}{
	{"mix", "mix", func() Call {
		c := defaultCall()
		c.Params = binary.LittleEndian.AppendUint32(nil, 20000)
		c.Input = []byte("benchmark input")
		return c
	}},
	{"calls", "calls", func() Call {
		c := defaultCall()
		c.Params = binary.LittleEndian.AppendUint32(nil, 20000)
		return c
	}},
	{"echo", "echo", func() Call {
		c := defaultCall()
		c.Input = make([]byte, 64<<10)
		c.MaxOutputBytes = 1 << 20
		return c
	}},
}

// BenchmarkProgram compares, per engine, the instrumented program through Engine.Run
// with the same module uninstrumented on a bare wazero runtime making the same three
// calls in a fresh instance. cpu-ns/op is CPU time (the machine is shared, wall time
// is not the work) and cpu-ns/fuel the instrumented CPU time per unit of fuel.
// docs/benchmarks.md ("Programs") records the figures and the command.
func BenchmarkProgram(b *testing.B) {
	for _, k := range benchKernels {
		for _, engine := range engineNames {
			benchProgram(b, k.name+"/"+engine, fixture(b, k.fixture), engine == "interpreter", k.call)
		}
	}
}

func benchProgram(b *testing.B, name string, code []byte, interp bool, benchCall func() Call) {
	{
		b.Run(name+"/instrumented", func(b *testing.B) {
			e := NewEngine(EngineConfig{Interpreter: interp})
			defer func() { _ = e.Close() }()
			c := benchCall()
			res := mustRun(b, e, code, c) // warm the cache
			if res.Output[0] != 0 {
				b.Fatalf("the benchmark item trapped: %x", res.Output)
			}
			b.ResetTimer()
			cpu := cpuNanos()
			for i := 0; i < b.N; i++ {
				mustRun(b, e, code, c)
			}
			cpu = cpuNanos() - cpu
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(cpu)/float64(b.N)/float64(res.Fuel), "cpu-ns/fuel")
		})
		b.Run(name+"/plain", func(b *testing.B) {
			ctx := context.Background()
			rt := wazero.NewRuntimeWithConfig(ctx, runtimeConfig(interp))
			defer func() { _ = rt.Close(ctx) }()
			compiled, err := rt.CompileModule(ctx, code)
			if err != nil {
				b.Fatal(err)
			}
			c := benchCall()
			b.ResetTimer()
			cpu := cpuNanos()
			for i := 0; i < b.N; i++ {
				mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName("").WithStartFunctions())
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := runItem(ctx, plainInstance(mod), c); err != nil {
					b.Fatal(err)
				}
				_ = mod.Close(ctx)
			}
			b.ReportMetric(float64(cpuNanos()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
