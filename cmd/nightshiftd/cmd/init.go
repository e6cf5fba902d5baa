package cmd

import (
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/types/module"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/pkg/genesisfile"
)

// initCmd is the SDK's init with a block gas limit in the genesis it writes:
// CometBFT's default (-1) lets one block hold any amount of verification work
// (design note G2), so every genesis this binary makes has app.BlockMaxGas, as
// the devnet and localnet ones do.
func initCmd(mm module.BasicManager, home string) *cobra.Command {
	cmd := genutilcli.InitCmd(mm, home)
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if err := run(c, args); err != nil {
			return err
		}
		return genesisfile.SetBlockMaxGas(server.GetServerContextFromCmd(c).Config.GenesisFile(), app.BlockMaxGas)
	}
	return cmd
}
