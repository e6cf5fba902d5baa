package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// InitGenesis loads the state and rebuilds the indexes and height-keyed queues
// from the objects, so an exported state imports to the same behaviour.
func (k *Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	next := gs.NextJobId
	if next == 0 {
		next = 1 // job ids start at 1
	}
	if err := k.NextJobID.Set(ctx, next); err != nil {
		return err
	}
	for _, job := range gs.Jobs {
		// Checked here for a registered error; the requester index decodes it again.
		if _, err := k.addr("requester", job.Requester); err != nil {
			return err
		}
		if err := k.Jobs.Set(ctx, job.Id, job); err != nil {
			return err
		}
		if job.Status == types.JOB_STATUS_OPEN {
			if err := k.JobDeadlineQueue.Set(ctx, collections.Join(job.DeadlineHeight, job.Id)); err != nil {
				return err
			}
		}
		if job.PruneHeight != 0 {
			if err := k.JobPruneQueue.Set(ctx, collections.Join(job.PruneHeight, job.Id)); err != nil {
				return err
			}
		}
	}
	for _, dev := range gs.Devices {
		operator, err := k.addr("operator", dev.Operator)
		if err != nil {
			return err
		}
		if err := k.Devices.Set(ctx, operator, dev); err != nil {
			return err
		}
		if dev.Status == types.DEVICE_STATUS_UNBONDING {
			if err := k.UnbondingQueue.Set(ctx, collections.Join(dev.UnbondingHeight, []byte(operator))); err != nil {
				return err
			}
		}
	}
	for _, task := range gs.Tasks {
		key := taskKey(task.JobId, task.Index)
		if err := k.Tasks.Set(ctx, key, task); err != nil {
			return err
		}
		if err := k.indexDisputes(ctx, task); err != nil {
			return err
		}
		var due uint64
		switch task.Status {
		case types.TASK_STATUS_LEASED:
			due = task.LeaseExpiry
		case types.TASK_STATUS_CLAIMED:
			due = task.ProofDeadline
		default:
			continue
		}
		operator, err := k.addr("device", task.Device)
		if err != nil {
			return err
		}
		if err := k.TasksByDevice.Set(ctx, collections.Join([]byte(operator), key)); err != nil {
			return err
		}
		if err := k.TaskQueue.Set(ctx, collections.Join(due, key)); err != nil {
			return err
		}
		if task.Status == types.TASK_STATUS_CLAIMED {
			if err := k.ClaimsByChallenge.Set(ctx, collections.Join(task.ChallengeHeight, key)); err != nil {
				return err
			}
		}
	}
	for _, ref := range gs.ReopenedTasks {
		if err := k.ReopenedTasks.Set(ctx, taskKey(ref.JobId, ref.TaskIndex)); err != nil {
			return err
		}
	}
	for _, r := range gs.ApprovedRequesters {
		addr, err := k.addr("requester", r)
		if err != nil {
			return err
		}
		if err := k.ApprovedRequesters.Set(ctx, addr); err != nil {
			return err
		}
	}
	for _, e := range gs.Epochs {
		// Epochs exported before the per-requester cap lack its figures.
		e.ScheduledEmission, e.RequesterCap = intOrZero(e.ScheduledEmission), intOrZero(e.RequesterCap)
		e.RateNum, e.RateDen = intOrZero(e.RateNum), intOrZero(e.RateDen)
		if err := k.Epochs.Set(ctx, e.Epoch, e); err != nil {
			return err
		}
	}
	if len(gs.Epochs) == 0 {
		if err := k.startEpoch(ctx, 0, height(ctx)); err != nil {
			return err
		}
	} else if err := k.CurrentEpoch.Set(ctx, gs.CurrentEpoch); err != nil {
		return err
	}
	for _, u := range gs.DeviceEpochUnits {
		addr, err := k.addr("device", u.Device)
		if err != nil {
			return err
		}
		if err := k.DeviceEpochUnits.Set(ctx, collections.Join([]byte(addr), u.Epoch), u.WorkUnits); err != nil {
			return err
		}
	}
	if err := k.importEmissionUnits(ctx, gs); err != nil {
		return err
	}
	for _, bh := range gs.BlockHashes {
		if err := k.BlockHashes.Set(ctx, bh.Height, bh.Hash); err != nil {
			return err
		}
	}
	if err := k.TotalEmitted.Set(ctx, intOrZero(gs.TotalEmitted)); err != nil {
		return err
	}
	if err := k.TotalBurned.Set(ctx, intOrZero(gs.TotalBurned)); err != nil {
		return err
	}
	if err := k.initPrograms(ctx, gs.Programs); err != nil {
		return err
	}
	return k.UnclaimedRewards.Set(ctx, intOrZero(gs.UnclaimedRewards))
}

// ExportGenesis writes the whole state.
func (k *Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	next, err := k.NextJobID.Peek(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params, NextJobId: next}
	if err := k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		gs.Jobs = append(gs.Jobs, j)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Devices.Walk(ctx, nil, func(_ []byte, d types.Device) (bool, error) {
		gs.Devices = append(gs.Devices, d)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Tasks.Walk(ctx, nil, func(_ TaskKey, t types.Task) (bool, error) {
		gs.Tasks = append(gs.Tasks, t)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.ReopenedTasks.Walk(ctx, nil, func(key TaskKey) (bool, error) {
		gs.ReopenedTasks = append(gs.ReopenedTasks, types.TaskRef{JobId: key.K1(), TaskIndex: key.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.ApprovedRequesters.Walk(ctx, nil, func(addr []byte) (bool, error) {
		gs.ApprovedRequesters = append(gs.ApprovedRequesters, k.addrString(addr))
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.CurrentEpoch, err = k.CurrentEpoch.Get(ctx); err != nil {
		return nil, err
	}
	if err := k.Epochs.Walk(ctx, nil, func(_ uint64, e types.EpochInfo) (bool, error) {
		gs.Epochs = append(gs.Epochs, e)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.DeviceEpochUnits.Walk(ctx, nil, func(key collections.Pair[[]byte, uint64], units math.Int) (bool, error) {
		gs.DeviceEpochUnits = append(gs.DeviceEpochUnits, types.DeviceEpochUnits{Device: k.addrString(key.K1()), Epoch: key.K2(), WorkUnits: units})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.exportEmissionUnits(ctx, gs); err != nil {
		return nil, err
	}
	if err := k.BlockHashes.Walk(ctx, nil, func(h uint64, hash []byte) (bool, error) {
		gs.BlockHashes = append(gs.BlockHashes, types.BlockHash{Height: h, Hash: hash})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.TotalEmitted, err = k.loadInt(ctx, k.TotalEmitted); err != nil {
		return nil, err
	}
	if gs.UnclaimedRewards, err = k.loadInt(ctx, k.UnclaimedRewards); err != nil {
		return nil, err
	}
	if gs.TotalBurned, err = k.loadInt(ctx, k.TotalBurned); err != nil {
		return nil, err
	}
	if gs.Programs, err = k.exportPrograms(ctx); err != nil {
		return nil, err
	}
	return gs, nil
}

func intOrZero(v math.Int) math.Int {
	if v.IsNil() {
		return math.ZeroInt()
	}
	return v
}
