package cmd

import (
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/types/module"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/pkg/genesisfile"
	"github.com/nightshift-network/nightshift/pkg/revealchain"
)

// initCmd is the SDK's init with a block gas limit in the genesis it writes:
// CometBFT's default (-1) lets one block hold any amount of verification work
// (design note G2), so every genesis this binary makes has app.BlockMaxGas, as
// the devnet and localnet ones do. It also turns vote extensions on and creates
// the node's reveal-chain secret (config/reveal_chain_secret.json, 0600).
func initCmd(mm module.BasicManager, home string) *cobra.Command {
	cmd := genutilcli.InitCmd(mm, home)
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if err := run(c, args); err != nil {
			return err
		}
		cfg := server.GetServerContextFromCmd(c).Config
		if err := genesisfile.SetBlockMaxGas(cfg.GenesisFile(), app.BlockMaxGas); err != nil {
			return err
		}
		if err := genesisfile.SetVoteExtensionsEnableHeight(cfg.GenesisFile(), VoteExtensionsEnableHeight); err != nil {
			return err
		}
		// The node's reveal-chain secret is made here, beside its validator key,
		// so the tip can go into genesis before the chain starts.
		_, err := revealchain.LoadOrCreate(cfg.RootDir, revealchain.DefaultLength)
		return err
	}
	return cmd
}
