package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Batched settlement (issue 16). A batch message is a list of elements, each
// exactly what one single message (LeaseTask, SubmitClaim, SubmitProof) would
// carry, and each element runs the single message's keeper function: there is
// no second copy of the lease, claim or proof rules.
//
// Bad-input policy: the good elements settle and the bad are reported. Each
// element runs in its own cache context, written only if it succeeds, so a
// failing element leaves no partial write (no half-moved escrow, no live count
// bumped without its task) and its events are dropped; it is reported in the
// response (BatchError) and by EventBatchElementFailed. A batch none of whose
// elements settles fails whole with the first element's own registered error,
// wrapped to name the element, so a batch of one fails as the single message. An error that is not a
// registered one (a store failure, a bug) fails the whole transaction.
//
// An element is not a transaction: a rejected proof settles (its slash is
// kept, as for MsgSubmitProof), and every element pays its own gas on the
// transaction's meter, verification included, and reserves its own share of
// the block's verification budget.

// batchRef names what an element acts on, for duplicate detection and reports.
type batchRef struct {
	JobID     uint64
	TaskIndex uint64
	// PerTask: the element names a task, and a second element naming the same
	// task is refused. A lease names only a job: listing a job twice leases
	// two of its tasks, which is what a device asking for two means.
	PerTask bool
}

// batchTask keys duplicate detection (a TaskKey holds pointers, so it cannot
// be compared as a map key).
type batchTask struct{ job, index uint64 }

// batchReport is what runBatch did: one entry per element, nil where it settled.
type batchReport struct {
	Errors  []*types.BatchError
	Settled uint32
}

// runBatch runs run(ctx, i) for every element i in order, each in its own
// cache context committed only on success, and emits the batch's events.
func (k *Keeper) runBatch(ctx context.Context, msg sdk.Msg, operator string, refs []batchRef, run func(ctx context.Context, i int) error) (batchReport, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return batchReport{}, err
	}
	if len(refs) == 0 || len(refs) > int(params.MaxBatchSize) {
		return batchReport{}, errorsmod.Wrapf(types.ErrBatchSize, "%d elements, want 1 to %d", len(refs), params.MaxBatchSize)
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	name := sdk.MsgTypeURL(msg)
	report := batchReport{Errors: make([]*types.BatchError, len(refs))}
	// Looked up only, never ranged: the order of the map cannot reach state.
	seen := make(map[batchTask]int, len(refs))
	var first error
	firstAt := 0
	for i, ref := range refs {
		err := k.runElement(sdkCtx, ref, i, seen, run)
		if err == nil {
			report.Settled++
			continue
		}
		codespace, code, log := errorsmod.ABCIInfo(err, false)
		if codespace == errorsmod.UndefinedCodespace {
			return batchReport{}, err // not a refusal: a failure of the chain itself
		}
		if first == nil {
			first, firstAt = err, i
		}
		report.Errors[i] = &types.BatchError{Codespace: codespace, Code: code, Log: log}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventBatchElementFailed{
			Msg: name, Operator: operator, Element: uint32(i), JobId: ref.JobID, TaskIndex: ref.TaskIndex,
			Codespace: codespace, Code: code, Reason: log,
		}); err != nil {
			return batchReport{}, err
		}
	}
	if report.Settled == 0 {
		return batchReport{}, errorsmod.Wrapf(first, "no element of the batch settled; element %d (job %d) failed first", firstAt, refs[firstAt].JobID)
	}
	return report, sdkCtx.EventManager().EmitTypedEvent(&types.EventBatchSettled{
		Msg: name, Operator: operator, Elements: uint32(len(refs)), Settled: report.Settled, Failed: uint32(len(refs)) - report.Settled,
	})
}

// runElement runs one element in a cache context and writes it (state and
// events) only when it succeeds.
func (k *Keeper) runElement(ctx sdk.Context, ref batchRef, i int, seen map[batchTask]int, run func(ctx context.Context, i int) error) error {
	if ref.PerTask {
		key := batchTask{ref.JobID, ref.TaskIndex}
		if j, dup := seen[key]; dup {
			return errorsmod.Wrapf(types.ErrDuplicateBatchElement, "element %d names task %d/%d, as element %d does", i, ref.JobID, ref.TaskIndex, j)
		}
		seen[key] = i
	}
	cacheCtx, write := ctx.CacheContext()
	if err := run(cacheCtx, i); err != nil {
		return err
	}
	write()
	return nil
}

// LeaseAndClaim leases the job's next open task for the operator's device
// with LeaseTask and claims it with SubmitClaim in the same block, for a task
// the device computed before leasing it (speculatively). It is as sound as a
// lease followed by a claim: every lease rule (bond cover, bars, live-task
// limit) is LeaseTask's own; the device cannot pick the task, since the lease
// must give it the one it names (else ErrLeaseMismatch and nothing changes);
// and the challenge is fixed by the block challenge_delay_blocks after the
// claim, which the device cannot know when it commits to its root.
func (k *Keeper) LeaseAndClaim(ctx context.Context, operator sdk.AccAddress, jobID, index uint64, root []byte) (leased, claimed types.Task, err error) {
	leased, err = k.LeaseTask(ctx, operator, jobID)
	if err != nil {
		return types.Task{}, types.Task{}, err
	}
	if leased.Index != index {
		return types.Task{}, types.Task{}, errorsmod.Wrapf(types.ErrLeaseMismatch, "job %d's next lease for this device is task %d, the element claims task %d", jobID, leased.Index, index)
	}
	claimed, err = k.SubmitClaim(ctx, operator, jobID, index, root)
	return leased, claimed, err
}
