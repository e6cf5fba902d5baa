package keeper_test

import (
	"strings"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgRegisterDevice(t *testing.T) {
	carol := addrOf("carol")
	// carol has 500 SHIFT and no device.
	fundCarol := func(w *msgWorld) {
		w.f.fund(carol, 500_000_000)
		w.extra = append(w.extra, carol)
	}
	register := func(name string, err error, op func(w *msgWorld) sdk.AccAddress, moniker string, bond math.Int) msgCase {
		return msgCase{name: name, err: err, prepare: fundCarol, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: w.f.str(op(w)), Moniker: moniker, Bond: bond})
		}}
	}
	fundedCarol := func(*msgWorld) sdk.AccAddress { return carol }
	deviceA := func(w *msgWorld) sdk.AccAddress { return w.a }
	minBond := defaults.MinDeviceBond
	withPrepare := func(c msgCase, tweak func(*types.Params), prepare func(*msgWorld)) msgCase {
		c.tweak, c.prepare = tweak, func(w *msgWorld) {
			fundCarol(w)
			prepare(w)
		}
		return c
	}
	cases := []msgCase{
		{name: "invalid operator address", err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: badChecksumAddr, Moniker: "rig", Bond: minBond})
		}},
		register("bond below the minimum", types.ErrBondTooLow, fundedCarol, "rig", minBond.SubRaw(1)),
		register("zero bond", types.ErrInvalidAmount, fundedCarol, "rig", math.ZeroInt()),
		register("negative bond", types.ErrInvalidAmount, fundedCarol, "rig", math.NewInt(-1)),
		register("nil bond", types.ErrInvalidAmount, fundedCarol, "rig", math.Int{}),
		register("bond of 2^128", types.ErrInvalidAmount, fundedCarol, "rig", pow128),
		register("empty moniker", types.ErrInvalidMoniker, fundedCarol, "", minBond),
		register("moniker of 65 bytes", types.ErrInvalidMoniker, fundedCarol, strings.Repeat("m", types.MaxMonikerLength+1), minBond),
		register("moniker with a control character", types.ErrInvalidMoniker, fundedCarol, "rig\x07", minBond),
		register("moniker with a newline", types.ErrInvalidMoniker, fundedCarol, "rig\nname", minBond),
		register("moniker of invalid UTF-8", types.ErrInvalidMoniker, fundedCarol, "rig\xff", minBond),
		register("operator cannot pay the bond", types.ErrInsufficientFunds, fundedCarol, "rig", math.NewInt(500_000_001)),
		register("operator without an account", types.ErrInsufficientFunds, func(w *msgWorld) sdk.AccAddress { return w.outsider }, "rig", minBond),
		register("already registered", types.ErrDeviceExists, deviceA, "again", minBond),
		withPrepare(register("already registered and unbonding", types.ErrDeviceExists, deviceA, "again", minBond),
			nil, func(w *msgWorld) { w.unbond(w.a, false) }),
		withPrepare(register("jailed operator, still bonded", types.ErrDeviceJailed, deviceA, "again", minBond),
			nil, func(w *msgWorld) { w.jail(w.a) }),
		withPrepare(register("jailed operator after unbonding", types.ErrDeviceJailed, deviceA, "again", minBond),
			func(p *types.Params) { p.DeviceUnbondingBlocks = 3 },
			func(w *msgWorld) {
				w.jail(w.a)
				w.unbond(w.a, true)
			}),
	}
	runMsgCases(t, cases)

	t.Run("bonds the minimum and registers", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		f.fund(carol, 500_000_000)
		moduleBefore := f.balance(w.moduleAddr())
		moniker := "carol's rig ⚡ " + strings.Repeat("x", types.MaxMonikerLength-len("carol's rig ⚡ "))
		require.Len(t, moniker, types.MaxMonikerLength)
		_, em := mustEvents(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(carol), Moniker: moniker, Bond: minBond})
		requireProto(t, &types.Device{
			Operator: f.str(carol), Moniker: moniker, Bond: minBond, Status: types.DEVICE_STATUS_ACTIVE,
			WorkUnits: math.ZeroInt(), RegisteredHeight: 1,
		}, pointerTo(w.device(carol)))
		requireAmount(t, 500_000_000-minBond.Int64(), f.balance(carol))
		requireAmount(t, moduleBefore.Int64()+minBond.Int64(), f.balance(w.moduleAddr()))
		requireEvent(t, em, &types.EventDeviceRegistered{Operator: f.str(carol), Moniker: moniker, Bond: minBond})
	})
}
