package simulation

import (
	"context"
	"fmt"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// The batch factories predict every element with the single messages' models
// (leaseOutcome, claimOutcome, proofOutcome), in order, each element seeing
// what the earlier ones did; the batch then succeeds if any element settles
// (its check looks at every settled element's task) and otherwise fails with
// the first element's error. Malformed elements, duplicates and elements of
// another device's tasks are mixed in so that both halves of the policy run.

// maxSimBatch bounds the elements the factories put in a batch.
const maxSimBatch = 4

// batchOutcome collects the predicted outcome of each element.
type batchOutcome struct {
	first  error
	checks []func() error
}

func (b *batchOutcome) element(want error, check func() error) {
	if want != nil {
		if b.first == nil {
			b.first = want
		}
		return
	}
	b.checks = append(b.checks, check)
}

// handler accepts what the batch must do: fail with the first element's error
// if none settles, else succeed with every settled element checked.
func (b *batchOutcome) handler() simsx.SimDeliveryResultHandler {
	if len(b.checks) == 0 {
		return simtest.ExpectError(b.first)
	}
	return simtest.ExpectSuccess(func() error {
		for _, c := range b.checks {
			if err := c(); err != nil {
				return err
			}
		}
		return nil
	})
}

// batchSize draws how many elements a batch has, sometimes one more than
// max_batch_size allows (the batch must then fail with ErrBatchSize).
func batchSize(r *simsx.XRand, params types.Params) (int, bool) {
	if r.Intn(40) == 0 {
		return int(params.MaxBatchSize) + 1, true
	}
	return 1 + r.Intn(min(maxSimBatch, int(params.MaxBatchSize))), false
}

// MsgLeaseTasksFactory leases several tasks for one device: of one job listed
// again and again (several of its tasks), of other jobs, and of unknown jobs.
func MsgLeaseTasksFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgLeaseTasks, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(d types.Device) bool {
			return d.Status == types.DEVICE_STATUS_ACTIVE && d.LiveTasks < params.MaxLiveTasksPerDevice
		})
		if !ok {
			return nil, nil, nil
		}
		open := func(j types.Job) bool { return j.Status == types.JOB_STATUS_OPEN && h < j.DeadlineHeight }
		job, ok := pick(ctx, r, k.Jobs, open)
		if !ok {
			reporter.Skip("no job to lease from")
			return nil, nil, nil
		}
		n, tooMany := batchSize(r, params)
		msg := &types.MsgLeaseTasks{Operator: op.AddressBech32}
		for range n {
			id := job.Id
			switch x := r.Intn(20); {
			case x == 0:
				id = job.Id + 1_000_000
			case x < 6:
				if other, ok := pick(ctx, r, k.Jobs, func(types.Job) bool { return true }); ok {
					id = other.Id
				}
			}
			msg.JobIds = append(msg.JobIds, id)
		}
		if tooMany {
			return []simsx.SimAccount{op}, msg, simtest.ExpectError(types.ErrBatchSize)
		}
		var out batchOutcome
		var pending []modelLease
		for _, id := range msg.JobIds {
			want, lease, err := leaseOutcome(ctx, k, params, h, op.Address, id, pending)
			if err != nil {
				reporter.Skip(err.Error())
				return nil, nil, nil
			}
			if want == nil {
				pending = append(pending, lease)
			}
			out.element(want, checkLeased(ctx, k, op.AddressBech32, h, lease))
		}
		return []simsx.SimAccount{op}, msg, out.handler()
	})
}

// checkLeased checks that the predicted lease was made.
func checkLeased(ctx context.Context, k *keeper.Keeper, device string, h uint64, lease modelLease) func() error {
	return func() error {
		task, _ := getTask(ctx, k, lease.job.Id, lease.index)
		if task.Status != types.TASK_STATUS_LEASED || task.Device != device || task.LeasedHeight != h {
			return fmt.Errorf("leased task %d/%d: %v", lease.job.Id, lease.index, task)
		}
		return nil
	}
}

