package keeper

import (
	"bytes"
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
// device's live tasks (max_live_tasks_per_device), and reads each of their
// jobs (and its requester's allowlist entry) once, however many of the tasks
// it holds: a device's live tasks are mostly of a few jobs, often the one it
// leases from, and reading the job per task was most of a batched lease's
// cost (docs/benchmarks.md, *Speculative lease+claim*).
func (k *Keeper) liveCover(ctx context.Context, params types.Params, operator sdk.AccAddress, job types.Job, newItems uint64) (leaseCover, error) {
	payment := job.TaskReward(newItems)
	// The jobs met so far, in the order first met (at most
	// max_live_tasks_per_device + 1), searched in order.
	var jobs []coverJob
	jobOf := func(id uint64, read func() (types.Job, error)) (coverJob, error) {
		for _, c := range jobs {
			if c.job.Id == id {
				return c, nil
			}
		}
		j, err := read()
		if err != nil {
			return coverJob{}, err
		}
		c := coverJob{job: j}
		if c.eligible, err = k.earnsEmission(ctx, j, operator); err != nil || !c.eligible {
			jobs = append(jobs, c)
			return c, err
		}
		if c.requester, err = k.addr("requester", j.Requester); err != nil {
			return coverJob{}, err
		}
		jobs = append(jobs, c)
		return c, nil
	}
	// Eligible units per requester, in the order first met (at most
	// max_live_tasks_per_device + 1 entries).
	var units []requesterUnits
	add := func(c coverJob, items uint64) {
		if !c.eligible {
			return
		}
		u := maxTaskUnits(params, items)
		for i := range units {
			if bytes.Equal(units[i].requester, c.requester) {
				units[i].units = units[i].units.Add(u)
				return
			}
		}
		units = append(units, requesterUnits{requester: c.requester, units: u})
	}
	leased, err := jobOf(job.Id, func() (types.Job, error) { return job, nil })
	if err != nil {
		return leaseCover{}, err
	}
	add(leased, newItems)
	err = k.TasksByDevice.Walk(ctx, collections.NewPrefixedPairRange[[]byte, TaskKey](operator), func(key collections.Pair[[]byte, TaskKey]) (bool, error) {
		task, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return true, err
		}
		c, err := jobOf(task.JobId, func() (types.Job, error) { return k.Jobs.Get(ctx, task.JobId) })
		if err != nil {
			return true, err
		}
		payment = payment.Add(c.job.TaskReward(task.ItemCount))
		add(c, task.ItemCount)
		return false, nil
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

// coverJob is a job liveCover has read: its price and whether (and for
// which requester) its tasks earn this device emission.
type coverJob struct {
	job       types.Job
	eligible  bool
	requester sdk.AccAddress
}

// maxTaskUnits bounds the work units a task of items can be credited: units
// are the measured work of the samples scaled to the task, each item's work is
// at most the kind's MaxWorkPerItem, and PostJob refuses a job whose
// MaxWorkPerItem is over max_verify_gas_per_item.
func maxTaskUnits(params types.Params, items uint64) math.Int {
	return math.NewIntFromUint64(params.MaxVerifyGasPerItem).Mul(math.NewIntFromUint64(items))
}

// maxLiveEmission bounds the emission of more work credited to one device in
// the running epoch, per requester under the per-requester cap
// (emission_cap.go): Σ_r ⌈C × U_r / (W_r + U_r)⌉, never more than E, with E
// what the epoch mints (halvings and the supply cap applied), C = E ×
// max_requester_emission_bps what one requester's jobs draw at most, U_r the
// new units for requester r and W_r the units r's jobs credited so far. A
// device's share of r is its units over r's final units, at least W_r + U_r,
// times e_r ≤ C; so this bounds what those tasks earn if they are credited in
// the running epoch (see the README for later epochs). No eligible unit
// expects no emission.
func (k *Keeper) maxLiveEmission(ctx context.Context, params types.Params, units []requesterUnits) (math.Int, error) {
	if len(units) == 0 {
		return math.ZeroInt(), nil
	}
	n, err := k.CurrentEpoch.Get(ctx)
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
	total := math.ZeroInt()
	for _, r := range units {
		credited, err := getIntOrZero(ctx, k.RequesterEpochUnits, collections.Join(n, r.requester))
		if err != nil {
			return math.Int{}, err
		}
		total = total.Add(types.RequesterEmissionBound(epoch, params.MaxRequesterEmissionBps, credited, r.units))
	}
	return math.MinInt(total, epoch), nil
}
