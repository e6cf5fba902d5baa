package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	sdk "github.com/cosmos/cosmos-sdk/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/pkg/genesisfile"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// EnvPrefix is the prefix of environment variables that set flags (NIGHTSHIFTD_HOME, ...).
const EnvPrefix = "NIGHTSHIFTD"

// DevnetKeys are the funded test-keyring accounts of a devnet, in order.
var DevnetKeys = []string{"validator", "alice", "bob", "requester", "device1"}

const (
	devnetMarker     = "devnet.json"
	devnetFunds      = 10_000_000_000_000 // 10M SHIFT per key
	devnetSelfStake  = 100_000_000_000    // 100k SHIFT bonded by the validator
	devnetVotingTime = 20 * time.Second
	// devnetEpochBlocks is the compute epoch and device unbonding period on a
	// devnet: a minute or so of blocks instead of the mainnet defaults.
	devnetEpochBlocks = 30
)

type devnetPorts struct{ RPC, P2P, GRPC, API int }

// DevnetCmd creates (if needed) and runs a single-validator development chain.
func DevnetCmd() *cobra.Command {
	var ports devnetPorts
	var chainID string
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Start a single-validator development chain with funded test keys",
		Long: `Creates a single-validator chain in --home (default ~/.nightshift-devnet) if the
directory is empty, with funded keys validator, alice, bob, requester and device1 in the
test keyring, then runs the node in the foreground. Ctrl-C stops it; running the command
again resumes the same chain. The devnet's permission authority is the validator key.`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		// The root pre-run would write config files into --home before we can
		// tell an empty home from a foreign one; the subcommands we run do it.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := cmd.Flags().GetString(flags.FlagHome)
			if err != nil {
				return err
			}
			if home == "" {
				userHome, err := os.UserHomeDir()
				if err != nil {
					return err
				}
				home = filepath.Join(userHome, ".nightshift-devnet")
			}
			out := cmd.OutOrStdout()
			created, err := prepareDevnet(home, chainID)
			if err != nil {
				return err
			}
			if err := configureDevnetPorts(home, ports); err != nil {
				return err
			}
			if err := printDevnet(out, home, chainID, ports, created); err != nil {
				return err
			}
			logLevel := devnetLogLevel
			if f := cmd.Flags().Lookup(flags.FlagLogLevel); f != nil && f.Changed {
				logLevel = f.Value.String()
			}
			fmt.Fprintf(out, "Node log level %s (--log_level info shows every block); a summary every %d blocks:\n", logLevel, devnetReportBlocks)
			ctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			go reportDevnet(ctx, out, ports, newTempApp().InterfaceRegistry())
			return runSubcommand(out, cmd.ErrOrStderr(), "start", "--home", home, "--log_level", logLevel)
		},
	}
	cmd.Flags().String(flags.FlagHome, "", "devnet home directory (default ~/.nightshift-devnet)")
	cmd.Flags().StringVar(&chainID, flags.FlagChainID, app.DevnetChainID, "chain-id of a new devnet")
	cmd.Flags().IntVar(&ports.RPC, "rpc-port", 26657, "CometBFT RPC port")
	cmd.Flags().IntVar(&ports.P2P, "p2p-port", 26656, "P2P port")
	cmd.Flags().IntVar(&ports.GRPC, "grpc-port", 9090, "gRPC port")
	cmd.Flags().IntVar(&ports.API, "api-port", 1317, "REST API port")
	return cmd
}

type devnetInfo struct {
	ChainID string `json:"chain_id"`
}

// prepareDevnet creates a new devnet in an empty home, or checks that a
// non-empty home holds this devnet. It never deletes anything.
func prepareDevnet(home, chainID string) (created bool, err error) {
	entries, err := os.ReadDir(home)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	if len(entries) > 0 {
		bz, err := os.ReadFile(filepath.Join(home, devnetMarker))
		if err != nil {
			return false, fmt.Errorf("%s is not empty and holds no devnet (%s missing): choose another --home; nothing was changed", home, devnetMarker)
		}
		var info devnetInfo
		if err := json.Unmarshal(bz, &info); err != nil {
			return false, fmt.Errorf("%s: %w", filepath.Join(home, devnetMarker), err)
		}
		if info.ChainID != chainID {
			return false, fmt.Errorf("%s holds chain %q, not %q: choose another --home or pass --chain-id %s; nothing was changed", home, info.ChainID, chainID, info.ChainID)
		}
		return false, nil
	}
	return true, createDevnet(home, chainID)
}

