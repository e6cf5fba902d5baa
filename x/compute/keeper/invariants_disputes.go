package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// demandFeesHeld sums the fees of open delivery demands, which the module
// holds until each demand is answered (paid to the device) or missed
// (refunded to the requester). It walks every task: for invariants only.
func (k *Keeper) demandFeesHeld(ctx context.Context) (math.Int, error) {
	total := math.ZeroInt()
	err := k.Tasks.Walk(ctx, nil, func(_ TaskKey, t types.Task) (bool, error) {
		if t.Demand != nil {
			total = total.Add(t.Demand.Fee)
		}
		return false, nil
	})
	return total, err
}

// CheckDisputeInvariant verifies the dispute state (G5): every task open to
// dispute is verified and queued at its window's end (unless a demand holds
// it open past that), every open demand is
// queued at its deadline and indexed under its device, the queues hold
// nothing else, and each device's dispute counters are what its tasks say
// (the bond cover and unbonding read the counters alone). A device with an
// open dispute has not got its bond back.
func (k *Keeper) CheckDisputeInvariant(ctx context.Context) error {
	type disputes struct {
		tasks  uint64
		reward math.Int
	}
	byDevice := make(map[string]disputes)
	open, demands := 0, 0
	h := height(ctx)
	err := k.Tasks.Walk(ctx, nil, func(key TaskKey, t types.Task) (bool, error) {
		if t.DisputeUntil == 0 {
			if t.Demand != nil {
				return true, fmt.Errorf("task %d/%d has a demand but its dispute is closed", t.JobId, t.Index)
			}
			return false, nil
		}
		if t.Status != types.TASK_STATUS_VERIFIED {
			return true, fmt.Errorf("task %d/%d is %s but open to dispute", t.JobId, t.Index, t.Status)
		}
		// Past its window, a task held open by a demand has left the queue
		// (the demand's settlement closes it).
		if t.Demand == nil || t.DisputeUntil > h {
			open++
			if has, err := k.DisputeQueue.Has(ctx, collections.Join(t.DisputeUntil, key)); err != nil || !has {
				return true, fmt.Errorf("disputable task %d/%d is not queued at %d (err %v)", t.JobId, t.Index, t.DisputeUntil, err)
			}
		}
		job, err := k.Jobs.Get(ctx, t.JobId)
		if err != nil {
			return true, err
		}
		d := byDevice[t.Device]
		d.tasks++
		d.reward = intOrZero(d.reward).Add(job.TaskReward(t.ItemCount))
		byDevice[t.Device] = d
		if t.Demand == nil {
			return false, nil
		}
		demands++
		operator, err := k.addr("device", t.Device)
		if err != nil {
			return true, err
		}
		if has, err := k.DeliveryQueue.Has(ctx, collections.Join(t.Demand.Deadline, key)); err != nil || !has {
			return true, fmt.Errorf("demand on task %d/%d is not queued at %d (err %v)", t.JobId, t.Index, t.Demand.Deadline, err)
		}
		if has, err := k.DemandsByDevice.Has(ctx, collections.Join([]byte(operator), key)); err != nil || !has {
			return true, fmt.Errorf("demand on task %d/%d is not indexed under its device (err %v)", t.JobId, t.Index, err)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	// Entries whose task moved on are dropped when they come due, so the
	// queues may hold stale entries but never fewer than the open disputes.
	queued, err := countKeys(ctx, k.DisputeQueue)
	if err != nil {
		return err
	}
	if queued < open {
		return fmt.Errorf("%d tasks open to dispute, %d queued", open, queued)
	}
	indexed, err := countKeys(ctx, k.DemandsByDevice)
	if err != nil {
		return err
	}
	if indexed != demands {
		return fmt.Errorf("%d open demands, %d indexed by device", demands, indexed)
	}
	return k.Devices.Walk(ctx, nil, func(_ []byte, dev types.Device) (bool, error) {
		want := byDevice[dev.Operator]
		if dev.DisputableTasks != want.tasks || !intOrZero(dev.DisputableReward).Equal(intOrZero(want.reward)) {
			return true, fmt.Errorf("device %s counts %d disputable tasks worth %s, its tasks say %d worth %s",
				dev.Operator, dev.DisputableTasks, intOrZero(dev.DisputableReward), want.tasks, intOrZero(want.reward))
		}
		if want.tasks > 0 && dev.Status == types.DEVICE_STATUS_UNBONDED {
			return true, fmt.Errorf("device %s got its bond back with %d disputes open", dev.Operator, want.tasks)
		}
		return false, nil
	})
}

func countKeys[K any](ctx context.Context, set collections.KeySet[K]) (int, error) {
	n := 0
	err := set.Walk(ctx, nil, func(K) (bool, error) {
		n++
		return false, nil
	})
	return n, err
}
