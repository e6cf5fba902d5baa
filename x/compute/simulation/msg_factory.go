package simulation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

type factoryFn[T sdk.Msg] = simsx.FactoryMethodWithDeliveryResultHandler[T]

func newFactory[T sdk.Msg](f factoryFn[T]) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(f)
}

// MsgRegisterDeviceFactory registers devices, now and then with a bond below
// the minimum, a bad moniker, an unaffordable bond or for an account that
// already has a device.
func MsgRegisterDeviceFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterDevice, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		op, ok := accountWhere(data, reporter, func(a simtypes.Account) bool {
			dev, ok := getDevice(ctx, k, a.Address)
			return !ok || (dev.Status == types.DEVICE_STATUS_UNBONDED && !dev.Jailed)
		})
		if !ok || r.Intn(10) == 0 {
			op = data.AnyAccount(reporter)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgRegisterDevice{
			Operator: op.AddressBech32,
			Moniker:  "rig-" + r.StringN(8),
			Bond:     randomInt(r, params.MinDeviceBond, params.MinDeviceBond.MulRaw(4)),
		}
		dev, found := getDevice(ctx, k, op.Address)
		var want error
		switch n := r.Intn(20); {
		case n == 0:
			msg.Moniker = badMoniker(r, true)
			want = types.ErrInvalidMoniker
		case n == 1 && params.MinDeviceBond.GT(math.OneInt()):
			msg.Bond = randomInt(r, math.OneInt(), params.MinDeviceBond.SubRaw(1))
			want = types.ErrBondTooLow
		case found && dev.Jailed:
			want = types.ErrDeviceJailed
		case found && dev.Status != types.DEVICE_STATUS_UNBONDED:
			want = types.ErrDeviceExists
		case !reserve(k, &op, msg.Bond):
			want = types.ErrInsufficientFunds
		}
		return []simsx.SimAccount{op}, msg, expect(want, func() error {
			dev, ok := getDevice(ctx, k, op.Address)
			if !ok || dev.Status != types.DEVICE_STATUS_ACTIVE || !dev.Bond.Equal(msg.Bond) {
				return fmt.Errorf("registered device %s is %v", op.AddressBech32, dev)
			}
			return nil
		})
	})
}

// MsgUpdateDeviceFactory renames devices and tops up bonds, and sends updates
// that change nothing or reach missing, unbonding or jailed devices.
func MsgUpdateDeviceFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateDevice, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(types.Device) bool { return true })
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgUpdateDevice{Operator: op.AddressBech32, AddBond: math.ZeroInt()}
		switch r.Intn(3) {
		case 0:
			msg.Moniker = "rig-" + r.StringN(8)
		case 1:
			msg.AddBond = randomInt(r, math.OneInt(), params.MinDeviceBond)
		default:
			msg.Moniker = "rig-" + r.StringN(8)
			msg.AddBond = randomInt(r, math.OneInt(), params.MinDeviceBond)
		}
		dev, found := getDevice(ctx, k, op.Address)
		var want error
		switch n := r.Intn(20); {
		case n == 0:
			msg.Moniker = badMoniker(r, false)
			want = types.ErrInvalidMoniker
		case n == 1:
			msg.Moniker, msg.AddBond = "", math.ZeroInt()
			want = types.ErrInvalidAmount
		case !found:
			want = types.ErrDeviceNotFound
		case dev.Jailed:
			want = types.ErrDeviceJailed
		case dev.Status == types.DEVICE_STATUS_UNBONDING || dev.Status == types.DEVICE_STATUS_UNBONDED:
			want = types.ErrDeviceNotActive
		case msg.AddBond.IsPositive() && !reserve(k, &op, msg.AddBond):
			want = types.ErrInsufficientFunds
		}
		return []simsx.SimAccount{op}, msg, expect(want, func() error {
			after, _ := getDevice(ctx, k, op.Address)
			if !after.Bond.Equal(dev.Bond.Add(msg.AddBond)) {
				return fmt.Errorf("device %s bond %s after adding %s to %s", op.AddressBech32, after.Bond, msg.AddBond, dev.Bond)
			}
			return nil
		})
	})
}

