package simulation

import (
	"context"
	"fmt"
	"slices"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

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
		want, lease, err := leaseOutcome(ctx, k, params, h, op.Address, msg.JobId, nil)
		index := lease.index
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		return []simsx.SimAccount{op}, msg, simtest.Expect(want, func() error {
			task, _ := getTask(ctx, k, job.Id, index)
			if task.Status != types.TASK_STATUS_LEASED || task.Device != op.AddressBech32 || task.LeasedHeight != h {
				return fmt.Errorf("leased task %d/%d: %v", job.Id, index, task)
			}
			return nil
		})
	})
}

// modelLease is a lease the model predicts: earlier elements of a batch
// (MsgLeaseTasks, MsgLeaseAndClaim) change what the next one gets.
type modelLease struct {
	job      types.Job
	index    uint64
	count    uint64
	reopened bool
}

// leaseOutcome is the model of LeaseTask: the error the keeper must return,
// checked in the keeper's order, or nil and the task leased, after the
// leases of pending (earlier elements of the same batch) settled.
func leaseOutcome(ctx context.Context, k *keeper.Keeper, params types.Params, h uint64, op sdk.AccAddress, jobID uint64, pending []modelLease) (error, modelLease, error) {
	dev, found := getDevice(ctx, k, op)
	switch {
	case !found:
		return types.ErrDeviceNotFound, modelLease{}, nil
	case dev.Status == types.DEVICE_STATUS_JAILED:
		return types.ErrDeviceJailed, modelLease{}, nil
	case dev.Status != types.DEVICE_STATUS_ACTIVE:
		return types.ErrDeviceNotActive, modelLease{}, nil
	case dev.Bond.LT(params.MinDeviceBond):
		return types.ErrBondTooLow, modelLease{}, nil
	case dev.LiveTasks+uint32(len(pending)) >= params.MaxLiveTasksPerDevice:
		return types.ErrTooManyLiveTasks, modelLease{}, nil
	}
	job, err := k.Jobs.Get(ctx, jobID)
	if err != nil {
		return types.ErrJobNotFound, modelLease{}, nil
	}
	if job.Status != types.JOB_STATUS_OPEN || h >= job.DeadlineHeight {
		return types.ErrJobNotOpen, modelLease{}, nil
	}
	taken := func(index uint64, reopened bool) bool {
		return slices.ContainsFunc(pending, func(p modelLease) bool {
			return p.job.Id == job.Id && p.index == index && p.reopened == reopened
		})
	}
	for _, p := range pending {
		if p.job.Id == job.Id && !p.reopened {
			job.NextTask++
		}
	}
	// The lowest reopened task the device is not barred from (of the first 64), else the next new one.
	index, reopened, barred, scanned := job.NextTask, false, false, 0
	err = k.ReopenedTasks.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](job.Id), func(key keeper.TaskKey) (bool, error) {
		if taken(key.K2(), true) {
			return false, nil // an earlier element leased it: no longer reopened
		}
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
		return nil, modelLease{}, err
	}
	if !reopened && job.NextTask >= job.NumTasks {
		if barred {
			return types.ErrTaskBarred, modelLease{}, nil
		}
		return types.ErrNoOpenTask, modelLease{}, nil
	}
	// The bond's invalid-proof slash covers the device's live tasks and this
	// one together: their payments and the emission the eligible ones can earn.
	_, count := job.TaskRange(index)
	need := job.TaskReward(count)
	var requesters []string // eligible units per requester, in the order first met
	units := map[string]math.Int{}
	addUnits := func(j types.Job, items uint64) {
		approved, _ := k.ApprovedRequesters.Has(ctx, sdk.MustAccAddressFromBech32(j.Requester))
		if approved && j.Requester != dev.Operator {
			if _, ok := units[j.Requester]; !ok {
				requesters, units[j.Requester] = append(requesters, j.Requester), math.ZeroInt()
			}
			units[j.Requester] = units[j.Requester].Add(math.NewIntFromUint64(params.MaxVerifyGasPerItem).Mul(math.NewIntFromUint64(items)))
		}
	}
	addUnits(job, count)
	_ = k.TasksByDevice.Walk(ctx, collections.NewPrefixedPairRange[[]byte, keeper.TaskKey](op), func(key collections.Pair[[]byte, keeper.TaskKey]) (bool, error) {
		task, _ := getTask(ctx, k, key.K2().K1(), key.K2().K2())
		held, _ := k.Jobs.Get(ctx, task.JobId)
		need = need.Add(held.TaskReward(task.ItemCount))
		addUnits(held, task.ItemCount)
		return false, nil
	})
	for _, p := range pending {
		need = need.Add(p.job.TaskReward(p.count))
		addUnits(p.job, p.count)
	}
	need = need.Add(emissionBound(ctx, k, params, requesters, units))
	// Verified tasks still open to dispute count too.
	if !dev.DisputableReward.IsNil() {
		need = need.Add(dev.DisputableReward)
	}
	if types.BpsOf(dev.Bond, params.SlashInvalidBps).LT(need) {
		return types.ErrBondTooSmallForTask, modelLease{}, nil
	}
	return nil, modelLease{job: job, index: index, count: count, reopened: reopened}, nil
}

