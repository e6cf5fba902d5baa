package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// checkRequesterUnits verifies the per-requester emission cap's units and
// returns what devices may withdraw from settled epochs: every credit is
// positive; a device's (epoch) units are the sum of its (epoch, requester)
// credits; a requester's units are the sum of its devices' credits in the
// running epoch and at least that sum in a settled one (withdrawn credits are
// gone); an epoch's work_units and requesters are the sum and count of its
// requesters'; and no settled epoch minted more than it scheduled, nor owes
// more than it minted.
func (k *Keeper) checkRequesterUnits(ctx context.Context, current uint64) (math.Int, error) {
	type pairKey struct {
		a     string
		epoch uint64
	}
	deviceSum := make(map[pairKey]math.Int)
	requesterSum := make(map[pairKey]math.Int)
	epochOwed := make(map[uint64]math.Int)
	pending := math.ZeroInt()
	err := k.DeviceRequesterUnits.Walk(ctx, nil, func(key collections.Triple[[]byte, uint64, []byte], units math.Int) (bool, error) {
		if !units.IsPositive() {
			return true, fmt.Errorf("credit of %s in epoch %d for %s is %s", k.addrString(key.K1()), key.K2(), k.addrString(key.K3()), units)
		}
		d, r := pairKey{string(key.K1()), key.K2()}, pairKey{string(key.K3()), key.K2()}
		deviceSum[d] = intOrZero(deviceSum[d]).Add(units)
		requesterSum[r] = intOrZero(requesterSum[r]).Add(units)
		if key.K2() >= current {
			return false, nil
		}
		info, err := k.Epochs.Get(ctx, key.K2())
		if err != nil {
			return true, fmt.Errorf("credit in epoch %d: %w", key.K2(), err)
		}
		share, err := k.settledShare(ctx, info, key.K3(), units)
		if err != nil {
			return true, err
		}
		pending = pending.Add(share)
		epochOwed[key.K2()] = intOrZero(epochOwed[key.K2()]).Add(share)
		return false, nil
	})
	if err != nil {
		return math.Int{}, err
	}
	err = k.DeviceEpochUnits.Walk(ctx, nil, func(key collections.Pair[[]byte, uint64], units math.Int) (bool, error) {
		d := pairKey{string(key.K1()), key.K2()}
		e, err := k.Epochs.Get(ctx, key.K2())
		if err != nil {
			return true, fmt.Errorf("work of %s in epoch %d: %w", k.addrString(key.K1()), key.K2(), err)
		}
		if !units.IsPositive() || units.GT(e.WorkUnits) {
			return true, fmt.Errorf("work of %s in epoch %d is %s units of the epoch's %s", k.addrString(key.K1()), key.K2(), units, e.WorkUnits)
		}
		if sum := intOrZero(deviceSum[d]); !sum.Equal(units) {
			return true, fmt.Errorf("work of %s in epoch %d is %s but its requester credits sum to %s", k.addrString(key.K1()), key.K2(), units, sum)
		}
		delete(deviceSum, d)
		return false, nil
	})
	if err != nil {
		return math.Int{}, err
	}
	if len(deviceSum) != 0 {
		return math.Int{}, fmt.Errorf("%d (device, epoch) credits have no device_epoch_units sum", len(deviceSum))
	}
	epochUnits := make(map[uint64]math.Int)
	epochRequesters := make(map[uint64]uint32)
	err = k.RequesterEpochUnits.Walk(ctx, nil, func(key collections.Pair[uint64, []byte], units math.Int) (bool, error) {
		r := pairKey{string(key.K2()), key.K1()}
		held := intOrZero(requesterSum[r])
		running := key.K1() >= current
		if !units.IsPositive() || held.GT(units) || (running && !held.Equal(units)) {
			return true, fmt.Errorf("requester %s has %s units in epoch %d, its devices hold %s", k.addrString(key.K2()), units, key.K1(), held)
		}
		delete(requesterSum, r)
		epochUnits[key.K1()] = intOrZero(epochUnits[key.K1()]).Add(units)
		epochRequesters[key.K1()]++
		return false, nil
	})
	if err != nil {
		return math.Int{}, err
	}
	if len(requesterSum) != 0 {
		return math.Int{}, fmt.Errorf("%d device credits name a requester with no units in their epoch", len(requesterSum))
	}
	err = k.Epochs.Walk(ctx, nil, func(n uint64, e types.EpochInfo) (bool, error) {
		if units := intOrZero(epochUnits[n]); !units.Equal(e.WorkUnits) || epochRequesters[n] != e.Requesters {
			return true, fmt.Errorf("epoch %d has %s units of %d requesters, its requesters hold %s units and number %d",
				n, e.WorkUnits, e.Requesters, units, epochRequesters[n])
		}
		if !e.Settled {
			return false, nil
		}
		if e.Emission.GT(intOrZero(e.ScheduledEmission)) {
			return true, fmt.Errorf("epoch %d minted %s, more than its scheduled %s", n, e.Emission, e.ScheduledEmission)
		}
		if owed := intOrZero(epochOwed[n]); owed.GT(e.Emission) {
			return true, fmt.Errorf("epoch %d owes devices %s, more than the %s it minted", n, owed, e.Emission)
		}
		return false, nil
	})
	return pending, err
}
