package worker

// Sweeping: sending what the device's account earned beyond a kept amount to
// another wallet, after payments and withdrawals.

import (
	"context"
	"fmt"

	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	basev1beta1 "cosmossdk.io/api/cosmos/base/v1beta1"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/coin"
)

// SweepFeeReserve stays in the account besides the kept amount, to pay the
// sweep's own fee (0.1 SHIFT).
var SweepFeeReserve = math.NewInt(100_000)

// Sweep sends the account's spendable ushift above Keep (plus SweepFeeReserve)
// to To. The bond is not spendable (it is held by the module), so it never moves.
type Sweep struct {
	To   string
	Keep math.Int
	// Bank is x/bank's query client over the worker's connection. The SDK's
	// pulsar types (cosmossdk.io/api) are used rather than x/bank/types, which
	// would link x/auth's types and with them the SDK's client and store.
	Bank bankv1beta1.QueryClient
}

// SweepAmount is what a sweep sends out of spendable: all above keep and the
// fee reserve, or zero.
func SweepAmount(spendable, keep math.Int) math.Int {
	out := spendable.Sub(keep).Sub(SweepFeeReserve)
	if !out.IsPositive() {
		return math.ZeroInt()
	}
	return out
}

// CheckSweepAddress refuses an address that is not a Nightshift account
// (another chain's prefix would send coins nobody can spend here), or is the
// device's own.
func CheckSweepAddress(addr, operator string) error {
	hrp, bz, err := bech32.DecodeAndConvert(addr)
	if err != nil {
		return fmt.Errorf("--sweep-to %q is not a bech32 address: %w", addr, err)
	}
	if hrp != params.AccountAddressPrefix {
		return fmt.Errorf("--sweep-to %s is an address of another chain (prefix %q); want a %s1... account of this chain", addr, hrp, params.AccountAddressPrefix)
	}
	if err := sdk.VerifyAddressFormat(bz); err != nil {
		return fmt.Errorf("--sweep-to %s: %w", addr, err)
	}
	if addr == operator {
		return fmt.Errorf("--sweep-to %s is the device's own account", addr)
	}
	return nil
}

// sweep sends the spendable balance above the kept amount, if there is any.
func (w *Worker) sweep(ctx context.Context) {
	s := w.cfg.Sweep
	if s == nil {
		return
	}
	w.sweepMu.Lock()
	defer w.sweepMu.Unlock()
	res, err := s.Bank.SpendableBalanceByDenom(ctx, &bankv1beta1.QuerySpendableBalanceByDenomRequest{Address: w.operator, Denom: params.BondDenom})
	if err != nil || res.Balance == nil {
		return // the next payment tries again
	}
	spendable, ok := math.NewIntFromString(res.Balance.Amount)
	if !ok {
		w.report(Event{Kind: "error", Message: fmt.Sprintf("sweep: spendable balance %q is not an amount", res.Balance.Amount)})
		return
	}
	amount := SweepAmount(spendable, s.Keep)
	if amount.IsZero() {
		return
	}
	msg := &bankv1beta1.MsgSend{FromAddress: w.operator, ToAddress: s.To, Amount: []*basev1beta1.Coin{{Denom: params.BondDenom, Amount: amount.String()}}}
	if _, err := w.cfg.Client.Submit(ctx, msg); err != nil {
		w.report(Event{Kind: "error", Message: "sweep: " + err.Error()})
		return
	}
	w.report(Event{Kind: "swept", Amount: coin.BaseString(amount), Message: fmt.Sprintf("sent to %s, keeping %s", s.To, coin.Format(s.Keep))})
}
