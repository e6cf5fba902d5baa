package tests

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

// TestNetworkEndToEnd runs a four-validator localnet with scripts/localnet.sh,
// one process per node, and checks what a real network has to survive:
//   - start refuses a busy port and leaves nothing running;
//   - a worker completes a job while a validator is killed with SIGKILL; the
//     chain keeps making blocks; the restarted validator catches up and computes
//     the same app hash as the others; the compute metrics count each job once;
//   - a fifth node joins as a full node; its operator cannot create a validator
//     until the authority approves it, then joins the CometBFT set, and leaves it
//     when the authority removes it, while the chain keeps going;
//   - status lists every node with its height, and stop leaves no process.
func TestNetworkEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a five-node network")
	}
	start := time.Now()
	phase := func(what string) { t.Logf("%6.1fs  %s", time.Since(start).Seconds(), what) }
	n := newLocalnet(t, 5)
	if out, err := n.cli("localnet", "init", "--dir", n.dir, "--validators", "4", "--base-port", strconv.Itoa(n.base)); err != nil {
		t.Fatalf("localnet init: %v\n%s", err, out)
	}
	n.nodes = 4
	phase(fmt.Sprintf("localnet init: 4 validators, base port %d", n.base))

	// A busy port: start says which and starts nothing.
	busy := n.port(2, "api")
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", busy))
	if err != nil {
		t.Fatal(err)
	}
	out, err := n.script("start")
	if err == nil || !strings.Contains(out, fmt.Sprintf("node2: port %d (api) is in use", busy)) || !strings.Contains(out, "nothing was started") {
		t.Fatalf("start with port %d taken: %v\n%s", busy, err, out)
	}
	if procs := n.processes(); len(procs) > 0 {
		t.Fatalf("start refused but left processes %v", procs)
	}
	_ = l.Close()

	out = n.mustScript("start")
	if !strings.Contains(out, "is making blocks") {
		t.Fatalf("start: %s", out)
	}
	phase("started 4 validators")

	// a. A worker (on node1) completes a job while node3 is killed.
	d := n.client(1)
	stateDir := t.TempDir()
	worker := d.start("worker device1", "worker", "start", "--from", "device1", "--moniker", "rig", "--bond", "200SHIFT",
		"--threads", "1", "--state-dir", stateDir, "--output", "json",
		"--keyring-backend", "test", "--chain-id", localnetChainID, "--node", d.node())
	n.watch(worker)
	out, err = n.cli("requester", "post-hashcash", "--from", "requester", "--items", "8", "--difficulty-bits", "8",
		"--items-per-task", "4", "--home", n.home(0), "--keyring-backend", "test", "--chain-id", localnetChainID,
		"--node", n.node(0), "-y", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var posted struct {
		JobID uint64 `json:"job_id"`
	}
	if err := json.Unmarshal([]byte(out), &posted); err != nil || posted.JobID == 0 {
		t.Fatalf("post-hashcash output %q: %v", out, err)
	}
	waitFor(t, 60*time.Second, "the worker's first lease", func() bool {
		worker.checkRunning()
		return len(worker.events("leased")) > 0
	})
	killed := n.pid(3)
	if err := syscall.Kill(killed, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "node3 to die", func() bool { return !processAlive(killed) })
	killHeight := n.height(0)
	phase(fmt.Sprintf("job %d posted; node3 (pid %d) killed with SIGKILL at height %d", posted.JobID, killed, killHeight))

	waitFor(t, 120*time.Second, "the job to complete", func() bool {
		worker.checkRunning()
		return d.job(posted.JobID).Status == "JOB_STATUS_COMPLETED"
	})
	if job := d.job(posted.JobID); job.TasksVerified != "2" || job.Escrow != "0" {
		t.Fatalf("job after completion: %+v", job)
	}
	if v := worker.events("verified"); len(v) != 2 {
		t.Fatalf("worker verified %d tasks, want 2: %v", len(v), worker.events(""))
	}
	n.waitHeight(0, n.height(0)+3, 30*time.Second) // and the chain goes on without node3
	worker.interrupt()
	phase(fmt.Sprintf("job completed; node0 at height %d without node3", n.height(0)))

	n.mustScript("start-node", "-i", "3")
	target := n.height(0)
	waitFor(t, 90*time.Second, "node3 to catch up", func() bool {
		st := n.status(3)
		return !st.CatchingUp && st.Height >= target
	})
	n.compareAppHash(3, killHeight)
	phase(fmt.Sprintf("node3 restarted and caught up from height %d to %d", killHeight, n.height(3)))

	// Each job and proof counts once on every node, also on node0 and node1
	// that simulated the requester's and the worker's transactions.
	for i := range 3 {
		m := n.metrics(i)
		for name, want := range map[string]float64{
			"nightshiftd_compute_jobs_posted":                                            1,
			"nightshiftd_compute_tasks_verified":                                         2,
			`nightshiftd_compute_jobs_closed{status="JOB_STATUS_COMPLETED"}`:             1,
			`nightshiftd_compute_jobs_closed{status="JOB_STATUS_CANCELLED"}`:             0,
			`nightshiftd_compute_proofs_failed{reason="invalid_proof"}`:                  0,
			`cometbft_consensus_validators{chain_id="` + localnetChainID + `"}`:          4,
			`cometbft_consensus_latest_block_height{chain_id="` + localnetChainID + `"}`: -1,
		} {
			got, ok := m[name]
			switch {
			case want < 0 && (!ok || got <= 0):
				t.Fatalf("node%d: %s = %v (present %v), want > 0", i, name, got, ok)
			case want >= 0 && got != want:
				t.Fatalf("node%d: %s = %v, want %v", i, name, got, want)
			}
		}
	}
	phase("metrics checked on node0..node2")

	// b. A fifth node joins as a full node and becomes a validator only once approved.
	out = n.mustScript("join")
	if !strings.Contains(out, "node4 caught up") {
		t.Fatalf("join: %s", out)
	}
	n.nodes = 5
	if st := n.status(4); st.VotingPower != 0 || st.Height == 0 {
		t.Fatalf("node4 after join: %+v", st)
	}
	phase("node4 joined as a full node")
	operator := n.keyAddr(4, "val")
	n.mustTx(0, "bank", "send", "alice", operator, "1000000000ushift")
	pubkey, err := n.cli("comet", "show-validator", "--home", n.home(4))
	if err != nil {
		t.Fatal(err)
	}
	valFile := filepath.Join(t.TempDir(), "validator.json")
	if err := os.WriteFile(valFile, []byte(`{"pubkey": `+strings.TrimSpace(pubkey)+`, "amount": "10000000ushift", "moniker": "node4",
		"commission-rate": "0.1", "commission-max-rate": "0.2", "commission-max-change-rate": "0.01", "min-self-delegation": "1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	res := n.tx(4, "staking", "create-validator", valFile, "--from", "val")
	if res.Code == 0 || !strings.Contains(res.RawLog, "not approved") {
		t.Fatalf("create-validator of an operator that is not approved: %+v", res)
	}
	var pk struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal([]byte(pubkey), &pk); err != nil {
		t.Fatal(err)
	}
	if set := n.validatorSet(0); len(set) != 4 || slices.Contains(set, pk.Key) {
		t.Fatalf("validator set after the refused create-validator: %v", set)
	}

	n.mustTx(0, "permission", "approve-validator", operator, "--from", "val")
	n.mustTx(4, "staking", "create-validator", valFile, "--from", "val")
	waitFor(t, 30*time.Second, "node4 in the validator set", func() bool {
		set := n.validatorSet(0)
		return len(set) == 5 && slices.Contains(set, pk.Key)
	})
	waitFor(t, 30*time.Second, "node4 to see its own voting power", func() bool { return n.status(4).VotingPower > 0 })
	if got := n.client(0).bondedValidators(); got != 5 {
		t.Fatalf("bonded validators after approval: %d, want 5", got)
	}
	phase("node4 approved: 5 validators")

	n.mustTx(0, "permission", "remove-validator", operator, "--from", "val")
	waitFor(t, 30*time.Second, "node4 to leave the validator set", func() bool {
		set := n.validatorSet(0)
		return len(set) == 4 && !slices.Contains(set, pk.Key)
	})
	if got := n.client(0).bondedValidators(); got != 4 {
		t.Fatalf("bonded validators after removal: %d, want 4", got)
	}
	h := n.height(0)
	n.waitHeight(0, h+3, 30*time.Second)
	n.waitHeight(4, h+3, 30*time.Second)
	phase("node4 removed: 4 validators, chain at height " + strconv.FormatInt(n.height(0), 10))

	// c. status shows every node; stop leaves nothing behind.
	out = n.mustScript("status")
	for i := range 5 {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^node%d +(\d+) +(\d+) +false +\d+ +\d+ +http://127\.0\.0\.1:%d$`, i, n.port(i, "rpc")))
		m := re.FindStringSubmatch(out)
		if m == nil || m[1] != strconv.Itoa(n.pid(i)) {
			t.Fatalf("status has no running line for node%d:\n%s", i, out)
		}
	}
	pids := make([]int, 0, 5)
	for i := range 5 {
		pids = append(pids, n.pid(i))
	}
	out = n.mustScript("stop")
	for i, pid := range pids {
		if processAlive(pid) {
			t.Fatalf("node%d (pid %d) still runs after stop:\n%s", i, pid, out)
		}
		if _, err := os.Stat(filepath.Join(n.home(i), "node.pid")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("node%d's pid file is left after stop", i)
		}
	}
	if procs := n.processes(); len(procs) > 0 {
		t.Fatalf("processes left after stop: %v", procs)
	}
	phase("status and stop checked")
}

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

