package keeper_test

import (
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgUpdateDevice(t *testing.T) {
	update := func(name string, err error, op func(w *msgWorld) string, moniker string, add math.Int) msgCase {
		return msgCase{name: name, err: err, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: op(w), Moniker: moniker, AddBond: add})
		}}
	}
	a := func(w *msgWorld) string { return w.f.str(w.a) }
	cases := []msgCase{
		update("invalid operator address", types.ErrInvalidAddress, func(*msgWorld) string { return badChecksumAddr }, "rig", math.OneInt()),
		update("unregistered operator", types.ErrDeviceNotFound, func(w *msgWorld) string { return w.f.str(w.outsider) }, "rig", math.ZeroInt()),
		update("nothing to update", types.ErrInvalidAmount, a, "", math.ZeroInt()),
		update("nothing to update, nil bond", types.ErrInvalidAmount, a, "", math.Int{}),
		update("negative add_bond", types.ErrInvalidAmount, a, "", math.NewInt(-1)),
		update("negative add_bond with a moniker", types.ErrInvalidAmount, a, "renamed", math.NewInt(-1)),
		update("add_bond of 2^128", types.ErrInvalidAmount, a, "", pow128),
		update("moniker of 65 bytes", types.ErrInvalidMoniker, a, strings.Repeat("m", types.MaxMonikerLength+1), math.ZeroInt()),
		update("unprintable moniker", types.ErrInvalidMoniker, a, "rig\x00", math.ZeroInt()),
		update("add_bond above the balance", types.ErrInsufficientFunds, a, "", math.NewInt(9*bond+1)),
		{
			name:    "device unbonding",
			prepare: func(w *msgWorld) { w.unbond(w.a, false) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: w.f.str(w.a), AddBond: math.OneInt()})
			},
			err: types.ErrDeviceNotActive,
		},
		{
			name:    "device unbonded",
			tweak:   func(p *types.Params) { p.DeviceUnbondingBlocks = 2 },
			prepare: func(w *msgWorld) { w.unbond(w.a, true) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: w.f.str(w.a), Moniker: "back"})
			},
			err: types.ErrDeviceNotActive,
		},
	}
	runMsgCases(t, cases)

	t.Run("renames and adds bond", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		moduleBefore := f.balance(w.moduleAddr())
		_, em := mustEvents(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(w.a), Moniker: "renamed", AddBond: math.NewInt(250)})
		dev := w.device(w.a)
		require.Equal(t, "renamed", dev.Moniker)
		requireAmount(t, bond+250, dev.Bond)
		requireAmount(t, 9*bond-250, f.balance(w.a))
		requireAmount(t, moduleBefore.Int64()+250, f.balance(w.moduleAddr()))
		requireEvent(t, em, &types.EventDeviceUpdated{Operator: f.str(w.a), Moniker: "renamed", Bond: math.NewInt(bond + 250), Added: math.NewInt(250)})

		// A moniker alone moves no coins; a bond alone keeps the moniker.
		must(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(w.a), Moniker: "again"})
		must(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(w.a), AddBond: math.NewInt(50)})
		dev = w.device(w.a)
		require.Equal(t, "again", dev.Moniker)
		requireAmount(t, bond+300, dev.Bond)
		requireAmount(t, 9*bond-300, f.balance(w.a))
	})
}
