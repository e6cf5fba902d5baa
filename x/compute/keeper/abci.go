package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// BeginBlocker records the block hash later challenges are seeded from.
func (k *Keeper) BeginBlocker(ctx context.Context) error {
	return k.RecordBlockHash(ctx)
}

// EndBlocker runs what is due: lease expiries and missed proofs, job deadlines,
// unbondings, task pruning (each at most max_queue_items_per_block, oldest
// first; the rest stay queued for the next block) and the epoch settlement.
func (k *Keeper) EndBlocker(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	h := height(ctx)
	limit := int(params.MaxQueueItemsPerBlock)

	due, err := dueKeys(ctx, k.TaskQueue, h, limit)
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.TaskQueue.Remove(ctx, key); err != nil {
			return err
		}
		if err := k.taskDue(ctx, key.K1(), key.K2()); err != nil {
			return err
		}
	}

	jobs, err := dueKeys(ctx, k.JobDeadlineQueue, h, limit)
	if err != nil {
		return err
	}
	for _, key := range jobs {
		if err := k.JobDeadlineQueue.Remove(ctx, key); err != nil {
			return err
		}
		job, err := k.Jobs.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if job.Status == types.JOB_STATUS_OPEN {
			if _, err := k.closeJob(ctx, job, types.JOB_STATUS_EXPIRED); err != nil {
				return err
			}
		}
	}

	unbonding, err := dueKeys(ctx, k.UnbondingQueue, h, limit)
	if err != nil {
		return err
	}
	for _, key := range unbonding {
		if err := k.UnbondingQueue.Remove(ctx, key); err != nil {
			return err
		}
		if err := k.completeUnbonding(ctx, key.K2()); err != nil {
			return err
		}
	}

	if err := k.missDeliveries(ctx, limit); err != nil {
		return err
	}
	if err := k.closeDueDisputes(ctx, limit); err != nil {
		return err
	}

	if err := k.pruneClosedJobs(ctx, params, limit); err != nil {
		return err
	}

	return k.settleEpochIfDue(ctx)
}

// taskDue handles a task queue entry: an unclaimed lease expires, an unproved
// claim is a missed proof. An entry whose task moved on is stale and ignored.
func (k *Keeper) taskDue(ctx context.Context, at uint64, key TaskKey) error {
	task, err := k.Tasks.Get(ctx, key)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case task.Status == types.TASK_STATUS_LEASED && task.LeaseExpiry == at:
		return k.expireLease(ctx, task)
	case task.Status == types.TASK_STATUS_CLAIMED && task.ProofDeadline == at:
		return k.missProof(ctx, task)
	}
	k.logger(ctx).Debug("stale task queue entry", "job", key.K1(), "task", key.K2(), "height", at)
	return nil
}

// dueKeys returns up to limit keys of a height-keyed queue whose height is at most h.
func dueKeys[K2 any](ctx context.Context, queue collections.KeySet[collections.Pair[uint64, K2]], h uint64, limit int) ([]collections.Pair[uint64, K2], error) {
	var keys []collections.Pair[uint64, K2]
	err := queue.Walk(ctx, collections.NewPrefixUntilPairRange[uint64, K2](h), func(key collections.Pair[uint64, K2]) (bool, error) {
		keys = append(keys, key)
		return len(keys) == limit, nil
	})
	return keys, err
}
