package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// The checks in this file walk the whole state: they are for tests,
// simulation and audits, never for block processing.

// CheckInvariants runs every check below and returns the first violation.
func (k *Keeper) CheckInvariants(ctx context.Context) error {
	for _, check := range []func(context.Context) error{
		k.CheckEscrowInvariant,
		k.CheckEmissionInvariant,
		k.CheckReferenceInvariant,
		k.CheckDisputeInvariant,
		k.CheckReplayIndexInvariant,
	} {
		if err := check(ctx); err != nil {
			return err
		}
	}
	return nil
}

// EscrowHeld sums what the module owes: remaining job escrow, device bonds,
// minted emission not yet withdrawn and the fees of open delivery demands.
func (k *Keeper) EscrowHeld(ctx context.Context) (math.Int, error) {
	total := math.ZeroInt()
	if err := k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		total = total.Add(j.Escrow)
		return false, nil
	}); err != nil {
		return math.Int{}, err
	}
	if err := k.Devices.Walk(ctx, nil, func(_ []byte, d types.Device) (bool, error) {
		total = total.Add(d.Bond)
		return false, nil
	}); err != nil {
		return math.Int{}, err
	}
	unclaimed, err := k.loadInt(ctx, k.UnclaimedRewards)
	if err != nil {
		return math.Int{}, err
	}
	fees, err := k.demandFeesHeld(ctx)
	if err != nil {
		return math.Int{}, err
	}
	return total.Add(unclaimed).Add(fees), nil
}

// CheckEscrowInvariant verifies that the module account holds exactly what it
// owes, that no bond or escrow is negative, that an open job holds the value
// of its unverified items and a closed job that of its live tasks.
func (k *Keeper) CheckEscrowInvariant(ctx context.Context) error {
	held, err := k.EscrowHeld(ctx)
	if err != nil {
		return err
	}
	balance := k.bank.GetBalance(ctx, k.accounts.GetModuleAddress(types.ModuleName), k.denom).Amount
	if !balance.Equal(held) {
		return fmt.Errorf("compute escrow: module balance %s%s, owed %s%s (jobs + bonds + unclaimed rewards + demand fees)", balance, k.denom, held, k.denom)
	}
	if err := k.Devices.Walk(ctx, nil, func(_ []byte, d types.Device) (bool, error) {
		if d.Bond.IsNegative() {
			return true, fmt.Errorf("device %s has negative bond %s", d.Operator, d.Bond)
		}
		return false, nil
	}); err != nil {
		return err
	}
	verifiedItems := make(map[uint64]uint64)
	if err := k.Tasks.Walk(ctx, nil, func(_ TaskKey, t types.Task) (bool, error) {
		if t.Status == types.TASK_STATUS_VERIFIED {
			verifiedItems[t.JobId] += t.ItemCount
		}
		return false, nil
	}); err != nil {
		return err
	}
	return k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		if j.Escrow.IsNegative() {
			return true, fmt.Errorf("job %d has negative escrow %s", j.Id, j.Escrow)
		}
		if j.Status == types.JOB_STATUS_OPEN {
			if owed := j.TaskReward(j.Items - verifiedItems[j.Id]); !j.Escrow.Equal(owed) {
				return true, fmt.Errorf("open job %d holds %s, its %d unverified items are worth %s", j.Id, j.Escrow, j.Items-verifiedItems[j.Id], owed)
			}
		} else if !j.Escrow.Equal(j.TaskReward(j.LiveItems)) {
			return true, fmt.Errorf("closed job %d holds %s, its live tasks are worth %s", j.Id, j.Escrow, j.TaskReward(j.LiveItems))
		}
		return false, nil
	})
}

// CheckEmissionInvariant verifies the emission accounts: the totals are not
// negative, nothing was minted past emission_cap (a cap governance lowered
// below what was already minted fails here too), total_emitted is the sum of
// the settled epochs' emission (settled epochs with work are never pruned),
// and unclaimed rewards cover every device's pending (capped) share.
func (k *Keeper) CheckEmissionInvariant(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	emitted, err := k.loadInt(ctx, k.TotalEmitted)
	if err != nil {
		return err
	}
	unclaimed, err := k.loadInt(ctx, k.UnclaimedRewards)
	if err != nil {
		return err
	}
	burned, err := k.loadInt(ctx, k.TotalBurned)
	if err != nil {
		return err
	}
	switch {
	case emitted.IsNegative() || unclaimed.IsNegative() || burned.IsNegative():
		return fmt.Errorf("negative totals: emitted %s, unclaimed %s, burned %s", emitted, unclaimed, burned)
	case emitted.GT(params.EmissionCap):
		return fmt.Errorf("total emitted %s exceeds the emission cap %s", emitted, params.EmissionCap)
	case unclaimed.GT(emitted):
		return fmt.Errorf("unclaimed rewards %s exceed total emitted %s", unclaimed, emitted)
	}
	current, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return err
	}
	settled := math.ZeroInt()
	if err := k.Epochs.Walk(ctx, nil, func(n uint64, e types.EpochInfo) (bool, error) {
		if e.Settled != (n < current) {
			return true, fmt.Errorf("epoch %d settled=%t while the current epoch is %d", n, e.Settled, current)
		}
		settled = settled.Add(e.Emission)
		return false, nil
	}); err != nil {
		return err
	}
	if !settled.Equal(emitted) {
		return fmt.Errorf("settled epochs minted %s, total emitted is %s", settled, emitted)
	}
	pending, err := k.checkRequesterUnits(ctx, current)
	if err != nil {
		return err
	}
	if pending.GT(unclaimed) {
		return fmt.Errorf("devices may withdraw %s but only %s is unclaimed", pending, unclaimed)
	}
	return nil
}

