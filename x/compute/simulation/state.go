package simulation

import (
	"context"
	"fmt"
	"math/big"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

type factoryFn[T sdk.Msg] = simsx.FactoryMethodWithDeliveryResultHandler[T]

// newFactory wraps a factory that predicts its message's outcome.
func newFactory[T sdk.Msg](f factoryFn[T]) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(f)
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
