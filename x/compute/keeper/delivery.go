package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// DemandDelivery records the requester's demand for items of a verified task
// it did not receive. The fee (Params.DemandFee) moves into the module and is
// paid to the device that answers, so a requester cannot make an honest
// device poorer by demanding; if the device does not answer by the deadline
// it loses its bond share for the task (missDelivery).
func (k *Keeper) DemandDelivery(ctx context.Context, requester sdk.AccAddress, jobID, index uint64, items []uint64) (types.DeliveryDemand, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.DeliveryDemand{}, err
	}
	if len(items) == 0 || len(items) > int(params.MaxDemandItems) {
		return types.DeliveryDemand{}, errorsmod.Wrapf(types.ErrInvalidDemand, "%d items, want 1 to %d", len(items), params.MaxDemandItems)
	}
	job, task, err := k.disputableTask(ctx, jobID, index)
	if err != nil {
		return types.DeliveryDemand{}, err
	}
	if job.Requester != k.addrString(requester) {
		return types.DeliveryDemand{}, errorsmod.Wrapf(types.ErrNotJobRequester, "job %d was posted by %s", jobID, job.Requester)
	}
	if task.Demand != nil {
		return types.DeliveryDemand{}, errorsmod.Wrapf(types.ErrDemandOpen, "task %d/%d: items %v due by height %d", jobID, index, task.Demand.Items, task.Demand.Deadline)
	}
	for i, it := range items {
		if it < task.FirstItem || it >= task.FirstItem+task.ItemCount {
			return types.DeliveryDemand{}, errorsmod.Wrapf(types.ErrInvalidDemand, "item %d is outside task %d/%d's items [%d, %d)", it, jobID, index, task.FirstItem, task.FirstItem+task.ItemCount)
		}
		if i > 0 && it <= items[i-1] {
			return types.DeliveryDemand{}, errorsmod.Wrapf(types.ErrInvalidDemand, "items must be ascending and distinct: %d after %d", it, items[i-1])
		}
	}
	fee := params.DemandFee(len(items))
	if fee.IsPositive() {
		if err := k.pull(ctx, requester, fee); err != nil {
			return types.DeliveryDemand{}, err
		}
	}
	h := height(ctx)
	demand := types.DeliveryDemand{Items: items, Deadline: h + params.DeliveryDeadlineBlocks, Fee: fee, DemandedHeight: h}
	task.Demand = &demand
	key := taskKey(jobID, index)
	if err := k.Tasks.Set(ctx, key, task); err != nil {
		return types.DeliveryDemand{}, err
	}
	operator, err := k.addr("device", task.Device)
	if err != nil {
		return types.DeliveryDemand{}, err
	}
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return types.DeliveryDemand{}, err
	}
	// The bond stays until the demand is settled, even past the window.
	if demand.Deadline > dev.DisputesEnd {
		dev.DisputesEnd = demand.Deadline
		if err := k.Devices.Set(ctx, operator, dev); err != nil {
			return types.DeliveryDemand{}, err
		}
	}
	if err := k.DeliveryQueue.Set(ctx, collections.Join(demand.Deadline, key)); err != nil {
		return types.DeliveryDemand{}, err
	}
	if err := k.DemandsByDevice.Set(ctx, collections.Join([]byte(operator), key)); err != nil {
		return types.DeliveryDemand{}, err
	}
	return demand, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeliveryDemanded{
		JobId: jobID, TaskIndex: index, Device: task.Device, Requester: job.Requester,
		Items: items, Deadline: demand.Deadline, Fee: fee,
	})
}

// DeliverOutputs answers a demand: the demanded items with their multi-proof
// against the claimed root. The outputs are published in EventOutputsDelivered
// (collectors read them there); the kind does not re-verify them here, since
// a wrong one, now public, is what a fraud proof takes. A wrong answer is an
// error and changes nothing; the device may answer again before the deadline.
func (k *Keeper) DeliverOutputs(ctx context.Context, operator sdk.AccAddress, jobID, index uint64, items []types.ChallengeItem, nodes [][]byte) (math.Int, error) {
	key := taskKey(jobID, index)
	task, err := k.Tasks.Get(ctx, key)
	if isNotFound(err) {
		return math.Int{}, errorsmod.Wrapf(types.ErrTaskNotFound, "task %d/%d", jobID, index)
	}
	if err != nil {
		return math.Int{}, err
	}
	if task.Device != k.addrString(operator) {
		return math.Int{}, errorsmod.Wrapf(types.ErrNotTaskHolder, "task %d/%d was verified for %s", jobID, index, task.Device)
	}
	if task.Demand == nil {
		return math.Int{}, errorsmod.Wrapf(types.ErrNoDemand, "task %d/%d", jobID, index)
	}
	demand := *task.Demand
	if h := height(ctx); h > demand.Deadline {
		return math.Int{}, errorsmod.Wrapf(types.ErrDeliveryLate, "deadline was height %d, now %d", demand.Deadline, h)
	}
	offsets, err := checkAnswerShape(task, demand.Items, items, nodes, types.ErrInvalidDelivery, "demand")
	if err != nil {
		return math.Int{}, err
	}
	sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(ProofHashGas(items, nodes), "compute: verify delivery")
	leaves := make([][32]byte, len(items))
	for i, it := range items {
		leaves[i] = merkle.LeafHash(task.JobId, it.Index, it.Output)
	}
	path := make([][32]byte, len(nodes))
	for i, n := range nodes {
		path[i] = [32]byte(n)
	}
	if err := merkle.VerifyMultiProof([32]byte(task.Root), offsets, leaves, task.ItemCount, path); err != nil {
		return math.Int{}, errorsmod.Wrapf(types.ErrInvalidMerkleProof, "%v", err)
	}

	if err := k.payOut(ctx, operator, demand.Fee); err != nil {
		return math.Int{}, err
	}
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return math.Int{}, err
	}
	if err := k.endDemand(ctx, &task, operator); err != nil {
		return math.Int{}, err
	}
	if err := k.closeDisputeIfOver(ctx, &task, &dev); err != nil {
		return math.Int{}, err
	}
	if err := k.Tasks.Set(ctx, key, task); err != nil {
		return math.Int{}, err
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return math.Int{}, err
	}
	return demand.Fee, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventOutputsDelivered{
		JobId: jobID, TaskIndex: index, Device: task.Device, Items: items, Fee: demand.Fee, Root: hex.EncodeToString(task.Root),
	})
}

