package worker

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

// benchTaskItems is the task size of the chain bench's compute workload.
const benchTaskItems = 1024

func benchSpec(b *testing.B) kinds.Spec {
	b.Helper()
	spec, err := kinds.DefaultRegistry().Parse("hashcash", []byte(`{"difficulty_bits":8}`), 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	return spec
}

// BenchmarkTaskBareLoop computes a 1,024-item hashcash task with the kind's
// function in a plain loop on one goroutine: no pool, no tree. It is the
// baseline of BenchmarkTaskPool.
func BenchmarkTaskBareLoop(b *testing.B) {
	spec := benchSpec(b)
	job := uint64(0)
	for b.Loop() {
		job++
		for i := range uint64(benchTaskItems) {
			if _, _, err := spec.ComputeOutput(kinds.Item{JobID: job, Index: i}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(benchTaskItems*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkTaskPool computes the same tasks the way the worker does (its
// pool, then the Merkle tree), on 1 thread and on every core.
func BenchmarkTaskPool(b *testing.B) {
	spec := benchSpec(b)
	for _, threads := range []int{1, runtime.NumCPU()} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// The policy as `worker start` configures it (always open here).
			pool := NewPool(ctx, threads, &Policy{Now: time.Now, Interval: 2 * time.Second})
			job := uint64(0)
			for b.Loop() {
				job++
				if _, _, err := pool.Compute(ctx, spec, job, 0, benchTaskItems, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchTaskItems*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
