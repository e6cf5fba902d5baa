package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// LeaseTask gives the operator's device the next open task of a job: a task
// reopened by an expiry or a failed proof first, else the first never leased.
func (k *Keeper) LeaseTask(ctx context.Context, operator sdk.AccAddress, jobID uint64) (types.Task, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.Task{}, err
	}
	dev, err := k.getDevice(ctx, operator)
	if err != nil {
		return types.Task{}, err
	}
	switch {
	case dev.Status == types.DEVICE_STATUS_JAILED:
		return types.Task{}, errorsmod.Wrap(types.ErrDeviceJailed, "a jailed device may not lease")
	case dev.Status != types.DEVICE_STATUS_ACTIVE:
		return types.Task{}, errorsmod.Wrapf(types.ErrDeviceNotActive, "device is %s", dev.Status)
	case dev.Bond.LT(params.MinDeviceBond):
		return types.Task{}, errorsmod.Wrapf(types.ErrBondTooLow, "bond %s is below the minimum %s; top it up with update-device", dev.Bond, params.MinDeviceBond)
	case dev.LiveTasks >= params.MaxLiveTasksPerDevice:
		return types.Task{}, errorsmod.Wrapf(types.ErrTooManyLiveTasks, "%d live tasks", dev.LiveTasks)
	}
	job, err := k.getJob(ctx, jobID)
	if err != nil {
		return types.Task{}, err
	}
	h := height(ctx)
	if job.Status != types.JOB_STATUS_OPEN || h >= job.DeadlineHeight {
		return types.Task{}, errorsmod.Wrapf(types.ErrJobNotOpen, "job %d is %s (deadline %d)", jobID, job.Status, job.DeadlineHeight)
	}

	index, reopened, err := k.nextOpenTask(ctx, job, dev.Operator, h)
	if err != nil {
		return types.Task{}, err
	}
	first, count := job.TaskRange(index)
	// Soundness: one invalid proof must cost at least what all the device's
	// live tasks pay together, this one included, plus the emission they can
	// still earn, so one bond cannot back more tasks than it can lose.
	cover, err := k.liveCover(ctx, params, operator, job, count)
	if err != nil {
		return types.Task{}, err
	}
	// Verified tasks still open to dispute count as live (G5).
	disputable := intOrZero(dev.DisputableReward)
	if slash := types.BpsOf(dev.Bond, params.SlashInvalidBps); slash.LT(cover.Total().Add(disputable)) {
		return types.Task{}, errorsmod.Wrapf(types.ErrBondTooSmallForTask,
			"the device's live tasks with this one pay %s%s and can earn up to %s%s of emission, its disputable tasks paid %s%s, but an invalid proof slashes %s%s of the bond; add bond, finish a task or lease a smaller job",
			cover.Payment, k.denom, cover.Emission, k.denom, disputable, k.denom, slash, k.denom)
	}

	if reopened {
		if err := k.ReopenedTasks.Remove(ctx, taskKey(jobID, index)); err != nil {
			return types.Task{}, err
		}
	} else {
		job.NextTask++
	}
	var attempt uint32
	var bars []types.TaskBar
	if old, err := k.Tasks.Get(ctx, taskKey(jobID, index)); err == nil {
		attempt = old.Attempt + 1
		bars = liveBars(old.Bars, h)
	} else if !isNotFound(err) {
		return types.Task{}, err
	}
	task := types.Task{
		JobId:        jobID,
		Index:        index,
		Device:       dev.Operator,
		Status:       types.TASK_STATUS_LEASED,
		FirstItem:    first,
		ItemCount:    count,
		LeasedHeight: h,
		LeaseExpiry:  h + params.LeaseBlocks,
		Attempt:      attempt,
		Bars:         bars,
	}
	job.LiveTasks++
	job.LiveItems += count
	dev.LiveTasks++
	if err := k.Jobs.Set(ctx, job.Id, job); err != nil {
		return types.Task{}, err
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return types.Task{}, err
	}
	if err := k.Tasks.Set(ctx, taskKey(jobID, index), task); err != nil {
		return types.Task{}, err
	}
	if err := k.TasksByDevice.Set(ctx, collections.Join([]byte(operator), taskKey(jobID, index))); err != nil {
		return types.Task{}, err
	}
	if err := k.TaskQueue.Set(ctx, collections.Join(task.LeaseExpiry, taskKey(jobID, index))); err != nil {
		return types.Task{}, err
	}
	return task, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventTaskLeased{
		JobId: jobID, TaskIndex: index, Device: dev.Operator, FirstItem: first, ItemCount: count, LeaseExpiry: task.LeaseExpiry,
	})
}

// maxReopenedScan bounds how many reopened tasks one lease looks at for one
// the device is not barred from; past it the device gets a never-leased task.
const maxReopenedScan = 64

