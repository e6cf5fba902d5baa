package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Disputes (G5). A sampled proof shows neither that the requester got the
// outputs nor that the unsampled ones are right, so a verified task stays
// disputable for dispute_window_blocks (fixed in the task when it is
// verified): its requester may demand items (delivery.go), anyone may prove an
// item wrong (fraud.go). Until the window closes the task's reward counts
// against the device's bond like a live task's, and the bond is not returned.

// Slash reasons of disputes, reported in EventBondSlashed.
const (
	SlashReasonUndelivered = "undelivered"
	SlashReasonFraud       = "fraud"
)

// openDispute makes a task that has just been verified disputable: it fixes
// the window's end and the emission credited, and counts the reward against
// the device's bond. The caller stores task and dev.
func (k *Keeper) openDispute(ctx context.Context, params types.Params, task *types.Task, dev *types.Device, reward, credited math.Int, epoch uint64) error {
	task.DisputeUntil = height(ctx) + params.DisputeWindowBlocks
	task.CreditedUnits = credited
	task.CreditedEpoch = epoch
	dev.DisputableTasks++
	dev.DisputableReward = intOrZero(dev.DisputableReward).Add(reward)
	dev.DisputesEnd = max(dev.DisputesEnd, task.DisputeUntil)
	return k.DisputeQueue.Set(ctx, collections.Join(task.DisputeUntil, taskKey(task.JobId, task.Index)))
}

// closeDispute ends a task's dispute window (it ran out, or a dispute settled
// the task): the reward stops counting against the device's bond. The caller
// stores task and dev.
func (k *Keeper) closeDispute(ctx context.Context, job types.Job, task *types.Task, dev *types.Device) error {
	if err := k.DisputeQueue.Remove(ctx, collections.Join(task.DisputeUntil, taskKey(task.JobId, task.Index))); err != nil {
		return err
	}
	task.DisputeUntil = 0
	dev.DisputableTasks--
	dev.DisputableReward = intOrZero(dev.DisputableReward).Sub(job.TaskReward(task.ItemCount))
	return nil
}

// disputableTask returns a verified task whose dispute is open at the current
// height (within the window, or held open by a demand), with its job.
func (k *Keeper) disputableTask(ctx context.Context, jobID, index uint64) (types.Job, types.Task, error) {
	task, err := k.Tasks.Get(ctx, taskKey(jobID, index))
	if isNotFound(err) {
		return types.Job{}, types.Task{}, errorsmod.Wrapf(types.ErrTaskNotFound, "task %d/%d", jobID, index)
	}
	if err != nil {
		return types.Job{}, types.Task{}, err
	}
	// An open demand keeps the dispute open past the window until it is settled.
	if task.Status != types.TASK_STATUS_VERIFIED || task.DisputeUntil == 0 || (height(ctx) > task.DisputeUntil && task.Demand == nil) {
		return types.Job{}, types.Task{}, errorsmod.Wrapf(types.ErrNotDisputable, "task %d/%d is %s, disputable until %d (0: closed), now %d",
			jobID, index, task.Status, task.DisputeUntil, height(ctx))
	}
	job, err := k.Jobs.Get(ctx, jobID)
	return job, task, err
}

// closeDueDisputes ends the dispute windows due by this height, at most limit.
// A task with an open delivery demand stays disputable until the demand is
// settled (which then closes it).
func (k *Keeper) closeDueDisputes(ctx context.Context, limit int) error {
	due, err := dueKeys(ctx, k.DisputeQueue, height(ctx), limit)
	if err != nil {
		return err
	}
	for _, entry := range due {
		if err := k.DisputeQueue.Remove(ctx, entry); err != nil {
			return err
		}
		task, err := k.Tasks.Get(ctx, entry.K2())
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if task.DisputeUntil != entry.K1() || task.Demand != nil {
			continue
		}
		job, err := k.Jobs.Get(ctx, task.JobId)
		if err != nil {
			return err
		}
		_, operator, dev, err := k.taskHolder(ctx, task)
		if err != nil {
			return err
		}
		if err := k.closeDispute(ctx, job, &task, &dev); err != nil {
			return err
		}
		if err := k.Tasks.Set(ctx, entry.K2(), task); err != nil {
			return err
		}
		if err := k.Devices.Set(ctx, operator, dev); err != nil {
			return err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDisputeClosed{
			JobId: task.JobId, TaskIndex: task.Index, Device: task.Device,
		}); err != nil {
			return err
		}
	}
	return nil
}

