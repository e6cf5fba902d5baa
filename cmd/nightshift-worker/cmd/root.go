// Package cmd builds the nightshift-worker command tree: the contributor's
// worker (the very commands of `nightshiftd worker`), keys and version, in a
// binary small enough for phones because it links neither the node, the
// app's modules nor the SDK's client (see pkg/workerclient).
package cmd

import (
	"context"

	"github.com/cosmos/cosmos-sdk/version"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/badinput"
	"github.com/nightshift-network/nightshift/pkg/workercli"
)

// EnvPrefix is the prefix of environment variables that set flags
// (NIGHTSHIFT_WORKER_HOME, ...).
const EnvPrefix = "NIGHTSHIFT_WORKER"

// DefaultHome is nightshiftd's default home (~/.nightshift), so both binaries
// share the keyring and client.toml.
func DefaultHome() string { return workercli.DefaultHome() }

// NewRootCmd returns the nightshift-worker root command, ready to Execute.
func NewRootCmd() *cobra.Command {
	params.SetSDKConfig()
	root := &cobra.Command{
		Use:           "nightshift-worker",
		Short:         workercli.WorkerShort,
		Long:          workercli.WorkerLong + "\n\nThis is the worker alone, for phones and small machines; `nightshiftd worker` runs the same commands.",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			return nil
		},
	}
	root.AddCommand(workercli.WorkerCommands("nightshift-worker")...)
	root.AddCommand(keysCmd(), version.NewVersionCommand())
	badinput.AnswerBriefly(root)
	// --home and the NIGHTSHIFT_WORKER_* environment variables, as nightshiftd has them.
	addHomeAndEnv(root, EnvPrefix, DefaultHome())
	return root
}

// Execute runs the command tree.
func Execute(root *cobra.Command) error {
	return root.ExecuteContext(context.Background())
}
