package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nightshift-network/nightshift/pkg/workercli"
)

// addHomeAndEnv gives root a --home flag and lets an environment variable
// PREFIX_FLAG_NAME (upper case, '-' as '_') set any flag the command line does
// not, as the SDK's server command does for nightshiftd. It replaces
// CometBFT's libs/cli, whose viper (with its TOML, YAML and dotenv decoders)
// only copied flags into viper, which the worker never reads.
func addHomeAndEnv(root *cobra.Command, prefix, defaultHome string) {
	root.PersistentFlags().String(workercli.FlagHome, defaultHome, "directory for config and data")
	next := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := flagsFromEnv(cmd.Flags(), prefix); err != nil {
			return err
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
}

// flagsFromEnv sets each flag of fs not given on the command line from its
// environment variable, if that is set; a value the flag refuses is an error
// naming the variable.
func flagsFromEnv(fs *pflag.FlagSet, prefix string) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := EnvName(prefix, f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("environment %s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

// EnvName is the environment variable that sets flag: NIGHTSHIFT_WORKER_GAS_PRICES for --gas-prices.
func EnvName(prefix, flag string) string {
	return prefix + "_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}
