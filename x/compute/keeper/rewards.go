package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// MaxEpochsPerWithdrawal bounds the work of one WithdrawRewards (and of the
// Rewards query); a device with more settled epochs withdraws again.
const MaxEpochsPerWithdrawal = 100

// creditWork adds emission-earning work units to the running epoch.
func (k *Keeper) creditWork(ctx context.Context, operator sdk.AccAddress, epoch uint64, units math.Int) error {
	info, err := k.Epochs.Get(ctx, epoch)
	if err != nil {
		return err
	}
	info.WorkUnits = info.WorkUnits.Add(units)
	if err := k.Epochs.Set(ctx, epoch, info); err != nil {
		return err
	}
	key := collections.Join([]byte(operator), epoch)
	have, err := k.DeviceEpochUnits.Get(ctx, key)
	if isNotFound(err) {
		have, err = math.ZeroInt(), nil
	}
	if err != nil {
		return err
	}
	return k.DeviceEpochUnits.Set(ctx, key, have.Add(units))
}

// startEpoch opens epoch number n at height start.
func (k *Keeper) startEpoch(ctx context.Context, n, start uint64) error {
	if err := k.CurrentEpoch.Set(ctx, n); err != nil {
		return err
	}
	return k.Epochs.Set(ctx, n, types.EpochInfo{
		Epoch: n, StartHeight: start, WorkUnits: math.ZeroInt(), Emission: math.ZeroInt(),
	})
}

// settleEpochIfDue ends the running epoch once it has lasted epoch_blocks: it
// mints the epoch's emission (halved every halving_epochs, never past the cap,
// nothing if no verified work) into the module account, where each device's
// pro-rata share waits for WithdrawRewards. O(1): no device is visited.
func (k *Keeper) settleEpochIfDue(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	n, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return err
	}
	info, err := k.Epochs.Get(ctx, n)
	if err != nil {
		return err
	}
	h := height(ctx)
	if h+1 < info.StartHeight+params.EpochBlocks {
		return nil
	}
	total, err := k.loadInt(ctx, k.TotalEmitted)
	if err != nil {
		return err
	}
	emission := math.ZeroInt()
	if info.WorkUnits.IsPositive() {
		emission = math.MinInt(params.EpochEmission(n), params.EmissionCap.Sub(total))
		if emission.IsNegative() { // the cap was lowered below what is already minted
			emission = math.ZeroInt()
		}
	}
	if emission.IsPositive() {
		if err := k.bank.MintCoins(ctx, types.ModuleName, k.coins(emission)); err != nil {
			return err
		}
		total = total.Add(emission)
		if err := k.TotalEmitted.Set(ctx, total); err != nil {
			return err
		}
		unclaimed, err := k.loadInt(ctx, k.UnclaimedRewards)
		if err != nil {
			return err
		}
		if err := k.UnclaimedRewards.Set(ctx, unclaimed.Add(emission)); err != nil {
			return err
		}
	}
	metricEmission(ctx, emission)
	info.Emission = emission
	info.Settled = true
	if info.WorkUnits.IsZero() {
		// Nothing to withdraw from an idle epoch: do not keep it.
		if err := k.Epochs.Remove(ctx, n); err != nil {
			return err
		}
	} else if err := k.Epochs.Set(ctx, n, info); err != nil {
		return err
	}
	if err := k.startEpoch(ctx, n+1, h+1); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventEpochSettled{
		Epoch: n, WorkUnits: info.WorkUnits, Emission: emission, TotalEmitted: total,
	})
}

// pendingRewards walks up to MaxEpochsPerWithdrawal of a device's settled epochs
// and returns its share of them, the keys visited and whether more remain.
func (k *Keeper) pendingRewards(ctx context.Context, operator sdk.AccAddress) (math.Int, []uint64, bool, error) {
	current, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return math.Int{}, nil, false, err
	}
	amount := math.ZeroInt()
	var epochs []uint64
	more := false
	// Keys are in epoch order; the running epoch is not settled yet.
	rng := collections.NewPrefixedPairRange[[]byte, uint64](operator).EndExclusive(current)
	err = k.DeviceEpochUnits.Walk(ctx, rng, func(key collections.Pair[[]byte, uint64], units math.Int) (bool, error) {
		if len(epochs) == MaxEpochsPerWithdrawal {
			more = true
			return true, nil
		}
		info, err := k.Epochs.Get(ctx, key.K2())
		if err != nil {
			return true, err
		}
		amount = amount.Add(info.Emission.Mul(units).Quo(info.WorkUnits))
		epochs = append(epochs, key.K2())
		return false, nil
	})
	if err != nil {
		return math.Int{}, nil, false, err
	}
	return amount, epochs, more, nil
}

// WithdrawRewards pays a device's share of the emission of its settled epochs.
// Shares round down; the dust stays in the module as unclaimed rewards. A
// jailed device may not withdraw: its shares stay unclaimed for good.
func (k *Keeper) WithdrawRewards(ctx context.Context, operator sdk.AccAddress) (math.Int, uint32, bool, error) {
	if dev, err := k.Devices.Get(ctx, operator); err == nil && dev.Jailed {
		return math.Int{}, 0, false, errorsmod.Wrap(types.ErrDeviceJailed, "a jailed device earns no emission")
	} else if err != nil && !isNotFound(err) {
		return math.Int{}, 0, false, err
	}
	amount, epochs, more, err := k.pendingRewards(ctx, operator)
	if err != nil {
		return math.Int{}, 0, false, err
	}
	if len(epochs) == 0 {
		return math.Int{}, 0, false, errorsmod.Wrapf(types.ErrNoRewards, "%s has no work in a settled epoch", k.addrString(operator))
	}
	for _, e := range epochs {
		if err := k.DeviceEpochUnits.Remove(ctx, collections.Join([]byte(operator), e)); err != nil {
			return math.Int{}, 0, false, err
		}
	}
	if amount.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, operator, k.coins(amount)); err != nil {
			return math.Int{}, 0, false, err
		}
		unclaimed, err := k.loadInt(ctx, k.UnclaimedRewards)
		if err != nil {
			return math.Int{}, 0, false, err
		}
		if err := k.UnclaimedRewards.Set(ctx, unclaimed.Sub(amount)); err != nil {
			return math.Int{}, 0, false, err
		}
	}
	return amount, uint32(len(epochs)), more, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRewardsWithdrawn{
		Operator: k.addrString(operator), Amount: amount, Epochs: uint32(len(epochs)),
	})
}
