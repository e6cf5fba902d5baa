package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Slash reasons reported in EventBondSlashed.
const (
	SlashReasonInvalidProof = "invalid_proof"
	SlashReasonMissedProof  = "missed_proof"
	SlashReasonLeaseLapsed  = "lease_lapsed"
	// SlashReasonLeaseReleased: the device handed a lease back (MsgReleaseTask),
	// charged pro rata to the blocks it held it.
	SlashReasonLeaseReleased = "lease_released"
)

// RegisterDevice bonds coins from operator and registers its device. An account
// whose earlier device finished unbonding may register again, unless it was jailed.
func (k *Keeper) RegisterDevice(ctx context.Context, operator sdk.AccAddress, moniker string, bond math.Int) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if err := types.ValidateMoniker(moniker); err != nil {
		return err
	}
	if err := types.ValidateAmount("bond", bond, true); err != nil {
		return err
	}
	if bond.LT(params.MinDeviceBond) {
		return errorsmod.Wrapf(types.ErrBondTooLow, "bond %s%s is below the minimum %s%s", bond, k.denom, params.MinDeviceBond, k.denom)
	}
	old, err := k.Devices.Get(ctx, operator)
	switch {
	case err == nil && old.Jailed:
		return errorsmod.Wrap(types.ErrDeviceJailed, "a jailed device's operator may not register again")
	case err == nil && old.Status != types.DEVICE_STATUS_UNBONDED:
		return errorsmod.Wrapf(types.ErrDeviceExists, "%s is %s", k.addrString(operator), old.Status)
	case err != nil && !isNotFound(err):
		return err
	}
	if err := k.pull(ctx, operator, bond); err != nil {
		return err
	}
	dev := types.Device{
		Operator:         k.addrString(operator),
		Moniker:          moniker,
		Bond:             bond,
		Status:           types.DEVICE_STATUS_ACTIVE,
		WorkUnits:        math.ZeroInt(),
		RegisteredHeight: height(ctx),
	}
	if err == nil { // re-registration keeps the history
		dev.TasksVerified, dev.Failures, dev.MissedProofs, dev.WorkUnits = old.TasksVerified, old.Failures, old.MissedProofs, old.WorkUnits
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceRegistered{
		Operator: dev.Operator, Moniker: moniker, Bond: bond,
	})
}

// UpdateDevice renames a device and/or adds to its bond.
func (k *Keeper) UpdateDevice(ctx context.Context, operator sdk.AccAddress, moniker string, addBond math.Int) error {
	if moniker != "" {
		if err := types.ValidateMoniker(moniker); err != nil {
			return err
		}
	}
	if addBond.IsNil() {
		addBond = math.ZeroInt()
	}
	if err := types.ValidateAmount("add_bond", addBond, false); err != nil {
		return err
	}
	if moniker == "" && addBond.IsZero() {
		return errorsmod.Wrap(types.ErrInvalidAmount, "nothing to update: give a moniker or a bond to add")
	}
	dev, err := k.getDevice(ctx, operator)
	if err != nil {
		return err
	}
	if dev.Jailed {
		return errorsmod.Wrap(types.ErrDeviceJailed, "a jailed device may only unbond")
	}
	if dev.Status == types.DEVICE_STATUS_UNBONDING || dev.Status == types.DEVICE_STATUS_UNBONDED {
		return errorsmod.Wrapf(types.ErrDeviceNotActive, "device is %s", dev.Status)
	}
	if addBond.IsPositive() {
		if err := k.pull(ctx, operator, addBond); err != nil {
			return err
		}
		dev.Bond = dev.Bond.Add(addBond)
	}
	if moniker != "" {
		dev.Moniker = moniker
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceUpdated{
		Operator: dev.Operator, Moniker: dev.Moniker, Bond: dev.Bond, Added: addBond,
	})
}

