// Package sim holds what the simulations of x/compute and x/permission share:
// the delivery handlers that accept exactly the outcome a message factory
// predicted, and the choice of the signer of an authority's message. It
// imports neither module, so both simulation packages can import it.
package simtest

import (
	"context"
	"errors"
	"fmt"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
)

// Every factory predicts what the keeper must do with the message it builds
// and returns a delivery handler that accepts exactly that: success (then an
// optional check of the new state) or the one registered error the message
// must fail with. A wrong prediction fails the simulation.

// ExpectError accepts only a failure with want.
func ExpectError(want error) simsx.SimDeliveryResultHandler {
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

// ExpectSuccess accepts success followed by a passing check of the new state
// (check may be nil).
func ExpectSuccess(check func() error) simsx.SimDeliveryResultHandler {
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

// Expect is ExpectError(want), or ExpectSuccess(check) when want is nil.
func Expect(want error, check func() error) simsx.SimDeliveryResultHandler {
	if want != nil {
		return ExpectError(want)
	}
	return ExpectSuccess(check)
}

// Account returns the simulation account of a bech32 address, skipping the
// operation when the address is not one (a module account, say).
func Account(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, addr string) (simsx.SimAccount, bool) {
	if !data.HasAccount(addr) {
		reporter.Skipf("%s is not a simulation account", addr)
		return simsx.SimAccount{}, false
	}
	return data.GetAccount(reporter, addr), true
}

// OtherAccount returns a simulation account other than addr.
func OtherAccount(data *simsx.ChainDataSource, reporter simsx.SimulationReporter, addr string) simsx.SimAccount {
	return data.AnyAccountN(5, reporter, simsx.ExcludeAddresses(addr))
}

// AuthoritySigner returns the signer of an authority's message: the
// authority's account or, one time in eight, another account together with
// unauthorized, the error the module must then answer with. It skips when the
// authority is not a simulation account (the x/gov default).
func AuthoritySigner(ctx context.Context, authority func(context.Context) (string, error), unauthorized error,
	data *simsx.ChainDataSource, reporter simsx.SimulationReporter,
) (simsx.SimAccount, error) {
	addr, err := authority(ctx)
	if err != nil {
		reporter.Skip(err.Error())
		return simsx.SimAccount{}, nil
	}
	if data.Rand().Intn(8) == 0 {
		return OtherAccount(data, reporter, addr), unauthorized
	}
	acc, _ := Account(data, reporter, addr)
	return acc, nil
}
