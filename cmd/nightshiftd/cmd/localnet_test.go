package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/stretchr/testify/require"
)

// add-node creates the next node with node0's genesis, the next ports and
// peers to every existing node, and records it; refusals change nothing.
func TestAddLocalnetNode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	const base = 31500 // outside the range TestNetworkEndToEnd picks from
	require.NoError(t, createLocalnet(dir, localnetChainID, 1, base))

	// A localnet.json from before add-node has no "nodes": validators counts.
	marker := filepath.Join(dir, localnetMarker)
	legacy := LocalnetInfo{ChainID: localnetChainID, Validators: 1, BasePort: base, Homes: []string{filepath.Join(dir, "node0")}}
	bz, err := json.Marshal(legacy)
	require.NoError(t, err)
	require.NotContains(t, string(bz), `"nodes"`)
	require.NoError(t, os.WriteFile(marker, bz, 0o644))

	node1, err := addLocalnetNode(dir, false)
	require.NoError(t, err)
	require.Equal(t, 1, node1.Index)
	require.Equal(t, fmt.Sprintf("http://127.0.0.1:%d", base+157), node1.RPC)
	node2, err := addLocalnetNode(dir, false)
	require.NoError(t, err)
	require.Equal(t, 2, node2.Index)

	info, err := readLocalnetInfo(dir)
	require.NoError(t, err)
	require.Equal(t, 3, info.NodeCount())
	require.Equal(t, 1, info.Validators)
	require.Equal(t, []string{filepath.Join(dir, "node0"), node1.Home, node2.Home}, info.Homes)

	genesis0, err := os.ReadFile(filepath.Join(dir, "node0", "config", "genesis.json"))
	require.NoError(t, err)
	genesis2, err := os.ReadFile(filepath.Join(node2.Home, "config", "genesis.json"))
	require.NoError(t, err)
	require.Equal(t, genesis0, genesis2)

	cfg := cmtcfg.DefaultConfig()
	require.NoError(t, loadToml(filepath.Join(node2.Home, "config", "config.toml"), cfg))
	id0, err := p2p.LoadNodeKey(filepath.Join(dir, "node0", "config", "node_key.json"))
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("%s@127.0.0.1:%d,%s@127.0.0.1:%d", id0.ID(), base+56, node1.NodeID, base+156), cfg.P2P.PersistentPeers)
	require.Equal(t, fmt.Sprintf("tcp://127.0.0.1:%d", base+257), cfg.RPC.ListenAddress)
	require.Equal(t, fmt.Sprintf("127.0.0.1:%d", base+260), cfg.Instrumentation.PrometheusListenAddr)
	require.False(t, cfg.StateSync.Enable)

	kr, err := os.ReadDir(filepath.Join(node2.Home, "keyring-test"))
	require.NoError(t, err)
	require.NotEmpty(t, kr, "node2 has a val key")
	require.NotEqual(t, node1.Address, node2.Address)

	// Refusals leave localnet.json and the directory as they were.
	before, err := os.ReadFile(marker)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "node3"), 0o755))
	_, err = addLocalnetNode(dir, false)
	require.ErrorContains(t, err, "node3 already exists")
	require.NoError(t, os.Remove(filepath.Join(dir, "node3")))

	_, err = addLocalnetNode(dir, true) // nothing listens on node0's RPC
	require.ErrorContains(t, err, "--state-sync needs the running network")
	require.NoDirExists(t, filepath.Join(dir, "node3"))
	after, err := os.ReadFile(marker)
	require.NoError(t, err)
	require.Equal(t, before, after)

	_, err = addLocalnetNode(t.TempDir(), false)
	require.ErrorContains(t, err, "holds no localnet")
}

// State sync trusts a height and hash read from node0 and names two RPC servers.
func TestEnableStateSync(t *testing.T) {
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o755))
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cmtcfg.DefaultConfig())
	trust := stateSyncTrust{Height: 140, Hash: "69B4B91B3B211E48597864B4F728B5F1B7A341CCF5DF2687074A9FC7CB5A9CA4"}
	require.NoError(t, enableStateSync(home, 20000, 1, trust))
	cfg := cmtcfg.DefaultConfig()
	require.NoError(t, loadToml(filepath.Join(home, "config", "config.toml"), cfg))
	require.True(t, cfg.StateSync.Enable)
	require.Equal(t, []string{"127.0.0.1:20057", "127.0.0.1:20157"}, cfg.StateSync.RPCServers)
	require.Equal(t, int64(140), cfg.StateSync.TrustHeight)
	require.Equal(t, trust.Hash, cfg.StateSync.TrustHash)
}