// claimOutcome is the model of SubmitClaim: the error the keeper must return
// for signer's claim of task with root, in the keeper's order, or nil.
func claimOutcome(h uint64, signer string, task types.Task, root []byte) error {
	switch {
	case len(root) != types.RootSize:
		return types.ErrInvalidRoot
	case task.Status == types.TASK_STATUS_UNSPECIFIED:
		return types.ErrTaskNotFound
	case task.Device != signer:
		return types.ErrNotTaskHolder
	case task.Status != types.TASK_STATUS_LEASED:
		return types.ErrAlreadyClaimed
	case h > task.LeaseExpiry: // the end-block queue has not reached it yet
		return types.ErrLeaseExpired
	}
	return nil
}

// deviceTasks returns a device holding tasks that keep accepts, and those
// tasks, in key order.
func deviceTasks(ctx context.Context, k *keeper.Keeper, data *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(types.Task) bool) (simsx.SimAccount, []types.Task, bool) {
	r := data.Rand()
	task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool { return keep(t) && data.HasAccount(t.Device) })
	if !ok {
		reporter.Skip("no task to batch")
		return simsx.SimAccount{}, nil, false
	}
	var held []types.Task
	_ = k.Tasks.Walk(ctx, nil, func(_ keeper.TaskKey, t types.Task) (bool, error) {
		if t.Device == task.Device && keep(t) {
			held = append(held, t)
		}
		return false, nil
	})
	return data.GetAccount(reporter, task.Device), held, !reporter.IsSkipped()
}

// MsgSubmitClaimsFactory claims a device's leased tasks with the roots of its
// outputs, mixing in a short root, a task listed twice and a task of another
// device or none.
func MsgSubmitClaimsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitClaims, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		op, held, ok := deviceTasks(ctx, k, data, reporter, func(t types.Task) bool {
			return t.Status == types.TASK_STATUS_LEASED && !abandoned(t) && !released(t)
		})
		if !ok {
			return nil, nil, nil
		}
		n, tooMany := batchSize(r, params)
		msg := &types.MsgSubmitClaims{Operator: op.AddressBech32}
		var tasks []types.Task
		for i := range n {
			task := held[i%len(held)]
			switch x := r.Intn(20); {
			case x == 0: // any task at all: another device's, claimed, reopened
				if other, ok := pick(ctx, r, k.Tasks, func(types.Task) bool { return true }); ok {
					task = other
				}
			case x == 1 && len(tasks) > 0: // a task listed twice
				task = tasks[0]
			}
			root := make([]byte, types.RootSize)
			if task.Status == types.TASK_STATUS_LEASED {
				job, err := k.Jobs.Get(ctx, task.JobId)
				if err != nil {
					reporter.Skip(err.Error())
					return nil, nil, nil
				}
				work, err := computeWork(k, job, task)
				if err != nil {
					reporter.Skip(err.Error())
					return nil, nil, nil
				}
				root = work.root()
			}
			if r.Intn(20) == 0 {
				root = root[:types.RootSize-1]
			}
			tasks = append(tasks, task)
			msg.Claims = append(msg.Claims, types.ClaimElement{JobId: task.JobId, TaskIndex: task.Index, Root: root})
		}
		if tooMany {
			return []simsx.SimAccount{op}, msg, simtest.ExpectError(types.ErrBatchSize)
		}
		var out batchOutcome
		seen := map[[2]uint64]bool{}
		for i, task := range tasks {
			key := [2]uint64{task.JobId, task.Index}
			var want error = types.ErrDuplicateBatchElement
			if !seen[key] {
				want = claimOutcome(h, op.AddressBech32, task, msg.Claims[i].Root)
			}
			seen[key] = true
			out.element(want, checkTask(ctx, k, task.JobId, task.Index, types.TASK_STATUS_CLAIMED))
		}
		return []simsx.SimAccount{op}, msg, out.handler()
	})
}

