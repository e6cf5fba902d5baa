package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
)

// LocalnetNode is what `localnet add-node` created (its --output json).
type LocalnetNode struct {
	Index   int    `json:"index"`
	Home    string `json:"home"`
	NodeID  string `json:"node_id"`
	RPC     string `json:"rpc"`
	Address string `json:"address"` // of the "val" key, the would-be operator
	// StateSync is the trusted height the node state-syncs from, 0 without --state-sync.
	StateSync int64 `json:"state_sync_height,omitempty"`
}

func localnetAddNodeCmd() *cobra.Command {
	var (
		dir       string
		stateSync bool
	)
	cmd := &cobra.Command{
		Use:   "add-node",
		Short: "Add a full node to a localnet: node0's genesis, the next ports, peered with every node",
		Long: `Creates DIR/node{N} for the next index N: its own node and consensus keys, a copy of
node0's genesis, ports BASE+100·N+{56 p2p, 57 rpc, 17 api, 90 grpc, 60 prometheus},
persistent peers to every existing node, and a key "val" in its test keyring. The node
joins as a full node; it becomes a validator once the permission authority approves
the "val" address and that key sends create-validator (see docs/operators.md).
With --state-sync the node restores a recent snapshot served by node0 and node1
instead of replaying every block; the network must be running.
scripts/localnet.sh join runs this, starts the node and waits until it has caught up.`,
		Args:              cobra.NoArgs,
		SilenceUsage:      true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			node, err := addLocalnetNode(dir, stateSync)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output, _ := cmd.Flags().GetString(flags.FlagOutput); output == flags.OutputFormatJSON {
				return json.NewEncoder(out).Encode(node)
			}
			fmt.Fprintf(out, "node%d added in %s (rpc %s, key val = %s)\n", node.Index, node.Home, node.RPC, node.Address)
			if node.StateSync > 0 {
				fmt.Fprintf(out, "it will state-sync from height %d\n", node.StateSync)
			}
			fmt.Fprintf(out, "start it with: scripts/localnet.sh start-node -d %s -i %d\n", dir, node.Index)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".localnet", "the localnet's directory")
	cmd.Flags().BoolVar(&stateSync, "state-sync", false, "restore a snapshot from node0 and node1 instead of replaying the chain")
	cmd.Flags().StringP(flags.FlagOutput, "o", flags.OutputFormatText, "text or json")
	return cmd
}

func readLocalnetInfo(dir string) (LocalnetInfo, error) {
	var info LocalnetInfo
	bz, err := os.ReadFile(filepath.Join(dir, localnetMarker))
	if errors.Is(err, os.ErrNotExist) {
		return info, fmt.Errorf("%s holds no localnet (%s missing): create one with `nightshiftd localnet init --dir %s`", dir, localnetMarker, dir)
	}
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(bz, &info); err != nil {
		return info, fmt.Errorf("%s: %w", filepath.Join(dir, localnetMarker), err)
	}
	if info.NodeCount() < 1 || info.ChainID == "" || info.BasePort == 0 {
		return info, fmt.Errorf("%s: chain_id, validators and base_port are required", filepath.Join(dir, localnetMarker))
	}
	return info, nil
}

func writeLocalnetInfo(dir string, info LocalnetInfo) error {
	bz, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, localnetMarker), bz, 0o644)
}

// addLocalnetNode creates the next node's home and records it in localnet.json.
// On error nothing is left behind.
func addLocalnetNode(dir string, stateSync bool) (LocalnetNode, error) {
	info, err := readLocalnetInfo(dir)
	if err != nil {
		return LocalnetNode{}, err
	}
	i := info.NodeCount()
	ports, _ := localnetPorts(info.BasePort, i)
	if info.BasePort+100*i+100 > 65000 {
		return LocalnetNode{}, fmt.Errorf("node%d's ports would pass 65000: the localnet is full", i)
	}
	home := filepath.Join(dir, fmt.Sprintf("node%d", i))
	if _, err := os.Stat(home); err == nil {
		return LocalnetNode{}, fmt.Errorf("%s already exists but %s counts %d nodes: remove it or fix %s; nothing was changed", home, localnetMarker, i, localnetMarker)
	}
	genesis := filepath.Join(dir, "node0", "config", "genesis.json")
	appGenesis, err := genutiltypes.AppGenesisFromFile(genesis)
	if err != nil {
		return LocalnetNode{}, fmt.Errorf("node0's genesis: %w", err)
	}
	if appGenesis.ChainID != info.ChainID {
		return LocalnetNode{}, fmt.Errorf("%s is for chain %q but %s says %q; nothing was changed", genesis, appGenesis.ChainID, localnetMarker, info.ChainID)
	}
	var trust stateSyncTrust
	if stateSync {
		if trust, err = latestTrust(info.BasePort); err != nil {
			return LocalnetNode{}, err
		}
	}
	node, err := createLocalnetNode(dir, home, info, i, trust)
	if err != nil {
		_ = os.RemoveAll(home)
		return LocalnetNode{}, err
	}
	info.Nodes = i + 1
	info.Homes = append(info.Homes, home)
	if err := writeLocalnetInfo(dir, info); err != nil {
		_ = os.RemoveAll(home)
		return LocalnetNode{}, err
	}
	node.RPC = fmt.Sprintf("http://127.0.0.1:%d", ports.RPC)
	return node, nil
}

