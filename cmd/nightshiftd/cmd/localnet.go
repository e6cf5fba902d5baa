package cmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
)

const (
	localnetMarker  = "localnet.json"
	localnetChainID = "nightshift-localnet-1"
	// localnetSnapshotInterval is how often (in blocks) localnet nodes take a
	// state-sync snapshot.
	localnetSnapshotInterval = 20
)

// LocalnetInfo describes a localnet directory (written to localnet.json).
type LocalnetInfo struct {
	ChainID string `json:"chain_id"`
	// Validators is the number of genesis validators, node0..node{Validators-1}.
	Validators int `json:"validators"`
	// Nodes counts every node, including those added later by add-node; a
	// localnet.json written before add-node existed has none (read as Validators).
	Nodes    int      `json:"nodes,omitempty"`
	BasePort int      `json:"base_port"`
	Homes    []string `json:"homes"`
}

// NodeCount is the number of nodes of the localnet.
func (l LocalnetInfo) NodeCount() int {
	if l.Nodes > 0 {
		return l.Nodes
	}
	return l.Validators
}

// localnetPorts are node i's ports: base + 100·i + {56 p2p, 57 rpc, 17 api, 90 grpc, 60 metrics}.
func localnetPorts(base, i int) (p devnetPorts, metrics int) {
	o := base + 100*i
	return devnetPorts{P2P: o + 56, RPC: o + 57, API: o + 17, GRPC: o + 90}, o + 60
}

// LocalnetCmd is `nightshiftd localnet`, the file set-up of a multi-validator
// network on one machine; scripts/localnet.sh starts and stops its processes.
func LocalnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "localnet",
		Short: "Create the home directories of a multi-validator network on this machine",
	}
	var (
		dir, chainID   string
		validators, bp int
	)
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Create N validator homes (node0..nodeN-1) sharing one genesis, peered on loopback",
		Long: `Creates DIR/node0 … DIR/node{N-1}: one approved validator each (key "val" in each
home's test keyring), funded test keys alice, bob, requester and device1 in node0's
keyring, node0's validator key as the permission authority, CometBFT and app metrics
on (app metrics named nightshiftd_…), transaction indexing on, a state-sync snapshot
every 20 blocks, and persistent peers between all nodes. Node i listens on ports
BASE+100·i+{56 p2p, 57 rpc, 17 api, 90 grpc, 60 prometheus}. "localnet add-node"
adds full nodes.`,
		Args:              cobra.NoArgs,
		SilenceUsage:      true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			if validators < 1 || validators > 50 {
				return fmt.Errorf("--validators must be 1..50")
			}
			if bp < 1024 || bp+100*validators > 65000 {
				return fmt.Errorf("--base-port %d leaves ports outside 1024..65000", bp)
			}
			if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
				return fmt.Errorf("%s is not empty: stop and remove it first (scripts/localnet.sh stop; rm -rf %s); nothing was changed", dir, dir)
			}
			if err := createLocalnet(dir, chainID, validators, bp); err != nil {
				_ = os.RemoveAll(dir) // never leave a half-made network
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "localnet %s: %d validators in %s (node0 RPC http://127.0.0.1:%d)\n", chainID, validators, dir, bp+57)
			return nil
		},
	}
	initCmd.Flags().StringVar(&dir, "dir", ".localnet", "directory for the node homes")
	initCmd.Flags().StringVar(&chainID, "chain-id", localnetChainID, "chain-id")
	initCmd.Flags().IntVar(&validators, "validators", 4, "number of validators")
	initCmd.Flags().IntVar(&bp, "base-port", 36600, "node i uses ports base+100·i+{56,57,17,90,60}")
	cmd.AddCommand(initCmd, localnetAddNodeCmd())
	return cmd
}

