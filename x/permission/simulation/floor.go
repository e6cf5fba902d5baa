package simulation

import (
	"context"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/keeper"
)

// MinBondedValidators is the validator set the simulated operators and
// authority keep: the fewest validators with which a BFT chain survives one
// faulty member (3f+1, f = 1). An operator does not unbond, nor the authority
// remove, a bonded validator when that would leave fewer bonded, unjailed
// validators (or fewer than there are, when there are fewer already); the
// factory skips instead. The keeper itself only refuses to remove the last
// voting power (ErrLastValidator), which the removal factory still tries.
const MinBondedValidators = 4

// bondedValidators returns the bonded, unjailed validators' count.
func bondedValidators(ctx context.Context, k *keeper.Keeper) (int, error) {
	bonded, err := k.StakingKeeper().GetBondedValidatorsByPower(ctx)
	n := 0
	for _, v := range bonded {
		if !v.IsJailed() {
			n++
		}
	}
	return n, err
}

// floorFactory is x/staking's MsgUndelegate factory with the operators'
// restraint: an undelegation that would take a bonded validator out of the
// set (its tokens below its minimum self-delegation, which jails it, or below
// one unit of power) is skipped while the set is at MinBondedValidators or
// smaller.
type floorFactory struct {
	simsx.SimMsgFactoryX
	k *keeper.Keeper
}

func (f *floorFactory) Create() simsx.FactoryMethod {
	create := f.SimMsgFactoryX.Create()
	return func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, sdk.Msg) {
		signers, msg := create(ctx, data, reporter)
		m, ok := msg.(*stakingtypes.MsgUndelegate)
		if reporter.IsSkipped() || !ok {
			return signers, msg
		}
		leaves, err := f.leavesSet(ctx, m)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil
		}
		if leaves {
			n, err := bondedValidators(ctx, f.k)
			if err != nil || n <= MinBondedValidators {
				reporter.Skipf("the operator keeps its validator: %d bonded validators left", n)
				return nil, nil
			}
		}
		return signers, msg
	}
}

// leavesSet reports whether the undelegation takes a bonded, unjailed
// validator out of the set.
func (f *floorFactory) leavesSet(ctx context.Context, m *stakingtypes.MsgUndelegate) (bool, error) {
	val, err := addrBytes(m.ValidatorAddress)
	if err != nil {
		return false, err
	}
	v, err := f.k.StakingKeeper().GetValidator(ctx, sdk.ValAddress(val))
	if err != nil || !v.IsBonded() || v.IsJailed() {
		return false, nil //nolint:nilerr // no bonded validator: the undelegation cannot shrink the set
	}
	after := v.Tokens.Sub(m.Amount.Amount)
	return after.LT(math.MaxInt(v.MinSelfDelegation, f.k.StakingKeeper().PowerReduction(ctx))), nil
}
