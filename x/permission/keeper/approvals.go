package keeper

import (
	"context"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// checkAuthority returns ErrUnauthorized unless signer is the current authority.
func (k *Keeper) checkAuthority(ctx context.Context, signer string) error {
	authority, err := k.GetAuthority(ctx)
	if err != nil {
		return err
	}
	if signer != authority {
		return errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", authority, signer)
	}
	return nil
}

// ApproveValidator adds an operator to the approved set.
func (k *Keeper) ApproveValidator(ctx context.Context, operator sdk.AccAddress) error {
	has, err := k.Approved.Has(ctx, operator)
	if err != nil {
		return err
	}
	if has {
		return errorsmod.Wrapf(types.ErrAlreadyApproved, "%s", k.mustString(operator))
	}
	return k.Approved.Set(ctx, operator, types.ApprovedValidator{
		Operator:       k.mustString(operator),
		ApprovedHeight: sdk.UnwrapSDKContext(ctx).BlockHeight(),
	})
}

// RemoveValidator withdraws an approval and jails the operator's validator so
// it loses its voting power at this block's end. It refuses to remove the last
// voting power and returns a warning when one operator is left with ≥ 1/3.
func (k *Keeper) RemoveValidator(ctx context.Context, operator sdk.AccAddress) (jailed bool, warning string, err error) {
	has, err := k.Approved.Has(ctx, operator)
	if err != nil {
		return false, "", err
	}
	if !has {
		return false, "", errorsmod.Wrapf(types.ErrValidatorNotApproved, "%s", k.mustString(operator))
	}

	bonded, err := k.staking.GetBondedValidatorsByPower(ctx)
	if err != nil {
		return false, "", err
	}
	reduction := k.staking.PowerReduction(ctx)
	total, remaining, largest := int64(0), int64(0), int64(0)
	for _, v := range bonded {
		if v.IsJailed() {
			continue
		}
		p := v.ConsensusPower(reduction)
		total += p
		valBz, err := k.valAddressCodec.StringToBytes(v.GetOperator())
		if err != nil {
			return false, "", err
		}
		if sdk.AccAddress(valBz).Equals(operator) {
			continue
		}
		remaining += p
		if p > largest {
			largest = p
		}
	}
	if total > 0 && remaining == 0 {
		return false, "", errorsmod.Wrapf(types.ErrLastValidator, "%s holds all bonded power", k.mustString(operator))
	}
	if remaining > 0 && math.NewInt(largest).MulRaw(3).GTE(math.NewInt(remaining)) {
		warning = fmt.Sprintf("one operator holds %d of %d remaining voting power (at least 1/3)", largest, remaining)
	}

	validator, err := k.staking.GetValidator(ctx, sdk.ValAddress(operator))
	switch {
	case err == nil && !validator.IsJailed():
		// jail unbonded validators too, or they could rebond when the set shrinks
		consAddr, err := validator.GetConsAddr()
		if err != nil {
			return false, "", err
		}
		if err := k.staking.Jail(ctx, consAddr); err != nil {
			return false, "", err
		}
		jailed = true
	case err != nil && !errors.Is(err, stakingtypes.ErrNoValidatorFound):
		return false, "", err
	}
	return jailed, warning, k.Approved.Remove(ctx, operator)
}

func (k *Keeper) mustString(addr sdk.AccAddress) string {
	s, err := k.addressCodec.BytesToString(addr)
	if err != nil {
		panic(err)
	}
	return s
}
