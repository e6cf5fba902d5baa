package types

import (
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// validateDisputes checks the dispute state (G5): a demand only on a task open
// to dispute, and each device's dispute counters equal to what its tasks say,
// since the bond cover and unbonding read the counters alone.
func (gs GenesisState) validateDisputes(jobs map[uint64]Job) error {
	type disputes struct {
		tasks  uint64
		reward math.Int
	}
	byDevice := make(map[string]disputes)
	for _, t := range gs.Tasks {
		open := t.Status == TASK_STATUS_VERIFIED && t.DisputeUntil != 0
		if t.DisputeUntil != 0 && !open {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d/%d is %s with dispute_until %d", t.JobId, t.Index, t.Status, t.DisputeUntil)
		}
		if !t.CreditedUnits.IsNil() && t.CreditedUnits.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "task %d/%d has negative credited units", t.JobId, t.Index)
		}
		if d := t.Demand; d != nil {
			if !open || len(d.Items) == 0 || d.Fee.IsNil() || d.Fee.IsNegative() {
				return errorsmod.Wrapf(ErrInvalidGenesis, "task %d/%d has a demand but is not open to dispute, or the demand is empty or its fee invalid", t.JobId, t.Index)
			}
		}
		if !open {
			continue
		}
		d := byDevice[t.Device]
		if d.reward.IsNil() {
			d.reward = math.ZeroInt()
		}
		d.tasks++
		d.reward = d.reward.Add(jobs[t.JobId].TaskReward(t.ItemCount))
		byDevice[t.Device] = d
	}
	for _, dev := range gs.Devices {
		want := byDevice[dev.Operator]
		reward := dev.DisputableReward
		if reward.IsNil() {
			reward = math.ZeroInt()
		}
		if want.reward.IsNil() {
			want.reward = math.ZeroInt()
		}
		if dev.DisputableTasks != want.tasks || !reward.Equal(want.reward) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "device %s counts %d disputable tasks worth %s, its tasks say %d worth %s",
				dev.Operator, dev.DisputableTasks, reward, want.tasks, want.reward)
		}
		delete(byDevice, dev.Operator)
	}
	if len(byDevice) > 0 {
		return errorsmod.Wrapf(ErrInvalidGenesis, "%d disputable tasks' devices are not in genesis", len(byDevice))
	}
	return nil
}
