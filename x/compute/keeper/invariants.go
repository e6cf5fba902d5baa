package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// EscrowHeld sums what the module owes: remaining job escrow, device bonds and
// minted emission not yet withdrawn. It walks the whole state: for tests,
// simulation and audits, never for block processing.
func (k *Keeper) EscrowHeld(ctx context.Context) (math.Int, error) {
	total := math.ZeroInt()
	if err := k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		total = total.Add(j.Escrow)
		return false, nil
	}); err != nil {
		return math.Int{}, err
	}
	if err := k.Devices.Walk(ctx, nil, func(_ []byte, d types.Device) (bool, error) {
		total = total.Add(d.Bond)
		return false, nil
	}); err != nil {
		return math.Int{}, err
	}
	unclaimed, err := k.intOrZero(ctx, k.UnclaimedRewards)
	if err != nil {
		return math.Int{}, err
	}
	return total.Add(unclaimed), nil
}

// CheckEscrowInvariant verifies that the module account holds exactly what it
// owes, and that no job owes more than its unverified items are worth.
func (k *Keeper) CheckEscrowInvariant(ctx context.Context) error {
	held, err := k.EscrowHeld(ctx)
	if err != nil {
		return err
	}
	balance := k.bank.GetBalance(ctx, k.accounts.GetModuleAddress(types.ModuleName), k.denom).Amount
	if !balance.Equal(held) {
		return fmt.Errorf("compute escrow: module balance %s%s, owed %s%s (jobs + bonds + unclaimed rewards)", balance, k.denom, held, k.denom)
	}
	return k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		if j.Escrow.IsNegative() {
			return true, fmt.Errorf("job %d has negative escrow %s", j.Id, j.Escrow)
		}
		if j.Status != types.JOB_STATUS_OPEN && !j.Escrow.Equal(j.TaskReward(j.LiveItems)) {
			return true, fmt.Errorf("closed job %d holds %s, its live tasks are worth %s", j.Id, j.Escrow, j.TaskReward(j.LiveItems))
		}
		return false, nil
	})
}