func (n *localnet) cli(args ...string) (string, error) {
	out, err := exec.Command(n.bin, args...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), fmt.Errorf("%v: %w: %s", args, err, ee.Stderr)
	}
	return string(out), err
}

func (n *localnet) keyAddr(i int, name string) string {
	n.t.Helper()
	out, err := n.cli("keys", "show", name, "-a", "--keyring-backend", "test", "--home", n.home(i))
	if err != nil {
		n.t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// tx signs with a key of node i's keyring, broadcasts through node0 and waits
// for the result.
func (n *localnet) tx(i int, args ...string) txResult {
	n.t.Helper()
	args = append(append([]string{"tx"}, args...), "--home", n.home(i), "--chain-id", localnetChainID,
		"--keyring-backend", "test", "--node", n.node(0), "-y", "--output", "json", "--gas", "400000")
	out, err := n.cli(args...)
	if err != nil {
		n.t.Fatal(err)
	}
	var res txResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		n.t.Fatalf("broadcast output %q: %v", out, err)
	}
	if res.Code != 0 {
		return res
	}
	var final txResult
	waitFor(n.t, 30*time.Second, "tx "+res.TxHash, func() bool {
		out, err := n.cli("q", "tx", res.TxHash, "--node", n.node(0), "--output", "json")
		return err == nil && json.Unmarshal([]byte(out), &final) == nil
	})
	return final
}

func (n *localnet) mustTx(i int, args ...string) txResult {
	n.t.Helper()
	res := n.tx(i, args...)
	if res.Code != 0 {
		n.t.Fatalf("%v: %+v", args, res)
	}
	return res
}

type nodeStatus struct {
	Height      int64
	CatchingUp  bool
	VotingPower int64
}

// status is node i's CometBFT /status (zero when it does not answer).
func (n *localnet) status(i int) nodeStatus {
	var st struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
				CatchingUp        bool   `json:"catching_up"`
			} `json:"sync_info"`
			ValidatorInfo struct {
				VotingPower string `json:"voting_power"`
			} `json:"validator_info"`
		} `json:"result"`
	}
	if err := getJSON(n.rpcURL(i)+"/status", &st); err != nil {
		return nodeStatus{CatchingUp: true}
	}
	h, _ := strconv.ParseInt(st.Result.SyncInfo.LatestBlockHeight, 10, 64)
	vp, _ := strconv.ParseInt(st.Result.ValidatorInfo.VotingPower, 10, 64)
	return nodeStatus{Height: h, CatchingUp: st.Result.SyncInfo.CatchingUp, VotingPower: vp}
}