// MsgUnbondDeviceFactory starts unbonding devices, including busy, unbonding
// and missing ones.
func MsgUnbondDeviceFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUnbondDevice, simsx.SimDeliveryResultHandler) {
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(types.Device) bool { return true })
		if !ok {
			return nil, nil, nil
		}
		dev, found := getDevice(ctx, k, op.Address)
		var want error
		switch {
		case !found:
			want = types.ErrDeviceNotFound
		case dev.Status != types.DEVICE_STATUS_ACTIVE && dev.Status != types.DEVICE_STATUS_JAILED:
			want = types.ErrDeviceNotActive
		case dev.LiveTasks > 0:
			want = types.ErrDeviceBusy
		}
		return []simsx.SimAccount{op}, &types.MsgUnbondDevice{Operator: op.AddressBech32}, expect(want, func() error {
			after, _ := getDevice(ctx, k, op.Address)
			if after.Status != types.DEVICE_STATUS_UNBONDING {
				return fmt.Errorf("device %s is %s after unbonding", op.AddressBech32, after.Status)
			}
			return nil
		})
	})
}

// MsgPostJobFactory posts small hashcash and mandelbrot jobs, and one in five
// times a job with an invalid field, an unknown kind, a spec too costly to
// verify or an escrow the requester cannot pay.
func MsgPostJobFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPostJob, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		requester := data.AnyAccount(reporter, simsx.WithSpendableBalance())
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		// Cheap jobs, and dear ones whose tasks some bonds cannot cover.
		maxPrice := uint64(1_000)
		if r.Intn(2) == 0 {
			maxPrice = 100_000
		}
		msg := &types.MsgPostJob{
			Requester:      requester.AddressBech32,
			PricePerItem:   math.NewIntFromUint64(between(r.Rand, 1, maxPrice)),
			DeadlineBlocks: between(r.Rand, 1, min(params.MaxDeadlineBlocks, 100)),
		}
		if r.Intn(2) == 0 {
			msg.Kind = "hashcash"
			msg.Items = between(r.Rand, 1, min(params.MaxJobItems, 64))
			msg.Spec = fmt.Sprintf(`{"difficulty_bits":%d}`, between(r.Rand, 1, 6))
		} else {
			msg.Kind = "mandelbrot"
			msg.Items = between(r.Rand, 1, min(params.MaxJobItems, 24))
			msg.Spec = mandelbrotSpec(between(r.Rand, 2, 16), msg.Items, between(r.Rand, 4, 48))
		}
		msg.ItemsPerTask = between(r.Rand, 1, min(params.MaxTaskItems, msg.Items))
		if r.Intn(4) == 0 {
			msg.ResultUrl = "https://results.example/" + r.StringN(6)
		}
		approved, err := k.ApprovedRequesters.Has(ctx, requester.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var want error
		if params.RequesterAllowlist && !approved {
			want = types.ErrRequesterNotApproved
		} else {
			want = corruptJob(r, params, msg)
		}
		if want == nil && !reserve(k, &requester, msg.PricePerItem.MulRaw(int64(msg.Items)).Add(params.JobPostingFee)) {
			want = types.ErrInsufficientFunds
		}
		next, err := k.NextJobID.Peek(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		return []simsx.SimAccount{requester}, msg, expect(want, func() error {
			job, err := k.Jobs.Get(ctx, next)
			if err != nil || job.Status != types.JOB_STATUS_OPEN || !job.Escrow.Equal(msg.PricePerItem.MulRaw(int64(msg.Items))) {
				return fmt.Errorf("posted job %d: %v (%v)", next, job, err)
			}
			return nil
		})
	})
}

// corruptJob breaks one field of a valid job one time in five and returns the
// error the keeper must answer with (nil when the job is left valid).
func corruptJob(r *simsx.XRand, params types.Params, msg *types.MsgPostJob) error {
	switch r.Intn(40) {
	case 0:
		msg.Items = 0
		return types.ErrInvalidItems
	case 1:
		msg.Items = params.MaxJobItems + 1
		return types.ErrInvalidItems
	case 2:
		msg.ItemsPerTask = params.MaxTaskItems + 1
		return types.ErrInvalidItems
	case 3:
		msg.PricePerItem = math.ZeroInt()
		return types.ErrInvalidPrice
	case 4:
		msg.DeadlineBlocks = params.MaxDeadlineBlocks + 1
		return types.ErrInvalidDeadline
	case 5:
		msg.ResultUrl = "ftp://results.example/x"
		return types.ErrInvalidResultURL
	case 6:
		msg.Kind = "quicksort"
		return types.ErrUnknownKind
	case 7:
		msg.Kind, msg.Spec = "hashcash", `{"difficulty_bits":0}`
		return types.ErrInvalidSpec
	case 8:
		// Re-verifying one row of 4096 pixels at 65535 iterations would cost
		// some 16.8M gas, beyond any max_verify_gas_per_item the genesis picks.
		msg.Kind, msg.Spec = "mandelbrot", mandelbrotSpec(4096, msg.Items, 65535)
		return types.ErrVerificationTooCostly
	}
	return nil
}

