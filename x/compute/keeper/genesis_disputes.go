package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// indexDisputes rebuilds, on import, the dispute queue entry of a task whose
// window is open and the queue and device index entries of its open demand:
// the task record holds all of it (dispute_until, demand).
func (k *Keeper) indexDisputes(ctx context.Context, task types.Task) error {
	key := taskKey(task.JobId, task.Index)
	if task.Status != types.TASK_STATUS_VERIFIED || task.DisputeUntil == 0 {
		return nil
	}
	if err := k.DisputeQueue.Set(ctx, collections.Join(task.DisputeUntil, key)); err != nil {
		return err
	}
	if task.Demand == nil {
		return nil
	}
	operator, err := k.addr("device", task.Device)
	if err != nil {
		return err
	}
	if err := k.DeliveryQueue.Set(ctx, collections.Join(task.Demand.Deadline, key)); err != nil {
		return err
	}
	return k.DemandsByDevice.Set(ctx, collections.Join([]byte(operator), key))
}