func (n *localnet) height(i int) int64 { return n.status(i).Height }

func (n *localnet) waitHeight(i int, h int64, timeout time.Duration) {
	n.t.Helper()
	waitFor(n.t, timeout, fmt.Sprintf("node%d to reach height %d", i, h), func() bool { return n.height(i) >= h })
}

// validatorSet is the base64 consensus keys of node i's latest CometBFT validator set.
func (n *localnet) validatorSet(i int) []string {
	n.t.Helper()
	var res struct {
		Result struct {
			Validators []struct {
				PubKey struct {
					Value string `json:"value"`
				} `json:"pub_key"`
			} `json:"validators"`
		} `json:"result"`
	}
	if err := getJSON(n.rpcURL(i)+"/validators?per_page=100", &res); err != nil {
		n.t.Fatal(err)
	}
	var keys []string
	for _, v := range res.Result.Validators {
		keys = append(keys, v.PubKey.Value)
	}
	return keys
}

// compareAppHash checks that node i computed the state the network agreed
// on: the app hash its own app reports (/abci_info) is the one node0's next
// block commits to, and both nodes store the same header for that height.
func (n *localnet) compareAppHash(i int, after int64) {
	n.t.Helper()
	var info struct {
		Result struct {
			Response struct {
				LastBlockHeight  string `json:"last_block_height"`
				LastBlockAppHash string `json:"last_block_app_hash"`
			} `json:"response"`
		} `json:"result"`
	}
	if err := getJSON(n.rpcURL(i)+"/abci_info", &info); err != nil {
		n.t.Fatal(err)
	}
	h, _ := strconv.ParseInt(info.Result.Response.LastBlockHeight, 10, 64)
	own, err := base64.StdEncoding.DecodeString(info.Result.Response.LastBlockAppHash)
	if err != nil || h <= after || len(own) == 0 {
		n.t.Fatalf("node%d abci_info: height %d (must be past %d), app hash %q: %v", i, h, after, info.Result.Response.LastBlockAppHash, err)
	}
	n.waitHeight(0, h+1, 30*time.Second)
	next := n.appHashAt(0, h+1)
	if !strings.EqualFold(next, hex.EncodeToString(own)) {
		n.t.Fatalf("node%d computed app hash %X after block %d, node0's block %d commits to %s", i, own, h, h+1, next)
	}
	if a, b := n.appHashAt(0, h), n.appHashAt(i, h); a != b {
		n.t.Fatalf("block %d header app hash: node0 %s, node%d %s", h, a, i, b)
	}
	n.t.Logf("node%d app hash after block %d: %X, as node0's block %d says", i, h, own, h+1)
}

