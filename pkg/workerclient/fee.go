package workerclient

import (
	"context"
	"fmt"
	"strings"

	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/app/params/chainconst"
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
	return []coin{{Denom: chainconst.BondDenom, Amount: amount.String()}}
}

// parseGasPrice reads --gas-prices: one price in the bond denom ("0.25ushift").
func parseGasPrice(s string) (gasPrice, error) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, chainconst.BondDenom) {
		return gasPrice{}, fmt.Errorf("%q: want a price in %s, e.g. 0.25%s", s, chainconst.BondDenom, chainconst.BondDenom)
	}
	d, err := math.LegacyNewDecFromStr(strings.TrimSuffix(s, chainconst.BondDenom))
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
	res, err := c.conn.query(ctx, paramsPath, nil)
	if err != nil {
		return gasPrice{}, unavailable(fmt.Errorf("read min_gas_price: %w", err))
	}
	params, err := field(res, paramsResponseParams)
	if err != nil {
		return gasPrice{}, fmt.Errorf("params query answer: %w", err)
	}
	text, err := field(params, paramsMinGasPrice)
	if err != nil {
		return gasPrice{}, fmt.Errorf("params query answer: %w", err)
	}
	p, err := legacyDecFromWire(string(text))
	if err != nil {
		return gasPrice{}, fmt.Errorf("min_gas_price: %w", err)
	}
	return gasPrice{perGas: p}, nil
}

// x/compute's Params query and the two fields of its answer the fee needs,
// read from the wire (QueryParamsResponse{params = 1}, Params{min_gas_price =
// 26}) so the client links no generated x/compute types; TestParamsFieldNumbers
// checks the numbers against pkg/computepb's descriptors.
const (
	paramsPath           = "/nightshift.compute.v1.Query/Params"
	paramsResponseParams = 1
	paramsMinGasPrice    = 26
)

// legacyDecFromWire reads a math.LegacyDec field as gogoproto writes it: the
// integer of its 18-decimal fixed point, as text ("333000000000000000" is
// 0.333); empty is zero, as an unset LegacyDec.
func legacyDecFromWire(s string) (math.LegacyDec, error) {
	if s == "" {
		return math.LegacyZeroDec(), nil
	}
	i, ok := math.NewIntFromString(s)
	if !ok {
		return math.LegacyDec{}, fmt.Errorf("%q is not a decimal's integer", s)
	}
	return math.LegacyNewDecFromBigIntWithPrec(i.BigInt(), math.LegacyPrecision), nil
}
