package types

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// DefaultGenesis is an empty market with default params; job ids start at 1.
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params:           DefaultParams(),
		NextJobId:        1,
		TotalEmitted:     math.ZeroInt(),
		UnclaimedRewards: math.ZeroInt(),
		TotalBurned:      math.ZeroInt(),
	}
}

// Validate checks the genesis is self-consistent: params valid, objects unique,
// every task pointing at an existing job and device.
func (gs GenesisState) Validate(ac address.Codec) error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	checkAddr := func(what, s string) error {
		if _, err := ac.StringToBytes(s); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s address %q: %v", what, s, err)
		}
		return nil
	}
	jobs := make(map[uint64]Job, len(gs.Jobs))
	for _, j := range gs.Jobs {
		if _, dup := jobs[j.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "job %d appears twice", j.Id)
		}
		if j.Id == 0 || j.Id >= gs.NextJobId {
			return errorsmod.Wrapf(ErrInvalidGenesis, "job id %d outside [1, next_job_id %d)", j.Id, gs.NextJobId)
		}
		if err := checkAddr("requester", j.Requester); err != nil {
			return err
		}
		if j.Escrow.IsNil() || j.Escrow.IsNegative() || j.PricePerItem.IsNil() || !j.PricePerItem.IsPositive() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "job %d has an invalid escrow or price", j.Id)
		}
		if j.Items == 0 || j.ItemsPerTask == 0 || j.NumTasks != (j.Items+j.ItemsPerTask-1)/j.ItemsPerTask || j.NextTask > j.NumTasks {
			return errorsmod.Wrapf(ErrInvalidGenesis, "job %d has inconsistent item or task counts", j.Id)
		}
		if _, ok := JobStatus_name[int32(j.Status)]; !ok || j.Status == JOB_STATUS_UNSPECIFIED {
			return errorsmod.Wrapf(ErrInvalidGenesis, "job %d has status %d", j.Id, j.Status)
		}
		if (j.Status == JOB_STATUS_OPEN) != (j.ClosedHeight == 0) || (j.PruneHeight != 0 && j.PruneHeight < j.ClosedHeight) || (j.Status == JOB_STATUS_OPEN && j.PruneHeight != 0) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "job %d is %s with closed_height %d and prune_height %d", j.Id, j.Status, j.ClosedHeight, j.PruneHeight)
		}
		jobs[j.Id] = j
	}
	devices := make(map[string]bool, len(gs.Devices))
	for _, d := range gs.Devices {
		if err := checkAddr("device", d.Operator); err != nil {
			return err
		}
		if devices[d.Operator] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "device %s appears twice", d.Operator)
		}
		if d.Bond.IsNil() || d.Bond.IsNegative() || d.WorkUnits.IsNil() || d.WorkUnits.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "device %s has an invalid bond or work units", d.Operator)
		}
		if d.Status == DEVICE_STATUS_JAILED && !d.Jailed {
			return errorsmod.Wrapf(ErrInvalidGenesis, "device %s is %s but not marked jailed", d.Operator, d.Status)
		}
		devices[d.Operator] = true
	}
	type ref struct{ job, task uint64 }
	tasks := make(map[ref]bool, len(gs.Tasks))
	for _, t := range gs.Tasks {
		job, ok := jobs[t.JobId]
		if !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d/%d of an unknown job", t.JobId, t.Index)
		}
		if t.Index >= job.NumTasks || tasks[ref{t.JobId, t.Index}] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d/%d is out of range or repeated", t.JobId, t.Index)
		}
		if (t.Status == TASK_STATUS_LEASED || t.Status == TASK_STATUS_CLAIMED) && !devices[t.Device] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "live task %d/%d held by unknown device %q", t.JobId, t.Index, t.Device)
		}
		tasks[ref{t.JobId, t.Index}] = true
	}
	for _, r := range gs.ReopenedTasks {
		if job, ok := jobs[r.JobId]; !ok || r.TaskIndex >= job.NumTasks {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reopened task %d/%d does not exist", r.JobId, r.TaskIndex)
		}
	}
	seen := make(map[string]bool, len(gs.ApprovedRequesters))
	for _, r := range gs.ApprovedRequesters {
		if err := checkAddr("requester", r); err != nil {
			return err
		}
		if seen[r] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "requester %s approved twice", r)
		}
		seen[r] = true
	}
	epochs := make(map[uint64]bool, len(gs.Epochs))
	epochInfos := make(map[uint64]EpochInfo, len(gs.Epochs))
	for _, e := range gs.Epochs {
		if epochs[e.Epoch] || e.Epoch > gs.CurrentEpoch || e.WorkUnits.IsNil() || e.Emission.IsNil() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "epoch %d is repeated, after the current epoch or incomplete", e.Epoch)
		}
		epochs[e.Epoch] = true
		epochInfos[e.Epoch] = e
	}
	if len(gs.Epochs) > 0 && !epochs[gs.CurrentEpoch] {
		return errorsmod.Wrapf(ErrInvalidGenesis, "current epoch %d has no record", gs.CurrentEpoch)
	}
	for _, u := range gs.DeviceEpochUnits {
		if err := checkAddr("device", u.Device); err != nil {
			return err
		}
		if !epochs[u.Epoch] || u.WorkUnits.IsNil() || !u.WorkUnits.IsPositive() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "work of %s in epoch %d has no epoch or no units", u.Device, u.Epoch)
		}
	}
	for _, v := range []math.Int{gs.TotalEmitted, gs.UnclaimedRewards, gs.TotalBurned} {
		if !v.IsNil() && v.IsNegative() {
			return errorsmod.Wrap(ErrInvalidGenesis, "negative emission or burn totals")
		}
	}
	if err := gs.validateEmissionUnits(ac, epochInfos); err != nil {
		return err
	}
	if err := validatePrograms(ac, gs.Programs); err != nil {
		return err
	}
	return gs.validateDisputes(jobs)
}
