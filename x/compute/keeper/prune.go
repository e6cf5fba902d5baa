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
//
// The queue entry (job.PruneHeight, job.Id) exists exactly while
// job.PruneHeight != 0, so genesis import rebuilds it from the jobs.

// schedulePrune sets a closing job's prune height and queues it: at that
// height its task records are deleted and the job record shrinks to its
// summary (a job that never leased a task only shrinks).
func (k *Keeper) schedulePrune(ctx context.Context, job *types.Job) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	job.PruneHeight = job.ClosedHeight + params.TaskRetentionBlocks
	return k.JobPruneQueue.Set(ctx, collections.Join(job.PruneHeight, job.Id))
}

// pruneClosedJobs deletes at most limit task records of jobs whose prune
// height has come, oldest first. A job leaves the queue, with an
// EventJobTasksPruned, once none of its records remain; one that still has a
// live task (windows were raised after it closed) is queued again a retention
// later, its live task untouched.
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
		live, more := false, false
		err := k.Tasks.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](jobID), func(key TaskKey, t types.Task) (bool, error) {
			if len(keys) == limit {
				more = true
				return true, nil
			}
			// A verified task still open to dispute is live too: its record is
			// what a delivery demand or fraud proof is checked against.
			if t.Status == types.TASK_STATUS_LEASED || t.Status == types.TASK_STATUS_CLAIMED || t.DisputeUntil != 0 {
				live = true
				return true, nil
			}
			keys = append(keys, key)
			return false, nil
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
		if more {
			return nil // the budget ran out on this job; it stays due
		}
		job, err := k.getJob(ctx, jobID)
		if err != nil {
			return err
		}
		if err := k.JobPruneQueue.Remove(ctx, entry); err != nil {
			return err
		}
		if live {
			job.PruneHeight = height(ctx) + params.TaskRetentionBlocks
			if err := k.JobPruneQueue.Set(ctx, collections.Join(job.PruneHeight, jobID)); err != nil {
				return err
			}
			if err := k.Jobs.Set(ctx, jobID, job); err != nil {
				return err
			}
			continue
		}
		// The summary: what the job was, paid and left; not how to compute it.
		job.PruneHeight = 0
		job.Spec = ""
		job.ResultUrl = ""
		if err := k.Jobs.Set(ctx, jobID, job); err != nil {
			return err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventJobTasksPruned{
			JobId: jobID, Tasks: job.NextTask, Summarized: true,
		}); err != nil {
			return err
		}
	}
	return nil
}
