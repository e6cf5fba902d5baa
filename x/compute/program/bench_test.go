package program

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/tetratelabs/wazero"
)

// benchCall is the mix kernel at 20000 rounds (about 0.9M fuel): long enough that
// instantiation is a small part of a run.
func benchCall() Call {
	c := defaultCall()
	c.Params = binary.LittleEndian.AppendUint32(nil, 20000)
	c.Input = []byte("benchmark input")
	return c
}

// BenchmarkProgram compares, per engine, the instrumented program through Engine.Run
// with the same module uninstrumented on a bare wazero runtime making the same three
// calls in a fresh instance. cpu-ns/op is CPU time (the machine is shared, wall time
// is not the work) and cpu-ns/fuel the instrumented CPU time per unit of fuel.
// docs/benchmarks.md ("Programs") records the figures and the command.
func BenchmarkProgram(b *testing.B) {
	code := fixture(b, "mix")
	for _, engine := range engineNames {
		interp := engine == "interpreter"
		b.Run(engine+"/instrumented", func(b *testing.B) {
			e := NewEngine(EngineConfig{Interpreter: interp})
			defer e.Close()
			c := benchCall()
			res := mustRun(b, e, code, c) // warm the cache
			b.ResetTimer()
			cpu := cpuNanos()
			for i := 0; i < b.N; i++ {
				mustRun(b, e, code, c)
			}
			cpu = cpuNanos() - cpu
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(cpu)/float64(b.N)/float64(res.Fuel), "cpu-ns/fuel")
		})
		b.Run(engine+"/plain", func(b *testing.B) {
			ctx := context.Background()
			rt := wazero.NewRuntimeWithConfig(ctx, runtimeConfig(interp))
			defer rt.Close(ctx)
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
				if _, _, err := runItem(ctx, mod, c); err != nil {
					b.Fatal(err)
				}
				_ = mod.Close(ctx)
			}
			b.ReportMetric(float64(cpuNanos()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
