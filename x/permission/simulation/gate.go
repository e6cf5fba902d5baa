package simulation

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
	"github.com/nightshift-network/nightshift/x/permission/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// GatedRegistry registers x/staking's and x/slashing's message factories as
// the permission gate sees their messages: a message the gate refuses must
// fail with the gate's error, one it lets through keeps the factory's own
// expectation. Undelegations keep MinBondedValidators (floorFactory). Other
// factories are registered unchanged.
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
	case *stakingtypes.MsgUndelegate:
		f = &floorFactory{SimMsgFactoryX: f, k: g.k}
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
	val, err := addrBytes(valoper)
	if err != nil {
		return nil, err
	}
	ok, err := f.k.IsApproved(ctx, val)
	if err != nil || ok {
		return nil, err
	}
	return types.ErrValidatorNotApproved, nil
}

func (f *gatedFactory) requireSelfDelegation(ctx context.Context, delegator, valoper string) (error, error) {
	del, err := addrBytes(delegator)
	if err != nil {
		return nil, err
	}
	val, err := addrBytes(valoper)
	if err != nil {
		return nil, err
	}
	if !del.Equals(val) {
		return types.ErrDelegationNotAllowed, nil
	}
	return f.requireApproved(ctx, valoper)
}

// addrBytes decodes a bech32 account or operator address (the SDK's
// global-config helpers are slow enough to dominate a simulation).
func addrBytes(s string) (sdk.AccAddress, error) {
	_, bz, err := bech32.DecodeAndConvert(s)
	return bz, err
}

// MsgSelfDelegateFactory has validator operators add to their own stake: the
// one delegation the gate allows (x/staking's factory delegates from random
// accounts, which the gate refuses), and what keeps the validator set from
// draining as operators undelegate. Delegations to the validator of an
// operator no longer approved must fail with ErrValidatorNotApproved.
func MsgSelfDelegateFactory(sk *stakingkeeper.Keeper, k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *stakingtypes.MsgDelegate, simsx.SimDeliveryResultHandler) {
		bondDenom, err := sk.BondDenom(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		// Operators are a minority of accounts: look at a few at random.
		var (
			op    simsx.SimAccount
			v     stakingtypes.Validator
			found bool
		)
		for range 10 {
			op = data.AnyAccount(reporter)
			if v, err = sk.GetValidator(ctx, sdk.ValAddress(op.Address)); err == nil && !v.InvalidExRate() {
				found = true
				break
			}
		}
		if !found {
			reporter.Skip("no validator operated by a simulation account")
			return nil, nil, nil
		}
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
			return []simsx.SimAccount{op}, msg, simtest.Expect(refusal, nil)
		}
		return []simsx.SimAccount{op}, msg, nil
	})
}

// MsgOperatorUnjailFactory has operators bring a validator back once its jail
// time is over (x/slashing's factory picks any validator, mostly unjailed
// ones). The gate must refuse the validator of an operator no longer approved
// with ErrValidatorNotApproved; any other must be unjailed.
func MsgOperatorUnjailFactory(sk *stakingkeeper.Keeper, slashing slashingkeeper.Keeper, k *keeper.Keeper) simsx.SimMsgFactoryX {
	// The jailed validators, listed once per block: a block's operations only
	// unjail, and each pick is checked against the current state.
	var (
		listedAt int64 = -1
		jailed   []stakingtypes.Validator
	)
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *slashingtypes.MsgUnjail, simsx.SimDeliveryResultHandler) {
		sdkCtx := sdk.UnwrapSDKContext(ctx)
		if h := sdkCtx.BlockHeight(); h != listedAt {
			vals, err := sk.GetAllValidators(ctx)
			if err != nil {
				reporter.Skip(err.Error())
				return nil, nil, nil
			}
			listedAt, jailed = h, slices.DeleteFunc(vals, func(v stakingtypes.Validator) bool { return !v.IsJailed() })
		}
		mayUnjail := func(valoper string) (sdk.ValAddress, bool) {
			val, err := addrBytes(valoper)
			if err != nil {
				return nil, false
			}
			v, err := sk.GetValidator(ctx, sdk.ValAddress(val))
			if err != nil || !v.IsJailed() {
				return nil, false
			}
			self, err := sk.GetDelegation(ctx, val, sdk.ValAddress(val))
			if err != nil || v.TokensFromShares(self.GetShares()).TruncateInt().LT(v.MinSelfDelegation) {
				return nil, false
			}
			consAddr, err := v.GetConsAddr()
			if err != nil {
				return nil, false
			}
			info, err := slashing.GetValidatorSigningInfo(ctx, consAddr)
			return sdk.ValAddress(val), err != nil || (!info.Tombstoned && !sdkCtx.BlockHeader().Time.Before(info.JailedUntil))
		}
		var (
			valoper string
			val     sdk.ValAddress
			ok      bool
		)
		for i := 0; i < 10 && len(jailed) > 0 && !ok; i++ {
			valoper = jailed[data.Rand().Intn(len(jailed))].GetOperator()
			val, ok = mayUnjail(valoper)
		}
		if !ok {
			reporter.Skip("no jailed validator may unjail")
			return nil, nil, nil
		}
		op, found := simAccountOf(data, reporter, sdk.AccAddress(val))
		if !found {
			return nil, nil, nil
		}
		refusal, err := (&gatedFactory{k: k}).requireApproved(ctx, valoper)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		return []simsx.SimAccount{op}, slashingtypes.NewMsgUnjail(valoper), simtest.Expect(refusal, func() error {
			after, err := sk.GetValidator(ctx, val)
			if err != nil || after.IsJailed() {
				return fmt.Errorf("validator %s still jailed after unjail (%v)", valoper, err)
			}
			return nil
		})
	})
}

// simAccountOf returns the simulation account with the given address, skipping
// when there is none.
func simAccountOf(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, addr sdk.AccAddress) (simsx.SimAccount, bool) {
	s, err := data.AddressCodec().BytesToString(addr)
	if err != nil || !data.HasAccount(s) {
		reporter.Skipf("%s is not a simulation account", s)
		return simsx.SimAccount{}, false
	}
	return data.GetAccount(reporter, s), true
}
