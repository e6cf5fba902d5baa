package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgUnbondDevice(t *testing.T) {
	unbond := func(op func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: op(w)})
		}
	}
	a := func(w *msgWorld) string { return w.f.str(w.a) }
	cases := []msgCase{
		{name: "invalid operator address", send: unbond(func(*msgWorld) string { return badChecksumAddr }), err: types.ErrInvalidAddress},
		{name: "unregistered operator", send: unbond(func(w *msgWorld) string { return w.f.str(w.outsider) }), err: types.ErrDeviceNotFound},
		{name: "device holds a live lease", prepare: func(w *msgWorld) { w.leaseA() }, send: unbond(a), err: types.ErrDeviceBusy},
		{name: "device holds an unproved claim", prepare: func(w *msgWorld) { w.claimA() }, send: unbond(a), err: types.ErrDeviceBusy},
		{name: "already unbonding", prepare: func(w *msgWorld) { w.unbond(w.a, false) }, send: unbond(a), err: types.ErrDeviceNotActive},
		{
			name: "already unbonded", tweak: func(p *types.Params) { p.DeviceUnbondingBlocks = 2 },
			prepare: func(w *msgWorld) { w.unbond(w.a, true) }, send: unbond(a), err: types.ErrDeviceNotActive,
		},
	}
	runMsgCases(t, cases)

	t.Run("returns the bond after device_unbonding_blocks and allows re-registering", func(t *testing.T) {
		const unbondingBlocks = 5
		w := newMsgWorld(newFixture(t, func(p *types.Params) {
			p.DeviceUnbondingBlocks = unbondingBlocks
			p.DisputeWindowBlocks = 1 // closes long before the unbonding (TestUnbondingWaitsForDisputes covers the rest)
		}))
		f := w.f
		w.challengeReady()
		must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer())) // some history to keep
		balance := f.balance(w.a)
		require.Equal(t, int64(3), f.ctx.BlockHeight())

		res, em := mustEvents(f, f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: f.str(w.a)})
		require.Equal(t, uint64(3+unbondingBlocks), res.UnbondingHeight)
		dev := w.device(w.a)
		require.Equal(t, types.DEVICE_STATUS_UNBONDING, dev.Status)
		require.Equal(t, res.UnbondingHeight, dev.UnbondingHeight)
		requireAmount(t, bond, dev.Bond, "the bond stays slashable while unbonding")
		require.True(t, hasKey(t, f.ctx, f.k.UnbondingQueue.Has, collectionsPair(res.UnbondingHeight, []byte(w.a))))
		requireEvent(t, em, &types.EventDeviceUnbonding{Operator: f.str(w.a), Bond: math.NewInt(bond), UnbondingHeight: res.UnbondingHeight})
		_, err := exec(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.ErrorIs(t, err, types.ErrDeviceNotActive)

		f.advanceTo(res.UnbondingHeight)
		require.Equal(t, balance.String(), f.balance(w.a).String(), "not before the end block of the unbonding height")
		moduleBefore := f.balance(w.moduleAddr())
		em = f.ctx.EventManager()
		f.nextBlock()
		dev = w.device(w.a)
		require.Equal(t, types.DEVICE_STATUS_UNBONDED, dev.Status)
		requireAmount(t, 0, dev.Bond)
		requireAmount(t, balance.Int64()+bond, f.balance(w.a))
		requireAmount(t, moduleBefore.Int64()-bond, f.balance(w.moduleAddr()))
		require.False(t, hasKey(t, f.ctx, f.k.UnbondingQueue.Has, collectionsPair(res.UnbondingHeight, []byte(w.a))))
		requireEvent(t, em, &types.EventDeviceUnbonded{Operator: f.str(w.a), Returned: math.NewInt(bond)})

		must(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(w.a), Moniker: "back", Bond: math.NewInt(2 * bond)})
		requireProto(t, &types.Device{
			Operator: f.str(w.a), Moniker: "back", Bond: math.NewInt(2 * bond), Status: types.DEVICE_STATUS_ACTIVE,
			TasksVerified: 1, WorkUnits: math.NewInt(worldUnits), RegisteredHeight: uint64(f.ctx.BlockHeight()),
		}, pointerTo(w.device(w.a)))
		requireAmount(t, balance.Int64()-bond, f.balance(w.a))
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1), lease.TaskIndex)
	})

	t.Run("a jailed device unbonds what is left", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.DeviceUnbondingBlocks = 2 }))
		f := w.f
		w.jail(w.a)
		left := w.device(w.a).Bond
		require.Equal(t, int64(bond/8), left.Int64(), "three halvings of the bond")
		balance := f.balance(w.a)
		w.unbond(w.a, true)
		requireAmount(t, balance.Int64()+bond/8, f.balance(w.a))
		require.True(t, w.device(w.a).Jailed, "jailing outlives unbonding")
	})
}