func createDevnet(home, chainID string) error {
	var log bytes.Buffer
	run := func(args ...string) error {
		if err := runSubcommand(&log, &log, args...); err != nil {
			return fmt.Errorf("%v: %w\n%s", args, err, log.String())
		}
		return nil
	}
	if err := run("init", "devnet", "--chain-id", chainID, "--home", home, "--default-denom", app.BondDenom); err != nil {
		return err
	}

	tempApp := newTempApp()
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, tempApp.AppCodec())
	if err != nil {
		return err
	}
	funds := strconv.FormatInt(devnetFunds, 10) + app.BondDenom
	for _, name := range DevnetKeys {
		if _, _, err := kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1); err != nil {
			return err
		}
		if err := run("genesis", "add-genesis-account", name, funds, "--home", home, "--keyring-backend", keyring.BackendTest); err != nil {
			return err
		}
	}
	steps := [][]string{
		{"genesis", "approve-validator", "validator", "--home", home, "--keyring-backend", keyring.BackendTest},
		{"genesis", "set-permission-authority", "validator", "--home", home, "--keyring-backend", keyring.BackendTest},
		{"genesis", "gentx", "validator", strconv.FormatInt(devnetSelfStake, 10) + app.BondDenom,
			"--chain-id", chainID, "--home", home, "--keyring-backend", keyring.BackendTest, "--moniker", "devnet"},
		{"genesis", "collect-gentxs", "--home", home},
		{"genesis", "add-reveal-chain", "validator", "--home", home, "--keyring-backend", keyring.BackendTest},
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			return err
		}
	}
	if err := tuneDevnetGenesis(tempApp.AppCodec(), filepath.Join(home, "config", "genesis.json")); err != nil {
		return err
	}
	if err := run("genesis", "validate", "--home", home); err != nil {
		return err
	}
	bz, err := json.Marshal(devnetInfo{ChainID: chainID})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(home, devnetMarker), bz, 0o644)
}

// tuneDevnetGenesis makes proposals finish in seconds and compute epochs and
// device unbonding take a minute or so.
func tuneDevnetGenesis(cdc codec.Codec, genFile string) error {
	if err := genesisfile.SetBlockMaxGas(genFile, app.BlockMaxGas); err != nil {
		return err
	}
	if err := genesisfile.SetVoteExtensionsEnableHeight(genFile, VoteExtensionsEnableHeight); err != nil {
		return err
	}
	return genesisfile.Edit(genFile, func(state genesisfile.AppState) error {
		err := genesisfile.EditModule(cdc, state, govtypes.ModuleName, &govv1.GenesisState{}, func(gov *govv1.GenesisState) error {
			voting, expedited := devnetVotingTime, devnetVotingTime/2
			gov.Params.VotingPeriod = &voting
			gov.Params.ExpeditedVotingPeriod = &expedited
			return nil
		})
		if err != nil {
			return err
		}
		return genesisfile.EditModule(cdc, state, computetypes.ModuleName, &computetypes.GenesisState{}, func(compute *computetypes.GenesisState) error {
			compute.Params.EpochBlocks = devnetEpochBlocks
			compute.Params.DeviceUnbondingBlocks = devnetEpochBlocks
			return nil
		})
	})
}