func (n *localnet) appHashAt(i int, h int64) string {
	n.t.Helper()
	var res struct {
		Result struct {
			Block struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	if err := getJSON(fmt.Sprintf("%s/block?height=%d", n.rpcURL(i), h), &res); err != nil {
		n.t.Fatal(err)
	}
	return res.Result.Block.Header.AppHash
}

// metrics scrapes node i's app telemetry (API port) into name{labels} → value.
// The app metrics' chain_id label is dropped from the key; CometBFT's metrics,
// on the same page, keep theirs.
func (n *localnet) metrics(i int) map[string]float64 {
	n.t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics?format=prometheus", n.port(i, "api"))) //nolint:gosec // loopback test endpoint
	if err != nil {
		n.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	chainLabel := regexp.MustCompile(`chain_id="[^"]*",?`)
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		sep := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || sep < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[sep+1:], 64)
		if err != nil {
			continue
		}
		name := line[:sep]
		if strings.HasPrefix(name, "nightshiftd_") {
			name = chainLabel.ReplaceAllString(name, "")
			name = strings.TrimSuffix(strings.Replace(name, ",}", "}", 1), "{}")
		}
		m[name] = v
	}
	if err := sc.Err(); err != nil {
		n.t.Fatal(err)
	}
	return m
}