func mandelbrotSpec(width, height, maxIter uint64) string {
	return fmt.Sprintf(`{"width":%d,"height":%d,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":%d}`, width, height, maxIter)
}

// MsgCancelJobFactory cancels open jobs, and sends cancellations of closed,
// missing or another requester's jobs.
func MsgCancelJobFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelJob, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		open := r.Intn(4) != 0
		job, ok := pick(ctx, r, k.Jobs, func(j types.Job) bool { return !open || j.Status == types.JOB_STATUS_OPEN })
		if !ok {
			reporter.Skip("no job")
			return nil, nil, nil
		}
		signer, ok := simAccount(data, reporter, job.Requester)
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgCancelJob{Requester: signer.AddressBech32, JobId: job.Id}
		var want error
		switch n := r.Intn(10); {
		case n == 0:
			msg.JobId = job.Id + 1_000_000
			want = types.ErrJobNotFound
		case n == 1:
			signer = otherAccount(data, reporter, job.Requester)
			msg.Requester = signer.AddressBech32
			want = types.ErrNotJobRequester
		case job.Status != types.JOB_STATUS_OPEN:
			want = types.ErrJobNotOpen
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{signer}, msg, expect(want, func() error {
			after, err := k.Jobs.Get(ctx, job.Id)
			if err != nil || after.Status != types.JOB_STATUS_CANCELLED || !after.Escrow.Equal(after.TaskReward(after.LiveItems)) {
				return fmt.Errorf("cancelled job %d: %v (%v)", job.Id, after, err)
			}
			return nil
		})
	})
}

// MsgLeaseTaskFactory leases the next open task of a job. Most leases pair an
// active device with an open job; the rest pair any device or account with any
// job, and the keeper must refuse them for the first reason that applies.
func MsgLeaseTaskFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgLeaseTask, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		likely := r.Intn(5) != 0
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(d types.Device) bool {
			return !likely || (d.Status == types.DEVICE_STATUS_ACTIVE && d.LiveTasks < params.MaxLiveTasksPerDevice)
		})
		if !ok {
			return nil, nil, nil
		}
		job, ok := pick(ctx, r, k.Jobs, func(j types.Job) bool {
			return !likely || (j.Status == types.JOB_STATUS_OPEN && h < j.DeadlineHeight)
		})
		if !ok {
			reporter.Skip("no job to lease from")
			return nil, nil, nil
		}
		msg := &types.MsgLeaseTask{Operator: op.AddressBech32, JobId: job.Id}
		if r.Intn(50) == 0 {
			msg.JobId = job.Id + 1_000_000
		}
		want, index, err := leaseOutcome(ctx, k, params, h, op.Address, msg.JobId)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		return []simsx.SimAccount{op}, msg, expect(want, func() error {
			task, _ := getTask(ctx, k, job.Id, index)
			if task.Status != types.TASK_STATUS_LEASED || task.Device != op.AddressBech32 || task.LeasedHeight != h {
				return fmt.Errorf("leased task %d/%d: %v", job.Id, index, task)
			}
			return nil
		})
	})
}

