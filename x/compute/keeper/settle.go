package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ProofResult is what settling a proof's verdict did.
type ProofResult struct {
	Accepted bool
	Paid     math.Int
	Slashed  math.Int
	Reason   string
}

// settleProof carries out a verdict: an accepted proof is paid, a rejected one
// slashed. Verification (proofs.go) decides; only this file moves coins for it.
func (k *Keeper) settleProof(ctx context.Context, job types.Job, task types.Task, verdict proofVerdict) (ProofResult, error) {
	if verdict.Accepted {
		return k.payVerifiedTask(ctx, job, task, verdict.WorkUnits)
	}
	return k.slashRejectedTask(ctx, job, task, verdict.Item, verdict.Reason)
}

// payVerifiedTask pays the device from escrow (less the protocol fee), credits
// the work to the epoch when the job earns emission, and completes the job when
// it was the last task.
func (k *Keeper) payVerifiedTask(ctx context.Context, job types.Job, task types.Task, units math.Int) (ProofResult, error) {
	params, operator, dev, err := k.taskHolder(ctx, task)
	if err != nil {
		return ProofResult{}, err
	}
	key := taskKey(task.JobId, task.Index)
	if err := k.TaskQueue.Remove(ctx, collections.Join(task.ProofDeadline, key)); err != nil {
		return ProofResult{}, err
	}
	if err := k.TasksByDevice.Remove(ctx, collections.Join([]byte(operator), key)); err != nil {
		return ProofResult{}, err
	}
	if err := k.ClaimsByChallenge.Remove(ctx, collections.Join(task.ChallengeHeight, key)); err != nil {
		return ProofResult{}, err
	}
	eligible, err := k.earnsEmission(ctx, job, operator)
	if err != nil {
		return ProofResult{}, err
	}
	epoch, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return ProofResult{}, err
	}
	requester, err := k.addr("requester", job.Requester)
	if err != nil {
		return ProofResult{}, err
	}
	if eligible && units.IsPositive() {
		// Past max_emission_requesters_per_epoch a new requester's work is
		// paid from escrow but earns no emission this epoch.
		if eligible, err = k.emissionAdmits(ctx, params, epoch, requester); err != nil {
			return ProofResult{}, err
		}
	}
	reward := job.TaskReward(task.ItemCount)
	task.Status = types.TASK_STATUS_VERIFIED
	task.VerifiedHeight = height(ctx)
	credited := math.ZeroInt()
	if eligible {
		credited = units
	}
	// Paid is not yet delivered nor proven right beyond the sample (G5): the
	// task stays disputable, its reward backed by the bond, for the window.
	if err := k.openDispute(ctx, params, &task, &dev, reward, credited, epoch); err != nil {
		return ProofResult{}, err
	}
	if err := k.Tasks.Set(ctx, key, task); err != nil {
		return ProofResult{}, err
	}

	// Rounded up, so a non-zero fee rate never rounds a small payment's fee to 0.
	fee := types.BpsOfCeil(reward, params.ProtocolFeeBps)
	paid := reward.Sub(fee)
	if paid.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, operator, k.coins(paid)); err != nil {
			return ProofResult{}, err
		}
	}
	if fee.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, k.feeCollector, k.coins(fee)); err != nil {
			return ProofResult{}, err
		}
	}
	job.Escrow = job.Escrow.Sub(reward)
	job.LiveTasks--
	job.LiveItems -= task.ItemCount
	job.TasksVerified++
	completed := job.Status == types.JOB_STATUS_OPEN && job.TasksVerified == job.NumTasks
	if completed {
		err = k.storeClosedJob(ctx, &job, types.JOB_STATUS_COMPLETED)
	} else {
		err = k.Jobs.Set(ctx, job.Id, job)
	}
	if err != nil {
		return ProofResult{}, err
	}

	dev.LiveTasks--
	dev.TasksVerified++
	dev.WorkUnits = dev.WorkUnits.Add(units)
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return ProofResult{}, err
	}
	if eligible && units.IsPositive() {
		if err := k.creditWork(ctx, operator, requester, epoch, units); err != nil {
			return ProofResult{}, err
		}
	}
	em := sdk.UnwrapSDKContext(ctx).EventManager()
	if err := em.EmitTypedEvent(&types.EventProofAccepted{
		JobId: task.JobId, TaskIndex: task.Index, Device: task.Device, Paid: paid, Fee: fee,
		WorkUnits: units, EmissionEligible: eligible, Epoch: epoch, Root: hex.EncodeToString(task.Root),
	}); err != nil {
		return ProofResult{}, err
	}
	metricProofAccepted(ctx)
	if completed {
		metricJobClosed(ctx, job.Status)
		if err := em.EmitTypedEvent(&types.EventJobClosed{JobId: job.Id, Status: job.Status.String(), Refunded: math.ZeroInt()}); err != nil {
			return ProofResult{}, err
		}
	}
	return ProofResult{Accepted: true, Paid: paid, Slashed: math.ZeroInt()}, nil
}

// slashRejectedTask slashes a device whose proof failed verification, counts
// the failure (jailing at jail_after_failures invalid or missed proofs), bars
// the device from the task and reopens it.
func (k *Keeper) slashRejectedTask(ctx context.Context, job types.Job, task types.Task, item uint64, reason error) (ProofResult, error) {
	params, operator, dev, err := k.taskHolder(ctx, task)
	if err != nil {
		return ProofResult{}, err
	}
	if err := k.TaskQueue.Remove(ctx, collections.Join(task.ProofDeadline, taskKey(task.JobId, task.Index))); err != nil {
		return ProofResult{}, err
	}
	slashed, err := k.slash(ctx, &dev, task, params.SlashInvalidBps, job.TaskReward(task.ItemCount), SlashReasonInvalidProof)
	if err != nil {
		return ProofResult{}, err
	}
	dev.Failures++
	dev.LiveTasks--
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return ProofResult{}, err
	}
	// The device has seen this task's challenge: no second one for it.
	barDevice(&task, task.Device, 0, height(ctx))
	if err := k.releaseTask(ctx, task, true); err != nil {
		return ProofResult{}, err
	}
	if err := k.jailIfDue(ctx, operator, params); err != nil {
		return ProofResult{}, err
	}
	em := sdk.UnwrapSDKContext(ctx).EventManager()
	metricProofFailed(ctx, SlashReasonInvalidProof)
	if err := em.EmitTypedEvent(&types.EventProofRejected{
		JobId: task.JobId, TaskIndex: task.Index, Device: task.Device, Reason: reason.Error(), ItemIndex: item,
	}); err != nil {
		return ProofResult{}, err
	}
	return ProofResult{Accepted: false, Paid: math.ZeroInt(), Slashed: slashed, Reason: reason.Error()}, nil
}

// earnsEmission is the self-dealing guard: only work for an approved requester
// that is not the device's own operator earns emission.
func (k *Keeper) earnsEmission(ctx context.Context, job types.Job, operator sdk.AccAddress) (bool, error) {
	requester, err := k.addr("requester", job.Requester)
	if err != nil {
		return false, err
	}
	if requester.Equals(operator) {
		return false, nil
	}
	return k.ApprovedRequesters.Has(ctx, requester)
}