// UnbondDevice starts returning a device's bond. A device holding a lease or an
// unproved claim must finish (or lose) it first, so its bond stays slashable.
func (k *Keeper) UnbondDevice(ctx context.Context, operator sdk.AccAddress) (uint64, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	dev, err := k.getDevice(ctx, operator)
	if err != nil {
		return 0, err
	}
	if dev.Status != types.DEVICE_STATUS_ACTIVE && dev.Status != types.DEVICE_STATUS_JAILED {
		return 0, errorsmod.Wrapf(types.ErrDeviceNotActive, "device is %s", dev.Status)
	}
	if dev.LiveTasks > 0 {
		return 0, errorsmod.Wrapf(types.ErrDeviceBusy, "%d live leases or claims", dev.LiveTasks)
	}
	dev.Status = types.DEVICE_STATUS_UNBONDING
	// The bond stays slashable until every dispute of its tasks has closed (G5).
	dev.UnbondingHeight = max(height(ctx)+params.DeviceUnbondingBlocks, dev.DisputesEnd+1)
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return 0, err
	}
	if err := k.UnbondingQueue.Set(ctx, collections.Join(dev.UnbondingHeight, []byte(operator))); err != nil {
		return 0, err
	}
	return dev.UnbondingHeight, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceUnbonding{
		Operator: dev.Operator, Bond: dev.Bond, UnbondingHeight: dev.UnbondingHeight,
	})
}

// completeUnbonding returns an unbonding device's bond.
func (k *Keeper) completeUnbonding(ctx context.Context, operator sdk.AccAddress) error {
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return err
	}
	if dev.Status != types.DEVICE_STATUS_UNBONDING {
		return nil // stale queue entry
	}
	if dev.DisputableTasks > 0 {
		// A dispute is still open (a demand made near the window's end can
		// outlast disputes_end as it was at unbonding): wait for it.
		dev.UnbondingHeight = max(dev.DisputesEnd, height(ctx)) + 1
		if err := k.Devices.Set(ctx, operator, dev); err != nil {
			return err
		}
		return k.UnbondingQueue.Set(ctx, collections.Join(dev.UnbondingHeight, []byte(operator)))
	}
	returned := dev.Bond
	if returned.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, operator, k.coins(returned)); err != nil {
			return err
		}
	}
	dev.Bond = math.ZeroInt()
	dev.Status = types.DEVICE_STATUS_UNBONDED
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceUnbonded{Operator: dev.Operator, Returned: returned})
}

// slash burns bps of the device's bond, but at least floor (capped by the bond):
// the floor is the task's reward, so a failed proof always costs at least what
// the task would have paid. The burn is added to TotalBurned, so supply can be
// reconciled with emission.
func (k *Keeper) slash(ctx context.Context, dev *types.Device, task types.Task, bps uint32, floor math.Int, reason string) (math.Int, error) {
	amount := types.BpsOf(dev.Bond, bps)
	if amount.LT(floor) {
		amount = floor
	}
	if amount.GT(dev.Bond) {
		amount = dev.Bond
	}
	if amount.IsPositive() {
		if err := k.bank.BurnCoins(ctx, types.ModuleName, k.coins(amount)); err != nil {
			return math.Int{}, err
		}
		burned, err := k.loadInt(ctx, k.TotalBurned)
		if err != nil {
			return math.Int{}, err
		}
		if err := k.TotalBurned.Set(ctx, burned.Add(amount)); err != nil {
			return math.Int{}, err
		}
		dev.Bond = dev.Bond.Sub(amount)
	}
	return amount, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBondSlashed{
		Operator: dev.Operator, JobId: task.JobId, TaskIndex: task.Index,
		Amount: amount, Reason: reason, RemainingBond: dev.Bond,
	})
}

// jailIfDue jails an active device for good once its invalid and missed proofs
// together reach jail_after_failures: withholding a proof counts like failing it.
// A jailed device is paid nothing more and earns no emission: its live tasks
// are revoked (they reopen, or refund their escrow if the job has closed) and
// its work in the running epoch is struck from the epoch.
func (k *Keeper) jailIfDue(ctx context.Context, operator sdk.AccAddress, params types.Params) error {
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return err
	}
	if dev.Status != types.DEVICE_STATUS_ACTIVE || uint64(dev.Failures)+dev.MissedProofs < uint64(params.JailAfterFailures) {
		return nil
	}
	return k.jailDevice(ctx, operator)
}

// jailDevice jails a device for good (see jailIfDue); a fraud proof jails at
// once. A device already unbonding stays so (its bond still waits for its
// disputes) but is marked jailed.
func (k *Keeper) jailDevice(ctx context.Context, operator sdk.AccAddress) error {
	dev, err := k.Devices.Get(ctx, operator)
	if err != nil {
		return err
	}
	if dev.Status == types.DEVICE_STATUS_ACTIVE {
		dev.Status = types.DEVICE_STATUS_JAILED
	}
	dev.Jailed = true
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return err
	}
	revoked, err := k.revokeLiveTasks(ctx, operator)
	if err != nil {
		return err
	}
	forfeited, err := k.forfeitRunningEpoch(ctx, operator)
	if err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventDeviceJailed{
		Operator: dev.Operator, Failures: dev.Failures, MissedProofs: dev.MissedProofs,
		RevokedTasks: revoked, ForfeitedUnits: forfeited,
	})
}