// disputeSlash is what a device loses when a dispute goes against a verified
// task: bps of its bond, but at least the task's reward plus the emission the
// task earned, capped by the bond. The task's emission credit is struck from
// the epoch if that has not settled yet (so it earns nothing); if it has, its
// value is part of the floor, clawed back from the bond. The requester is
// refunded the reward from the slash first; beneficiary (the reporter of a
// fraud, or nobody) gets beneficiaryBps of the rest; the remainder is burned.
func (k *Keeper) disputeSlash(ctx context.Context, job types.Job, task types.Task, dev *types.Device, operator sdk.AccAddress,
	bps uint32, beneficiary sdk.AccAddress, beneficiaryBps uint32, reason string,
) (disputeLoss, error) {
	reward := job.TaskReward(task.ItemCount)
	requester, err := k.addr("requester", job.Requester)
	if err != nil {
		return disputeLoss{}, err
	}
	removed, clawback, err := k.takeBackEmission(ctx, task, operator, requester)
	if err != nil {
		return disputeLoss{}, err
	}
	amount := math.MaxInt(types.BpsOf(dev.Bond, bps), reward.Add(clawback))
	amount = math.MinInt(amount, dev.Bond)
	loss := disputeLoss{Slashed: amount, UnitsRemoved: removed}
	loss.Refunded = math.MinInt(reward, amount)
	rest := amount.Sub(loss.Refunded)
	loss.BeneficiaryShare = math.ZeroInt()
	if beneficiary != nil {
		loss.BeneficiaryShare = types.BpsOf(rest, beneficiaryBps)
	}
	loss.Burned = rest.Sub(loss.BeneficiaryShare)

	if err := k.payOut(ctx, requester, loss.Refunded); err != nil {
		return disputeLoss{}, err
	}
	if beneficiary != nil {
		if err := k.payOut(ctx, beneficiary, loss.BeneficiaryShare); err != nil {
			return disputeLoss{}, err
		}
	}
	if loss.Burned.IsPositive() {
		if err := k.bank.BurnCoins(ctx, types.ModuleName, k.coins(loss.Burned)); err != nil {
			return disputeLoss{}, err
		}
		burned, err := k.loadInt(ctx, k.TotalBurned)
		if err != nil {
			return disputeLoss{}, err
		}
		if err := k.TotalBurned.Set(ctx, burned.Add(loss.Burned)); err != nil {
			return disputeLoss{}, err
		}
	}
	dev.Bond = dev.Bond.Sub(amount)
	return loss, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBondSlashed{
		Operator: dev.Operator, JobId: task.JobId, TaskIndex: task.Index,
		Amount: amount, Reason: reason, RemainingBond: dev.Bond,
	})
}

// disputeLoss is where a dispute slash went.
type disputeLoss struct {
	Slashed, Refunded, BeneficiaryShare, Burned, UnitsRemoved math.Int
}

// takeBackEmission undoes a task's emission credit: units still in the
// running epoch are struck from it (returned as removed); for a settled epoch
// it returns the credit's value at the epoch's capped rate (emission_cap.go),
// to be clawed back from the bond.
func (k *Keeper) takeBackEmission(ctx context.Context, task types.Task, operator, requester sdk.AccAddress) (removed, clawback math.Int, err error) {
	units := intOrZero(task.CreditedUnits)
	if !units.IsPositive() {
		return math.ZeroInt(), math.ZeroInt(), nil
	}
	info, err := k.Epochs.Get(ctx, task.CreditedEpoch)
	if isNotFound(err) {
		return math.ZeroInt(), math.ZeroInt(), nil // an idle epoch is not kept; nothing was earned in it
	}
	if err != nil {
		return math.Int{}, math.Int{}, err
	}
	if info.Settled {
		clawback, err = k.settledShare(ctx, info, requester, units)
		return math.ZeroInt(), clawback, err
	}
	removed, err = k.strikeRunningUnits(ctx, operator, requester, task.CreditedEpoch, units)
	return removed, math.ZeroInt(), err
}

// payOut sends amount (if positive) from the module account to addr.
func (k *Keeper) payOut(ctx context.Context, addr sdk.AccAddress, amount math.Int) error {
	if !amount.IsPositive() {
		return nil
	}
	return k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, addr, k.coins(amount))
}
