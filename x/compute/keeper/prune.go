package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// A settled task needs nothing on chain: the device was paid, its work units
// credited, and the root is in EventClaimSubmitted/EventProofAccepted. Task
// records of a closed job are therefore kept only task_retention_blocks (for
// collectors and explorers) and then deleted, so state per completed task is
// the job record's share, not a record per task.

// schedulePrune queues a closed job's task records for deletion
// task_retention_blocks after it closed.
func (k *Keeper) schedulePrune(ctx context.Context, job types.Job) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	return k.JobPruneQueue.Set(ctx, pairKey(job.ClosedHeight+params.TaskRetentionBlocks, job.Id))
}

// hasTaskRecords reports whether any task record of job remains.
func (k *Keeper) hasTaskRecords(ctx context.Context, jobID uint64) (bool, error) {
	iter, err := k.Tasks.Iterate(ctx, collections.NewPrefixedPairRange[uint64, uint64](jobID))
	if err != nil {
		return false, err
	}
	valid := iter.Valid()
	return valid, iter.Close()
}

// pruneClosedJobs deletes at most limit task records of jobs whose retention
// has passed, oldest first. A job leaves the queue when none of its records
// remain; one that still has a live task (windows were raised after it closed)
// is queued again a retention later, its live task untouched.
func (k *Keeper) pruneClosedJobs(ctx context.Context, params types.Params, limit int) error {
	due, err := dueKeys(ctx, k.JobPruneQueue, height(ctx), limit)
	if err != nil {
		return err
	}
	for _, entry := range due {
		if limit <= 0 {
			return nil
		}
		jobID := entry.K2()
		var keys []TaskKey
		live := false
		err := k.Tasks.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](jobID), func(key TaskKey, t types.Task) (bool, error) {
			if t.Status == types.TASK_STATUS_LEASED || t.Status == types.TASK_STATUS_CLAIMED {
				live = true
				return true, nil
			}
			keys = append(keys, key)
			return len(keys) == limit, nil
		})
		if err != nil {
			return err
		}
		for _, key := range keys {
			if err := k.Tasks.Remove(ctx, key); err != nil {
				return err
			}
			// A task reopened just before its job closed is never leased again.
			if err := k.ReopenedTasks.Remove(ctx, key); err != nil {
				return err
			}
		}
		limit -= len(keys)
		if live {
			if err := k.JobPruneQueue.Remove(ctx, entry); err != nil {
				return err
			}
			if err := k.JobPruneQueue.Set(ctx, pairKey(height(ctx)+params.TaskRetentionBlocks, jobID)); err != nil {
				return err
			}
			continue
		}
		if limit <= 0 {
			// The budget ran out on this job; check for more next block.
			return nil
		}
		if err := k.JobPruneQueue.Remove(ctx, entry); err != nil {
			return err
		}
		job, err := k.getJob(ctx, jobID)
		if err != nil {
			return err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventJobTasksPruned{
			JobId: jobID, Tasks: job.NextTask,
		}); err != nil {
			return err
		}
	}
	return nil
}