// MsgSubmitClaimFactory claims leased tasks with the root of the holder's
// outputs (faked on some leases, see taskWork), and sends claims with a short
// root, by another account, for claimed or reopened tasks and past the lease.
func MsgSubmitClaimFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitClaim, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		leased := r.Intn(8) != 0
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool {
			return !leased || (t.Status == types.TASK_STATUS_LEASED && !abandoned(t) && !released(t))
		})
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
		signer, ok := simtest.Account(data, reporter, holder)
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
			signer = simtest.OtherAccount(data, reporter, task.Device)
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
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, checkTask(ctx, k, task.JobId, task.Index, types.TASK_STATUS_CLAIMED))
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
			return (!claimed && t.Status != types.TASK_STATUS_UNSPECIFIED) || (t.Status == types.TASK_STATUS_CLAIMED && h >= t.ChallengeHeight && !withheld(t))
		})
		if !ok {
			reporter.Skip("no claimed task")
			return nil, nil, nil
		}
		signer, ok := simtest.Account(data, reporter, task.Device)
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgSubmitProof{Operator: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index}
		var want error
		switch {
		case r.Intn(20) == 0:
			signer = simtest.OtherAccount(data, reporter, task.Device)
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
			return []simsx.SimAccount{signer}, msg, simtest.ExpectError(want)
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
			return []simsx.SimAccount{signer}, msg, simtest.ExpectError(types.ErrInvalidChallengeAnswer)
		case n == 1:
			i := r.Intn(len(items))
			msg.Items[i].Output = flipFirstByte(items[i].Output)
			valid = false
		}
		want2 := types.TASK_STATUS_VERIFIED
		if !valid {
			want2 = types.TASK_STATUS_UNSPECIFIED
		}
		return []simsx.SimAccount{signer}, msg, simtest.ExpectSuccess(checkTask(ctx, k, task.JobId, task.Index, want2))
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

// emissionBound models the lease check's emission cover: Σ_r ⌈C × U_r /
// (W_r + U_r)⌉ at most E, with E the running epoch's emission (halvings and
// cap applied), C its per-requester cap and W_r requester r's credited units,
// or 0 without eligible units.
func emissionBound(ctx context.Context, k *keeper.Keeper, params types.Params, requesters []string, units map[string]math.Int) math.Int {
	if len(requesters) == 0 {
		return math.ZeroInt()
	}
	n, _ := k.CurrentEpoch.Get(ctx)
	emitted, err := k.TotalEmitted.Get(ctx)
	if err != nil {
		emitted = math.ZeroInt()
	}
	e := math.MinInt(params.EpochEmission(n), params.EmissionCap.Sub(emitted))
	if !e.IsPositive() {
		return math.ZeroInt()
	}
	total := math.ZeroInt()
	for _, r := range requesters {
		credited, err := k.RequesterEpochUnits.Get(ctx, collections.Join(n, []byte(sdk.MustAccAddressFromBech32(r))))
		if err != nil {
			credited = math.ZeroInt()
		}
		total = total.Add(types.RequesterEmissionBound(e, params.MaxRequesterEmissionBps, credited, units[r]))
	}
	return math.MinInt(total, e)
}
