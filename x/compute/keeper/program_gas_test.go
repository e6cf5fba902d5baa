package keeper_test

import (
	"testing"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestWasmProofPaysEachSampledInstance: a proof is charged its hashing plus, per
// sampled item, kinds.WasmItemWork of the fuel the item took: the fresh instance
// (which fuel does not count) and the fuel at gas_per_kilofuel. A job of items of
// almost no fuel therefore still costs the proof's sender the instances validators
// create, and is worth no more gas per unit of validator CPU than a heavy one.
func TestWasmProofPaysEachSampledInstance(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = 4 }))
	id := w.storeMixer()
	job := w.postWasm(wasmJobSpec(id, nil, nil))
	lease, wk := w.claimWasm(w.a, job, nil, nil)
	msg := w.wasmProof(w.a, job, lease, wk)

	spec, err := kinds.ParseWasmSpec([]byte(wasmJobSpec(id, nil, nil)), wasmItems)
	require.NoError(t, err)
	engine := program.NewEngine(program.EngineConfig{})
	t.Cleanup(func() { _ = engine.Close() })
	g := w.params().GasPerKilofuel
	prog := spec.Bind(mixerCode(), engine, g)
	want := keeper.ProofHashGas(msg.Items, msg.Nodes)
	var fuelOnly uint64
	for _, it := range msg.Items {
		_, fuel, work, err := prog.ComputeWithFuel(kinds.Item{JobID: job, Index: it.Index})
		require.NoError(t, err)
		require.Equal(t, kinds.WasmItemWork(fuel, g), work)
		want += work
		fuelOnly += (fuel*g + 999) / 1000
	}
	cache, _ := w.f.ctx.CacheContext()
	meter := storetypes.NewGasMeter(10_000_000)
	res, err := w.f.msgs.SubmitProof(cache.WithGasMeter(meter), msg)
	require.NoError(t, err)
	require.True(t, res.Accepted, res.Reason)
	verify := meter.GasConsumed()
	require.GreaterOrEqual(t, verify, want, "the proof is charged every sampled instance")
	// What the proof's transaction costs beyond verification (reads, writes) is
	// the same for any kind; the instances are the len(samples) × WasmInstanceWork
	// on top of the fuel.
	require.GreaterOrEqual(t, verify-fuelOnly, uint64(len(msg.Items))*kinds.WasmInstanceWork)
}
