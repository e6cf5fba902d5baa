package simulation

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgWithdrawRewardsFactory withdraws as a device's worker does once an epoch
// settles (pkg/worker): three times in four a device with work in a settled
// epoch that may withdraw it; one time in eight a jailed device with such work,
// which is refused (it forfeits the work); else any account, mostly one with
// nothing to withdraw.
//
// The two kinds of earners are drawn apart because a jailed device's credits
// stay in the store for good while a free device's are gone once withdrawn,
// and in the simulation every device forges one lease in four, so most devices
// that earn are jailed within a few blocks after their epoch settles. Drawn
// from all holders of settled credits together, the picks went to the jailed:
// seed 6 (at 8d88a6d) sent 50 withdrawals, 32 from jailed devices and 18 from
// accounts with nothing, while each of three devices could have withdrawn for
// about five blocks; all 7,109,274 ushift emitted stayed unclaimed.
func MsgWithdrawRewardsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawRewards, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		free, jailed, err := settledEarners(ctx, k, data)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var op simsx.SimAccount
		switch n := r.Intn(8); {
		case n < 6 && len(free) > 0:
			op = data.GetAccountbyAccAddr(reporter, free[r.Intn(len(free))])
		case n == 6 && len(jailed) > 0:
			op = data.GetAccountbyAccAddr(reporter, jailed[r.Intn(len(jailed))])
		default:
			op = data.AnyAccount(reporter)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgWithdrawRewards{Operator: op.AddressBech32}
		if dev, ok := getDevice(ctx, k, op.Address); ok && dev.Jailed {
			return []simsx.SimAccount{op}, msg, simtest.Expect(types.ErrDeviceJailed, nil)
		}
		credits, err := settledCredits(ctx, k, op.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		if credits == 0 {
			return []simsx.SimAccount{op}, msg, simtest.Expect(types.ErrNoRewards, nil)
		}
		return []simsx.SimAccount{op}, msg, simtest.Expect(nil, func() error {
			// One message pays up to MaxEntriesPerWithdrawal credits.
			left, err := settledCredits(ctx, k, op.Address)
			if want := max(credits-keeper.MaxEntriesPerWithdrawal, 0); err != nil || left != want {
				return fmt.Errorf("%s has %d credits in settled epochs after withdrawing %d, want %d (%v)", op.AddressBech32, left, credits, want, err)
			}
			return nil
		})
	})
}

// settledEarners returns, in address order and each once, the simulation
// accounts with work in a settled epoch: those that may withdraw it and those
// jailed.
func settledEarners(ctx context.Context, k *keeper.Keeper, data *simsx.ChainDataSource) (free, jailed []sdk.AccAddress, err error) {
	current, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	var last sdk.AccAddress
	err = k.DeviceEpochUnits.Walk(ctx, nil, func(key collections.Pair[[]byte, uint64], _ math.Int) (bool, error) {
		addr := sdk.AccAddress(key.K1())
		// Keys are in (device, epoch) order: a device's epochs are adjacent.
		if key.K2() >= current || addr.Equals(last) {
			return false, nil
		}
		if bech, err := data.AddressCodec().BytesToString(addr); err != nil || !data.HasAccount(bech) {
			return false, err
		}
		last = addr
		if dev, ok := getDevice(ctx, k, addr); ok && dev.Jailed {
			jailed = append(jailed, addr)
		} else {
			free = append(free, addr)
		}
		return false, nil
	})
	return free, jailed, err
}

// settledCredits counts the account's (epoch, requester) credits in settled
// epochs, which a withdrawal pays (keys are in epoch order).
func settledCredits(ctx context.Context, k *keeper.Keeper, addr sdk.AccAddress) (int, error) {
	current, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	rng := collections.NewPrefixedTripleRange[[]byte, uint64, []byte](addr)
	err = k.DeviceRequesterUnits.Walk(ctx, rng, func(key collections.Triple[[]byte, uint64, []byte], _ math.Int) (bool, error) {
		if key.K2() >= current {
			return true, nil
		}
		n++
		return false, nil
	})
	return n, err
}
