package montecarlo

import (
	"context"
	"testing"
)

// go test -run '^$' -bench . ./pkg/examples/...: items/s on the program engine
// against the native reference (docs/benchmarks.md, "Example programs").
// An item: 256 Asian paths of 252 steps.
func BenchmarkProgram(b *testing.B) {
	r := runner(b)
	raw := option(b, Asian, 252, 256).Encode()
	var item uint64
	for b.Loop() {
		if _, err := r.Run(context.Background(), 1, item, raw, nil); err != nil {
			b.Fatal(err)
		}
		item++
	}
	b.ReportMetric(float64(item)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkNative(b *testing.B) {
	p := option(b, Asian, 252, 256)
	var item uint64
	for b.Loop() {
		if _, ok := Reference(1, item, p); !ok {
			b.Fatal("refused")
		}
		item++
	}
	b.ReportMetric(float64(item)/b.Elapsed().Seconds(), "items/s")
}
