package worker

// The device: registered once with its bond, and its emission withdrawn after each epoch.

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ensureDevice registers the device unless it already is.
func (w *Worker) ensureDevice(ctx context.Context) error {
	res, err := w.cfg.Query.Device(ctx, &types.QueryDeviceRequest{Operator: w.operator})
	if err == nil {
		switch res.Device.Status {
		case types.DEVICE_STATUS_ACTIVE:
			return nil
		case types.DEVICE_STATUS_JAILED:
			return fatal(fmt.Errorf("device %s is jailed after %d invalid proofs; it can only unbond", w.operator, res.Device.Failures))
		case types.DEVICE_STATUS_UNBONDING:
			return fatal(fmt.Errorf("device %s is unbonding (until height %d); register again once it has unbonded", w.operator, res.Device.UnbondingHeight))
		}
	} else if !isNotFound(err) {
		return unavailable(err)
	}
	params, err := w.cfg.Query.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return unavailable(err)
	}
	bond := w.cfg.Bond
	if bond.IsNil() || bond.IsZero() {
		bond = params.Params.MinDeviceBond
	}
	if bond.LT(params.Params.MinDeviceBond) {
		return fatal(fmt.Errorf("bond %sushift is below the chain's minimum of %sushift", bond, params.Params.MinDeviceBond))
	}
	_, err = w.cfg.Client.Submit(ctx, &types.MsgRegisterDevice{Operator: w.operator, Moniker: w.cfg.Moniker, Bond: bond})
	if err != nil {
		if errors.Is(err, workerclient.ErrUnavailable) || errors.Is(err, sdkerrors.ErrWrongSequence) {
			return err
		}
		if errors.Is(err, types.ErrDeviceExists) {
			// A registration sent before a restart is pending or has just landed: read the device again.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(w.cfg.Poll):
			}
			return errRetryNow
		}
		return fatal(fmt.Errorf("register device: %w", err))
	}
	w.report(Event{Kind: "registered", Amount: coin.BaseString(bond), Message: "device registered as " + w.cfg.Moniker})
	return nil
}

// withdraw collects emission from settled epochs when there is any.
func (w *Worker) withdraw(ctx context.Context) {
	res, err := w.cfg.Query.Rewards(ctx, &types.QueryRewardsRequest{Operator: w.operator})
	if err != nil || res.SettledEpochs == 0 {
		return
	}
	out, err := w.cfg.Client.Submit(ctx, &types.MsgWithdrawRewards{Operator: w.operator})
	if err != nil {
		if !errors.Is(err, types.ErrNoRewards) {
			w.report(Event{Kind: "error", Message: "withdraw rewards: " + err.Error()})
		}
		return
	}
	amount := out.Responses[0].(*types.MsgWithdrawRewardsResponse).Amount
	w.mu.Lock()
	w.stats.Earned = w.stats.Earned.Add(amount)
	w.mu.Unlock()
	w.report(Event{Kind: "withdrawn", Amount: coin.BaseString(amount), Message: "emission withdrawn"})
	w.sweep(ctx)
}
