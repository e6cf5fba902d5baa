package app

import (
	"context"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/stretchr/testify/require"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

type fixedParams struct{ p computetypes.Params }

func (f fixedParams) GetParams(context.Context) (computetypes.Params, error) { return f.p, nil }

type feeTx struct {
	sdk.FeeTx
	gas uint64
	fee sdk.Coins
}

func (t feeTx) GetGas() uint64     { return t.gas }
func (t feeTx) GetFee() sdk.Coins  { return t.fee }
func (t feeTx) GetMsgs() []sdk.Msg { return nil }

// TestMinGasPrice: a transaction paying less than gas × min_gas_price is
// refused in every mode but simulation and genesis; one paying it passes.
func TestMinGasPrice(t *testing.T) {
	p := computetypes.DefaultParams()
	p.MinGasPrice = math.LegacyMustNewDecFromStr("0.01")
	passed := false
	handler := withMinGasPrice(fixedParams{p}, BondDenom, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) {
		passed = true
		return ctx, nil
	})
	ctx := sdk.Context{}.WithBlockHeight(5)
	fee := func(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewInt64Coin(BondDenom, n)) }

	_, err := handler(ctx, feeTx{gas: 200_000, fee: fee(1_999)}, false)
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee)
	require.ErrorContains(t, err, "2000ushift")
	require.False(t, passed)
	_, err = handler(ctx, feeTx{gas: 200_000}, false)
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee, "no fee at all")

	_, err = handler(ctx, feeTx{gas: 200_000, fee: fee(2_000)}, false)
	require.NoError(t, err)
	require.True(t, passed)

	for name, run := range map[string]func() error{
		"simulation": func() error { _, err := handler(ctx, feeTx{gas: 200_000}, true); return err },
		"genesis":    func() error { _, err := handler(ctx.WithBlockHeight(0), feeTx{gas: 200_000}, false); return err },
	} {
		passed = false
		require.NoError(t, run(), name)
		require.True(t, passed, name)
	}

	// At the default (0) every fee passes: the node-local minimum still applies in CheckTx.
	free := withMinGasPrice(fixedParams{computetypes.DefaultParams()}, BondDenom, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, nil })
	_, err = free(ctx, feeTx{gas: 200_000}, false)
	require.NoError(t, err)
}
