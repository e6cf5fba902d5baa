package tests

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const localnetChainID = "nightshift-localnet-1"

// localnetPortOffsets are node i's ports relative to base+100·i (see
// `nightshiftd localnet init --help`).
var localnetPortOffsets = map[string]int{"api": 17, "p2p": 56, "rpc": 57, "metrics": 60, "grpc": 90}

// localnet drives scripts/localnet.sh and the nodes it starts.
type localnet struct {
	t     *testing.T
	bin   string
	dir   string
	base  int
	nodes int

	mu    sync.Mutex
	procs []*process // other processes the watchdog must kill
	// scripts is cancelled by the watchdog so that no script starts a node
	// after it stopped them.
	scripts       context.Context
	cancelScripts context.CancelFunc
}

// newLocalnet picks a base port whose ports are free for nodes nodes and
// registers a cleanup that stops every node, also when the test fails.
func newLocalnet(t *testing.T, nodes int) *localnet {
	t.Helper()
	n := &localnet{t: t, bin: binary(t), dir: filepath.Join(t.TempDir(), "localnet"), base: freeBasePort(t, nodes)}
	n.scripts, n.cancelScripts = context.WithCancel(context.Background())
	t.Cleanup(n.cancelScripts)
	// go test's -timeout panics without running cleanups: stop the nodes
	// (started detached by the script) shortly before it would.
	if deadline, ok := t.Deadline(); ok && time.Until(deadline) > 30*time.Second {
		watchdog := time.AfterFunc(time.Until(deadline)-20*time.Second, func() {
			n.cancelScripts()
			n.mu.Lock()
			for _, p := range n.procs {
				_ = p.cmd.Process.Kill()
			}
			n.mu.Unlock()
			n.stopAll(context.Background())
		})
		t.Cleanup(func() { watchdog.Stop() })
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i := range n.nodes {
				bz, _ := os.ReadFile(filepath.Join(n.home(i), "node.log"))
				t.Logf("node%d log tail:\n%s", i, tail(bz))
			}
		}
		if out := n.stopAll(context.Background()); out != "" {
			t.Log(out)
		}
	})
	return n
}

// freeBasePort returns a base port under the ephemeral range whose implied
// ports are all free, trying random bases.
func freeBasePort(t *testing.T, nodes int) int {
	t.Helper()
	for range 50 {
		base := 12000 + rand.IntN(190)*100 // ≤ 30900: node ports stay below 32768
		free := true
		for i := 0; i < nodes && free; i++ {
			for _, off := range localnetPortOffsets {
				l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+100*i+off))
				if err != nil {
					free = false
					break
				}
				_ = l.Close()
			}
		}
		if free {
			return base
		}
	}
	t.Fatal("no free base port found in 50 tries")
	return 0
}

func (n *localnet) home(i int) string { return filepath.Join(n.dir, fmt.Sprintf("node%d", i)) }

func (n *localnet) port(i int, name string) int { return n.base + 100*i + localnetPortOffsets[name] }

func (n *localnet) node(i int) string { return fmt.Sprintf("tcp://127.0.0.1:%d", n.port(i, "rpc")) }

func (n *localnet) rpcURL(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", n.port(i, "rpc")) }

// client is a devnet view of node i with node0's home (and keyring), for the
// query and process helpers shared with the devnet tests.
func (n *localnet) client(i int) *devnet {
	return &devnet{t: n.t, bin: n.bin, home: n.home(0),
		rpc: n.port(i, "rpc"), api: n.port(i, "api"), grpc: n.port(i, "grpc"),
		rpcURL: n.rpcURL(i), restURL: fmt.Sprintf("http://127.0.0.1:%d", n.port(i, "api"))}
}

// script runs scripts/localnet.sh CMD -d DIR ARGS and returns its combined output.
func (n *localnet) script(cmd string, args ...string) (string, error) {
	return n.runScript(n.scripts, cmd, args...)
}

// stopAll runs the script's stop, then kills whatever still runs with the
// localnet's (unique, temporary) directory on its command line: a node started
// by a script that was cut short. It returns what went wrong, if anything.
func (n *localnet) stopAll(ctx context.Context) string {
	if _, err := os.Stat(filepath.Join(n.dir, "localnet.json")); err != nil {
		return ""
	}
	var report string
	if out, err := n.runScript(ctx, "stop"); err != nil {
		report = fmt.Sprintf("localnet.sh stop: %v\n%s", err, out)
	}
	for _, pid := range processesUnder(n.dir) {
		report += fmt.Sprintf("\npid %d survived stop; killing it", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return report
}

func (n *localnet) runScript(parent context.Context, cmd string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(parent, 5*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", append([]string{"../scripts/localnet.sh", cmd, "-d", n.dir}, args...)...)
	c.Env = append(os.Environ(), "NIGHTSHIFTD="+n.bin)
	out, err := c.CombinedOutput()
	return string(out), err
}

func (n *localnet) mustScript(cmd string, args ...string) string {
	n.t.Helper()
	out, err := n.script(cmd, args...)
	if err != nil {
		n.t.Fatalf("localnet.sh %s %v: %v\n%s", cmd, args, err, out)
	}
	return out
}

// watch has the watchdog kill p too.
func (n *localnet) watch(p *process) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.procs = append(n.procs, p)
}

// pid is node i's pid from its pid file, 0 without one.
func (n *localnet) pid(i int) int {
	bz, err := os.ReadFile(filepath.Join(n.home(i), "node.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(bz)))
	return pid
}

func processAlive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) == nil }

// processes lists the pids whose command line names the localnet's directory.
func (n *localnet) processes() []int {
	n.t.Helper()
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		n.t.Skipf("no /proc to check for left-over processes: %v", err)
	}
	return processesUnder(n.dir)
}

// processesUnder lists the pids (other than this one) whose command line names
// dir, from /proc; none where there is no /proc.
func processesUnder(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && pid != os.Getpid() && strings.Contains(string(cmdline), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func (n *localnet) cli(args ...string) (string, error) { return runCLI(n.bin, args...) }

func (n *localnet) keyAddr(i int, name string) string {
	n.t.Helper()
	return keyAddr(n.t, func(args ...string) (string, error) { return n.cli(append(args, "--home", n.home(i))...) }, name)
}

// tx signs with a key of node i's keyring, broadcasts through node0 and waits
// for the result.
func (n *localnet) tx(i int, args ...string) txResult {
	n.t.Helper()
	return submitTx(n.t, n.cli, localnetChainID, n.node(0), append(args, "--home", n.home(i))...)
}

func (n *localnet) mustTx(i int, args ...string) txResult {
	n.t.Helper()
	return requireTxOK(n.t, n.tx(i, args...), args)
}
