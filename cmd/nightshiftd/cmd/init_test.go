package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/nightshift-network/nightshift/app"
)

// TestInitSetsBlockMaxGas: the genesis `nightshiftd init` writes bounds a
// block's gas (design note G2), as the devnet's does.
func TestInitSetsBlockMaxGas(t *testing.T) {
	home := t.TempDir()
	root := NewRootCmd()
	root.SetArgs([]string{"init", "moniker", "--home", home})
	root.SetErr(new(strings.Builder))
	if err := svrcmd.Execute(root, EnvPrefix, app.DefaultNodeHome); err != nil {
		t.Fatal(err)
	}
	bz, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(bz)), ""), fmt.Sprintf(`"max_gas":"%d"`, app.BlockMaxGas)) {
		t.Fatalf("genesis has no block max_gas of %d:\n%s", app.BlockMaxGas, bz)
	}
}
