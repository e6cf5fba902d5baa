package tiles

import (
	"context"
	"testing"
)

// go test -run '^$' -bench . ./pkg/examples/...: items/s on the program engine
// against the native reference (docs/benchmarks.md, "Example programs").
// An item: one 64×64 tile of the sample image through Sobel edges.
func benchTile(b *testing.B) []byte {
	_, inputs, err := Split(sample(b), 64)
	if err != nil {
		b.Fatal(err)
	}
	return inputs[0]
}

func BenchmarkProgram(b *testing.B) {
	r := runner(b)
	in, raw := benchTile(b), Params{Filter: Edges}.Encode()
	var items int
	for b.Loop() {
		if _, err := r.Run(context.Background(), 1, 0, raw, in); err != nil {
			b.Fatal(err)
		}
		items++
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkNative(b *testing.B) {
	in := benchTile(b)
	var items int
	for b.Loop() {
		if _, ok := Reference(Params{Filter: Edges}, in); !ok {
			b.Fatal("refused")
		}
		items++
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}
