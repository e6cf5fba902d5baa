package keeper

import (
	"context"
	"encoding/hex"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	// HashGas is charged per SHA-256 of a Merkle proof (leaves included).
	HashGas = 50
	// MaxOutputSize bounds one item's output in a proof.
	MaxOutputSize = types.MaxOutputSize
)

// ProofResult is the outcome of a well-formed proof.
type ProofResult struct {
	Accepted bool
	Paid     math.Int
	Slashed  math.Int
	Reason   string
}

// SubmitProof answers a claim's challenge. A malformed answer (wrong indices,
// wrong number of Merkle nodes, too early or too late) is an error and changes
// nothing. A well-formed answer is verified: the sampled outputs, with the
// multi-proof nodes, must lead to the claimed root, and every output is
// re-verified by the task's kind, with gas charged first in proportion to that
// work. If all pass the device is paid from escrow; if any fails the bond is
// slashed and the task reopens, and the transaction succeeds so that the slash
// is kept.
func (k *Keeper) SubmitProof(ctx context.Context, operator sdk.AccAddress, jobID, index uint64, items []types.ChallengeItem, nodes [][]byte) (ProofResult, error) {
	task, err := k.heldTask(ctx, operator, jobID, index)
	if err != nil {
		return ProofResult{}, err
	}
	if task.Status != types.TASK_STATUS_CLAIMED {
		return ProofResult{}, errorsmod.Wrapf(types.ErrNotClaimed, "task %d/%d is %s", jobID, index, task.Status)
	}
	h := height(ctx)
	if h < task.ChallengeHeight {
		return ProofResult{}, errorsmod.Wrapf(types.ErrChallengeNotReady, "challenge is fixed at height %d, now %d", task.ChallengeHeight, h)
	}
	if h > task.ProofDeadline {
		return ProofResult{}, errorsmod.Wrapf(types.ErrProofWindowClosed, "window closed at height %d", task.ProofDeadline)
	}
	job, err := k.Jobs.Get(ctx, jobID)
	if err != nil {
		return ProofResult{}, err
	}
	spec, err := k.jobSpec(job)
	if err != nil {
		return ProofResult{}, err
	}
	want, ready, err := k.ChallengeIndices(ctx, task)
	if err != nil {
		return ProofResult{}, err
	}
	if !ready {
		return ProofResult{}, errorsmod.Wrap(types.ErrChallengeNotReady, "challenge not fixed")
	}
	offsets, err := checkAnswerShape(task, want, items, nodes)
	if err != nil {
		return ProofResult{}, err
	}

	// One hash per leaf, one per node and fewer than one per item for merging
	// two computed nodes: the multi-proof's bound (merkle.VerifyMultiProof).
	gas := spec.VerifyGas()*uint64(len(items)) + HashGas*uint64(2*len(items)+len(nodes))
	sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(gas, "compute: verify proof")

	leaves := make([][32]byte, len(items))
	for i, it := range items {
		leaves[i] = merkle.LeafHash(jobID, it.Index, it.Output)
	}
	path := make([][32]byte, len(nodes))
	for i, n := range nodes {
		path[i] = [32]byte(n)
	}
	if err := merkle.VerifyMultiProof([32]byte(task.Root), offsets, leaves, task.ItemCount, path); err != nil {
		// The multi-proof proves all items at once, so the first sampled item
		// stands for the failure in the event.
		return k.rejectProof(ctx, job, task, items[0].Index, errorsmod.Wrapf(types.ErrInvalidMerkleProof, "%v", err))
	}
	for _, it := range items {
		if err := spec.VerifyOutput(jobID, it.Index, it.Output); err != nil {
			return k.rejectProof(ctx, job, task, it.Index, errorsmod.Wrapf(types.ErrInvalidOutput, "item %d: %v", it.Index, err))
		}
	}
	return k.acceptProof(ctx, job, task, math.NewIntFromUint64(spec.UnitsPerItem()).Mul(math.NewIntFromUint64(task.ItemCount)))
}

