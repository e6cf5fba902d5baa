package simulation

import (
	"context"
	"fmt"
	"slices"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgReleaseTaskFactory hands back the leases their holders give up on (one
// in sixteen, see released: the claim factory leaves them alone), and sends
// releases by another account, for claimed, verified or reopened tasks and
// past the lease, which the keeper must refuse for the first reason that
// applies. A successful release must reopen the task (or refund it, on a
// closed job) and bar the holder from it for lease_cooldown_blocks.
func MsgReleaseTaskFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgReleaseTask, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		h := uint64(sdk.UnwrapSDKContext(ctx).BlockHeight())
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		givenUp := r.Intn(8) != 0
		task, ok := pick(ctx, r, k.Tasks, func(t types.Task) bool {
			return !givenUp || (t.Status == types.TASK_STATUS_LEASED && released(t) && h <= t.LeaseExpiry)
		})
		if !ok {
			reporter.Skip("no task to release")
			return nil, nil, nil
		}
		holder := task.Device
		if holder == "" || r.Intn(20) == 0 { // a reopened task has no holder
			holder = simtest.OtherAccount(data, reporter, task.Device).AddressBech32
		}
		signer, ok := simtest.Account(data, reporter, holder)
		if !ok || reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgReleaseTask{Operator: signer.AddressBech32, JobId: task.JobId, TaskIndex: task.Index}
		want := releaseOutcome(ctx, k, h, signer.Address, task)
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			after, _ := getTask(ctx, k, task.JobId, task.Index)
			barred := slices.ContainsFunc(after.Bars, func(b types.TaskBar) bool {
				return b.Device == task.Device && b.UntilHeight == h+params.LeaseCooldownBlocks
			})
			if after.Status != types.TASK_STATUS_UNSPECIFIED || after.Device != "" || !barred {
				return fmt.Errorf("released task %d/%d: %v", task.JobId, task.Index, after)
			}
			return nil
		})
	})
}

// releaseOutcome is the model of ReleaseTask: the error the keeper must
// return, checked in the keeper's order, or nil.
func releaseOutcome(ctx context.Context, k *keeper.Keeper, h uint64, signer sdk.AccAddress, task types.Task) error {
	dev, found := getDevice(ctx, k, signer)
	switch {
	case !found:
		return types.ErrDeviceNotFound
	case dev.Status == types.DEVICE_STATUS_JAILED:
		return types.ErrDeviceJailed
	case task.Status == types.TASK_STATUS_UNSPECIFIED:
		return types.ErrTaskNotFound
	case task.Device != dev.Operator:
		return types.ErrNotTaskHolder
	case task.Status != types.TASK_STATUS_LEASED:
		return types.ErrAlreadyClaimed
	case h > task.LeaseExpiry: // the end-block queue has not reached it yet
		return types.ErrLeaseExpired
	}
	return nil
}
