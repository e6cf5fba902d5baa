package genesisfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
)

func writeGenesis(t *testing.T, state AppState) string {
	t.Helper()
	bz, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	gen := genutiltypes.NewAppGenesisWithVersion("test-1", bz)
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := gen.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEditModuleRoundTrip(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	bank, err := cdc.MarshalJSON(banktypes.DefaultGenesisState())
	if err != nil {
		t.Fatal(err)
	}
	path := writeGenesis(t, AppState{"bank": bank, "other": json.RawMessage(`{"kept":true}`)})

	err = Edit(path, func(state AppState) error {
		return EditModule(cdc, state, "bank", &banktypes.GenesisState{}, func(g *banktypes.GenesisState) error {
			g.Params.DefaultSendEnabled = false
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	gen, state, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if gen.ChainID != "test-1" {
		t.Fatalf("chain-id %q after edit", gen.ChainID)
	}
	var got banktypes.GenesisState
	if err := cdc.UnmarshalJSON(state["bank"], &got); err != nil {
		t.Fatal(err)
	}
	if got.Params.DefaultSendEnabled {
		t.Fatal("edit of the bank section was not saved")
	}
	var other struct{ Kept bool }
	if err := json.Unmarshal(state["other"], &other); err != nil || !other.Kept {
		t.Fatalf("untouched section changed: %s", state["other"])
	}
}

func TestEditFailureWritesNothing(t *testing.T) {
	path := writeGenesis(t, AppState{"a": json.RawMessage(`1`)})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	refuse := errors.New("refused")
	if err := Edit(path, func(state AppState) error {
		state["a"] = json.RawMessage(`2`)
		return refuse
	}); !errors.Is(err, refuse) {
		t.Fatalf("got %v, want the edit's error", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("a failed edit changed the file")
	}
}

func TestEditModuleRejectsBadSection(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	state := AppState{"bank": json.RawMessage(`{"params":"nope"}`)}
	called := false
	err := EditModule(cdc, state, "bank", &banktypes.GenesisState{}, func(*banktypes.GenesisState) error {
		called = true
		return nil
	})
	if err == nil || called {
		t.Fatalf("bad section: err %v, edit called %v", err, called)
	}
}

func TestReadMissingFile(t *testing.T) {
	if _, _, err := Read(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Fatal("read of a missing genesis succeeded")
	}
}
