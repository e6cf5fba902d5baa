package app

import (
	"context"
	"testing"

	"cosmossdk.io/log/v2"
	"cosmossdk.io/math"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
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

	// Every block-building and delivering mode refuses it, not only CheckTx: a
	// proposer that includes a free transaction sees it fail in FinalizeBlock.
	for _, mode := range []sdk.ExecMode{sdk.ExecModeCheck, sdk.ExecModeReCheck, sdk.ExecModePrepareProposal, sdk.ExecModeProcessProposal, sdk.ExecModeFinalize} {
		_, err := handler(ctx.WithExecMode(mode), feeTx{gas: 200_000}, false)
		require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee, "mode %d", mode)
	}

	// At 0 (governance turned it off) every fee passes: the node-local minimum
	// still applies in CheckTx.
	off := computetypes.DefaultParams()
	off.MinGasPrice = math.LegacyZeroDec()
	free := withMinGasPrice(fixedParams{off}, BondDenom, func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, nil })
	_, err = free(ctx, feeTx{gas: 200_000}, false)
	require.NoError(t, err)
}

// TestDefaultMinGasPriceRefusesFreeTxs: the app's own ante handler, at the
// default params, refuses a signed zero-fee transaction in FinalizeBlock (what
// every node runs, whatever its minimum-gas-prices), and the node config this
// binary writes asks the same price.
func TestDefaultMinGasPriceRefusesFreeTxs(t *testing.T) {
	require.Equal(t, math.LegacyNewDecWithPrec(1, 3), computetypes.DefaultParams().MinGasPrice, "0.001 ushift per gas")
	require.Equal(t, "0.001000000000000000"+BondDenom, DefaultMinGasPrices())

	a := New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	ctx := a.NewNextBlockContext(cmtproto.Header{Height: 5}).WithExecMode(sdk.ExecModeFinalize)
	require.NoError(t, a.ComputeKeeper.Params.Set(ctx, computetypes.DefaultParams()))
	from, to := sdk.AccAddress("from________________"), sdk.AccAddress("to__________________")
	build := func(fee int64) sdk.Tx {
		b := a.TxConfig().NewTxBuilder()
		require.NoError(t, b.SetMsgs(banktypes.NewMsgSend(from, to, sdk.NewCoins(sdk.NewInt64Coin(BondDenom, 1)))))
		b.SetGasLimit(200_000)
		b.SetFeeAmount(sdk.NewCoins(sdk.NewInt64Coin(BondDenom, fee)))
		return b.GetTx()
	}
	_, err := a.AnteHandler()(ctx, build(0), false)
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee)
	require.ErrorContains(t, err, "200ushift", "200,000 gas × 0.001")
	_, err = a.AnteHandler()(ctx, build(199), false)
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee)
	// At the price the floor passes; the SDK's checks (here: the unsigned
	// sender) come next.
	_, err = a.AnteHandler()(ctx, build(200), false)
	require.Error(t, err)
	require.NotErrorIs(t, err, sdkerrors.ErrInsufficientFee)
}
