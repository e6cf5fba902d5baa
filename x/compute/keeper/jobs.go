package keeper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// PostJob validates a job, escrows items × price from the requester, takes the
// non-refundable job_posting_fee and opens its tasks. Tasks are implicit, so posting costs O(1) state whatever the size.
func (k *Keeper) PostJob(ctx context.Context, requester sdk.AccAddress, msg *types.MsgPostJob) (uint64, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	if err := k.checkMayRequest(ctx, params, requester); err != nil {
		return 0, err
	}
	if msg.Items == 0 || msg.Items > params.MaxJobItems {
		return 0, errorsmod.Wrapf(types.ErrInvalidItems, "items must be 1..%d, got %d", params.MaxJobItems, msg.Items)
	}
	if msg.ItemsPerTask == 0 || msg.ItemsPerTask > params.MaxTaskItems {
		return 0, errorsmod.Wrapf(types.ErrInvalidItems, "items_per_task must be 1..%d, got %d", params.MaxTaskItems, msg.ItemsPerTask)
	}
	if err := types.ValidateAmount("price_per_item", msg.PricePerItem, true); err != nil {
		return 0, errorsmod.Wrap(types.ErrInvalidPrice, err.Error())
	}
	if msg.DeadlineBlocks == 0 || msg.DeadlineBlocks > params.MaxDeadlineBlocks {
		return 0, errorsmod.Wrapf(types.ErrInvalidDeadline, "deadline_blocks must be 1..%d, got %d", params.MaxDeadlineBlocks, msg.DeadlineBlocks)
	}
	if err := types.ValidateResultURL(msg.ResultUrl); err != nil {
		return 0, err
	}
	// The spec is stored compacted: every kind's decoder is strict (known
	// fields once each, integers as integers), so what whitespace padding adds
	// is the only slack, and it does not reach state.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(msg.Spec)); err != nil {
		return 0, errorsmod.Wrapf(types.ErrInvalidSpec, "spec is not JSON: %v", err)
	}
	if err := k.checkJobSpec(ctx, params, msg.Kind, compact.Bytes(), msg.Items); err != nil {
		return 0, err
	}
	if err := k.checkNotDuplicate(ctx, msg.Kind, compact.Bytes(), msg.Items); err != nil {
		return 0, err
	}

	// The posting fee pays for the job record's state; it is never refunded
	// and goes to the fee collector, so supply is unchanged.
	escrow := msg.PricePerItem.Mul(math.NewIntFromUint64(msg.Items))
	fee := params.JobPostingFee
	if err := k.pull(ctx, requester, escrow.Add(fee)); err != nil {
		return 0, err
	}
	if fee.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, k.feeCollector, k.coins(fee)); err != nil {
			return 0, err
		}
	}
	id, err := k.NextJobID.Next(ctx)
	if err != nil {
		return 0, err
	}
	h := height(ctx)
	job := types.Job{
		Id:             id,
		Requester:      msg.Requester,
		Kind:           msg.Kind,
		Spec:           compact.String(),
		Items:          msg.Items,
		ItemsPerTask:   msg.ItemsPerTask,
		PricePerItem:   msg.PricePerItem,
		Escrow:         escrow,
		DeadlineHeight: h + msg.DeadlineBlocks,
		Status:         types.JOB_STATUS_OPEN,
		NumTasks:       (msg.Items + msg.ItemsPerTask - 1) / msg.ItemsPerTask,
		ResultUrl:      msg.ResultUrl,
		CreatedHeight:  h,
	}
	if err := k.Jobs.Set(ctx, id, job); err != nil {
		return 0, err
	}
	if err := k.JobDeadlineQueue.Set(ctx, collections.Join(job.DeadlineHeight, id)); err != nil {
		return 0, err
	}
	metricJobPosted(ctx)
	return id, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventJobPosted{
		JobId: id, Requester: job.Requester, Kind: job.Kind, Items: job.Items, NumTasks: job.NumTasks,
		Escrow: escrow, DeadlineHeight: job.DeadlineHeight, ResultUrl: job.ResultUrl, PostingFee: fee,
	})
}

// CancelJob closes an open job at its requester's request.
func (k *Keeper) CancelJob(ctx context.Context, requester sdk.AccAddress, jobID uint64) (math.Int, error) {
	job, err := k.getJob(ctx, jobID)
	if err != nil {
		return math.Int{}, err
	}
	if job.Requester != k.addrString(requester) {
		return math.Int{}, errorsmod.Wrapf(types.ErrNotJobRequester, "job %d belongs to %s", jobID, job.Requester)
	}
	if job.Status != types.JOB_STATUS_OPEN {
		return math.Int{}, errorsmod.Wrapf(types.ErrJobNotOpen, "job %d is %s", jobID, job.Status)
	}
	return k.closeJob(ctx, job, types.JOB_STATUS_CANCELLED)
}

