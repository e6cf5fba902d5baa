package tests

import (
	"encoding/json"
	"math/big"
	"strconv"
)

// updateComputeParams sets x/compute params on the devnet through its
// authority (the validator): the current params from `q compute params` with
// the given fields replaced (values as a tx's JSON takes them). A query prints
// min_gas_price as a decimal while a tx takes a LegacyDec as its integer of
// 10^-18 units (the SDK's encoding of the type), so an unchanged price is
// re-encoded here.
func (d *devnet) updateComputeParams(set map[string]string) {
	d.t.Helper()
	var params struct {
		Params map[string]json.RawMessage `json:"params"`
	}
	d.query(&params, "compute", "params")
	var price string
	if err := json.Unmarshal(params.Params["min_gas_price"], &price); err != nil {
		d.t.Fatal(err)
	}
	dec, ok := new(big.Rat).SetString(price)
	if !ok {
		d.t.Fatalf("min_gas_price %q", price)
	}
	raw := new(big.Rat).Mul(dec, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)))
	params.Params["min_gas_price"] = json.RawMessage(strconv.Quote(raw.FloatString(0)))
	for k, v := range set {
		params.Params[k] = json.RawMessage(strconv.Quote(v))
	}
	bz, err := json.Marshal(params.Params)
	if err != nil {
		d.t.Fatal(err)
	}
	d.mustTx("compute", "update-params", string(bz), "--from", "validator")
}