// endDemand removes a task's open demand and its queue and index entries.
// The caller has paid or refunded the fee and stores the task.
func (k *Keeper) endDemand(ctx context.Context, task *types.Task, operator sdk.AccAddress) error {
	key := taskKey(task.JobId, task.Index)
	if err := k.DeliveryQueue.Remove(ctx, collections.Join(task.Demand.Deadline, key)); err != nil {
		return err
	}
	if err := k.DemandsByDevice.Remove(ctx, collections.Join([]byte(operator), key)); err != nil {
		return err
	}
	task.Demand = nil
	return nil
}

// closeDisputeIfOver closes the task's dispute if its window ended while a
// demand held it open (closeDueDisputes skipped it then).
func (k *Keeper) closeDisputeIfOver(ctx context.Context, task *types.Task, dev *types.Device) error {
	if task.DisputeUntil == 0 || height(ctx) < task.DisputeUntil {
		return nil
	}
	job, err := k.Jobs.Get(ctx, task.JobId)
	if err != nil {
		return err
	}
	if err := k.closeDispute(ctx, job, task, dev); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDisputeClosed{
		JobId: task.JobId, TaskIndex: task.Index, Device: task.Device,
	})
}

// missDeliveries settles the demands whose deadline has passed unanswered, at
// most limit.
func (k *Keeper) missDeliveries(ctx context.Context, limit int) error {
	due, err := dueKeys(ctx, k.DeliveryQueue, height(ctx), limit)
	if err != nil {
		return err
	}
	for _, entry := range due {
		task, err := k.Tasks.Get(ctx, entry.K2())
		if err != nil && !isNotFound(err) {
			return err
		}
		if err != nil || task.Demand == nil || task.Demand.Deadline != entry.K1() {
			if err := k.DeliveryQueue.Remove(ctx, entry); err != nil {
				return err
			}
			continue
		}
		if err := k.missDelivery(ctx, task); err != nil {
			return err
		}
	}
	return nil
}

// missDelivery: the device did not publish the demanded items by the
// deadline. It loses its bond share for the task: at least the task's reward
// plus the emission the task earned (struck from an unsettled epoch, else
// clawed back). The requester gets the reward and its demand fee back, the
// rest is burned; the failure counts toward jailing; the dispute is settled.
func (k *Keeper) missDelivery(ctx context.Context, task types.Task) error {
	params, operator, dev, err := k.taskHolder(ctx, task)
	if err != nil {
		return err
	}
	job, err := k.Jobs.Get(ctx, task.JobId)
	if err != nil {
		return err
	}
	requester, err := k.addr("requester", job.Requester)
	if err != nil {
		return err
	}
	if err := k.payOut(ctx, requester, task.Demand.Fee); err != nil {
		return err
	}
	loss, err := k.disputeSlash(ctx, job, task, &dev, operator, 0, nil, 0, SlashReasonUndelivered)
	if err != nil {
		return err
	}
	if err := k.endDemand(ctx, &task, operator); err != nil {
		return err
	}
	if err := k.closeDispute(ctx, job, &task, &dev); err != nil {
		return err
	}
	dev.Failures++
	if err := k.Tasks.Set(ctx, taskKey(task.JobId, task.Index), task); err != nil {
		return err
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	if err := k.jailIfDue(ctx, operator, params); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeliveryMissed{
		JobId: task.JobId, TaskIndex: task.Index, Device: task.Device, Slashed: loss.Slashed,
		Compensated: loss.Refunded, Burned: loss.Burned, UnitsRemoved: loss.UnitsRemoved,
	})
}
