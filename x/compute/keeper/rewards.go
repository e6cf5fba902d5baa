package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// MaxEntriesPerWithdrawal bounds the work of one WithdrawRewards (and of the
// Rewards query): the (epoch, requester) credits it visits, each O(1); a device
// with more withdraws again.
const MaxEntriesPerWithdrawal = 100

// startEpoch opens epoch number n at height start.
func (k *Keeper) startEpoch(ctx context.Context, n, start uint64) error {
	if err := k.CurrentEpoch.Set(ctx, n); err != nil {
		return err
	}
	return k.Epochs.Set(ctx, n, types.EpochInfo{
		Epoch: n, StartHeight: start, WorkUnits: math.ZeroInt(), Emission: math.ZeroInt(),
		ScheduledEmission: math.ZeroInt(), RequesterCap: math.ZeroInt(), RateNum: math.ZeroInt(), RateDen: math.ZeroInt(),
	})
}

// settleEpochIfDue ends the running epoch once it has lasted epoch_blocks: it
// mints the epoch's emission (halved every halving_epochs, never past the cap,
// nothing if no verified work, each requester's jobs capped: emission_cap.go)
// into the module account, where each device's share waits for
// WithdrawRewards. O(N log N) in the epoch's requesters (bounded by
// max_emission_requesters_per_epoch); no device is visited.
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
	scheduled := math.ZeroInt()
	if info.WorkUnits.IsPositive() {
		scheduled = math.MinInt(params.EpochEmission(n), params.EmissionCap.Sub(total))
		if scheduled.IsNegative() { // the cap was lowered below what is already minted
			scheduled = math.ZeroInt()
		}
	}
	// The per-requester cap decides what is minted: at most scheduled, less
	// when fewer than 1/max_requester_emission_bps requesters worked.
	if err := k.capEpochEmission(ctx, params, &info, scheduled); err != nil {
		return err
	}
	emission := info.Emission
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

// rewardEntry is one (device, epoch, requester) credit a withdrawal visits.
type rewardEntry struct {
	key   collections.Triple[[]byte, uint64, []byte]
	units math.Int
}

// pendingRewards walks up to MaxEntriesPerWithdrawal of a device's credits in
// settled epochs and returns their capped value, the entries visited, the
// number of epochs they span and whether more remain.
func (k *Keeper) pendingRewards(ctx context.Context, operator sdk.AccAddress) (math.Int, []rewardEntry, uint32, bool, error) {
	current, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return math.Int{}, nil, 0, false, err
	}
	amount := math.ZeroInt()
	var entries []rewardEntry
	var epochs uint32
	var info types.EpochInfo
	more := false
	// Keys are in (epoch, requester) order; the running epoch is not settled.
	rng := collections.NewPrefixedTripleRange[[]byte, uint64, []byte](operator)
	err = k.DeviceRequesterUnits.Walk(ctx, rng, func(key collections.Triple[[]byte, uint64, []byte], units math.Int) (bool, error) {
		if key.K2() >= current {
			return true, nil
		}
		if len(entries) == MaxEntriesPerWithdrawal {
			more = true
			return true, nil
		}
		if len(entries) == 0 || info.Epoch != key.K2() {
			if info, err = k.Epochs.Get(ctx, key.K2()); err != nil {
				return true, err
			}
			epochs++
		}
		share, err := k.settledShare(ctx, info, key.K3(), units)
		if err != nil {
			return true, err
		}
		amount = amount.Add(share)
		entries = append(entries, rewardEntry{key: key, units: units})
		return false, nil
	})
	if err != nil {
		return math.Int{}, nil, 0, false, err
	}
	return amount, entries, epochs, more, nil
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
	amount, entries, epochs, more, err := k.pendingRewards(ctx, operator)
	if err != nil {
		return math.Int{}, 0, false, err
	}
	if len(entries) == 0 {
		return math.Int{}, 0, false, errorsmod.Wrapf(types.ErrNoRewards, "%s has no work in a settled epoch", k.addrString(operator))
	}
	for _, e := range entries {
		if err := k.DeviceRequesterUnits.Remove(ctx, e.key); err != nil {
			return math.Int{}, 0, false, err
		}
		// The (device, epoch) sum drops by what was paid out; it is gone once
		// every requester of that epoch is.
		dKey := collections.Join([]byte(operator), e.key.K2())
		have, err := getIntOrZero(ctx, k.DeviceEpochUnits, dKey)
		if err != nil {
			return math.Int{}, 0, false, err
		}
		if err := setOrRemove(ctx, k.DeviceEpochUnits, dKey, have.Sub(e.units)); err != nil {
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
	return amount, epochs, more, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRewardsWithdrawn{
		Operator: k.addrString(operator), Amount: amount, Epochs: epochs,
	})
}
