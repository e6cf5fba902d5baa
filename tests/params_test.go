package tests

import (
	"encoding/json"
	"strconv"
)

// updateComputeParams sets x/compute params on the devnet through its
// authority (the validator): the current params as `q compute params` prints
// them (min_gas_price as a decimal, which update-params takes), with the given
// fields replaced (values as a tx's JSON takes them).
func (d *devnet) updateComputeParams(set map[string]string) {
	d.t.Helper()
	var params struct {
		Params map[string]json.RawMessage `json:"params"`
	}
	d.query(&params, "compute", "params")
	for k, v := range set {
		params.Params[k] = json.RawMessage(strconv.Quote(v))
	}
	bz, err := json.Marshal(params.Params)
	if err != nil {
		d.t.Fatal(err)
	}
	d.mustTx("compute", "update-params", string(bz), "--from", "validator")
}