// proofOutcome is the model of SubmitProof's checks before verification: the
// error the keeper must return for signer's proof of task, or nil.
func proofOutcome(h uint64, signer string, task types.Task) error {
	switch {
	case task.Status == types.TASK_STATUS_UNSPECIFIED:
		return types.ErrTaskNotFound
	case task.Device != signer:
		return types.ErrNotTaskHolder
	case task.Status != types.TASK_STATUS_CLAIMED:
		return types.ErrNotClaimed
	case h < task.ChallengeHeight:
		return types.ErrChallengeNotReady
	case h > task.ProofDeadline: // the end-block queue has not reached it yet
		return types.ErrProofWindowClosed
	}
	return nil
}

// MsgSubmitProofsFactory answers a device's open challenges in one batch from
// its committed outputs (a forged output sampled: rejected, slashed, and the
// device jailed when that failure is its last allowed), mixing in malformed
// answers, a task listed twice and another device's task. It keeps the
// batch's verification within half the block's budget left and the
// transaction's gas, so that both bounds hold for every element.
func MsgSubmitProofsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitProofs, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		op, held, ok := deviceTasks(ctx, k, data, reporter, func(t types.Task) bool {
			return t.Status == types.TASK_STATUS_CLAIMED && h >= t.ChallengeHeight && h <= t.ProofDeadline && !withheld(t)
		})
		if !ok {
			return nil, nil, nil
		}
		dev, _ := getDevice(ctx, k, op.Address)
		n, tooMany := batchSize(r, params)
		left := verifyBudgetLeft(ctx, k, params, h) / 2
		gasLeft := uint64(5_000_000) // of the 10M simsx signs for, with room for the ante and the store
		msg := &types.MsgSubmitProofs{Operator: op.AddressBech32}
		var out batchOutcome
		seen := map[[2]uint64]bool{}
		failures := uint64(dev.Failures) + dev.MissedProofs
		jailed := false
		for i := range n {
			task := held[i%len(held)]
			if x := r.Intn(20); x == 0 {
				if other, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool { return t.Device != op.AddressBech32 }); ok {
					task = other
				}
			}
			elem := types.ProofElement{JobId: task.JobId, TaskIndex: task.Index}
			key := [2]uint64{task.JobId, task.Index}
			want := proofOutcome(h, op.AddressBech32, task)
			switch {
			case seen[key]:
				want = types.ErrDuplicateBatchElement
			case jailed && want == nil:
				want = types.ErrTaskNotFound // revoked when the device was jailed
			}
			seen[key] = true
			valid := true
			if want == nil {
				job, err := k.Jobs.Get(ctx, task.JobId)
				if err != nil {
					reporter.Skip(err.Error())
					return nil, nil, nil
				}
				indices, ready, err := k.ChallengeIndices(ctx, task)
				if err != nil || !ready {
					reporter.Fail(fmt.Errorf("challenge of claimed task %d/%d at height %d is not available: %v", task.JobId, task.Index, h, err))
					return nil, nil, nil
				}
				work, err := computeWork(k, job, task)
				if err != nil {
					reporter.Skip(err.Error())
					return nil, nil, nil
				}
				if elem.Items, elem.Nodes, valid, err = work.answer(job.Id, indices); err != nil {
					reporter.Skip(err.Error())
					return nil, nil, nil
				}
				bound := work.spec.MaxWorkPerItem()*uint64(len(elem.Items)) + keeper.ProofHashGas(elem.Items, elem.Nodes)
				if bound > left || bound > gasLeft {
					break // the batch ends before an element that might not fit
				}
				left, gasLeft = left-bound, gasLeft-bound
				if r.Intn(10) == 0 {
					proof := &types.MsgSubmitProof{Items: elem.Items, Nodes: elem.Nodes}
					if malform(r, elem.Items, proof) {
						elem.Items, elem.Nodes = proof.Items, proof.Nodes
						want = types.ErrInvalidChallengeAnswer
					}
				}
			}
			msg.Proofs = append(msg.Proofs, elem)
			status := types.TASK_STATUS_VERIFIED
			if want == nil && !valid {
				status = types.TASK_STATUS_UNSPECIFIED
				failures++
				jailed = dev.Status == types.DEVICE_STATUS_ACTIVE && failures >= uint64(params.JailAfterFailures)
			}
			out.element(want, checkTask(ctx, k, task.JobId, task.Index, status))
		}
		if len(msg.Proofs) == 0 {
			reporter.Skip("no proof fits the block's verification budget")
			return nil, nil, nil
		}
		if tooMany {
			if len(msg.Proofs) <= int(params.MaxBatchSize) {
				reporter.Skip("the batch shrank to fit the budget")
				return nil, nil, nil
			}
			return []simsx.SimAccount{op}, msg, simtest.ExpectError(types.ErrBatchSize)
		}
		return []simsx.SimAccount{op}, msg, out.handler()
	})
}

