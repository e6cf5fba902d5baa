package cmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/clientcodec"
)

func runWorker(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := NewRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := Execute(root)
	return out.String(), err
}

// sdkKey makes a key named name in the test-backend keyring under home with
// the SDK's keyring, as `nightshiftd keys add` does, and returns that keyring
// and the key's address.
func sdkKey(t *testing.T, home, name string) (keyring.Keyring, sdk.AccAddress) {
	t.Helper()
	params.SetSDKConfig()
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, clientcodec.KeyCodec())
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		t.Fatal(err)
	}
	return kr, addr
}

// Keys are shared with nightshiftd: a key its keyring made (the SDK's keyring,
// as `nightshiftd keys add` calls it) is shown by the worker, and a key the
// worker adds is read by the SDK's keyring with the same address.
func TestKeysSharedWithNightshiftd(t *testing.T) {
	home := t.TempDir()
	sdkKr, want := sdkKey(t, home, "rig")
	out, err := runWorker(t, "", "keys", "show", "rig", "-a", "--keyring-backend", "test", "--home", home)
	if err != nil || strings.TrimSpace(out) != want.String() {
		t.Fatalf("keys show rig -a: %q, %v; want %s", out, err, want)
	}

	// The JSON is the SDK's keys output, the public key as codec.ProtoMarshalJSON writes its Any.
	out, err = runWorker(t, "", "keys", "show", "rig", "--keyring-backend", "test", "--home", home, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var shown struct{ Name, Type, Address, PubKey string }
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("keys show output %q: %v", out, err)
	}
	rec, _ := sdkKr.Key("rig")
	pk, _ := rec.GetPubKey()
	anyPk, _ := codectypes.NewAnyWithValue(pk)
	wantPk, _ := codec.ProtoMarshalJSON(anyPk, nil)
	if shown.Name != "rig" || shown.Type != "local" || shown.Address != want.String() || shown.PubKey != string(wantPk) {
		t.Fatalf("keys show: %+v; want the pubkey %s", shown, wantPk)
	}

	out, err = runWorker(t, "", "keys", "add", "phone", "--keyring-backend", "test", "--home", home, "--output", "json")
	if err != nil {
		t.Fatalf("keys add: %v", err)
	}
	var added struct{ Name, Address, Mnemonic string }
	if err := json.Unmarshal([]byte(out), &added); err != nil || len(strings.Fields(added.Mnemonic)) != 24 {
		t.Fatalf("keys add output %q: %v", out, err)
	}
	got, err := sdkKr.Key("phone")
	if err != nil {
		t.Fatalf("the SDK keyring does not see the worker's key: %v", err)
	}
	if addr, _ := got.GetAddress(); addr.String() != added.Address {
		t.Fatalf("SDK keyring address %s, worker said %s", addr, added.Address)
	}
	// The same mnemonic recovered by the SDK gives the same address (same derivation path).
	rec2, err := keyring.NewInMemory(clientcodec.KeyCodec()).NewAccount("x", added.Mnemonic, "", sdk.GetConfig().GetFullBIP44Path(), hd.Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	if addr, _ := rec2.GetAddress(); addr.String() != added.Address {
		t.Fatalf("recovered %s, added %s", addr, added.Address)
	}

	if _, err := runWorker(t, "", "keys", "add", "phone", "--keyring-backend", "test", "--home", home); err == nil {
		t.Fatal("a second key named phone was added")
	}
	if _, err := runWorker(t, "n\n", "keys", "delete", "phone", "--keyring-backend", "test", "--home", home); err == nil {
		t.Fatal("delete went on without a yes")
	}
	if _, err := runWorker(t, "", "keys", "delete", "phone", "-y", "--keyring-backend", "test", "--home", home); err != nil {
		t.Fatal(err)
	}
	if _, err := sdkKr.Key("phone"); err == nil {
		t.Fatal("deleted key still in the SDK keyring")
	}
	out, err = runWorker(t, added.Mnemonic+"\n", "keys", "add", "again", "--recover", "--keyring-backend", "test", "--home", home, "--output", "json")
	if err != nil || !strings.Contains(out, added.Address) || strings.Contains(out, "mnemonic") {
		t.Fatalf("keys add --recover: %q, %v", out, err)
	}
	out, err = runWorker(t, "", "keys", "list", "--keyring-backend", "test", "--home", home, "--output", "json")
	if err != nil || strings.Count(out, `"name"`) != 2 {
		t.Fatalf("keys list: %q, %v", out, err)
	}
}

// TestFullBIP44PathIsTheSDKs: the path keys are derived at is the SDK's under
// app/params' config.
func TestFullBIP44PathIsTheSDKs(t *testing.T) {
	params.SetSDKConfig()
	if want := sdk.GetConfig().GetFullBIP44Path(); fullBIP44Path != want {
		t.Fatalf("keys derive at %s, the SDK at %s", fullBIP44Path, want)
	}
}
