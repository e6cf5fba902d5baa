package proth

import (
	"context"
	"testing"
)

// benchParams: four candidates k*2^521+1 per item (N of 522-523 bits, 17 limbs).
var benchParams = Params{N: 521, KStart: 1, KPerItem: 4}

// go test -run '^$' -bench . ./pkg/examples/...: items/s on the program engine
// against the native reference (docs/benchmarks.md, "Example programs").
func BenchmarkProgram(b *testing.B) {
	r := runner(b)
	raw := benchParams.Encode()
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
	var item uint64
	for b.Loop() {
		if _, ok := Reference(1, item, benchParams); !ok {
			b.Fatal("refused")
		}
		item++
	}
	b.ReportMetric(float64(item)/b.Elapsed().Seconds(), "items/s")
}