// verifyBudgetLeft is what max_verify_gas_per_block leaves at height h.
func verifyBudgetLeft(ctx context.Context, k *keeper.Keeper, params types.Params, h uint64) uint64 {
	used := uint64(0)
	if at, err := k.VerifyBudgetHeight.Get(ctx); err == nil && at == h {
		used, _ = k.VerifyBudgetUsed.Get(ctx)
	}
	return params.MaxVerifyGasPerBlock - min(used, params.MaxVerifyGasPerBlock)
}

// MsgLeaseAndClaimFactory leases and claims, for one device, the tasks its
// next leases of a job will give it, computed before the lease as a
// speculating worker does; it mixes in a task the lease will not give (the
// device may not pick its task), a short root and a task listed twice.
func MsgLeaseAndClaimFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgLeaseAndClaim, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(d types.Device) bool {
			return d.Status == types.DEVICE_STATUS_ACTIVE && d.LiveTasks < params.MaxLiveTasksPerDevice
		})
		if !ok {
			return nil, nil, nil
		}
		job, ok := pick(ctx, r, k.Jobs, func(j types.Job) bool { return j.Status == types.JOB_STATUS_OPEN && h < j.DeadlineHeight })
		if !ok {
			reporter.Skip("no job to lease from")
			return nil, nil, nil
		}
		n, tooMany := batchSize(r, params)
		msg := &types.MsgLeaseAndClaim{Operator: op.AddressBech32}
		var out batchOutcome
		var pending []modelLease
		seen := map[[2]uint64]bool{}
		for range n {
			want, lease, err := leaseOutcome(ctx, k, params, h, op.Address, job.Id, pending)
			if err != nil {
				reporter.Skip(err.Error())
				return nil, nil, nil
			}
			elem := types.ClaimElement{JobId: job.Id, TaskIndex: lease.index, Root: make([]byte, types.RootSize)}
			if want == nil {
				// The task as the lease will record it, so the holder's
				// outputs (and its forging) are what later factories see.
				attempt := uint32(0)
				if old, found := getTask(ctx, k, job.Id, lease.index); found {
					attempt = old.Attempt + 1
				}
				first, count := lease.job.TaskRange(lease.index)
				work, err := computeWork(k, lease.job, types.Task{JobId: job.Id, Index: lease.index, Device: op.AddressBech32, FirstItem: first, ItemCount: count, Attempt: attempt})
				if err != nil {
					reporter.Skip(err.Error())
					return nil, nil, nil
				}
				elem.Root = work.root()
			}
			switch x := r.Intn(20); {
			case x == 0:
				elem.TaskIndex++
			case x == 1:
				elem.Root = elem.Root[:types.RootSize-1]
			}
			key := [2]uint64{elem.JobId, elem.TaskIndex}
			switch {
			case seen[key]:
				want = types.ErrDuplicateBatchElement
			case want != nil:
			case elem.TaskIndex != lease.index:
				want = types.ErrLeaseMismatch
			case len(elem.Root) != types.RootSize:
				want = types.ErrInvalidRoot
			}
			seen[key] = true
			if want == nil {
				pending = append(pending, lease)
			}
			msg.Claims = append(msg.Claims, elem)
			out.element(want, checkTask(ctx, k, job.Id, lease.index, types.TASK_STATUS_CLAIMED))
		}
		if tooMany {
			return []simsx.SimAccount{op}, msg, simtest.ExpectError(types.ErrBatchSize)
		}
		return []simsx.SimAccount{op}, msg, out.handler()
	})
}