func createLocalnet(dir, chainID string, n, basePort int) error {
	var log bytes.Buffer
	run := func(args ...string) error {
		log.Reset()
		if err := runSubcommand(&log, &log, args...); err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, log.String())
		}
		return nil
	}
	cdc := newTempApp().AppCodec()
	homes := make([]string, n)
	valAddrs := make([]string, n)
	for i := range n {
		homes[i] = filepath.Join(dir, fmt.Sprintf("node%d", i))
		if err := run("init", fmt.Sprintf("node%d", i), "--chain-id", chainID, "--home", homes[i], "--default-denom", app.BondDenom); err != nil {
			return err
		}
		kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, homes[i], nil, cdc)
		if err != nil {
			return err
		}
		rec, _, err := kr.NewMnemonic("val", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		if err != nil {
			return err
		}
		addr, err := rec.GetAddress()
		if err != nil {
			return err
		}
		valAddrs[i] = addr.String()
	}
	home0 := homes[0]
	kr0, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home0, nil, cdc)
	if err != nil {
		return err
	}
	funds := strconv.FormatInt(devnetFunds, 10) + app.BondDenom
	for _, name := range DevnetKeys[1:] { // alice, bob, requester, device1
		if _, _, err := kr0.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1); err != nil {
			return err
		}
		if err := run("genesis", "add-genesis-account", name, funds, "--home", home0, "--keyring-backend", keyring.BackendTest); err != nil {
			return err
		}
	}
	for _, addr := range valAddrs {
		if err := run("genesis", "add-genesis-account", addr, funds, "--home", home0); err != nil {
			return err
		}
		if err := run("genesis", "approve-validator", addr, "--home", home0); err != nil {
			return err
		}
	}
	if err := run("genesis", "set-permission-authority", valAddrs[0], "--home", home0); err != nil {
		return err
	}
	genFile := func(home string) string { return filepath.Join(home, "config", "genesis.json") }
	gentxDir := filepath.Join(home0, "config", "gentx")
	for i, home := range homes {
		if i > 0 {
			if err := copyFile(genFile(home0), genFile(home)); err != nil {
				return err
			}
		}
		out := filepath.Join(gentxDir, fmt.Sprintf("gentx-node%d.json", i))
		if err := os.MkdirAll(gentxDir, 0o755); err != nil {
			return err
		}
		if err := run("genesis", "gentx", "val", strconv.FormatInt(devnetSelfStake, 10)+app.BondDenom,
			"--chain-id", chainID, "--home", home, "--keyring-backend", keyring.BackendTest,
			"--moniker", fmt.Sprintf("node%d", i), "--output-document", out); err != nil {
			return err
		}
	}
	if err := run("genesis", "collect-gentxs", "--home", home0, "--gentx-dir", gentxDir); err != nil {
		return err
	}
	for i, home := range homes {
		if err := run("genesis", "add-reveal-chain", valAddrs[i], "--home", home0, "--node-home", home); err != nil {
			return err
		}
	}
	if err := tuneDevnetGenesis(cdc, genFile(home0)); err != nil {
		return err
	}
	if err := run("genesis", "validate", "--home", home0); err != nil {
		return err
	}
	var peers []string
	for i, home := range homes {
		if i > 0 {
			if err := copyFile(genFile(home0), genFile(home)); err != nil {
				return err
			}
		}
		key, err := p2p.LoadNodeKey(filepath.Join(home, "config", "node_key.json"))
		if err != nil {
			return err
		}
		ports, _ := localnetPorts(basePort, i)
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", key.ID(), ports.P2P))
	}
	for i, home := range homes {
		var others []string
		for j, p := range peers {
			if j != i {
				others = append(others, p)
			}
		}
		if err := configureLocalnetNode(home, chainID, basePort, i, strings.Join(others, ",")); err != nil {
			return err
		}
	}
	return writeLocalnetInfo(dir, LocalnetInfo{ChainID: chainID, Validators: n, Nodes: n, BasePort: basePort, Homes: homes})
}

// configureLocalnetNode writes node i's ports, peers, metrics and snapshot settings.
func configureLocalnetNode(home, chainID string, basePort, i int, peers string) error {
	ports, metrics := localnetPorts(basePort, i)
	if err := configureDevnetPorts(home, ports); err != nil {
		return err
	}
	cfgFile := filepath.Join(home, "config", "config.toml")
	cfg := cmtcfg.DefaultConfig()
	if err := loadToml(cfgFile, cfg); err != nil {
		return err
	}
	cfg.SetRoot(home)
	cfg.Moniker = fmt.Sprintf("node%d", i)
	cfg.P2P.PersistentPeers = peers
	cfg.P2P.AllowDuplicateIP = true
	cfg.Consensus.TimeoutCommit = time.Second
	cfg.Instrumentation.Prometheus = true
	cfg.Instrumentation.PrometheusListenAddr = fmt.Sprintf("127.0.0.1:%d", metrics)
	cmtcfg.WriteConfigFile(cfgFile, cfg)

	appFile := filepath.Join(home, "config", "app.toml")
	appCfg := serverconfig.DefaultConfig()
	if err := loadToml(appFile, appCfg); err != nil {
		return err
	}
	appCfg.MinGasPrices = app.DefaultMinGasPrices() // what consensus asks (min_gas_price)
	appCfg.Telemetry.Enabled = true
	appCfg.Telemetry.ServiceName = "nightshiftd" // app metrics are nightshiftd_…
	appCfg.Telemetry.PrometheusRetentionTime = 60
	appCfg.Telemetry.EnableHostnameLabel = false
	appCfg.Telemetry.GlobalLabels = [][]string{{"chain_id", chainID}}
	// Snapshots let a new node state-sync instead of replaying every block.
	appCfg.StateSync.SnapshotInterval = localnetSnapshotInterval
	appCfg.StateSync.SnapshotKeepRecent = 2
	serverconfig.WriteConfigFile(appFile, appCfg)
	return nil
}

func copyFile(src, dst string) error {
	bz, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, bz, 0o644)
}
