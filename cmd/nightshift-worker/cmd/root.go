// Package cmd builds the nightshift-worker command tree: the contributor's
// worker (the very commands of `nightshiftd worker`), keys and version, in a
// binary small enough for phones because it links neither the node nor the
// app's modules.
package cmd

import (
	"context"
	"os"

	"cosmossdk.io/client/v2/helpers"
	cmtcli "github.com/cometbft/cometbft/libs/cli"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/client/keys"
	"github.com/cosmos/cosmos-sdk/version"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/cli"
	"github.com/nightshift-network/nightshift/pkg/clientcodec"
)

// EnvPrefix is the prefix of environment variables that set flags
// (NIGHTSHIFT_WORKER_HOME, ...).
const EnvPrefix = "NIGHTSHIFT_WORKER"

// DefaultHome is nightshiftd's default home (~/.nightshift), so both binaries
// share the keyring and client.toml.
func DefaultHome() string {
	home, err := helpers.GetNodeHomeDirectory(".nightshift")
	if err != nil {
		panic(err)
	}
	return home
}

// NewRootCmd returns the nightshift-worker root command, ready to Execute.
func NewRootCmd() *cobra.Command {
	params.SetSDKConfig()
	enc, err := clientcodec.New()
	if err != nil {
		panic(err)
	}
	home := DefaultHome()
	initClientCtx := client.Context{}.
		WithCodec(enc.Codec).
		WithInterfaceRegistry(enc.InterfaceRegistry).
		WithTxConfig(enc.TxConfig).
		WithLegacyAmino(enc.LegacyAmino).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(home).
		WithViper(EnvPrefix)

	root := &cobra.Command{
		Use:           "nightshift-worker",
		Short:         cli.WorkerShort,
		Long:          cli.WorkerLong + "\n\nThis is the worker alone, for phones and small machines; `nightshiftd worker` runs the same commands.",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			clientCtx := initClientCtx.WithCmdContext(cmd.Context())
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			if clientCtx, err = config.ReadFromClientConfig(clientCtx); err != nil {
				return err
			}
			return client.SetCmdClientContextHandler(clientCtx, cmd)
		},
	}
	root.AddCommand(cli.WorkerCommands("nightshift-worker")...)
	root.AddCommand(keys.Commands(), version.NewVersionCommand())
	cli.AnswerBadInputBriefly(root)
	// --home and the NIGHTSHIFT_WORKER_* environment variables, as nightshiftd has them.
	cmtcli.PrepareBaseCmd(root, EnvPrefix, home)
	return root
}

// Execute runs the command tree with a client context for the subcommands to fill.
func Execute(root *cobra.Command) error {
	ctx := context.WithValue(context.Background(), client.ClientContextKey, &client.Context{})
	return root.ExecuteContext(ctx)
}
