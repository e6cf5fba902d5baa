package chainregistry

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/app/params"
)

var update = flag.Bool("update-keplr", false, "rewrite chain-registry/nightshift/keplr.json")

const dir = "../../chain-registry"

func read(t *testing.T, path string) []byte {
	t.Helper()
	bz, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// TestRegistryFilesValidate checks chain.json and assetlist.json against the
// schemas in chain-registry/ (chain.schema.json, assetlist.schema.json). Those are NOT the upstream cosmos/chain-registry
// schema files (not reachable from here: no npm package ships them); they are
// reconstructed from the types @chain-registry/types generates from them, so
// required fields, enums and types match, but upstream's finer rules may not.
func TestRegistryFilesValidate(t *testing.T) {
	for _, c := range []struct{ file, schema string }{
		{"nightshift/chain.json", "chain.schema.json"},
		{"nightshift/assetlist.json", "assetlist.schema.json"},
	} {
		sch, err := jsonschema.NewCompiler().Compile(filepath.Join(dir, c.schema))
		if err != nil {
			t.Fatalf("%s: %v", c.schema, err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(read(t, c.file)))
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: %v", c.file, err)
		}
	}
}

// TestSchemaRefusesBrokenEntries makes sure the schemas have teeth.
func TestSchemaRefusesBrokenEntries(t *testing.T) {
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join(dir, "assetlist.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"chain_name":"nightshift","assets":[]}`,
		`{"chain_name":"nightshift","assets":[{"base":"ushift","name":"N","display":"SHIFT","symbol":"SHIFT","type_asset":"sdk.coin"}]}`,
		`{"chain_name":"nightshift","assets":[{"denom_units":[{"denom":"ushift","exponent":"0"}],"base":"ushift","name":"N","display":"SHIFT","symbol":"SHIFT","type_asset":"sdk.coin"}]}`,
	} {
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(bad)))
		if sch.Validate(inst) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

// TestRegistryMatchesTheChain ties the registry entry to the code: prefix, denoms, exponent.
func TestRegistryMatchesTheChain(t *testing.T) {
	var c Chain
	var a AssetList
	if err := json.Unmarshal(read(t, "nightshift/chain.json"), &c); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(read(t, "nightshift/assetlist.json"), &a); err != nil {
		t.Fatal(err)
	}
	if c.ChainID != "nightshift-devnet-1" || c.Bech32Prefix != app.AccountAddressPrefix || c.ChainName != a.ChainName {
		t.Fatalf("chain.json: id %q prefix %q name %q", c.ChainID, c.Bech32Prefix, c.ChainName)
	}
	if len(a.Assets) != 1 || a.Assets[0].Base != params.BondDenom || a.Assets[0].Display != params.DisplayDenom {
		t.Fatalf("assetlist.json assets: %+v", a.Assets)
	}
	if c.Fees.FeeTokens[0].Denom != params.BondDenom || c.Staking.StakingTokens[0].Denom != params.BondDenom {
		t.Fatal("fee and staking tokens must be the bond denom")
	}
	info, err := Keplr(read(t, "nightshift/chain.json"), read(t, "nightshift/assetlist.json"))
	if err != nil {
		t.Fatal(err)
	}
	if info.StakeCurrency.CoinDecimals != params.DisplayExponent {
		t.Fatalf("SHIFT has %d decimals in the registry, %d on chain", info.StakeCurrency.CoinDecimals, params.DisplayExponent)
	}
}

// TestKeplrFileIsGenerated checks chain-registry/nightshift/keplr.json is what
// Keplr derives from the registry files (go test ./pkg/chainregistry -update-keplr rewrites it).
func TestKeplrFileIsGenerated(t *testing.T) {
	info, err := Keplr(read(t, "nightshift/chain.json"), read(t, "nightshift/assetlist.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	path := filepath.Join(dir, "nightshift/keplr.json")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: go test ./pkg/chainregistry -update-keplr", path)
	}
}
