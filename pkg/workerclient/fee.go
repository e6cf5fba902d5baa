package workerclient

import (
	"context"
	"fmt"
	"strings"

	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// gasPrice is ushift per unit of gas.
type gasPrice struct{ perGas math.LegacyDec }

// fee is gas × price rounded up, exactly what app/min_gas_price.go's ante
// handler requires (ceil(min_gas_price × gas)); no fee at a zero price.
func (p gasPrice) fee(gas uint64) []coin {
	amount := p.perGas.MulInt(math.NewIntFromUint64(gas)).Ceil().TruncateInt()
	if !amount.IsPositive() {
		return nil
	}
	return []coin{{Denom: params.BondDenom, Amount: amount.String()}}
}

// parseGasPrice reads --gas-prices: one price in the bond denom ("0.25ushift").
func parseGasPrice(s string) (gasPrice, error) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, params.BondDenom) {
		return gasPrice{}, fmt.Errorf("%q: want a price in %s, e.g. 0.25%s", s, params.BondDenom, params.BondDenom)
	}
	d, err := math.LegacyNewDecFromStr(strings.TrimSuffix(s, params.BondDenom))
	if err != nil {
		return gasPrice{}, fmt.Errorf("%q: %w", s, err)
	}
	if d.IsNegative() {
		return gasPrice{}, fmt.Errorf("%q: a price cannot be negative", s)
	}
	return gasPrice{perGas: d}, nil
}

// gasPrice is --gas-prices if given, else the chain's min_gas_price now (a
// governance change applies from the next submission on).
func (c *Client) gasPrice(ctx context.Context) (gasPrice, error) {
	if c.price != nil {
		return *c.price, nil
	}
	res, err := types.NewQueryClient(c.conn).Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return gasPrice{}, unavailable(fmt.Errorf("read min_gas_price: %w", err))
	}
	p := res.Params.MinGasPrice
	if p.IsNil() {
		p = math.LegacyZeroDec()
	}
	return gasPrice{perGas: p}, nil
}