// nextOpenTask returns the lowest reopened task of the job the device is not
// barred from, else the job's next never-leased task.
func (k *Keeper) nextOpenTask(ctx context.Context, job types.Job, device string, h uint64) (index uint64, reopened bool, err error) {
	found, barred, scanned := false, 0, 0
	if err := k.ReopenedTasks.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](job.Id), func(key TaskKey) (bool, error) {
		scanned++
		task, err := k.Tasks.Get(ctx, key)
		if err != nil {
			return true, err
		}
		if isBarred(task.Bars, device, h) {
			barred++
			return scanned == maxReopenedScan, nil
		}
		index, found = key.K2(), true
		return true, nil
	}); err != nil {
		return 0, false, err
	}
	if found {
		return index, true, nil
	}
	if job.NextTask < job.NumTasks {
		return job.NextTask, false, nil
	}
	if barred > 0 {
		return 0, false, errorsmod.Wrapf(types.ErrTaskBarred, "the open tasks of job %d are ones this device failed, withheld or let lapse", job.Id)
	}
	return 0, false, errorsmod.Wrapf(types.ErrNoOpenTask, "all %d tasks of job %d are leased, claimed or verified", job.NumTasks, job.Id)
}

// isBarred reports whether bars keep device from leasing the task at height h.
func isBarred(bars []types.TaskBar, device string, h uint64) bool {
	for _, b := range bars {
		if b.Device == device && (b.UntilHeight == 0 || h < b.UntilHeight) {
			return true
		}
	}
	return false
}

// liveBars drops the bars that have ended by height h.
func liveBars(bars []types.TaskBar, h uint64) []types.TaskBar {
	var out []types.TaskBar
	for _, b := range bars {
		if b.UntilHeight == 0 || h < b.UntilHeight {
			out = append(out, b)
		}
	}
	return out
}

// barDevice bars device from task until height until (0: for good), keeping
// the longer bar if it has one, and drops bars that ended by h.
func barDevice(task *types.Task, device string, until, h uint64) {
	bars := liveBars(task.Bars, h)
	for i, b := range bars {
		if b.Device == device {
			if b.UntilHeight != 0 && (until == 0 || until > b.UntilHeight) {
				bars[i].UntilHeight = until
			}
			task.Bars = bars
			return
		}
	}
	task.Bars = append(bars, types.TaskBar{Device: device, UntilHeight: until})
}

// expireLease reopens a task whose lease ran out unclaimed. Holding a task
// blocks it for everyone else, so a lapse is not free: slash_lapsed_bps of the
// bond is burned and the device may not lease the task again for
// lease_cooldown_blocks.
func (k *Keeper) expireLease(ctx context.Context, task types.Task) error {
	params, operator, dev, err := k.taskHolder(ctx, task)
	if err != nil {
		return err
	}
	slashed, err := k.slash(ctx, &dev, task, params.SlashLapsedBps, math.ZeroInt(), SlashReasonLeaseLapsed)
	if err != nil {
		return err
	}
	dev.LiveTasks--
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	h := height(ctx)
	until := h + params.LeaseCooldownBlocks
	barDevice(&task, task.Device, until, h)
	device := task.Device
	if err := k.releaseTask(ctx, task, true); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventLeaseExpired{
		JobId: task.JobId, TaskIndex: task.Index, Device: device, Slashed: slashed, BarredUntil: until,
	})
}

// releaseTask ends a live task that was not verified: the device and job stop
// counting it, and the task reopens, or, when the job has closed, its escrow
// goes back to the requester.
func (k *Keeper) releaseTask(ctx context.Context, task types.Task, keepDevice bool) error {
	key := taskKey(task.JobId, task.Index)
	operator, err := k.addr("device", task.Device)
	if err != nil {
		return err
	}
	if !keepDevice {
		dev, err := k.Devices.Get(ctx, operator)
		if err != nil {
			return err
		}
		dev.LiveTasks--
		if err := k.Devices.Set(ctx, operator, dev); err != nil {
			return err
		}
	}
	if err := k.TasksByDevice.Remove(ctx, collections.Join([]byte(operator), key)); err != nil {
		return err
	}
	if task.Status == types.TASK_STATUS_CLAIMED {
		if err := k.ClaimsByChallenge.Remove(ctx, collections.Join(task.ChallengeHeight, key)); err != nil {
			return err
		}
	}
	job, err := k.Jobs.Get(ctx, task.JobId)
	if err != nil {
		return err
	}
	job.LiveTasks--
	job.LiveItems -= task.ItemCount
	// The task record stays (status reset) so the next lease knows the attempt number.
	task.Status = types.TASK_STATUS_UNSPECIFIED
	task.Device = ""
	task.Root = nil
	if err := k.Tasks.Set(ctx, key, task); err != nil {
		return err
	}
	if job.Status == types.JOB_STATUS_OPEN {
		if err := k.ReopenedTasks.Set(ctx, key); err != nil {
			return err
		}
	} else if err := k.refund(ctx, &job, job.TaskReward(task.ItemCount)); err != nil {
		return err
	}
	return k.Jobs.Set(ctx, job.Id, job)
}
