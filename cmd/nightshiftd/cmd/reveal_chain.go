package cmd

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/pkg/revealchain"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// VoteExtensionsEnableHeight is where the genesis of `init`, `devnet` and
// `localnet` turns vote extensions on: from the first block, so challenges are
// seeded by validators' reveals from block 2 on.
const VoteExtensionsEnableHeight = 1

const flagNodeHome = "node-home"

// nodeConsAddress reads the consensus address from the home's validator key.
func nodeConsAddress(home string) ([]byte, error) {
	path := filepath.Join(home, "config", "priv_validator_key.json")
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var key struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal(bz, &key); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return hex.DecodeString(key.Address)
}

// genesisRevealChain is the chain of the validator whose home is nodeHome,
// starting at height 1, created there if the home has none.
func genesisRevealChain(nodeHome, operator string) (permissiontypes.RevealChain, error) {
	consAddr, err := nodeConsAddress(nodeHome)
	if err != nil {
		return permissiontypes.RevealChain{}, err
	}
	consStr, err := permissiontypes.ConsAddressCodec().BytesToString(consAddr)
	if err != nil {
		return permissiontypes.RevealChain{}, err
	}
	secrets, err := revealchain.LoadOrCreate(nodeHome, revealchain.DefaultLength)
	if err != nil {
		return permissiontypes.RevealChain{}, err
	}
	c := secrets.Newest()
	return permissiontypes.RevealChain{ConsAddress: consStr, Operator: operator, Tip: c.Tip(), Length: c.Length(), StartHeight: 1}, nil
}

func addRevealChainGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-reveal-chain [operator_address_or_key_name]",
		Short: "Commit a genesis validator to the hash chain in its node home (its vote extensions reveal it from height 1)",
		Long: `Reads the consensus address of --node-home (default: --home) and its reveal-chain secret
(config/reveal_chain_secret.json, created if missing; it never leaves that home), and adds the
chain's tip to the permission genesis of --home. Run it for each gentx validator.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			operator, err := resolveAddress(cmd, args[0])
			if err != nil {
				return err
			}
			nodeHome := mustString(cmd, flagNodeHome)
			if nodeHome == "" {
				nodeHome = server.GetServerContextFromCmd(cmd).Config.RootDir
			}
			chain, err := genesisRevealChain(nodeHome, operator)
			if err != nil {
				return err
			}
			return updatePermissionGenesis(cmd, func(gs *permissiontypes.GenesisState) error {
				gs.RevealChains = append(gs.RevealChains, chain)
				return nil
			})
		},
	}
	cmd.Flags().String(flags.FlagHome, "", "The application home directory")
	cmd.Flags().String(flagNodeHome, "", "home of the validator node whose chain to add (default: --home)")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "Select keyring's backend (os|file|kwallet|pass|test)")
	return cmd
}

// RevealChainCmd shows and renews the node's hash chain.
func RevealChainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reveal-chain",
		Short: "The validator's hash chain whose values its vote extensions reveal",
	}
	var length uint64
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the consensus address and the tip and length of the newest chain in the home (creating one if there is none)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := mustString(cmd, flags.FlagHome)
			secrets, err := revealchain.LoadOrCreate(home, revealchain.DefaultLength)
			if err != nil {
				return err
			}
			return printRevealChain(cmd, home, secrets.Newest())
		},
	}
	renew := &cobra.Command{
		Use:   "new",
		Short: "Make a new chain in the home (keeping the current one until the new one is committed) and print the commit command",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := mustString(cmd, flags.FlagHome)
			secrets, err := revealchain.Load(home)
			if errors.Is(err, fs.ErrNotExist) {
				if secrets, err = revealchain.LoadOrCreate(home, length); err != nil {
					return err
				}
				return printRevealChain(cmd, home, secrets.Newest())
			}
			if err != nil {
				return err
			}
			c, err := secrets.Add(length)
			if err != nil {
				return err
			}
			return printRevealChain(cmd, home, c)
		},
	}
	renew.Flags().Uint64Var(&length, "length", revealchain.DefaultLength,
		fmt.Sprintf("values in the chain (%d..%d)", permissiontypes.MinRevealChainLength, permissiontypes.MaxRevealChainLength))
	for _, c := range []*cobra.Command{show, renew} {
		c.Flags().String(flags.FlagHome, app.DefaultNodeHome, "The node home")
		cmd.AddCommand(c)
	}
	return cmd
}

func printRevealChain(cmd *cobra.Command, home string, c *revealchain.Chain) error {
	consAddr, err := nodeConsAddress(home)
	if err != nil {
		return err
	}
	consStr, err := permissiontypes.ConsAddressCodec().BytesToString(consAddr)
	if err != nil {
		return err
	}
	tip := hex.EncodeToString(c.Tip())
	fmt.Fprintf(cmd.OutOrStdout(), "consensus address: %s\ntip: %s\nlength: %d\ncommit it with: nightshiftd tx permission commit-reveal-chain %s %d --from OPERATOR\n",
		consStr, tip, c.Length(), tip, c.Length())
	return nil
}
