package simulation

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Every factory predicts what the keeper must do with the message it builds
// and returns a delivery handler that accepts exactly that: success (then an
// optional check of the new state) or the one registered error the message
// must fail with. A wrong prediction fails the simulation.

// expectError accepts only a failure with want.
func expectError(want error) simsx.SimDeliveryResultHandler {
	return func(err error) error {
		switch {
		case err == nil:
			return fmt.Errorf("expected %v, the message succeeded", want)
		case errors.Is(err, want):
			return nil
		default:
			return fmt.Errorf("expected %v, got: %w", want, err)
		}
	}
}

// expectSuccess accepts success followed by a passing check of the new state
// (check may be nil).
func expectSuccess(check func() error) simsx.SimDeliveryResultHandler {
	return func(err error) error {
		if err != nil {
			return fmt.Errorf("expected success: %w", err)
		}
		if check != nil {
			return check()
		}
		return nil
	}
}

// expect is expectError(want), or expectSuccess(check) when want is nil.
func expect(want error, check func() error) simsx.SimDeliveryResultHandler {
	if want != nil {
		return expectError(want)
	}
	return expectSuccess(check)
}

// pick returns a uniformly chosen element of the collection's values accepted
// by keep, walking the collection in key order so that the choice depends on
// the seed alone.
func pick[K, V any](ctx context.Context, r *simsx.XRand, m interface {
	Walk(context.Context, collections.Ranger[K], func(K, V) (bool, error)) error
}, keep func(V) bool) (V, bool) {
	var all []V
	_ = m.Walk(ctx, nil, func(_ K, v V) (bool, error) {
		if keep(v) {
			all = append(all, v)
		}
		return false, nil
	})
	if len(all) == 0 {
		var zero V
		return zero, false
	}
	return all[r.Intn(len(all))], true
}

// simAccount returns the simulation account of a bech32 address, skipping the
// operation when the address is not one (a module account, say).
func simAccount(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, addr string) (simsx.SimAccount, bool) {
	if !data.HasAccount(addr) {
		reporter.Skipf("%s is not a simulation account", addr)
		return simsx.SimAccount{}, false
	}
	return data.GetAccount(reporter, addr), true
}

// otherAccount returns a simulation account other than addr.
func otherAccount(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, addr string) simsx.SimAccount {
	return data.AnyAccountN(5, reporter, simsx.ExcludeAddresses(addr))
}

// reserve sets amount aside from the account's spendable balance so the fee
// is drawn from the rest; false means the account cannot pay amount.
func reserve(k *keeper.Keeper, acc *simsx.SimAccount, amount math.Int) bool {
	return acc.LiquidBalance().BlockAmount(sdk.NewCoin(k.Denom(), amount))
}

// randomInt returns a uniform amount in [lo, hi] (lo when hi < lo).
func randomInt(r *simsx.XRand, lo, hi math.Int) math.Int {
	if !hi.GT(lo) {
		return lo
	}
	return lo.Add(math.NewIntFromBigInt(new(big.Int).Rand(r.Rand, hi.Sub(lo).AddRaw(1).BigInt())))
}

func getDevice(ctx context.Context, k *keeper.Keeper, op sdk.AccAddress) (types.Device, bool) {
	dev, err := k.Devices.Get(ctx, op)
	return dev, err == nil
}

func getTask(ctx context.Context, k *keeper.Keeper, job, index uint64) (types.Task, bool) {
	task, err := k.Tasks.Get(ctx, collections.Join(job, index))
	return task, err == nil
}

// checkTask returns an error unless the task is in status want.
func checkTask(ctx context.Context, k *keeper.Keeper, job, index uint64, want types.TaskStatus) func() error {
	return func() error {
		task, ok := getTask(ctx, k, job, index)
		if !ok || task.Status != want {
			return fmt.Errorf("task %d/%d is %s, want %s", job, index, task.Status, want)
		}
		return nil
	}
}