// revokeLiveTasks takes back every live task of a jailed device, unpaid and
// unslashed (the jailing slash was taken), and bars the device from them. At
// most the device's live tasks (max_live_tasks_per_device) are visited.
func (k *Keeper) revokeLiveTasks(ctx context.Context, operator sdk.AccAddress) (uint32, error) {
	var keys []TaskKey
	if err := k.TasksByDevice.Walk(ctx, collections.NewPrefixedPairRange[[]byte, TaskKey](operator), func(key collections.Pair[[]byte, TaskKey]) (bool, error) {
		keys = append(keys, key.K2())
		return false, nil
	}); err != nil {
		return 0, err
	}
	h := height(ctx)
	for _, key := range keys {
		task, err := k.Tasks.Get(ctx, key)
		if err != nil {
			return 0, err
		}
		due := task.LeaseExpiry
		if task.Status == types.TASK_STATUS_CLAIMED {
			due = task.ProofDeadline
		}
		if err := k.TaskQueue.Remove(ctx, collections.Join(due, key)); err != nil {
			return 0, err
		}
		device := task.Device
		barDevice(&task, device, 0, h)
		if err := k.releaseTask(ctx, task, false); err != nil {
			return 0, err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventTaskRevoked{
			JobId: task.JobId, TaskIndex: task.Index, Device: device,
		}); err != nil {
			return 0, err
		}
	}
	return uint32(len(keys)), nil
}

// forfeitRunningEpoch strikes a jailed device's work from the running epoch, so
// the epoch's emission goes to the other devices, and returns the units struck.
// It visits the device's credits of the running epoch, one per requester, so
// at most max_emission_requesters_per_epoch. (Shares of settled epochs it has
// not withdrawn stay unclaimed: a jailed device may not withdraw.)
func (k *Keeper) forfeitRunningEpoch(ctx context.Context, operator sdk.AccAddress) (math.Int, error) {
	epoch, err := k.CurrentEpoch.Get(ctx)
	if err != nil {
		return math.Int{}, err
	}
	var credits []rewardEntry
	rng := collections.NewSuperPrefixedTripleRange[[]byte, uint64, []byte](operator, epoch)
	if err := k.DeviceRequesterUnits.Walk(ctx, rng, func(key collections.Triple[[]byte, uint64, []byte], units math.Int) (bool, error) {
		credits = append(credits, rewardEntry{key: key, units: units})
		return false, nil
	}); err != nil {
		return math.Int{}, err
	}
	struck := math.ZeroInt()
	for _, c := range credits {
		removed, err := k.strikeRunningUnits(ctx, operator, c.key.K3(), epoch, c.units)
		if err != nil {
			return math.Int{}, err
		}
		struck = struck.Add(removed)
	}
	return struck, nil
}

func (k *Keeper) getDevice(ctx context.Context, operator sdk.AccAddress) (types.Device, error) {
	dev, err := k.Devices.Get(ctx, operator)
	if isNotFound(err) {
		return dev, errorsmod.Wrapf(types.ErrDeviceNotFound, "no device registered by %s", k.addrString(operator))
	}
	return dev, err
}

// pull moves amount from an account into the module account.
func (k *Keeper) pull(ctx context.Context, from sdk.AccAddress, amount math.Int) error {
	err := k.bank.SendCoinsFromAccountToModule(ctx, from, types.ModuleName, k.coins(amount))
	if errorsmod.IsOf(err, sdkerrors.ErrInsufficientFunds) {
		return errorsmod.Wrapf(types.ErrInsufficientFunds, "%s cannot pay %s%s: %v", k.addrString(from), amount, k.denom, err)
	}
	return err
}

// taskHolder returns the params and the device holding task (its operator
// address and record), which every lapse, miss, payment and slash starts from.
func (k *Keeper) taskHolder(ctx context.Context, task types.Task) (types.Params, sdk.AccAddress, types.Device, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.Params{}, nil, types.Device{}, err
	}
	operator, err := k.addr("device", task.Device)
	if err != nil {
		return types.Params{}, nil, types.Device{}, err
	}
	dev, err := k.Devices.Get(ctx, operator)
	return params, operator, dev, err
}
