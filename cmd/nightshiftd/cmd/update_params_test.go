package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"cosmossdk.io/math"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestUpdateParamsTakesQueryOutput: the params `q compute params` prints
// (min_gas_price as a decimal, 0.025000000000000000) pasted into
// `tx compute update-params` give a message whose min_gas_price is 0.025, and
// the integer of 10^-18 units accepted before still means the same.
func TestUpdateParamsTakesQueryOutput(t *testing.T) {
	want := types.DefaultParams()
	want.MinGasPrice = math.LegacyMustNewDecFromStr("0.025")
	tempApp := newTempApp()
	printed, err := tempApp.AppCodec().MarshalJSON(&want) // as the query prints it
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(printed), `"min_gas_price":"0.025000000000000000"`) {
		t.Fatalf("the query's form changed: %s", printed)
	}
	authority := sdk.AccAddress(make([]byte, 20)).String()
	generate := func(paramsJSON string) (types.Params, error) {
		t.Helper()
		root := NewRootCmd()
		var out strings.Builder
		root.SetOut(&out)
		root.SetErr(new(strings.Builder))
		root.SetArgs([]string{"tx", "compute", "update-params", paramsJSON, "--from", authority,
			"--generate-only", "--chain-id", "test", "--home", t.TempDir(), "--fees", "1ushift"})
		if err := svrcmd.Execute(root, EnvPrefix, app.DefaultNodeHome); err != nil {
			return types.Params{}, err
		}
		tx, err := tempApp.TxConfig().TxJSONDecoder()([]byte(out.String()))
		if err != nil {
			t.Fatalf("generated tx: %v\n%s", err, out.String())
		}
		msgs := tx.GetMsgs()
		if len(msgs) != 1 {
			t.Fatalf("want one message, got %d", len(msgs))
		}
		return msgs[0].(*types.MsgUpdateParams).Params, nil
	}

	got, err := generate(string(printed))
	if err != nil {
		t.Fatalf("the query's output is refused: %v", err)
	}
	if !got.MinGasPrice.Equal(want.MinGasPrice) {
		t.Fatalf("min_gas_price %s, want %s", got.MinGasPrice, want.MinGasPrice)
	}
	again, err := tempApp.AppCodec().MarshalJSON(&got)
	if err != nil || string(again) != string(printed) {
		t.Fatalf("the params changed on the way: %v\n%s\n%s", err, again, printed)
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(printed, &fields); err != nil {
		t.Fatal(err)
	}
	fields["min_gas_price"] = json.RawMessage(`"25000000000000000"`) // the integer form
	legacy, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = generate(string(legacy)); err != nil || !got.MinGasPrice.Equal(want.MinGasPrice) {
		t.Fatalf("integer form: %v, min_gas_price %s", err, got.MinGasPrice)
	}

	fields["min_gas_price"] = json.RawMessage(`"0.0.25"`)
	bad, _ := json.Marshal(fields)
	if _, err := generate(string(bad)); err == nil || !strings.Contains(err.Error(), "min_gas_price") {
		t.Fatalf("a bad decimal: %v", err)
	}
}