// leaseOutcome is the model of LeaseTask: the error the keeper must return,
// checked in the keeper's order, or nil and the index of the task leased.
func leaseOutcome(ctx context.Context, k *keeper.Keeper, params types.Params, h uint64, op sdk.AccAddress, jobID uint64) (error, uint64, error) {
	dev, found := getDevice(ctx, k, op)
	switch {
	case !found:
		return types.ErrDeviceNotFound, 0, nil
	case dev.Status == types.DEVICE_STATUS_JAILED:
		return types.ErrDeviceJailed, 0, nil
	case dev.Status != types.DEVICE_STATUS_ACTIVE:
		return types.ErrDeviceNotActive, 0, nil
	case dev.Bond.LT(params.MinDeviceBond):
		return types.ErrBondTooLow, 0, nil
	case dev.LiveTasks >= params.MaxLiveTasksPerDevice:
		return types.ErrTooManyLiveTasks, 0, nil
	}
	job, err := k.Jobs.Get(ctx, jobID)
	if err != nil {
		return types.ErrJobNotFound, 0, nil
	}
	if job.Status != types.JOB_STATUS_OPEN || h >= job.DeadlineHeight {
		return types.ErrJobNotOpen, 0, nil
	}
	// The lowest reopened task the device is not barred from (of the first 64), else the next new one.
	index, reopened, barred, scanned := job.NextTask, false, false, 0
	err = k.ReopenedTasks.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](job.Id), func(key keeper.TaskKey) (bool, error) {
		scanned++
		task, _ := getTask(ctx, k, key.K1(), key.K2())
		if slices.ContainsFunc(task.Bars, func(b types.TaskBar) bool {
			return b.Device == dev.Operator && (b.UntilHeight == 0 || h < b.UntilHeight)
		}) {
			barred = true
			return scanned == 64, nil
		}
		index, reopened = key.K2(), true
		return true, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if !reopened && job.NextTask >= job.NumTasks {
		if barred {
			return types.ErrTaskBarred, 0, nil
		}
		return types.ErrNoOpenTask, 0, nil
	}
	// The bond's invalid-proof slash covers the device's live tasks and this one together.
	_, count := job.TaskRange(index)
	need := job.TaskReward(count)
	_ = k.TasksByDevice.Walk(ctx, collections.NewPrefixedPairRange[[]byte, keeper.TaskKey](op), func(key collections.Pair[[]byte, keeper.TaskKey]) (bool, error) {
		task, _ := getTask(ctx, k, key.K2().K1(), key.K2().K2())
		held, _ := k.Jobs.Get(ctx, task.JobId)
		need = need.Add(held.TaskReward(task.ItemCount))
		return false, nil
	})
	if types.BpsOf(dev.Bond, params.SlashInvalidBps).LT(need) {
		return types.ErrBondTooSmallForTask, 0, nil
	}
	return nil, index, nil
}

// MsgSubmitClaimFactory claims leased tasks with the root of the holder's
// outputs (faked on some leases, see taskWork), and sends claims with a short
// root, by another account, for claimed or reopened tasks and past the lease.
func MsgSubmitClaimFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitClaim, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		leased := r.Intn(8) != 0
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool { return !leased || t.Status == types.TASK_STATUS_LEASED })
		if !ok {
			reporter.Skip("no task to claim")
			return nil, nil, nil
		}
		job, err := k.Jobs.Get(ctx, task.JobId)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		holder := task.Device
		if holder == "" { // a reopened task has no holder
			holder = data.AccountAt(reporter, r.Intn(data.AccountsCount())).AddressBech32
		}
		signer, ok := simAccount(data, reporter, holder)
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgSubmitClaim{Operator: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index, Root: make([]byte, types.RootSize)}
		if task.Status == types.TASK_STATUS_LEASED {
			work, err := computeWork(k, job, task)
			if err != nil {
				reporter.Skip(err.Error())
				return nil, nil, nil
			}
			msg.Root = work.root()
		}
		var want error
		switch n := r.Intn(20); {
		case n == 0:
			msg.Root = msg.Root[:types.RootSize-1]
			want = types.ErrInvalidRoot
		case task.Status == types.TASK_STATUS_UNSPECIFIED:
			want = types.ErrTaskNotFound
		case n == 1:
			signer = otherAccount(data, reporter, task.Device)
			msg.Operator = signer.AddressBech32
			want = types.ErrNotTaskHolder
		case task.Status != types.TASK_STATUS_LEASED:
			want = types.ErrAlreadyClaimed
		case h > task.LeaseExpiry: // the end-block queue has not reached it yet
			want = types.ErrLeaseExpired
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{signer}, msg, expect(want, checkTask(ctx, k, task.JobId, task.Index, types.TASK_STATUS_CLAIMED))
	})
}

