package app

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// paramsSource is where the on-chain minimum gas price is read from.
type paramsSource interface {
	GetParams(ctx context.Context) (computetypes.Params, error)
}

// withMinGasPrice runs next only for transactions whose fee in the bond denom
// is at least gas × x/compute's min_gas_price. Unlike the node-local
// minimum-gas-prices (checked in CheckTx only), it is consensus: every node
// applies it in every mode, so a proposer cannot fill blocks with cheap
// verification work. Genesis transactions (height 0) and simulations pay no fee.
func withMinGasPrice(params paramsSource, denom string, next sdk.AnteHandler) sdk.AnteHandler {
	return func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		if !simulate && ctx.BlockHeight() > 0 {
			if err := checkMinGasPrice(ctx, params, denom, tx); err != nil {
				return ctx, err
			}
		}
		return next(ctx, tx, simulate)
	}
}

func checkMinGasPrice(ctx sdk.Context, params paramsSource, denom string, tx sdk.Tx) error {
	p, err := params.GetParams(ctx)
	if err != nil {
		return err
	}
	if !p.MinGasPrice.IsPositive() {
		return nil
	}
	feeTx, ok := tx.(sdk.FeeTx)
	if !ok {
		return errorsmod.Wrap(sdkerrors.ErrTxDecode, "transaction carries no fee")
	}
	need := p.MinGasPrice.MulInt(math.NewIntFromUint64(feeTx.GetGas())).Ceil().TruncateInt()
	if have := feeTx.GetFee().AmountOf(denom); have.LT(need) {
		return errorsmod.Wrapf(sdkerrors.ErrInsufficientFee, "fee %s%s is below gas %d × on-chain min_gas_price %s = %s%s",
			have, denom, feeTx.GetGas(), p.MinGasPrice, need, denom)
	}
	return nil
}

// DefaultMinGasPrices is the node-local minimum-gas-prices every config this
// binary writes (init, devnet, localnet) sets: x/compute's default
// min_gas_price, so a node's mempool asks no less than consensus and no more
// than what clients read from the chain and pay.
func DefaultMinGasPrices() string {
	return computetypes.DefaultMinGasPrice().String() + BondDenom
}
