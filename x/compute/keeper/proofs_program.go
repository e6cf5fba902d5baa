package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// proveWasm verifies a well-shaped answer for a wasm job. Inputs and output
// sizes are checked first (a refusal changes nothing); then the tx must have
// gas for every sampled item at the job's fuel limit, so a tx that could not
// pay runs out of gas before any program runs; the items are re-executed and
// the gas charged is the work measured (fuel × gas_per_fuel) plus hashing,
// the same whether or not the node had the program compiled already. An
// accepted proof credits the task the sampled items' mean work × its items.
func (k *Keeper) proveWasm(ctx context.Context, job types.Job, task types.Task, offsets []uint64, items []types.ChallengeItem, nodes, inputNodes [][]byte) (ProofResult, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return ProofResult{}, err
	}
	prog, err := k.wasmJobSpec(ctx, params, []byte(job.Spec), job.Items, false)
	if err != nil {
		return ProofResult{}, err
	}
	spec := prog.Spec()
	if err := checkWasmOutputs(spec, items); err != nil {
		return ProofResult{}, err
	}
	inputGas, err := checkProofInputs(spec, params, items, inputNodes)
	if err != nil {
		return ProofResult{}, err
	}
	meter := sdk.UnwrapSDKContext(ctx).GasMeter()
	hashGas := HashGas*uint64(2*len(items)+len(nodes)) + inputGas
	for _, it := range items {
		hashGas += OutputByteGas * uint64(len(it.Output))
	}
	meter.ConsumeGas(hashGas, "compute: verify proof hashes")
	if bound := prog.MaxWorkPerItem() * uint64(len(items)); meter.GasRemaining() < bound {
		// Out of gas here, before any program runs: the tx fails and changes nothing.
		meter.ConsumeGas(bound, "compute: verify wasm items at their fuel limit")
	}
	if err := verifyProofInputs(spec, items, inputNodes); err != nil {
		return ProofResult{}, err
	}
	verdict, work := verifyWasmProof(prog, task, offsets, items, nodes)
	meter.ConsumeGas(work, "compute: verify wasm items")
	return k.settleProof(ctx, job, task, verdict)
}

// OutputByteGas is charged per output byte a wasm proof hashes into its leaves.
const OutputByteGas = 1

// verifyWasmProof checks the outputs against the claimed root and re-runs the
// sampled items; it returns the verdict and the work measured (up to the
// first failing item). It reads no state and moves nothing.
func verifyWasmProof(prog *kinds.WasmProgram, task types.Task, offsets []uint64, items []types.ChallengeItem, nodes [][]byte) (proofVerdict, uint64) {
	leaves := make([][32]byte, len(items))
	for i, it := range items {
		leaves[i] = merkle.LeafHash(task.JobId, it.Index, it.Output)
	}
	path := make([][32]byte, len(nodes))
	for i, n := range nodes {
		path[i] = [32]byte(n)
	}
	if err := merkle.VerifyMultiProof([32]byte(task.Root), offsets, leaves, task.ItemCount, path); err != nil {
		return proofVerdict{Item: items[0].Index, Reason: errorsmod.Wrapf(types.ErrInvalidMerkleProof, "%v", err)}, 0
	}
	var work uint64
	for _, it := range items {
		w, err := prog.VerifyOutput(kinds.Item{JobID: task.JobId, Index: it.Index, Input: it.Input}, it.Output)
		work += w
		if err != nil {
			return proofVerdict{Item: it.Index, Reason: errorsmod.Wrapf(types.ErrInvalidOutput, "item %d: %v", it.Index, err)}, work
		}
	}
	// Unsampled items are not seen by validators: the task is credited the
	// sample's mean (design note, programs 5). A forged output fails its
	// re-execution, so a device cannot make its sample look heavier.
	units := math.NewIntFromUint64(work).Mul(math.NewIntFromUint64(task.ItemCount)).Quo(math.NewIntFromUint64(uint64(len(items))))
	return proofVerdict{Accepted: true, WorkUnits: units}, work
}

// hasInputs reports whether any item carries an input.
func hasInputs(items []types.ChallengeItem) bool {
	for _, it := range items {
		if len(it.Input) != 0 {
			return true
		}
	}
	return false
}
