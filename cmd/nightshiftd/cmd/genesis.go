package cmd

import (
	"fmt"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/server"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/pkg/genesisfile"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// genesisCommand is the SDK's `genesis` command plus the permission helpers;
// `validate` and `collect-gentxs` also check that every genesis validator is approved.
func genesisCommand(tempApp *app.App) *cobra.Command {
	cmd := genutilcli.Commands(tempApp.TxConfig(), tempApp.BasicModuleManager, app.DefaultNodeHome)
	for _, sub := range cmd.Commands() {
		switch sub.Name() {
		case "validate", "collect-gentxs":
			inner := sub.RunE
			sub.RunE = func(c *cobra.Command, args []string) error {
				if err := inner(c, args); err != nil {
					return err
				}
				genFile := server.GetServerContextFromCmd(c).Config.GenesisFile()
				if sub.Name() == "validate" && len(args) == 1 {
					genFile = args[0]
				}
				return checkGenesisFile(tempApp, genFile)
			}
		}
	}
	cmd.AddCommand(approveValidatorGenesisCmd(), setAuthorityGenesisCmd(), addRevealChainGenesisCmd())
	return cmd
}

func checkGenesisFile(tempApp *app.App, genFile string) error {
	_, state, err := genesisfile.Read(genFile)
	if err != nil {
		return err
	}
	return tempApp.CheckGenesisValidatorsApproved(app.GenesisState(state))
}

// updatePermissionGenesis applies fn to the permission section of the home's genesis.
func updatePermissionGenesis(cmd *cobra.Command, fn func(*permissiontypes.GenesisState) error) error {
	clientCtx := client.GetClientContextFromCmd(cmd)
	genFile := server.GetServerContextFromCmd(cmd).Config.GenesisFile()
	return genesisfile.Edit(genFile, func(state genesisfile.AppState) error {
		return genesisfile.EditModule(clientCtx.Codec, state, permissiontypes.ModuleName, &permissiontypes.GenesisState{},
			func(perm *permissiontypes.GenesisState) error {
				if err := fn(perm); err != nil {
					return err
				}
				return perm.Validate(clientCtx.TxConfig.SigningContext().AddressCodec())
			})
	})
}

// resolveAddress accepts a bech32 account address or a key name in the keyring.
func resolveAddress(cmd *cobra.Command, arg string) (string, error) {
	clientCtx := client.GetClientContextFromCmd(cmd)
	ac := clientCtx.TxConfig.SigningContext().AddressCodec()
	if _, err := ac.StringToBytes(arg); err == nil {
		return arg, nil
	}
	kb, err := client.NewKeyringFromBackend(clientCtx, mustString(cmd, flags.FlagKeyringBackend))
	if err != nil {
		return "", err
	}
	rec, err := kb.Key(arg)
	if err != nil {
		return "", fmt.Errorf("%q is neither an address nor a key in the keyring: %w", arg, err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return "", err
	}
	return ac.BytesToString(addr)
}

func mustString(cmd *cobra.Command, name string) string {
	s, _ := cmd.Flags().GetString(name)
	return s
}

func approveValidatorGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "approve-validator [address_or_key_name]",
		Short: "Approve a validator operator in the genesis (every gentx operator must be approved)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(cmd, args[0])
			if err != nil {
				return err
			}
			return updatePermissionGenesis(cmd, func(gs *permissiontypes.GenesisState) error {
				gs.Validators = append(gs.Validators, permissiontypes.ApprovedValidator{Operator: addr})
				return nil
			})
		},
	}
	cmd.Flags().String(flags.FlagHome, "", "The application home directory")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "Select keyring's backend (os|file|kwallet|pass|test)")
	return cmd
}

func setAuthorityGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set-permission-authority [address_or_key_name]",
		Short: "Name the account (ideally a multisig) that approves validators instead of x/gov",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolveAddress(cmd, args[0])
			if err != nil {
				return err
			}
			return updatePermissionGenesis(cmd, func(gs *permissiontypes.GenesisState) error {
				gs.Authority = addr
				return nil
			})
		},
	}
	cmd.Flags().String(flags.FlagHome, "", "The application home directory")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "Select keyring's backend (os|file|kwallet|pass|test)")
	return cmd
}
