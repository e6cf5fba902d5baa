package simulation

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgWithdrawRewardsFactory withdraws the emission of devices with work in a
// settled epoch, and sends withdrawals for devices with none.
func MsgWithdrawRewardsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawRewards, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		current, err := k.CurrentEpoch.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var earners []sdk.AccAddress
		_ = k.DeviceEpochUnits.Walk(ctx, nil, func(key collections.Pair[[]byte, uint64], _ math.Int) (bool, error) {
			if key.K2() < current {
				earners = append(earners, key.K1())
			}
			return false, nil
		})
		var op simsx.SimAccount
		if len(earners) > 0 && r.Intn(4) != 0 {
			op = data.GetAccountbyAccAddr(reporter, earners[r.Intn(len(earners))])
		} else {
			op = data.AnyAccount(reporter)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		var want error = types.ErrNoRewards
		if dev, ok := getDevice(ctx, k, op.Address); ok && dev.Jailed {
			return []simsx.SimAccount{op}, &types.MsgWithdrawRewards{Operator: op.AddressBech32}, simtest.Expect(types.ErrDeviceJailed, nil)
		}
		_ = k.DeviceEpochUnits.Walk(ctx, collections.NewPrefixedPairRange[[]byte, uint64](op.Address), func(key collections.Pair[[]byte, uint64], _ math.Int) (bool, error) {
			if key.K2() < current {
				want = nil
			}
			return true, nil
		})
		return []simsx.SimAccount{op}, &types.MsgWithdrawRewards{Operator: op.AddressBech32}, simtest.Expect(want, nil)
	})
}
