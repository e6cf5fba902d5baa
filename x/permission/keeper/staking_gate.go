package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// StakingMsgGate wraps the staking Msg service registered in the app, so the
// rule holds on every path a message can take: top-level txs, authz MsgExec,
// gov proposals and gentxs all reach the same router entry.
//
// Rule: only approved operators create validators, and the only delegation a
// validator accepts is its own operator's (outsiders cannot buy power or shift
// it between operators).
type StakingMsgGate struct {
	stakingtypes.MsgServer
	k *Keeper
}

// NewStakingMsgGate returns the gated staking Msg service.
func NewStakingMsgGate(inner stakingtypes.MsgServer, k *Keeper) StakingMsgGate {
	return StakingMsgGate{MsgServer: inner, k: k}
}

func (g StakingMsgGate) CreateValidator(ctx context.Context, msg *stakingtypes.MsgCreateValidator) (*stakingtypes.MsgCreateValidatorResponse, error) {
	if err := g.requireApproved(ctx, msg.ValidatorAddress); err != nil {
		return nil, err
	}
	return g.MsgServer.CreateValidator(ctx, msg)
}

func (g StakingMsgGate) Delegate(ctx context.Context, msg *stakingtypes.MsgDelegate) (*stakingtypes.MsgDelegateResponse, error) {
	if err := g.requireSelfDelegation(ctx, msg.DelegatorAddress, msg.ValidatorAddress); err != nil {
		return nil, err
	}
	return g.MsgServer.Delegate(ctx, msg)
}

func (g StakingMsgGate) BeginRedelegate(ctx context.Context, msg *stakingtypes.MsgBeginRedelegate) (*stakingtypes.MsgBeginRedelegateResponse, error) {
	// A redelegation always moves stake to a validator the delegator does not
	// operate (an operator runs one validator), so it is never allowed.
	return nil, errorsmod.Wrapf(types.ErrRedelegationForbidden, "%s to %s", msg.DelegatorAddress, msg.ValidatorDstAddress)
}

func (g StakingMsgGate) CancelUnbondingDelegation(ctx context.Context, msg *stakingtypes.MsgCancelUnbondingDelegation) (*stakingtypes.MsgCancelUnbondingDelegationResponse, error) {
	// Cancelling re-delegates the unbonding stake, so it obeys the delegation rule.
	if err := g.requireSelfDelegation(ctx, msg.DelegatorAddress, msg.ValidatorAddress); err != nil {
		return nil, err
	}
	return g.MsgServer.CancelUnbondingDelegation(ctx, msg)
}

func (g StakingMsgGate) requireApproved(ctx context.Context, valoper string) error {
	valBz, err := g.k.valAddressCodec.StringToBytes(valoper)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "validator %q: %v", valoper, err)
	}
	ok, err := g.k.IsApproved(ctx, sdk.AccAddress(valBz))
	if err != nil {
		return err
	}
	if !ok {
		return errorsmod.Wrapf(types.ErrValidatorNotApproved, "%s", valoper)
	}
	return nil
}

func (g StakingMsgGate) requireSelfDelegation(ctx context.Context, delegator, valoper string) error {
	delBz, err := g.k.addressCodec.StringToBytes(delegator)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "delegator %q: %v", delegator, err)
	}
	valBz, err := g.k.valAddressCodec.StringToBytes(valoper)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "validator %q: %v", valoper, err)
	}
	if !sdk.AccAddress(delBz).Equals(sdk.AccAddress(valBz)) {
		return errorsmod.Wrapf(types.ErrDelegationNotAllowed, "%s is not the operator of %s", delegator, valoper)
	}
	return g.requireApproved(ctx, valoper)
}

// SlashingStakingGate is the staking keeper as x/slashing sees it: a validator
// whose approval was removed stays jailed, whatever path MsgUnjail takes.
type SlashingStakingGate struct {
	*stakingkeeper.Keeper
	k *Keeper
}

// NewSlashingStakingGate wraps the staking keeper handed to x/slashing.
func NewSlashingStakingGate(sk *stakingkeeper.Keeper, k *Keeper) SlashingStakingGate {
	return SlashingStakingGate{Keeper: sk, k: k}
}

// Unjail refuses validators whose operator is no longer approved.
func (g SlashingStakingGate) Unjail(ctx context.Context, consAddr sdk.ConsAddress) error {
	v, err := g.GetValidatorByConsAddr(ctx, consAddr)
	if err != nil {
		return err
	}
	valBz, err := g.k.valAddressCodec.StringToBytes(v.GetOperator())
	if err != nil {
		return err
	}
	ok, err := g.k.IsApproved(ctx, sdk.AccAddress(valBz))
	if err != nil {
		return err
	}
	if !ok {
		return errorsmod.Wrapf(types.ErrValidatorNotApproved, "%s cannot be unjailed", v.GetOperator())
	}
	return g.Keeper.Unjail(ctx, consAddr)
}
