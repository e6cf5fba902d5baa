package worker

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

// BenchResult is one kind's measured throughput.
type BenchResult struct {
	Kind, Workload, Unit string
	PerCore, AllCores    float64
}

// Bench runs each kind's kernel for d on one goroutine and then on threads,
// so a contributor sees what the device can do and how it scales.
func Bench(ctx context.Context, d time.Duration, threads int) []BenchResult {
	const hashChunk = 1 << 14
	hashcash := func(worker int, n uint64) uint64 {
		// Difficulty 32 is never met in a chunk this small: every nonce is a hash.
		kinds.HashcashSearch(uint64(worker), n, kinds.HashcashMaxDifficulty, 0, hashChunk)
		return hashChunk
	}
	spec, err := kinds.ParseMandelbrotSpec([]byte(`{"width":512,"height":512,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":500}`), 512)
	if err != nil {
		panic(err) // fixed spec
	}
	mandel := func(_ int, n uint64) uint64 {
		if _, _, err := spec.ComputeOutput(kinds.Item{Index: n % 512}); err != nil {
			panic(err)
		}
		return 1
	}
	// Kind wasm: the proth example on the engine programs run on, counted in
	// fuel (the unit every wasm job's fuel_limit and measured work are in).
	engine := program.NewEngine(program.EngineConfig{CacheEntries: 1})
	defer func() { _ = engine.Close() }()
	pp := proth.Params{N: 521, KStart: 1, KPerItem: 4}.Encode()
	wasm := func(_ int, n uint64) uint64 {
		res, err := engine.Run(ctx, proth.Wasm, program.Call{JobID: 1, Item: n, Params: pp, FuelLimit: 1 << 40, MemoryPages: 16, MaxOutputBytes: 1 << 16})
		if err != nil {
			return 0 // ctx ended mid-item
		}
		return res.Fuel
	}
	wasm(0, 0) // compile outside the measurement, as a worker's cache does
	return []BenchResult{
		{Kind: "hashcash", Workload: "sha256 nonce search", Unit: "Mhash/s",
			PerCore: rate(ctx, d, 1, hashcash) / 1e6, AllCores: rate(ctx, d, threads, hashcash) / 1e6},
		{Kind: "mandelbrot", Workload: "512-px rows, max_iter 500", Unit: "rows/s",
			PerCore: rate(ctx, d, 1, mandel), AllCores: rate(ctx, d, threads, mandel)},
		{Kind: kinds.WasmKindName, Workload: "proth n=521, 4 k per item", Unit: "Mfuel/s",
			PerCore: rate(ctx, d, 1, wasm) / 1e6, AllCores: rate(ctx, d, threads, wasm) / 1e6},
	}
}

// rate runs fn on threads goroutines for d and returns units per second.
func rate(ctx context.Context, d time.Duration, threads int, fn func(worker int, n uint64) uint64) float64 {
	var total atomic.Uint64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := uint64(0); ctx.Err() == nil; n++ {
				total.Add(fn(w, n))
			}
		}()
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}
