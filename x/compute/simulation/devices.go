package simulation

import (
	"context"
	"fmt"
	"strings"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgRegisterDeviceFactory registers devices, now and then with a bond below
// the minimum, a bad moniker, an unaffordable bond or for an account that
// already has a device.
func MsgRegisterDeviceFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterDevice, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		op, ok := accountWhere(data, reporter, func(a simtypes.Account) bool {
			dev, ok := getDevice(ctx, k, a.Address)
			return !ok || (dev.Status == types.DEVICE_STATUS_UNBONDED && !dev.Jailed)
		})
		if !ok || r.Intn(10) == 0 {
			op = data.AnyAccount(reporter)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgRegisterDevice{
			Operator: op.AddressBech32,
			Moniker:  "rig-" + r.StringN(8),
			Bond:     randomInt(r, params.MinDeviceBond, params.MinDeviceBond.MulRaw(4)),
		}
		dev, found := getDevice(ctx, k, op.Address)
		var want error
		switch n := r.Intn(20); {
		case n == 0:
			msg.Moniker = badMoniker(r, true)
			want = types.ErrInvalidMoniker
		case n == 1 && params.MinDeviceBond.GT(math.OneInt()):
			msg.Bond = randomInt(r, math.OneInt(), params.MinDeviceBond.SubRaw(1))
			want = types.ErrBondTooLow
		case found && dev.Jailed:
			want = types.ErrDeviceJailed
		case found && dev.Status != types.DEVICE_STATUS_UNBONDED:
			want = types.ErrDeviceExists
		case !reserve(k, &op, msg.Bond):
			want = types.ErrInsufficientFunds
		}
		return []simsx.SimAccount{op}, msg, simtest.Expect(want, func() error {
			dev, ok := getDevice(ctx, k, op.Address)
			if !ok || dev.Status != types.DEVICE_STATUS_ACTIVE || !dev.Bond.Equal(msg.Bond) {
				return fmt.Errorf("registered device %s is %v", op.AddressBech32, dev)
			}
			return nil
		})
	})
}

// MsgUpdateDeviceFactory renames devices and tops up bonds, and sends updates
// that change nothing or reach missing, unbonding or jailed devices.
func MsgUpdateDeviceFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateDevice, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(types.Device) bool { return true })
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgUpdateDevice{Operator: op.AddressBech32, AddBond: math.ZeroInt()}
		switch r.Intn(3) {
		case 0:
			msg.Moniker = "rig-" + r.StringN(8)
		case 1:
			msg.AddBond = randomInt(r, math.OneInt(), params.MinDeviceBond)
		default:
			msg.Moniker = "rig-" + r.StringN(8)
			msg.AddBond = randomInt(r, math.OneInt(), params.MinDeviceBond)
		}
		dev, found := getDevice(ctx, k, op.Address)
		var want error
		switch n := r.Intn(20); {
		case n == 0:
			msg.Moniker = badMoniker(r, false)
			want = types.ErrInvalidMoniker
		case n == 1:
			msg.Moniker, msg.AddBond = "", math.ZeroInt()
			want = types.ErrInvalidAmount
		case !found:
			want = types.ErrDeviceNotFound
		case dev.Jailed:
			want = types.ErrDeviceJailed
		case dev.Status == types.DEVICE_STATUS_UNBONDING || dev.Status == types.DEVICE_STATUS_UNBONDED:
			want = types.ErrDeviceNotActive
		case msg.AddBond.IsPositive() && !reserve(k, &op, msg.AddBond):
			want = types.ErrInsufficientFunds
		}
		return []simsx.SimAccount{op}, msg, simtest.Expect(want, func() error {
			after, _ := getDevice(ctx, k, op.Address)
			if !after.Bond.Equal(dev.Bond.Add(msg.AddBond)) {
				return fmt.Errorf("device %s bond %s after adding %s to %s", op.AddressBech32, after.Bond, msg.AddBond, dev.Bond)
			}
			return nil
		})
	})
}

// MsgUnbondDeviceFactory starts unbonding devices, including busy, unbonding
// and missing ones.
func MsgUnbondDeviceFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUnbondDevice, simsx.SimDeliveryResultHandler) {
		op, ok := deviceOrAnyAccount(ctx, k, data, reporter, func(types.Device) bool { return true })
		if !ok {
			return nil, nil, nil
		}
		dev, found := getDevice(ctx, k, op.Address)
		var want error
		switch {
		case !found:
			want = types.ErrDeviceNotFound
		case dev.Status != types.DEVICE_STATUS_ACTIVE && dev.Status != types.DEVICE_STATUS_JAILED:
			want = types.ErrDeviceNotActive
		case dev.LiveTasks > 0:
			want = types.ErrDeviceBusy
		}
		return []simsx.SimAccount{op}, &types.MsgUnbondDevice{Operator: op.AddressBech32}, simtest.Expect(want, func() error {
			after, _ := getDevice(ctx, k, op.Address)
			if after.Status != types.DEVICE_STATUS_UNBONDING {
				return fmt.Errorf("device %s is %s after unbonding", op.AddressBech32, after.Status)
			}
			return nil
		})
	})
}

// accountWhere returns a simulation account accepted by keep, trying a few at
// random; false when none was.
func accountWhere(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(simtypes.Account) bool) (simsx.SimAccount, bool) {
	for range 10 {
		if acc := data.AnyAccount(reporter); keep(acc.Account) {
			return acc, true
		}
	}
	return simsx.SimAccount{}, false
}

// deviceOrAnyAccount returns the operator of a device accepted by keep, or
// one time in ten (or when there is none) any account.
func deviceOrAnyAccount(ctx context.Context, k *keeper.Keeper, data *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(types.Device) bool) (simsx.SimAccount, bool) {
	r := data.Rand()
	dev, ok := pick(ctx, r, k.Devices, func(d types.Device) bool { return keep(d) && data.HasAccount(d.Operator) })
	var acc simsx.SimAccount
	if ok && r.Intn(10) != 0 {
		acc = data.GetAccount(reporter, dev.Operator)
	} else {
		acc = data.AnyAccount(reporter)
	}
	return acc, !reporter.IsSkipped()
}

// badMoniker returns a moniker the keeper refuses: too long or unprintable,
// or (with empty, where an empty moniker is not "keep the old one") empty.
func badMoniker(r *simsx.XRand, empty bool) string {
	switch r.Intn(3) {
	case 0:
		if empty {
			return ""
		}
		fallthrough
	case 1:
		return strings.Repeat("x", types.MaxMonikerLength+1)
	default:
		return "rig\n"
	}
}