// MsgSubmitProofFactory answers challenges from the holder's committed outputs
// (accepted when every sampled output is correct, rejected with a slash when a
// faked one is sampled), and sends proofs with a tampered output (rejected),
// malformed answers (refused, nothing changes), proofs before the challenge
// block, for unclaimed tasks or by another account.
func MsgSubmitProofFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitProof, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		claimed := r.Intn(10) != 0
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool {
			return (!claimed && t.Status != types.TASK_STATUS_UNSPECIFIED) || (t.Status == types.TASK_STATUS_CLAIMED && h >= t.ChallengeHeight)
		})
		if !ok {
			reporter.Skip("no claimed task")
			return nil, nil, nil
		}
		signer, ok := simAccount(data, reporter, task.Device)
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgSubmitProof{Operator: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index}
		var want error
		switch {
		case r.Intn(20) == 0:
			signer = otherAccount(data, reporter, task.Device)
			msg.Operator = signer.AddressBech32
			want = types.ErrNotTaskHolder
		case task.Status != types.TASK_STATUS_CLAIMED:
			want = types.ErrNotClaimed
		case h < task.ChallengeHeight:
			want = types.ErrChallengeNotReady
		case h > task.ProofDeadline: // the end-block queue has not reached it yet
			want = types.ErrProofWindowClosed
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		if want != nil {
			return []simsx.SimAccount{signer}, msg, expectError(want)
		}

		job, err := k.Jobs.Get(ctx, task.JobId)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		indices, ready, err := k.ChallengeIndices(ctx, task)
		if err != nil || !ready {
			// A claim inside its proof window must be answerable.
			reporter.Fail(fmt.Errorf("challenge of claimed task %d/%d at height %d (challenge %d, deadline %d) is not available: %v",
				task.JobId, task.Index, h, task.ChallengeHeight, task.ProofDeadline, err))
			return nil, nil, nil
		}
		work, err := computeWork(k, job, task)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		items, nodes, valid, err := work.answer(job.Id, indices)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		msg.Items, msg.Nodes = items, nodes
		switch n := r.Intn(10); {
		case n == 0 && malform(r, items, msg):
			return []simsx.SimAccount{signer}, msg, expectError(types.ErrInvalidChallengeAnswer)
		case n == 1:
			i := r.Intn(len(items))
			msg.Items[i].Output = flipFirstByte(items[i].Output)
			valid = false
		}
		want2 := types.TASK_STATUS_VERIFIED
		if !valid {
			want2 = types.TASK_STATUS_UNSPECIFIED
		}
		return []simsx.SimAccount{signer}, msg, expectSuccess(checkTask(ctx, k, task.JobId, task.Index, want2))
	})
}

// malform breaks the shape of an answer (count, order or the number of Merkle
// nodes);
// false when the answer is too small to break that way.
func malform(r *simsx.XRand, items []types.ChallengeItem, msg *types.MsgSubmitProof) bool {
	switch r.Intn(3) {
	case 0:
		msg.Items = items[:len(items)-1]
		return true
	case 1:
		if len(items) < 2 {
			return false
		}
		msg.Items = append([]types.ChallengeItem{items[1], items[0]}, items[2:]...)
		return true
	default:
		msg.Nodes = append(append([][]byte(nil), msg.Nodes...), make([]byte, 32))
		return true
	}
}

// MsgWithdrawRewardsFactory withdraws the emission of devices with work in a
// settled epoch, and sends withdrawals for devices with none.
func MsgWithdrawRewardsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawRewards, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		current, err := k.CurrentEpoch.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var earners []sdk.AccAddress
		_ = k.DeviceEpochUnits.Walk(ctx, nil, func(key collections.Pair[[]byte, uint64], _ math.Int) (bool, error) {
			if key.K2() < current {
				earners = append(earners, key.K1())
			}
			return false, nil
		})
		var op simsx.SimAccount
		if len(earners) > 0 && r.Intn(4) != 0 {
			op = data.GetAccountbyAccAddr(reporter, earners[r.Intn(len(earners))])
		} else {
			op = data.AnyAccount(reporter)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		var want error = types.ErrNoRewards
		if dev, ok := getDevice(ctx, k, op.Address); ok && dev.Jailed {
			return []simsx.SimAccount{op}, &types.MsgWithdrawRewards{Operator: op.AddressBech32}, expect(types.ErrDeviceJailed, nil)
		}
		_ = k.DeviceEpochUnits.Walk(ctx, collections.NewPrefixedPairRange[[]byte, uint64](op.Address), func(key collections.Pair[[]byte, uint64], _ math.Int) (bool, error) {
			if key.K2() < current {
				want = nil
			}
			return true, nil
		})
		return []simsx.SimAccount{op}, &types.MsgWithdrawRewards{Operator: op.AddressBech32}, expect(want, nil)
	})
}

