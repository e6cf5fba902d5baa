package worker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

func wasmJobOf(t *testing.T, id, fuel uint64, pages uint32, price int64) types.Job {
	ws := *newProthSpec(t)
	ws.FuelLimit, ws.MemoryPages = fuel, pages
	return openJob(id, kinds.WasmKindName, string(ws.Encode()), 100, price)
}

// TestRankWasmLimitsAndSkipReasons: a worker without programs skips wasm
// jobs as unsupported; one with programs skips those over --max-fuel or
// --max-memory-pages, each with its reason, and ranks the rest.
func TestRankWasmLimitsAndSkipReasons(t *testing.T) {
	jobs := []types.Job{
		wasmJobOf(t, 1, 2_000_000, 16, 100),
		wasmJobOf(t, 2, 50_000_000, 16, 100),
		wasmJobOf(t, 3, 2_000_000, 256, 100),
	}
	plain := Rank(jobs, RankInput{Kinds: kinds.DefaultRegistry(), Market: noEmission()})
	require.Empty(t, plain.Offers)
	require.Len(t, plain.Skips, 3)
	require.Equal(t, SkipUnsupported, plain.Skips[0].Reason)

	p := &Programs{fuel: map[[32]byte]*fuelStat{}}
	params := wasmParams{gasPerKilofuel: 64}
	in := RankInput{Kinds: kinds.DefaultRegistry(), Market: noEmission(),
		Wasm:    func(ws *kinds.WasmSpec) kinds.Spec { return p.rankSpec(ws, params) },
		Filters: []JobFilter{MaxFuelFilter(10_000_000), MaxMemoryFilter(64)}}
	r := Rank(jobs, in)
	require.Equal(t, []uint64{1}, ids(r.Offers))
	require.Equal(t, []Skip{
		{JobID: 2, Reason: SkipFuelLimit, Detail: "an item may take 50000000 fuel, above --max-fuel 10000000"},
		{JobID: 3, Reason: SkipMemoryLimit, Detail: "an item may use 256 pages (16 MiB) of memory, above --max-memory-pages 64"},
	}, r.Skips)
	require.Equal(t, kinds.WasmItemWork(2_000_000, 64), r.Offers[0].WorkPerItem, "unmeasured: the fuel limit")

	// Once items of the program ran here, ranking expects their mean fuel:
	// at 100 Mfuel/s an item of 20 k fuel takes 200 µs, not the limit's 20 ms.
	stat := p.stat(newProthSpec(t).Program)
	stat.items.Store(10)
	stat.fuel.Store(200_000)
	in.ItemTime = paced(map[string]float64{kinds.WasmKindName: 100e6})
	r = Rank(jobs, in)
	require.Equal(t, kinds.WasmItemWork(20_000, 64), r.Offers[0].WorkPerItem)
	require.InDelta(t, 200e-6, r.Offers[0].SecondsPerItem, 1e-9)
	require.InDelta(t, 100/200e-6*3600, r.Offers[0].PerHour, 1)
}

// TestSpeedOfWasm: the bench's wasm row is Mfuel/s.
func TestSpeedOfWasm(t *testing.T) {
	s := SpeedOf([]BenchResult{{Kind: kinds.WasmKindName, PerCore: 200, AllCores: 350}}, 2, time.Now())
	require.InDelta(t, 350e6, s.Kinds[kinds.WasmKindName].AllCores, 1)
}
