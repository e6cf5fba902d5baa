package simulation

import (
	"context"
	"errors"
	"fmt"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
	"github.com/nightshift-network/nightshift/x/permission/types"
)

// GatedRegistry registers x/staking's and x/slashing's message factories as
// the permission gate sees their messages: a message the gate refuses must
// fail with the gate's error, one it lets through keeps the factory's own
// expectation. Other factories are registered unchanged.
type GatedRegistry struct {
	simsx.Registry
	k *keeper.Keeper
}

// NewGatedRegistry wraps reg.
func NewGatedRegistry(reg simsx.Registry, k *keeper.Keeper) GatedRegistry {
	return GatedRegistry{Registry: reg, k: k}
}

// Add registers f, behind the gate when its messages are gated.
func (g GatedRegistry) Add(weight uint32, f simsx.SimMsgFactoryX) {
	switch f.MsgType().(type) {
	case *stakingtypes.MsgCreateValidator, *stakingtypes.MsgDelegate, *stakingtypes.MsgBeginRedelegate,
		*stakingtypes.MsgCancelUnbondingDelegation, *slashingtypes.MsgUnjail:
		f = &gatedFactory{SimMsgFactoryX: f, k: g.k}
	}
	g.Registry.Add(weight, f)
}

type gatedFactory struct {
	simsx.SimMsgFactoryX
	k       *keeper.Keeper
	refusal error // what the gate answers the last message with; nil lets it through
}

func (f *gatedFactory) Create() simsx.FactoryMethod {
	create := f.SimMsgFactoryX.Create()
	return func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, sdk.Msg) {
		f.refusal = nil
		signers, msg := create(ctx, data, reporter)
		if reporter.IsSkipped() || msg == nil {
			return signers, msg
		}
		refusal, err := f.gate(ctx, msg)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil
		}
		f.refusal = refusal
		return signers, msg
	}
}

func (f *gatedFactory) DeliveryResultHandler() simsx.SimDeliveryResultHandler {
	inner := f.SimMsgFactoryX.DeliveryResultHandler()
	if f.refusal == nil {
		return inner
	}
	refusal := f.refusal
	return func(err error) error {
		switch {
		case err == nil:
			return fmt.Errorf("the permission gate should have refused the message with %v", refusal)
		case errors.Is(err, refusal):
			return nil
		default: // x/slashing checks a few things before it reaches the gate
			return inner(err)
		}
	}
}

// gate is the model of the permission rules: the error the gate answers msg
// with, or nil when it lets msg through.
func (f *gatedFactory) gate(ctx context.Context, msg sdk.Msg) (error, error) {
	switch m := msg.(type) {
	case *stakingtypes.MsgCreateValidator:
		return f.requireApproved(ctx, m.ValidatorAddress)
	case *stakingtypes.MsgDelegate:
		return f.requireSelfDelegation(ctx, m.DelegatorAddress, m.ValidatorAddress)
	case *stakingtypes.MsgCancelUnbondingDelegation:
		return f.requireSelfDelegation(ctx, m.DelegatorAddress, m.ValidatorAddress)
	case *stakingtypes.MsgBeginRedelegate:
		return types.ErrRedelegationForbidden, nil
	case *slashingtypes.MsgUnjail:
		return f.requireApproved(ctx, m.ValidatorAddr)
	}
	return nil, nil
}

func (f *gatedFactory) requireApproved(ctx context.Context, valoper string) (error, error) {
	val, err := sdk.ValAddressFromBech32(valoper)
	if err != nil {
		return nil, err
	}
	ok, err := f.k.IsApproved(ctx, sdk.AccAddress(val))
	if err != nil || ok {
		return nil, err
	}
	return types.ErrValidatorNotApproved, nil
}

func (f *gatedFactory) requireSelfDelegation(ctx context.Context, delegator, valoper string) (error, error) {
	del, err := sdk.AccAddressFromBech32(delegator)
	if err != nil {
		return nil, err
	}
	val, err := sdk.ValAddressFromBech32(valoper)
	if err != nil {
		return nil, err
	}
	if !del.Equals(sdk.AccAddress(val)) {
		return types.ErrDelegationNotAllowed, nil
	}
	return f.requireApproved(ctx, valoper)
}

// MsgSelfDelegateFactory has validator operators add to their own stake: the
// one delegation the gate allows (x/staking's factory delegates from random
// accounts, which the gate refuses), and what keeps the validator set from
// draining as operators undelegate. Delegations to the validator of an
// operator no longer approved must fail with ErrValidatorNotApproved.
func MsgSelfDelegateFactory(sk *stakingkeeper.Keeper, k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *stakingtypes.MsgDelegate, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		vals, err := sk.GetAllValidators(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		bondDenom, err := sk.BondDenom(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var candidates []stakingtypes.Validator
		for _, v := range vals {
			val, err := sdk.ValAddressFromBech32(v.GetOperator())
			if err == nil && !v.InvalidExRate() && data.HasAccount(sdk.AccAddress(val).String()) {
				candidates = append(candidates, v)
			}
		}
		if len(candidates) == 0 {
			reporter.Skip("no validator operated by a simulation account")
			return nil, nil, nil
		}
		v := candidates[r.Intn(len(candidates))]
		val, _ := sdk.ValAddressFromBech32(v.GetOperator())
		op := data.GetAccountbyAccAddr(reporter, sdk.AccAddress(val))
		amount := op.LiquidBalance().RandSubsetCoin(reporter, bondDenom)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		refusal, err := (&gatedFactory{k: k}).requireApproved(ctx, v.GetOperator())
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		msg := stakingtypes.NewMsgDelegate(op.AddressBech32, v.GetOperator(), amount)
		if refusal != nil {
			return []simsx.SimAccount{op}, msg, expect(refusal, nil)
		}
		return []simsx.SimAccount{op}, msg, nil
	})
}
