package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// leaseCover is what one invalid proof must at least cost a device leasing
// one more task (design note G3, README *Soundness*): the payment of all its
// live tasks, this one included, plus the emission those tasks can still earn.
type leaseCover struct {
	Payment  math.Int // Σ price_per_item × items of the live tasks and the new one
	Emission math.Int // the emission bound of the eligible ones (maxLiveEmission)
}

// Total is the amount the bond's invalid-proof slash must reach.
func (c leaseCover) Total() math.Int { return c.Payment.Add(c.Emission) }

// liveCover sums the payment and the emission bound of the device's live tasks
// and of the task it asks for (newItems of job). It visits at most the
// device's live tasks (max_live_tasks_per_device), one job and one allowlist
// read each.
func (k *Keeper) liveCover(ctx context.Context, params types.Params, operator sdk.AccAddress, job types.Job, newItems uint64) (leaseCover, error) {
	payment := job.TaskReward(newItems)
	units := math.ZeroInt()
	add := func(j types.Job, items uint64) error {
		eligible, err := k.earnsEmission(ctx, j, operator)
		if err != nil || !eligible {
			return err
		}
		units = units.Add(maxTaskUnits(params, items))
		return nil
	}
	if err := add(job, newItems); err != nil {
		return leaseCover{}, err
	}
	err := k.TasksByDevice.Walk(ctx, collections.NewPrefixedPairRange[[]byte, TaskKey](operator), func(key collections.Pair[[]byte, TaskKey]) (bool, error) {
		task, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return true, err
		}
		j, err := k.Jobs.Get(ctx, task.JobId)
		if err != nil {
			return true, err
		}
		payment = payment.Add(j.TaskReward(task.ItemCount))
		return false, add(j, task.ItemCount)
	})
	if err != nil {
		return leaseCover{}, err
	}
	emission, err := k.maxLiveEmission(ctx, params, units)
	if err != nil {
		return leaseCover{}, err
	}
	return leaseCover{Payment: payment, Emission: emission}, nil
}

// maxTaskUnits bounds the work units a task of items can be credited: units
// are the measured work of the samples scaled to the task, each item's work is
// at most the kind's MaxWorkPerItem, and PostJob refuses a job whose
// MaxWorkPerItem is over max_verify_gas_per_item.
func maxTaskUnits(params types.Params, items uint64) math.Int {
	return math.NewIntFromUint64(params.MaxVerifyGasPerItem).Mul(math.NewIntFromUint64(items))
}

// maxLiveEmission is the expected emission of units more work credited to one
// device in the running epoch: E × U / (W + U), with E what the epoch mints
// (halvings and the cap applied) and W the work it has credited so far. The
// device's share of the epoch is its units over the epoch's final work, which
// is at least W + U, so this bounds the share of work verified in this epoch;
// it is never more than E, the whole epoch (see the README for work credited
// in a later epoch). Zero units (no eligible task) expect no emission.
func (k *Keeper) maxLiveEmission(ctx context.Context, params types.Params, units math.Int) (math.Int, error) {
	if !units.IsPositive() {
		return math.ZeroInt(), nil
	}
	n, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return math.Int{}, err
	}
	info, err := k.Epochs.Get(ctx, n)
	if err != nil {
		return math.Int{}, err
	}
	emitted, err := k.loadInt(ctx, k.TotalEmitted)
	if err != nil {
		return math.Int{}, err
	}
	epoch := math.MinInt(params.EpochEmission(n), params.EmissionCap.Sub(emitted))
	if !epoch.IsPositive() {
		return math.ZeroInt(), nil
	}
	// Rounded up so a positive share is never estimated as 0.
	num := epoch.Mul(units)
	den := info.WorkUnits.Add(units)
	q := num.Quo(den)
	if !num.Mod(den).IsZero() {
		q = q.AddRaw(1)
	}
	return q, nil
}