// configureDevnetPorts writes the listen addresses (loopback only) into the
// home's config, so a devnet on custom ports also resumes on them.
func configureDevnetPorts(home string, p devnetPorts) error {
	cfgFile := filepath.Join(home, "config", "config.toml")
	cfg := cmtcfg.DefaultConfig()
	if err := loadToml(cfgFile, cfg); err != nil {
		return err
	}
	cfg.SetRoot(home)
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p.RPC)
	cfg.RPC.PprofListenAddress = ""
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p.P2P)
	cfg.P2P.ExternalAddress = ""
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.PersistentPeers = ""
	cfg.TxIndex.Indexer = "kv"
	cfg.Consensus.TimeoutCommit = time.Second
	cfg.Instrumentation.Prometheus = false
	cmtcfg.WriteConfigFile(cfgFile, cfg)

	appFile := filepath.Join(home, "config", "app.toml")
	appCfg := serverconfig.DefaultConfig()
	if err := loadToml(appFile, appCfg); err != nil {
		return err
	}
	appCfg.MinGasPrices = app.DefaultMinGasPrices()
	appCfg.API.Enable = true
	appCfg.API.Address = fmt.Sprintf("tcp://127.0.0.1:%d", p.API)
	appCfg.API.EnableUnsafeCORS = true
	appCfg.GRPC.Enable = true
	appCfg.GRPC.Address = fmt.Sprintf("127.0.0.1:%d", p.GRPC)
	serverconfig.WriteConfigFile(appFile, appCfg)
	return nil
}

func printDevnet(w io.Writer, home, chainID string, p devnetPorts, created bool) error {
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, newTempApp().AppCodec())
	if err != nil {
		return err
	}
	state := "resuming"
	if created {
		state = "created"
	}
	fmt.Fprintf(w, "Nightshift devnet %s (%s) in %s\n\nKeys (keyring-backend test, --home %s):\n", chainID, state, home, home)
	for _, name := range DevnetKeys {
		rec, err := kr.Key(name)
		if err != nil {
			return fmt.Errorf("devnet key %s: %w", name, err)
		}
		addr, err := rec.GetAddress()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-10s %s\n", name, addr.String())
	}
	fmt.Fprintf(w, "\nEndpoints:\n  CometBFT RPC  http://127.0.0.1:%d\n  REST API      http://127.0.0.1:%d\n  gRPC          127.0.0.1:%d\n\n", p.RPC, p.API, p.GRPC)
	if hint := pathHint(); hint != "" {
		fmt.Fprintln(w, hint)
	}
	fmt.Fprintf(w, "Try: nightshiftd q bank balances $(nightshiftd keys show alice -a --keyring-backend test --home %s) --node tcp://127.0.0.1:%d\n\n", home, p.RPC)
	return nil
}

// runSubcommand runs `nightshiftd ARGS...` in this process. What the SDK
// writes straight to os.Stderr (init prints the whole genesis there) goes to
// stderr as well.
func runSubcommand(stdout, stderr io.Writer, args ...string) error {
	if stderr != io.Writer(os.Stderr) {
		restore, err := redirectStderr(stderr)
		if err != nil {
			return err
		}
		defer restore()
	}
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return svrcmd.Execute(root, EnvPrefix, app.DefaultNodeHome)
}

// redirectStderr points os.Stderr at a temporary file until restore copies
// what was written there to w.
func redirectStderr(w io.Writer) (restore func(), err error) {
	f, err := os.CreateTemp("", "nightshiftd-stderr-*")
	if err != nil {
		return nil, err
	}
	orig := os.Stderr
	os.Stderr = f
	return func() {
		os.Stderr = orig
		if _, err := f.Seek(0, io.SeekStart); err == nil {
			_, _ = io.Copy(w, f)
		}
		_ = f.Close()
		_ = os.Remove(f.Name())
	}, nil
}

func loadToml(file string, into any) error {
	v := viper.New()
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return err
	}
	return v.Unmarshal(into)
}

// pathHint tells how to reach this binary as `nightshiftd` (what the examples
// call) when the nightshiftd on PATH is missing or another binary; "" when it is
// this one. `make devnet` runs ./build/nightshiftd, which is not on PATH.
func pathHint() string {
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return ""
	}
	if onPath, err := exec.LookPath("nightshiftd"); err == nil {
		if onPath, err = filepath.EvalSymlinks(onPath); err == nil && onPath == self {
			return ""
		}
	}
	return fmt.Sprintf("In another terminal, put this nightshiftd on your PATH first (or run make install):\n  export PATH=%s:$PATH", filepath.Dir(self))
}
