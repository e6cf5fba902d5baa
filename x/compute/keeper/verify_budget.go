package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// The per-block verification budget (design note G2): every validator re-runs
// every sampled item, so the work all proofs of one block may ask for is bounded
// by max_verify_gas_per_block, whatever their senders pay. The counter is two
// store items, the height it counts and the gas used at that height: a stored
// height other than the current one reads as nothing used, so there is no
// per-block reset and nothing iterates. It is consensus state like any other
// write (deterministic), and a failed transaction's reservation is rolled back
// with the rest of its writes.

// verifyBudgetUsed returns the verification gas already reserved in this block.
func (k *Keeper) verifyBudgetUsed(ctx context.Context) (uint64, error) {
	h, err := k.VerifyBudgetHeight.Get(ctx)
	if isNotFound(err) || (err == nil && h != height(ctx)) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return k.VerifyBudgetUsed.Get(ctx)
}

// checkVerifyBudget refuses a proof whose verification bound would take this
// block's verification over max_verify_gas_per_block; it changes nothing.
func (k *Keeper) checkVerifyBudget(ctx context.Context, params types.Params, bound uint64) error {
	used, err := k.verifyBudgetUsed(ctx)
	if err != nil {
		return err
	}
	// used <= cap always holds, so cap - used does not wrap.
	if limit := params.MaxVerifyGasPerBlock; used > limit || bound > limit-used {
		return errorsmod.Wrapf(types.ErrBlockVerifyBudget,
			"this proof needs up to %d verification gas and the block has %d of %d left", bound, limit-min(used, limit), limit)
	}
	return nil
}

// spendVerifyBudget records gas of verification done in this block.
func (k *Keeper) spendVerifyBudget(ctx context.Context, gas uint64) error {
	used, err := k.verifyBudgetUsed(ctx)
	if err != nil {
		return err
	}
	if err := k.VerifyBudgetHeight.Set(ctx, height(ctx)); err != nil {
		return err
	}
	return k.VerifyBudgetUsed.Set(ctx, used+gas)
}
