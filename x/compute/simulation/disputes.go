package simulation

import (
	"context"
	"fmt"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// disputable reports whether a task's dispute is open at height h, as the
// keeper decides it (an open demand holds it open past the window).
func disputable(t types.Task, h uint64) bool {
	return t.Status == types.TASK_STATUS_VERIFIED && t.DisputeUntil != 0 && (h <= t.DisputeUntil || t.Demand != nil)
}

// undelivered reports whether the device of this lease ignores delivery
// demands (one lease in four), so runs see missed deliveries. A function of
// the lease, like forging, so the factories agree without memory.
func undelivered(t types.Task) bool {
	h := leaseHash(t)
	return h[11] < 64
}

// MsgDemandDeliveryFactory has requesters demand an item of their verified
// tasks still open to dispute; now and then a demand names an item outside
// the task or comes from another account, and the keeper must refuse it.
func MsgDemandDeliveryFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDemandDelivery, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		// Half the demands go to devices that ignore them (see undelivered), so
		// every run sees missed deliveries as well as answered ones.
		ignored := r.Intn(2) == 0
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool {
			return disputable(t, h) && t.Demand == nil && (!ignored || undelivered(t))
		})
		if !ok {
			reporter.Skip("no verified task open to dispute")
			return nil, nil, nil
		}
		job, err := k.Jobs.Get(ctx, task.JobId)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		signer, ok := simtest.Account(data, reporter, job.Requester)
		if !ok {
			return nil, nil, nil
		}
		item := task.FirstItem + uint64(r.Intn(int(task.ItemCount)))
		msg := &types.MsgDemandDelivery{Requester: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index, Items: []uint64{item}}
		var want error
		switch r.Intn(10) {
		case 0:
			msg.Items = []uint64{task.FirstItem + task.ItemCount}
			want = types.ErrInvalidDemand
		case 1:
			signer = simtest.OtherAccount(data, reporter, job.Requester)
			msg.Requester = signer.AddressBech32
			want = types.ErrNotJobRequester
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		if want == nil && !reserve(k, &signer, params.DemandFee(1)) {
			reporter.Skip("requester cannot pay the demand fee")
			return nil, nil, nil
		}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			after, _ := getTask(ctx, k, task.JobId, task.Index)
			if after.Demand == nil || after.Demand.Deadline != h+params.DeliveryDeadlineBlocks {
				return fmt.Errorf("demanded task %d/%d: %v", task.JobId, task.Index, after.Demand)
			}
			return nil
		})
	})
}

// MsgDeliverOutputsFactory answers open demands with the outputs the device
// committed to (devices that ignore demands do not, see undelivered); some
// answers give the wrong items and must be refused.
func MsgDeliverOutputsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeliverOutputs, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool {
			return t.Demand != nil && h <= t.Demand.Deadline && !undelivered(t)
		})
		if !ok {
			reporter.Skip("no demand to answer")
			return nil, nil, nil
		}
		job, err := k.Jobs.Get(ctx, task.JobId)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		signer, ok := simtest.Account(data, reporter, task.Device)
		if !ok {
			return nil, nil, nil
		}
		work, err := computeWork(k, job, task)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		items, nodes, _, err := work.answer(job.Id, task.Demand.Items)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		msg := &types.MsgDeliverOutputs{Operator: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index, Items: items, Nodes: nodes}
		var want error
		if r.Intn(8) == 0 {
			msg.Items = nil
			want = types.ErrInvalidDelivery
		}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			after, _ := getTask(ctx, k, task.JobId, task.Index)
			if after.Demand != nil {
				return fmt.Errorf("answered task %d/%d still has a demand", task.JobId, task.Index)
			}
			return nil
		})
	})
}

// MsgReportFraudFactory has any account report an item of a verified task
// open to dispute: the faked output when the device forged one the proof did
// not sample (the device is then jailed), else a correct one, which the
// keeper must refuse with ErrFraudNotProven.
func MsgReportFraudFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgReportFraud, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		// Mostly tasks whose holder forged an output (computeWork's rule), as a
		// requester checking its results would find them.
		forgedOnly := r.Intn(4) != 0
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool {
			return disputable(t, h) && (!forgedOnly || leaseHash(t)[0] < 64)
		})
		if !ok {
			reporter.Skip("no verified task open to dispute")
			return nil, nil, nil
		}
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
		item, want := task.FirstItem, error(types.ErrFraudNotProven)
		for i, out := range work.outputs {
			if _, err := work.spec.VerifyOutput(kinds.Item{JobID: job.Id, Index: task.FirstItem + uint64(i)}, out); err != nil {
				item, want = task.FirstItem+uint64(i), nil
				break
			}
		}
		if want != nil && r.Intn(2) == 0 {
			reporter.Skip("no fraud to report") // half the honest tasks are left alone
			return nil, nil, nil
		}
		nodes, err := work.tree.MultiProofBytes([]uint64{item - task.FirstItem})
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		signer := data.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgReportFraud{Reporter: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index, Item: item, Output: work.outputs[item-task.FirstItem], Proof: nodes}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			dev, _ := getDevice(ctx, k, sdk.MustAccAddressFromBech32(task.Device))
			after, _ := getTask(ctx, k, task.JobId, task.Index)
			if !dev.Jailed || after.DisputeUntil != 0 {
				return fmt.Errorf("fraud on task %d/%d: device jailed %v, dispute_until %d", task.JobId, task.Index, dev.Jailed, after.DisputeUntil)
			}
			return nil
		})
	})
}
