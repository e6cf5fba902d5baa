package keeper

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// CommitRevealChain stores a new hash chain for the validator of an approved
// operator. It takes effect with the votes on the next height and replaces the
// validator's current chain (whose counters it keeps). Votes on the current
// height were extended from the old chain; they fail against the new one and
// count as one missed reveal.
func (k *Keeper) CommitRevealChain(ctx context.Context, operator sdk.AccAddress, tip []byte, length uint64) (types.RevealChain, error) {
	if err := types.ValidateCommitment(tip, length); err != nil {
		return types.RevealChain{}, err
	}
	approved, err := k.IsApproved(ctx, operator)
	if err != nil {
		return types.RevealChain{}, err
	}
	if !approved {
		return types.RevealChain{}, errorsmod.Wrapf(types.ErrValidatorNotApproved, "operator %s", operator)
	}
	val, err := k.staking.GetValidator(ctx, sdk.ValAddress(operator))
	if err != nil {
		return types.RevealChain{}, errorsmod.Wrapf(types.ErrNoValidator, "operator %s: %v", operator, err)
	}
	consAddr, err := val.GetConsAddr()
	if err != nil {
		return types.RevealChain{}, err
	}
	consStr, err := types.ConsAddressCodec().BytesToString(consAddr)
	if err != nil {
		return types.RevealChain{}, err
	}
	opStr, err := k.addressCodec.BytesToString(operator)
	if err != nil {
		return types.RevealChain{}, err
	}
	start := sdk.UnwrapSDKContext(ctx).BlockHeight() + 1
	chain := types.RevealChain{
		ConsAddress:      consStr,
		Operator:         opStr,
		Tip:              slices.Clone(tip),
		Length:           length,
		StartHeight:      start,
		LastReveal:       slices.Clone(tip),
		LastRevealHeight: start - 1,
	}
	switch old, err := k.RevealChains.Get(ctx, consAddr); {
	case err == nil:
		chain.Revealed, chain.Missed = old.Revealed, old.Missed
	case !errors.Is(err, collections.ErrNotFound):
		return types.RevealChain{}, err
	}
	if err := k.RevealChains.Set(ctx, consAddr, chain); err != nil {
		return types.RevealChain{}, err
	}
	return chain, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRevealChainCommitted{
		Operator:    opStr,
		ConsAddress: consStr,
		Tip:         hex.EncodeToString(tip),
		Length:      length,
		StartHeight: start,
	})
}

// VerifyVoteExtension checks the extension of a vote at height h by the
// validator with consensus address consAddr: empty (the validator reveals
// nothing, visibly), or the value its committed chain has for h. Anything else
// is refused, so the vote itself is (CometBFT drops a precommit whose extension
// the application rejects).
func (k *Keeper) VerifyVoteExtension(ctx context.Context, consAddr []byte, h int64, ext []byte) error {
	if len(ext) == 0 {
		return nil
	}
	chain, err := k.RevealChains.Get(ctx, consAddr)
	if errors.Is(err, collections.ErrNotFound) {
		return errorsmod.Wrapf(types.ErrInvalidReveal, "validator %X has committed no chain", consAddr)
	}
	if err != nil {
		return err
	}
	return chain.VerifyReveal(h, ext)
}

// RevealChain returns the chain of the validator with consensus address
// consAddr, and whether it has one.
func (k *Keeper) RevealChain(ctx context.Context, consAddr []byte) (types.RevealChain, bool, error) {
	chain, err := k.RevealChains.Get(ctx, consAddr)
	if errors.Is(err, collections.ErrNotFound) {
		return types.RevealChain{}, false, nil
	}
	return chain, err == nil, err
}

// initRevealChains stores the genesis chains; a new one is anchored at its tip.
func (k *Keeper) initRevealChains(ctx context.Context, chains []types.RevealChain) error {
	for _, c := range chains {
		consAddr, err := types.ConsAddressCodec().StringToBytes(c.ConsAddress)
		if err != nil {
			return err
		}
		if len(c.LastReveal) == 0 {
			c.LastReveal, c.LastRevealHeight = slices.Clone(c.Tip), c.StartHeight-1
		}
		if err := k.RevealChains.Set(ctx, consAddr, c); err != nil {
			return err
		}
	}
	return nil
}
