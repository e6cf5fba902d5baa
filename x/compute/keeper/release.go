package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ReleaseResult is what releasing a lease did.
type ReleaseResult struct {
	Charged     math.Int
	HeldBlocks  uint64
	BarredUntil uint64
}

// ReleaseTask hands a leased, unclaimed task back to the market at once: it
// reopens (or refunds its escrow if the job has closed) in this transaction,
// instead of lease_blocks later when the lease would lapse.
//
// It must be cheaper than a lapse, so that a device that knows it cannot
// finish says so, yet never free, or holding tasks hostage and releasing them
// just before they lapse would cost nothing (G3). So the bond is charged the
// lapse slash pro rata to the lease blocks held,
// ⌈bond × slash_lapsed_bps × held / lease length⌉ (rounded up: a lease held a
// block is never free; at most the lapse slash, reached only at the lease's
// last height), burned like a slash; and the device is barred from the task
// for lease_cooldown_blocks, so a release and a re-lease cannot restart a
// lease clock on the same task.
func (k *Keeper) ReleaseTask(ctx context.Context, operator sdk.AccAddress, jobID, index uint64) (ReleaseResult, error) {
	dev, err := k.getDevice(ctx, operator)
	if err != nil {
		return ReleaseResult{}, err
	}
	if dev.Status == types.DEVICE_STATUS_JAILED {
		return ReleaseResult{}, errorsmod.Wrap(types.ErrDeviceJailed, "a jailed device holds no tasks: they were revoked when it was jailed")
	}
	task, err := k.heldTask(ctx, operator, jobID, index)
	if err != nil {
		return ReleaseResult{}, err
	}
	if task.Status != types.TASK_STATUS_LEASED {
		return ReleaseResult{}, errorsmod.Wrapf(types.ErrAlreadyClaimed, "task %d/%d is %s: only a leased, unclaimed task can be released", jobID, index, task.Status)
	}
	h := height(ctx)
	// Past its expiry (the end-block queue has not reached it yet) the lease
	// has lapsed: releasing it now would dodge the lapse's full slash.
	if h > task.LeaseExpiry {
		return ReleaseResult{}, errorsmod.Wrapf(types.ErrLeaseExpired, "lease ended at height %d", task.LeaseExpiry)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return ReleaseResult{}, err
	}
	if err := k.TaskQueue.Remove(ctx, collections.Join(task.LeaseExpiry, taskKey(jobID, index))); err != nil {
		return ReleaseResult{}, err
	}
	held := h - task.LeasedHeight
	charged, err := k.slash(ctx, &dev, task, 0, releaseCharge(dev.Bond, params.SlashLapsedBps, held, task.LeaseExpiry-task.LeasedHeight), SlashReasonLeaseReleased)
	if err != nil {
		return ReleaseResult{}, err
	}
	dev.LiveTasks--
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return ReleaseResult{}, err
	}
	until := h + params.LeaseCooldownBlocks
	barDevice(&task, task.Device, until, h)
	device := task.Device
	if err := k.releaseTask(ctx, task, true); err != nil {
		return ReleaseResult{}, err
	}
	return ReleaseResult{Charged: charged, HeldBlocks: held, BarredUntil: until}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventTaskReleased{
		JobId: jobID, TaskIndex: index, Device: device, HeldBlocks: held, Charged: charged, BarredUntil: until,
	})
}

// releaseCharge is the lapse slash (bond × lapsedBps) times held / leaseLen,
// rounded up, and never more than the lapse slash. The lease length comes from
// the task (its expiry less its lease height), so governance changing
// lease_blocks does not change what an open lease costs to hand back.
func releaseCharge(bond math.Int, lapsedBps uint32, held, leaseLen uint64) math.Int {
	lapse := types.BpsOf(bond, lapsedBps)
	if leaseLen == 0 || held >= leaseLen {
		return lapse
	}
	n := math.NewIntFromUint64(leaseLen)
	return lapse.Mul(math.NewIntFromUint64(held)).Add(n).SubRaw(1).Quo(n)
}
