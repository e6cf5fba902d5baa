package tests

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// spoilingNightshiftd is a nightshiftd for scripts/localnet.sh join: it runs
// the real one ($REAL_NIGHTSHIFTD), and after `localnet add-node` it runs
// $SPOIL with $home set to the new node's home, as an operator might edit the
// node by hand between adding and starting it. exec keeps the command line of
// `nightshiftd start … --home …` that the script's pid checks look for.
const spoilingNightshiftd = `#!/bin/sh
if [ "$1 $2" = "localnet add-node" ]; then
	out=$("$REAL_NIGHTSHIFTD" "$@") || { printf '%s\n' "$out"; exit 1; }
	printf '%s\n' "$out"
	home=$(printf '%s\n' "$out" | sed -n 's/^node[0-9]* added in \(.*\) (rpc .*/\1/p')
	[ -n "$home" ] || { echo "spoiling wrapper: no home in add-node's output" >&2; exit 1; }
	eval "$SPOIL"
	exit
fi
exec "$REAL_NIGHTSHIFTD" "$@"
`

// TestLocalnetBadInput feeds scripts/localnet.sh the bad input of issue 5 on a
// one-validator localnet, with real processes, and checks that each gets a
// clear message and leaves no process behind:
//  1. a malformed genesis: start prints the node's error, not its usage text,
//     and stops; with the genesis restored the network makes blocks;
//  2. a joining node with another network's genesis: join names both chain-ids
//     and stops the node, the running network is untouched; one whose genesis
//     was edited to another chain-id (its gentxs no longer verify) gets its
//     panic and both chain-ids;
//  3. a joining node whose peers are unreachable: after LOCALNET_STALL_SECONDS (3)
//     join says no peer is reachable and shows its persistent_peers;
//  4. stop removes every pid file and leaves no process; status works on the
//     stopped network; start of a network one of whose nodes cannot start stops
//     the others again.
func TestLocalnetBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("starts localnet nodes")
	}
	start := time.Now()
	phase := func(what string) { t.Logf("%6.1fs  %s", time.Since(start).Seconds(), what) }
	n := newLocalnet(t, 4) // node0 and the three nodes that try to join
	if out, err := n.cli("localnet", "init", "--dir", n.dir, "--validators", "1", "--base-port", strconv.Itoa(n.base)); err != nil {
		t.Fatalf("localnet init: %v\n%s", err, out)
	}
	n.nodes = 1
	other := filepath.Join(t.TempDir(), "other")
	if out, err := n.cli("localnet", "init", "--dir", other, "--validators", "1", "--base-port", strconv.Itoa(n.base), "--chain-id", "other-1"); err != nil {
		t.Fatalf("localnet init of another chain: %v\n%s", err, out)
	}
	wrapper := filepath.Join(t.TempDir(), "nightshiftd")
	if err := os.WriteFile(wrapper, []byte(spoilingNightshiftd), 0o755); err != nil { //nolint:gosec // an executable script
		t.Fatal(err)
	}
	noneLeft := func(what string, nodes ...int) {
		t.Helper()
		for _, i := range nodes {
			if _, err := os.Stat(filepath.Join(n.home(i), "node.pid")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s: node%d's pid file is left (%v)", what, i, err)
			}
		}
		if len(nodes) == n.nodes {
			if procs := n.processes(); len(procs) > 0 {
				t.Fatalf("%s: processes left %v", what, procs)
			}
			return
		}
		for _, i := range nodes {
			if procs := processesUnder(n.home(i) + "\x00"); len(procs) > 0 { // cmdline's args end in NUL
				t.Fatalf("%s: node%d's processes left %v", what, i, procs)
			}
		}
	}
	mustContain := func(what, out string, wants ...string) {
		t.Helper()
		t.Logf("%s:\n%s", what, out)
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Fatalf("%s: output lacks %q:\n%s", what, want, out)
			}
		}
	}

	// 1. Malformed genesis: node0 exits, start says why and leaves nothing.
	genesis := filepath.Join(n.home(0), "config", "genesis.json")
	good, err := os.ReadFile(genesis)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(genesis, good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := n.script("start")
	if err == nil {
		t.Fatalf("start with a truncated genesis succeeded:\n%s", out)
	}
	mustContain("start with a truncated genesis", out,
		"--- node0 exited; from "+filepath.Join(n.home(0), "node.log")+":",
		"failed to read genesis from file "+genesis+": error unmarshalling AppGenesis: unexpected end of JSON input")
	if strings.Contains(out, "Usage:") || strings.Contains(out, "--help") {
		t.Fatalf("start's exit reason shows the usage text:\n%s", out)
	}
	noneLeft("start with a truncated genesis", 0)
	phase("truncated genesis: start refused, nothing left")

	if err := os.WriteFile(genesis, good, 0o600); err != nil {
		t.Fatal(err)
	}
	mustContain("start", n.mustScript("start"), "localnet "+localnetChainID+" is making blocks")
	node0 := n.pid(0)
	n.waitHeight(0, n.height(0)+1, 20*time.Second)
	phase(fmt.Sprintf("genesis restored: node0 (pid %d) makes blocks", node0))

	// join runs the real add-node, then spoils the new node before the script starts it.
	join := func(spoil string) (string, error) {
		ctx, cancel := context.WithTimeout(n.scripts, 2*time.Minute)
		defer cancel()
		c := exec.CommandContext(ctx, "bash", "../scripts/localnet.sh", "join", "-d", n.dir)
		c.Env = append(os.Environ(), "NIGHTSHIFTD="+wrapper, "REAL_NIGHTSHIFTD="+n.bin, "SPOIL="+spoil, "LOCALNET_STALL_SECONDS=3")
		bz, err := c.CombinedOutput()
		n.nodes++
		return string(bz), err
	}
	untouched := func(what string) {
		t.Helper()
		if pid := n.pid(0); pid != node0 || !processAlive(pid) {
			t.Fatalf("%s: node0 is no longer pid %d (pid file says %d)", what, node0, pid)
		}
		n.waitHeight(0, n.height(0)+1, 20*time.Second)
	}
	restart := fmt.Sprintf("once that is fixed, start it with: ../scripts/localnet.sh start-node -d %s -i ", n.dir)

	// 2a. node1 has the genesis of another network: its peers refuse it.
	out, err = join(fmt.Sprintf(`cp %q "$home/config/genesis.json"`, filepath.Join(other, "node0", "config", "genesis.json")))
	if err == nil {
		t.Fatalf("join with another network's genesis succeeded:\n%s", out)
	}
	mustContain("join with another network's genesis", out,
		"node1 started",
		"node1's genesis is for chain other-1 but its peers run "+localnetChainID+": give it the network's genesis (config/genesis.json of a running node)",
		"node1 stopped", restart+"1")
	noneLeft("join with another network's genesis", 1)
	untouched("join with another network's genesis")
	phase("node1 with other-1's genesis: refused and stopped, node0 untouched")

	// 2b. node2's genesis was edited to another chain-id: its gentxs do not verify.
	out, err = join(`sed -i 's/"chain_id": "` + localnetChainID + `"/"chain_id": "other-1"/' "$home/config/genesis.json"`)
	if err == nil {
		t.Fatalf("join with an edited chain-id succeeded:\n%s", out)
	}
	mustContain("join with an edited chain-id", out,
		"node2 started",
		"--- node2 exited; from "+filepath.Join(n.home(2), "node.log")+":",
		"panic: failed to execute DeliverTx",
		"chain-id (other-1)",
		"node2's genesis is for chain other-1 but this localnet is "+localnetChainID+": give it the network's genesis (config/genesis.json of a running node)",
		restart+"2")
	noneLeft("join with an edited chain-id", 2)
	untouched("join with an edited chain-id")
	phase("node2 with an edited chain-id: its panic and both chain-ids, node0 untouched")

	// 3. node3's persistent peers point to a port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	out, err = join(fmt.Sprintf(`sed -i '/^persistent_peers = /s/@127\.0\.0\.1:[0-9]*/@127.0.0.1:%d/g' "$home/config/config.toml"`, dead))
	if err == nil {
		t.Fatalf("join with unreachable peers succeeded:\n%s", out)
	}
	mustContain("join with unreachable peers", out,
		"node3 started",
		"node3 made no progress for 3 s",
		"no peer reachable: are the nodes in its persistent_peers running? (../scripts/localnet.sh status -d "+n.dir+")",
		fmt.Sprintf("@127.0.0.1:%d", dead),
		"node3 stopped", restart+"3")
	if !regexp.MustCompile(`node3 has 0 peers and is at height 0 \(the network is at \d+\)`).MatchString(out) {
		t.Fatalf("join with unreachable peers: no peer count and heights:\n%s", out)
	}
	if m := regexp.MustCompile(`(?m)^persistent_peers = .*$`).FindAllString(out, -1); len(m) != 1 {
		t.Fatalf("join with unreachable peers shows %d persistent_peers lines, want 1:\n%s", len(m), out)
	}
	noneLeft("join with unreachable peers", 3)
	untouched("join with unreachable peers")
	phase("node3 with unreachable peers: no peer reachable, stopped, node0 untouched")

	// 4. stop leaves nothing; status works on the stopped network.
	out = n.mustScript("stop")
	if out != "node0 stopped\n" {
		t.Fatalf("stop: %q", out)
	}
	if processAlive(node0) {
		t.Fatalf("node0 (pid %d) runs after stop", node0)
	}
	noneLeft("stop", 0, 1, 2, 3)
	out = n.mustScript("status")
	for i := range 4 {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^node%d +- +- +http://127\.0\.0\.1:%d$`, i, n.port(i, "rpc"))).MatchString(out) {
			t.Fatalf("status of the stopped network has no stopped line for node%d:\n%s", i, out)
		}
	}
	phase("stop: no pid file, no process; status lists the stopped nodes")

	// A network one of whose nodes cannot start (node2) is not left half-started,
	// though node0 makes blocks at once from its stored height.
	out, err = n.script("start")
	if err == nil {
		t.Fatalf("start with node2 unable to start succeeded:\n%s", out)
	}
	mustContain("start with node2 unable to start", out,
		"--- node2 exited;", "chain-id (other-1)",
		"node2's genesis is for chain other-1 but this localnet is "+localnetChainID,
		"node0 stopped")
	if strings.Contains(out, "is making blocks") {
		t.Fatalf("start reported blocks although node2 exited:\n%s", out)
	}
	noneLeft("start with node2 unable to start", 0, 1, 2, 3)
	phase("start with node2 unable to start: stopped the others, nothing left")
}