// MsgApproveRequesterFactory approves requesters as the authority, and sends
// approvals of approved requesters or signed by another account.
func MsgApproveRequesterFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgApproveRequester, simsx.SimDeliveryResultHandler) {
		signer, want := authoritySigner(ctx, k, data, reporter)
		requester := data.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		if approved, _ := k.ApprovedRequesters.Has(ctx, requester.Address); want == nil && approved {
			want = types.ErrRequesterApproved
		}
		return []simsx.SimAccount{signer}, &types.MsgApproveRequester{Authority: signer.AddressBech32, Requester: requester.AddressBech32}, expect(want, nil)
	})
}

// MsgRevokeRequesterFactory revokes approved requesters as the authority, and
// sends revocations of unapproved requesters or signed by another account.
func MsgRevokeRequesterFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRevokeRequester, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		signer, want := authoritySigner(ctx, k, data, reporter)
		var requester string
		var approved []string
		_ = k.ApprovedRequesters.Walk(ctx, nil, func(addr []byte) (bool, error) {
			s, err := data.AddressCodec().BytesToString(addr)
			approved = append(approved, s)
			return false, err
		})
		if len(approved) > 0 && r.Intn(5) != 0 {
			requester = approved[r.Intn(len(approved))]
		} else {
			requester = data.AnyAccount(reporter).AddressBech32
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		acc, err := data.AddressCodec().StringToBytes(requester)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		if has, _ := k.ApprovedRequesters.Has(ctx, acc); want == nil && !has {
			want = types.ErrRequesterNotApproved
		}
		return []simsx.SimAccount{signer}, &types.MsgRevokeRequester{Authority: signer.AddressBech32, Requester: requester}, expect(want, nil)
	})
}

// MsgUpdateParamsFactory replaces the params as the authority with random
// valid ones (the emission cap never below what is already minted), and sends
// invalid params or params signed by another account.
func MsgUpdateParamsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		signer, want := authoritySigner(ctx, k, data, reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		emitted, err := k.TotalEmitted.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		params := RandomParams(r.Rand, emitted)
		if want == nil {
			switch r.Intn(8) {
			case 0:
				params.ProofSamples = types.MaxProofSamples + 1
				want = types.ErrInvalidParams
			case 1:
				params.EpochBlocks = 0
				want = types.ErrInvalidParams
			case 2:
				params.SlashMissedBps = types.BasisPoints + 1
				want = types.ErrInvalidParams
			}
		}
		return []simsx.SimAccount{signer}, &types.MsgUpdateParams{Authority: signer.AddressBech32, Params: params}, expect(want, nil)
	})
}

// authoritySigner returns the authority's account, or one time in eight
// another account and ErrUnauthorized. It skips when the authority is not a
// simulation account (the x/gov default).
func authoritySigner(ctx context.Context, k *keeper.Keeper, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) (simsx.SimAccount, error) {
	authority, err := k.GetAuthority(ctx)
	if err != nil {
		reporter.Skip(err.Error())
		return simsx.SimAccount{}, nil
	}
	if data.Rand().Intn(8) == 0 {
		return otherAccount(data, reporter, authority), types.ErrUnauthorized
	}
	acc, _ := simAccount(data, reporter, authority)
	return acc, nil
}

// accountWhere returns a simulation account accepted by keep, trying a few at
// random; false when none was.
func accountWhere(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(simtypes.Account) bool) (simsx.SimAccount, bool) {
	for range 10 {
		if acc := data.AnyAccount(reporter); keep(acc.Account) {
			return acc, true
		}
	}
	return simsx.SimAccount{}, false
}

// deviceOrAnyAccount returns the operator of a device accepted by keep, or
// one time in ten (or when there is none) any account.
func deviceOrAnyAccount(ctx context.Context, k *keeper.Keeper, data *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(types.Device) bool) (simsx.SimAccount, bool) {
	r := data.Rand()
	dev, ok := pick(ctx, r, k.Devices, func(d types.Device) bool { return keep(d) && data.HasAccount(d.Operator) })
	var acc simsx.SimAccount
	if ok && r.Intn(10) != 0 {
		acc = data.GetAccount(reporter, dev.Operator)
	} else {
		acc = data.AnyAccount(reporter)
	}
	return acc, !reporter.IsSkipped()
}

// badMoniker returns a moniker the keeper refuses: too long or unprintable,
// or (with empty, where an empty moniker is not "keep the old one") empty.
func badMoniker(r *simsx.XRand, empty bool) string {
	switch r.Intn(3) {
	case 0:
		if empty {
			return ""
		}
		fallthrough
	case 1:
		return strings.Repeat("x", types.MaxMonikerLength+1)
	default:
		return "rig\n"
	}
}