func createLocalnetNode(dir, home string, info LocalnetInfo, i int, trust stateSyncTrust) (LocalnetNode, error) {
	var log bytes.Buffer
	if err := runSubcommand(&log, &log, "init", fmt.Sprintf("node%d", i), "--chain-id", info.ChainID, "--home", home, "--default-denom", app.BondDenom); err != nil {
		return LocalnetNode{}, fmt.Errorf("init: %w\n%s", err, log.String())
	}
	if err := copyFile(filepath.Join(dir, "node0", "config", "genesis.json"), filepath.Join(home, "config", "genesis.json")); err != nil {
		return LocalnetNode{}, err
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, newTempApp().AppCodec())
	if err != nil {
		return LocalnetNode{}, err
	}
	rec, _, err := kr.NewMnemonic("val", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	if err != nil {
		return LocalnetNode{}, err
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return LocalnetNode{}, err
	}
	var peers []string
	for j := range i {
		key, err := p2p.LoadNodeKey(filepath.Join(dir, fmt.Sprintf("node%d", j), "config", "node_key.json"))
		if err != nil {
			return LocalnetNode{}, fmt.Errorf("node%d's node key: %w", j, err)
		}
		ports, _ := localnetPorts(info.BasePort, j)
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", key.ID(), ports.P2P))
	}
	if err := configureLocalnetNode(home, info.ChainID, info.BasePort, i, strings.Join(peers, ",")); err != nil {
		return LocalnetNode{}, err
	}
	if trust.Height > 0 {
		if err := enableStateSync(home, info.BasePort, min(1, i-1), trust); err != nil {
			return LocalnetNode{}, err
		}
	}
	key, err := p2p.LoadNodeKey(filepath.Join(home, "config", "node_key.json"))
	if err != nil {
		return LocalnetNode{}, err
	}
	return LocalnetNode{Index: i, Home: home, NodeID: string(key.ID()), Address: addr.String(), StateSync: trust.Height}, nil
}

// stateSyncTrust is the light-client root of trust of a state-syncing node: a
// height and its block hash taken from a node the operator trusts.
type stateSyncTrust struct {
	Height int64
	Hash   string
}

// latestTrust reads node0's latest block (what an operator does with
// curl RPC/block, see docs/operators.md).
func latestTrust(basePort int) (stateSyncTrust, error) {
	ports, _ := localnetPorts(basePort, 0)
	url := fmt.Sprintf("http://127.0.0.1:%d/block", ports.RPC)
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return stateSyncTrust{}, fmt.Errorf("--state-sync needs the running network: %w (start it with scripts/localnet.sh start)", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var res struct {
		Result struct {
			BlockID struct {
				Hash string `json:"hash"`
			} `json:"block_id"`
			Block struct {
				Header struct {
					Height string `json:"height"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return stateSyncTrust{}, fmt.Errorf("%s: %w", url, err)
	}
	h, err := strconv.ParseInt(res.Result.Block.Header.Height, 10, 64)
	if err != nil || res.Result.BlockID.Hash == "" {
		return stateSyncTrust{}, fmt.Errorf("%s: no block height and hash in the answer", url)
	}
	if h <= localnetSnapshotInterval {
		return stateSyncTrust{}, fmt.Errorf("the network is at height %d and has no snapshot yet (one every %d blocks): wait a little or join without --state-sync", h, localnetSnapshotInterval)
	}
	return stateSyncTrust{Height: h, Hash: res.Result.BlockID.Hash}, nil
}

// enableStateSync writes the [statesync] section: node0 and node `second`
// serve the light-client proofs (CometBFT wants two servers; with one node
// it is named twice).
func enableStateSync(home string, basePort, second int, trust stateSyncTrust) error {
	cfgFile := filepath.Join(home, "config", "config.toml")
	cfg := cmtcfg.DefaultConfig()
	if err := loadToml(cfgFile, cfg); err != nil {
		return err
	}
	cfg.SetRoot(home)
	p0, _ := localnetPorts(basePort, 0)
	p1, _ := localnetPorts(basePort, second)
	cfg.StateSync.Enable = true
	cfg.StateSync.RPCServers = []string{fmt.Sprintf("127.0.0.1:%d", p0.RPC), fmt.Sprintf("127.0.0.1:%d", p1.RPC)}
	cfg.StateSync.TrustHeight = trust.Height
	cfg.StateSync.TrustHash = trust.Hash
	cfg.StateSync.DiscoveryTime = 5 * time.Second
	if err := cfg.StateSync.ValidateBasic(); err != nil {
		return err
	}
	cmtcfg.WriteConfigFile(cfgFile, cfg)
	return nil
}
