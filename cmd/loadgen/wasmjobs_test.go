package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// The wasm workload's task, as the load generator computes and proves it,
// is what the chain accepts: the posted spec parses as the keeper parses it,
// every output is the one a validator's re-run records, the proof element's
// multi-proof opens the claimed root at the challenged items, and the proof's
// gas limit leaves every sample's bound (keeper/proofs.go refuses less).
func TestWasmWorkloadTaskVerifies(t *testing.T) {
	ctx := context.Background()
	engine := program.NewEngine(program.EngineConfig{CacheEntries: 2})
	defer engine.Close()
	w, err := MonteCarloWorkload(64, 16, 0)
	require.NoError(t, err)
	ex := catalog.Programs[w.Program]
	params := computetypes.DefaultParams()
	rec := computetypes.Program{MinMemoryPages: 2, MaxMemoryPages: 2}
	const items, perTask = 1024, 64
	plan, err := PlanWasm(ctx, engine, ex, rec, w, items, params)
	require.NoError(t, err)
	parsed, err := kinds.ParseWasmSpec(plan.Encoded, items)
	require.NoError(t, err)
	require.Equal(t, ex.ID(), parsed.Program)
	require.GreaterOrEqual(t, plan.Spec.FuelLimit, plan.MaxFuel)
	require.GreaterOrEqual(t, plan.ProofGas, gasProof+uint64(params.ProofSamples)*plan.Bound.MaxWorkPerItem())

	job := &Job{ID: 7, Items: items, ItemsPerTask: perTask, NumTasks: items / perTask, Spec: plan.Bound, ProofGas: plan.ProofGas}
	r := NewComputeRun(nil, []*Job{job}, 1, 1, NewThrottle(1))
	tk := &task{job: job, index: 3, first: 3 * perTask, count: perTask}
	require.NoError(t, r.compute(tk))
	require.Positive(t, r.computeNs.Load())

	// An independent verifier: the item bound to a fresh engine, as a validator's keeper binds it.
	verifier := program.NewEngine(program.EngineConfig{})
	defer verifier.Close()
	check := parsed.Bind(ex.Wasm, verifier, params.GasPerKilofuel)
	tk.indices = []uint64{tk.first, tk.first + 17, tk.first + perTask - 1}
	e, err := tk.proofElement()
	require.NoError(t, err)
	leaves := make([][32]byte, len(e.Items))
	offsets := make([]uint64, len(e.Items))
	for i, it := range e.Items {
		work, err := check.VerifyOutput(kinds.Item{JobID: job.ID, Index: it.Index}, it.Output)
		require.NoError(t, err, "item %d", it.Index)
		require.LessOrEqual(t, work, plan.Bound.MaxWorkPerItem())
		leaves[i] = merkle.LeafHash(job.ID, it.Index, it.Output)
		offsets[i] = it.Index - tk.first
	}
	nodes := make([][32]byte, len(e.Nodes))
	for i, n := range e.Nodes {
		copy(nodes[i][:], n)
	}
	require.NoError(t, merkle.VerifyMultiProof(tk.tree.Root(), offsets, leaves, perTask, nodes))

	// Another job's outputs differ (montecarlo seeds by job id): the
	// verifier refuses an output computed for the wrong job.
	_, err = check.VerifyOutput(kinds.Item{JobID: job.ID + 1, Index: e.Items[0].Index}, e.Items[0].Output)
	require.ErrorIs(t, err, kinds.ErrInvalidOutput)
}