// checkAnswerShape rejects an answer that does not give exactly the challenged
// items, in order, with the number of 32-byte nodes their multi-proof needs. It
// returns the items' offsets within the task, the leaf indices of its tree.
func checkAnswerShape(task types.Task, want []uint64, items []types.ChallengeItem, nodes [][]byte) ([]uint64, error) {
	if len(items) != len(want) {
		return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "got %d items, the challenge asks for %d: %v", len(items), len(want), want)
	}
	offsets := make([]uint64, len(items))
	for i, it := range items {
		if it.Index != want[i] {
			return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "item %d answers index %d, the challenge asks for %d (challenge: %v)", i, it.Index, want[i], want)
		}
		if len(it.Output) > MaxOutputSize {
			return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "output of item %d is %d bytes, at most %d", it.Index, len(it.Output), MaxOutputSize)
		}
		offsets[i] = it.Index - task.FirstItem
	}
	if wantLen := merkle.MultiProofLength(offsets, task.ItemCount); len(nodes) != wantLen {
		return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "%d Merkle nodes, the multi-proof of these items needs %d", len(nodes), wantLen)
	}
	for i, n := range nodes {
		if len(n) != 32 {
			return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "Merkle node %d is %d bytes, want 32", i, len(n))
		}
	}
	return offsets, nil
}

// acceptProof pays the device from escrow (less the protocol fee), credits the
// work to the epoch when the job earns emission, and completes the job when it
// was the last task.
func (k *Keeper) acceptProof(ctx context.Context, job types.Job, task types.Task, units math.Int) (ProofResult, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return ProofResult{}, err
	}
	operator, err := k.addr("device", task.Device)
	if err != nil {
		return ProofResult{}, err
	}
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return ProofResult{}, err
	}
	key := taskKey(task.JobId, task.Index)
	if err := k.TaskQueue.Remove(ctx, pairKey(task.ProofDeadline, key)); err != nil {
		return ProofResult{}, err
	}
	if err := k.TasksByDevice.Remove(ctx, pairKey([]byte(operator), key)); err != nil {
		return ProofResult{}, err
	}
	task.Status = types.TASK_STATUS_VERIFIED
	task.VerifiedHeight = height(ctx)
	if err := k.Tasks.Set(ctx, key, task); err != nil {
		return ProofResult{}, err
	}

	reward := job.TaskReward(task.ItemCount)
	fee := types.BpsOf(reward, params.ProtocolFeeBps)
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
	prevStatus := job.Status
	if job.Status == types.JOB_STATUS_OPEN && job.TasksVerified == job.NumTasks {
		job.Status = types.JOB_STATUS_COMPLETED
	}
	if err := k.setJob(ctx, job, prevStatus); err != nil {
		return ProofResult{}, err
	}

	dev.LiveTasks--
	dev.TasksVerified++
	dev.WorkUnits = dev.WorkUnits.Add(units)
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
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
	if eligible {
		if err := k.creditWork(ctx, operator, epoch, units); err != nil {
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
	if prevStatus == types.JOB_STATUS_OPEN && job.Status == types.JOB_STATUS_COMPLETED {
		metricJobClosed(ctx, job.Status)
		if err := em.EmitTypedEvent(&types.EventJobClosed{JobId: job.Id, Status: job.Status.String(), Refunded: math.ZeroInt()}); err != nil {
			return ProofResult{}, err
		}
	}
	return ProofResult{Accepted: true, Paid: paid, Slashed: math.ZeroInt()}, nil
}

// rejectProof slashes a device whose proof failed verification, counts the
// failure (jailing at jail_after_failures) and reopens the task.
func (k *Keeper) rejectProof(ctx context.Context, job types.Job, task types.Task, item uint64, reason error) (ProofResult, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return ProofResult{}, err
	}
	operator, err := k.addr("device", task.Device)
	if err != nil {
		return ProofResult{}, err
	}
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return ProofResult{}, err
	}
	if err := k.TaskQueue.Remove(ctx, pairKey(task.ProofDeadline, taskKey(task.JobId, task.Index))); err != nil {
		return ProofResult{}, err
	}
	slashed, err := k.slash(ctx, &dev, task, params.SlashInvalidBps, job.TaskReward(task.ItemCount), SlashReasonInvalidProof)
	if err != nil {
		return ProofResult{}, err
	}
	dev.Failures++
	dev.LiveTasks--
	em := sdk.UnwrapSDKContext(ctx).EventManager()
	if dev.Failures >= params.JailAfterFailures && dev.Status == types.DEVICE_STATUS_ACTIVE {
		dev.Status = types.DEVICE_STATUS_JAILED
		dev.Jailed = true
		if err := em.EmitTypedEvent(&types.EventDeviceJailed{Operator: dev.Operator, Failures: dev.Failures}); err != nil {
			return ProofResult{}, err
		}
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return ProofResult{}, err
	}
	if err := k.releaseTask(ctx, task, true); err != nil {
		return ProofResult{}, err
	}
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
