package keeper

import (
	"context"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// proofSpec returns the spec a proof is verified with and, for a wasm job,
// its parsed wasm spec (nil for the built-in kinds, whose items take no
// inputs). A wasm job's program is bound to the keeper's engine; its output
// sizes are checked here, before any gas is spent on re-execution.
func (k *Keeper) proofSpec(ctx context.Context, job types.Job, items []types.ChallengeItem) (kinds.Spec, *kinds.WasmSpec, error) {
	if job.Kind != kinds.WasmKindName {
		spec, err := k.jobSpec(job)
		return spec, nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	prog, err := k.wasmJobSpec(ctx, params, []byte(job.Spec), job.Items, false)
	if err != nil {
		return nil, nil, err
	}
	if err := checkWasmOutputs(prog.Spec(), items); err != nil {
		return nil, nil, err
	}
	return prog, prog.Spec(), nil
}