// closeJob cancels or expires an open job: the escrow of every task that is not
// live goes back to the requester now; live tasks finish normally and refund
// their share if they fail.
func (k *Keeper) closeJob(ctx context.Context, job types.Job, status types.JobStatus) (math.Int, error) {
	refund := job.Escrow.Sub(job.TaskReward(job.LiveItems))
	if refund.IsNegative() {
		return math.Int{}, errorsmod.Wrapf(types.ErrInvalidGenesis, "job %d escrow %s below its live tasks' value", job.Id, job.Escrow)
	}
	if err := k.refund(ctx, &job, refund); err != nil {
		return math.Int{}, err
	}
	if err := k.storeClosedJob(ctx, &job, status); err != nil {
		return math.Int{}, err
	}
	metricJobClosed(ctx, job.Status)
	return refund, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventJobClosed{
		JobId: job.Id, Status: job.Status.String(), Refunded: refund,
	})
}

// refund returns amount of a job's escrow to its requester.
func (k *Keeper) refund(ctx context.Context, job *types.Job, amount math.Int) error {
	if !amount.IsPositive() {
		return nil
	}
	requester, err := k.addr("requester", job.Requester)
	if err != nil {
		return err
	}
	if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, requester, k.coins(amount)); err != nil {
		return err
	}
	job.Escrow = job.Escrow.Sub(amount)
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventEscrowRefunded{
		JobId: job.Id, Requester: job.Requester, Amount: amount,
	})
}

// storeClosedJob closes an open job with status (completed, cancelled or
// expired) and stores it: it records the closing height, drops the job from
// the deadline queue (a closed job has none to wait for) and schedules its task
// records for pruning once clients have had task_retention_blocks to read them.
func (k *Keeper) storeClosedJob(ctx context.Context, job *types.Job, status types.JobStatus) error {
	if job.Status != types.JOB_STATUS_OPEN {
		return errorsmod.Wrapf(types.ErrJobNotOpen, "job %d is %s", job.Id, job.Status)
	}
	if err := k.JobDeadlineQueue.Remove(ctx, collections.Join(job.DeadlineHeight, job.Id)); err != nil {
		return err
	}
	job.Status = status
	job.ClosedHeight = height(ctx)
	if err := k.schedulePrune(ctx, job); err != nil {
		return err
	}
	return k.Jobs.Set(ctx, job.Id, *job)
}

func (k *Keeper) getJob(ctx context.Context, id uint64) (types.Job, error) {
	job, err := k.Jobs.Get(ctx, id)
	if isNotFound(err) {
		return job, errorsmod.Wrapf(types.ErrJobNotFound, "job %d", id)
	}
	return job, err
}

// checkJobSpec is the whole of a posted job's kind and spec validation: the
// kind parses the spec (a wasm job's names a stored program, within the
// params' limits), and one item's verification fits max_verify_gas_per_item.
func (k *Keeper) checkJobSpec(ctx context.Context, params types.Params, kind string, spec []byte, items uint64) error {
	var bound uint64
	if kind == kinds.WasmKindName {
		p, err := k.wasmJobSpec(ctx, params, spec, items, true)
		if err != nil {
			return err
		}
		bound = p.MaxWorkPerItem()
	} else {
		s, err := k.kinds.Parse(kind, spec, items)
		if err != nil {
			return kindError(err)
		}
		bound = s.MaxWorkPerItem()
	}
	if bound > params.MaxVerifyGasPerItem {
		return errorsmod.Wrapf(types.ErrVerificationTooCostly, "one item can cost up to %d gas to verify, the limit is %d", bound, params.MaxVerifyGasPerItem)
	}
	return nil
}

// jobSpec parses a stored job's spec; it was validated at post time.
func (k *Keeper) jobSpec(job types.Job) (kinds.Spec, error) {
	spec, err := k.kinds.Parse(job.Kind, []byte(job.Spec), job.Items)
	if err != nil {
		return nil, kindError(err)
	}
	return spec, nil
}

// kindError maps the kinds package's sentinel errors onto registered ones.
func kindError(err error) error {
	msg := strings.TrimSpace(err.Error())
	switch {
	case errors.Is(err, kinds.ErrUnknownKind):
		return errorsmod.Wrap(types.ErrUnknownKind, msg)
	case errors.Is(err, kinds.ErrInvalidSpec):
		return errorsmod.Wrap(types.ErrInvalidSpec, msg)
	case errors.Is(err, kinds.ErrInvalidOutput):
		return errorsmod.Wrap(types.ErrInvalidOutput, msg)
	case errors.Is(err, kinds.ErrItemOutOfRange):
		return errorsmod.Wrap(types.ErrInvalidChallengeAnswer, msg)
	default:
		return errorsmod.Wrap(types.ErrInvalidSpec, msg)
	}
}
