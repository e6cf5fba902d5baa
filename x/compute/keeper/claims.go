package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// SubmitClaim commits a leased task to the Merkle root of its outputs. The
// challenge is fixed challenge_delay_blocks later, by a block hash unknown now.
func (k *Keeper) SubmitClaim(ctx context.Context, operator sdk.AccAddress, jobID, index uint64, root []byte) (types.Task, error) {
	if len(root) != types.RootSize {
		return types.Task{}, errorsmod.Wrapf(types.ErrInvalidRoot, "root is %d bytes, want %d", len(root), types.RootSize)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.Task{}, err
	}
	task, err := k.heldTask(ctx, operator, jobID, index)
	if err != nil {
		return types.Task{}, err
	}
	if task.Status != types.TASK_STATUS_LEASED {
		return types.Task{}, errorsmod.Wrapf(types.ErrAlreadyClaimed, "task %d/%d is %s", jobID, index, task.Status)
	}
	h := height(ctx)
	if h > task.LeaseExpiry {
		return types.Task{}, errorsmod.Wrapf(types.ErrLeaseExpired, "lease ended at height %d", task.LeaseExpiry)
	}
	key := taskKey(jobID, index)
	if err := k.TaskQueue.Remove(ctx, collections.Join(task.LeaseExpiry, key)); err != nil {
		return types.Task{}, err
	}
	task.Status = types.TASK_STATUS_CLAIMED
	task.Root = root
	task.ClaimHeight = h
	task.ChallengeHeight = h + params.ChallengeDelayBlocks
	task.ProofDeadline = task.ChallengeHeight + params.ProofWindowBlocks
	if err := k.Tasks.Set(ctx, key, task); err != nil {
		return types.Task{}, err
	}
	if err := k.TaskQueue.Set(ctx, collections.Join(task.ProofDeadline, key)); err != nil {
		return types.Task{}, err
	}
	if err := k.ClaimsByChallenge.Set(ctx, collections.Join(task.ChallengeHeight, key)); err != nil {
		return types.Task{}, err
	}
	return task, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventClaimSubmitted{
		JobId: jobID, TaskIndex: index, Device: task.Device, Root: hex.EncodeToString(root),
		ChallengeHeight: task.ChallengeHeight, ProofDeadline: task.ProofDeadline,
	})
}

// heldTask returns a live task held by operator's device.
func (k *Keeper) heldTask(ctx context.Context, operator sdk.AccAddress, jobID, index uint64) (types.Task, error) {
	if _, err := k.getJob(ctx, jobID); err != nil {
		return types.Task{}, err
	}
	task, err := k.Tasks.Get(ctx, taskKey(jobID, index))
	if isNotFound(err) || (err == nil && task.Status == types.TASK_STATUS_UNSPECIFIED) {
		return types.Task{}, errorsmod.Wrapf(types.ErrTaskNotFound, "task %d/%d is not leased", jobID, index)
	}
	if err != nil {
		return types.Task{}, err
	}
	if task.Device != k.addrString(operator) {
		return types.Task{}, errorsmod.Wrapf(types.ErrNotTaskHolder, "task %d/%d is held by %s", jobID, index, task.Device)
	}
	return task, nil
}

// missProof handles a claim whose proof window closed unanswered. Withholding
// must never beat sending a bad proof, so it costs what an invalid proof costs
// (MissedSlashBps of the bond, at least the task's reward), counts toward
// jailing, and bars the device from the task for good: it cannot lease it
// again for a fresh challenge over the same root. The task reopens.
func (k *Keeper) missProof(ctx context.Context, task types.Task) error {
	params, operator, dev, err := k.taskHolder(ctx, task)
	if err != nil {
		return err
	}
	job, err := k.Jobs.Get(ctx, task.JobId)
	if err != nil {
		return err
	}
	if _, err := k.slash(ctx, &dev, task, params.MissedSlashBps(), job.TaskReward(task.ItemCount), SlashReasonMissedProof); err != nil {
		return err
	}
	dev.MissedProofs++
	dev.LiveTasks--
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	barDevice(&task, task.Device, 0, height(ctx))
	if err := k.releaseTask(ctx, task, true); err != nil {
		return err
	}
	if err := k.jailIfDue(ctx, operator, params); err != nil {
		return err
	}
	metricProofFailed(ctx, SlashReasonMissedProof)
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventProofMissed{
		JobId: task.JobId, TaskIndex: task.Index, Device: task.Device,
	})
}
