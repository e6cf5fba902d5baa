package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// InitGenesis stores the authority and approvals, then refuses a genesis whose
// staking state already holds an unjailed validator that is not approved. A
// removed validator stays in x/staking, jailed, until its delegations leave; it
// has no power and cannot unjail, so an exported chain imports with it. It runs
// after x/staking and before x/genutil, so gentxs pass through the staking gate.
func (k *Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(k.addressCodec); err != nil {
		return err
	}
	if gs.Authority != "" {
		if err := k.Authority.Set(ctx, gs.Authority); err != nil {
			return err
		}
	}
	for _, v := range gs.Validators {
		op, err := k.addressCodec.StringToBytes(v.Operator)
		if err != nil {
			return err
		}
		if err := k.Approved.Set(ctx, op, v); err != nil {
			return err
		}
	}
	if err := k.initRevealChains(ctx, gs.RevealChains); err != nil {
		return err
	}
	vals, err := k.staking.GetAllValidators(ctx)
	if err != nil {
		return err
	}
	for _, v := range vals {
		if v.IsJailed() {
			continue
		}
		valBz, err := k.valAddressCodec.StringToBytes(v.GetOperator())
		if err != nil {
			return err
		}
		ok, err := k.IsApproved(ctx, sdk.AccAddress(valBz))
		if err != nil {
			return err
		}
		if !ok {
			return errorsmod.Wrapf(types.ErrValidatorNotApproved, "genesis validator %s", v.GetOperator())
		}
	}
	return nil
}

// ExportGenesis writes the authority (only when not the default), approvals
// and reveal chains.
func (k *Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := types.DefaultGenesis()
	switch a, err := k.Authority.Get(ctx); {
	case err == nil:
		gs.Authority = a
	case !errors.Is(err, collections.ErrNotFound):
		return nil, err
	}
	err := k.Approved.Walk(ctx, nil, func(_ []byte, v types.ApprovedValidator) (bool, error) {
		gs.Validators = append(gs.Validators, v)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	err = k.RevealChains.Walk(ctx, nil, func(_ []byte, c types.RevealChain) (bool, error) {
		gs.RevealChains = append(gs.RevealChains, c)
		return false, nil
	})
	return gs, err
}