// CheckReferenceInvariant verifies that every live task (a lease or a claim)
// points to an existing job and to an existing device that can still be
// slashed, and that the indexes, queues and live counters agree with the tasks.
func (k *Keeper) CheckReferenceInvariant(ctx context.Context) error {
	type live struct{ tasks, items uint64 }
	jobLive := make(map[uint64]live)
	pruneQueued, claimed := 0, 0
	deviceLive := make(map[string]uint32)
	err := k.Tasks.Walk(ctx, nil, func(key TaskKey, t types.Task) (bool, error) {
		if key.K1() != t.JobId || key.K2() != t.Index {
			return true, fmt.Errorf("task stored under %d/%d says it is %d/%d", key.K1(), key.K2(), t.JobId, t.Index)
		}
		job, err := k.Jobs.Get(ctx, t.JobId)
		if isNotFound(err) {
			return true, fmt.Errorf("task %d/%d belongs to missing job %d", t.JobId, t.Index, t.JobId)
		}
		if err != nil {
			return true, err
		}
		if first, count := job.TaskRange(t.Index); t.Index >= job.NumTasks || t.FirstItem != first || t.ItemCount != count {
			return true, fmt.Errorf("task %d/%d covers items [%d, +%d), job %d has %d tasks of %d items", t.JobId, t.Index, t.FirstItem, t.ItemCount, job.Id, job.NumTasks, job.ItemsPerTask)
		}
		var due uint64
		switch t.Status {
		case types.TASK_STATUS_LEASED:
			due = t.LeaseExpiry
		case types.TASK_STATUS_CLAIMED:
			due = t.ProofDeadline
			if len(t.Root) != types.RootSize {
				return true, fmt.Errorf("claimed task %d/%d has a %d-byte root", t.JobId, t.Index, len(t.Root))
			}
			claimed++
			if has, err := k.ClaimsByChallenge.Has(ctx, collections.Join(t.ChallengeHeight, key)); err != nil || !has {
				return true, fmt.Errorf("claimed task %d/%d is not indexed under its challenge height %d (err %v)", t.JobId, t.Index, t.ChallengeHeight, err)
			}
		case types.TASK_STATUS_UNSPECIFIED:
			// A task that fell back open must wait to be leased again, or its
			// escrow would be stranded.
			if job.Status == types.JOB_STATUS_OPEN {
				if has, err := k.ReopenedTasks.Has(ctx, key); err != nil || !has {
					return true, fmt.Errorf("task %d/%d of open job %d is neither live, verified nor reopened (err %v)", t.JobId, t.Index, t.JobId, err)
				}
			}
			return false, nil
		default:
			return false, nil
		}
		operator, err := k.addr("device", t.Device)
		if err != nil {
			return true, fmt.Errorf("live task %d/%d: %w", t.JobId, t.Index, err)
		}
		dev, err := k.Devices.Get(ctx, operator)
		if isNotFound(err) {
			return true, fmt.Errorf("live task %d/%d is held by missing device %s", t.JobId, t.Index, t.Device)
		}
		if err != nil {
			return true, err
		}
		if dev.Status != types.DEVICE_STATUS_ACTIVE && dev.Status != types.DEVICE_STATUS_JAILED {
			return true, fmt.Errorf("live task %d/%d is held by device %s, which is %s", t.JobId, t.Index, t.Device, dev.Status)
		}
		if has, err := k.TasksByDevice.Has(ctx, collections.Join([]byte(operator), key)); err != nil || !has {
			return true, fmt.Errorf("live task %d/%d is missing from its device's index (err %v)", t.JobId, t.Index, err)
		}
		if has, err := k.TaskQueue.Has(ctx, collections.Join(due, key)); err != nil || !has {
			return true, fmt.Errorf("live task %d/%d is not queued at its deadline %d (err %v)", t.JobId, t.Index, due, err)
		}
		l := jobLive[t.JobId]
		jobLive[t.JobId] = live{tasks: l.tasks + 1, items: l.items + t.ItemCount}
		deviceLive[string(operator)]++
		return false, nil
	})
	if err != nil {
		return err
	}
	if err := k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		l := jobLive[id]
		switch {
		case j.Id != id:
			return true, fmt.Errorf("job stored under %d says it is %d", id, j.Id)
		case j.LiveTasks != l.tasks || j.LiveItems != l.items:
			return true, fmt.Errorf("job %d counts %d live tasks of %d items, its task records %d of %d", id, j.LiveTasks, j.LiveItems, l.tasks, l.items)
		case j.NextTask > j.NumTasks || j.TasksVerified > j.NumTasks:
			return true, fmt.Errorf("job %d: next task %d, verified %d, of %d tasks", id, j.NextTask, j.TasksVerified, j.NumTasks)
		}
		if has, err := k.jobIndexedUnder(ctx, j.Status, id); err != nil || !has {
			return true, fmt.Errorf("job %d is missing from the %s index (err %v)", id, j.Status, err)
		}
		if j.Status == types.JOB_STATUS_OPEN {
			if has, err := k.JobDeadlineQueue.Has(ctx, collections.Join(j.DeadlineHeight, id)); err != nil || !has {
				return true, fmt.Errorf("open job %d is not queued at its deadline %d (err %v)", id, j.DeadlineHeight, err)
			}
		}
		if j.PruneHeight != 0 {
			pruneQueued++
			if has, err := k.JobPruneQueue.Has(ctx, collections.Join(j.PruneHeight, id)); err != nil || !has {
				return true, fmt.Errorf("job %d is not queued for pruning at %d (err %v)", id, j.PruneHeight, err)
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	// Each queue entry belongs to a job that names it (counted, as a job has at most one).
	entries := 0
	if err := k.JobPruneQueue.Walk(ctx, nil, func(collections.Pair[uint64, uint64]) (bool, error) {
		entries++
		return false, nil
	}); err != nil {
		return err
	}
	if entries != pruneQueued {
		return fmt.Errorf("%d prune queue entries, %d jobs waiting to be pruned", entries, pruneQueued)
	}
	entries = 0
	if err := k.ClaimsByChallenge.Walk(ctx, nil, func(collections.Pair[uint64, TaskKey]) (bool, error) {
		entries++
		return false, nil
	}); err != nil {
		return err
	}
	if entries != claimed {
		return fmt.Errorf("%d challenge index entries, %d open claims", entries, claimed)
	}
	if err := k.Devices.Walk(ctx, nil, func(operator []byte, d types.Device) (bool, error) {
		if n := deviceLive[string(operator)]; d.LiveTasks != n {
			return true, fmt.Errorf("device %s counts %d live tasks, %d task records name it", d.Operator, d.LiveTasks, n)
		}
		if d.Status == types.DEVICE_STATUS_JAILED && !d.Jailed {
			return true, fmt.Errorf("device %s is %s without its jailed record", d.Operator, d.Status)
		}
		if d.Status == types.DEVICE_STATUS_UNBONDING {
			if has, err := k.UnbondingQueue.Has(ctx, collections.Join(d.UnbondingHeight, operator)); err != nil || !has {
				return true, fmt.Errorf("unbonding device %s is not queued at height %d (err %v)", d.Operator, d.UnbondingHeight, err)
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	if err := k.TasksByDevice.Walk(ctx, nil, func(key collections.Pair[[]byte, TaskKey]) (bool, error) {
		t, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return true, fmt.Errorf("device index names task %d/%d: %w", key.K2().K1(), key.K2().K2(), err)
		}
		if (t.Status != types.TASK_STATUS_LEASED && t.Status != types.TASK_STATUS_CLAIMED) || t.Device != k.addrString(key.K1()) {
			return true, fmt.Errorf("device index names task %d/%d for %s, the task is %s held by %q", t.JobId, t.Index, k.addrString(key.K1()), t.Status, t.Device)
		}
		return false, nil
	}); err != nil {
		return err
	}
	return k.ReopenedTasks.Walk(ctx, nil, func(key TaskKey) (bool, error) {
		t, err := k.Tasks.Get(ctx, key)
		if err != nil {
			return true, fmt.Errorf("reopened task %d/%d: %w", key.K1(), key.K2(), err)
		}
		if t.Status != types.TASK_STATUS_UNSPECIFIED {
			return true, fmt.Errorf("reopened task %d/%d is %s", key.K1(), key.K2(), t.Status)
		}
		return false, nil
	})
}

// jobIndexedUnder reports whether the status index holds (status, id).
func (k *Keeper) jobIndexedUnder(ctx context.Context, status types.JobStatus, id uint64) (bool, error) {
	rng := collections.NewPrefixedPairRange[int32, uint64](int32(status)).StartInclusive(id).EndInclusive(id)
	it, err := k.Jobs.Indexes.Status.Iterate(ctx, rng)
	if err != nil {
		return false, err
	}
	valid := it.Valid()
	return valid, it.Close()
}
