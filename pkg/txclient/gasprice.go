package txclient

import (
	"context"
	"fmt"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ChainGasPrice reads x/compute's min_gas_price: the least fee per gas, in
// ushift, every node's ante handler requires of a transaction (in DeliverTx
// too, so a transaction below it is never included).
func ChainGasPrice(ctx context.Context, clientCtx client.Context) (math.LegacyDec, error) {
	res, err := types.NewQueryClient(clientCtx).Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return math.LegacyDec{}, fmt.Errorf("%w: reading the chain's min_gas_price: %v", ErrUnavailable, err)
	}
	return res.Params.MinGasPrice, nil
}

// GasPrices is price as a --gas-prices value ("0.001ushift"), or "" for a zero
// or unset price.
func GasPrices(price math.LegacyDec) string {
	if price.IsNil() || !price.IsPositive() {
		return ""
	}
	return price.String() + coin.Base
}
