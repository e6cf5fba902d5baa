package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
	// The chain completes the job when the second proof lands; the worker logs
	// its "verified" event once its own query of the result returns, a moment later.
	waitFor(t, 30*time.Second, "the worker to log both verified tasks", func() bool {
		worker.checkRunning()
		return len(worker.events("verified")) >= 2
	})
	if v := worker.events("verified"); len(v) != 2 {
		t.Fatalf("worker verified %d tasks, want 2: %v", len(v), worker.events(""))
	}
	n.waitHeight(0, n.height(0)+3, 30*time.Second) // and the chain goes on without node3
	worker.interrupt()
	phase(fmt.Sprintf("job completed; node0 at height %d without node3", n.height(0)))

	// Both challenges came from the validators' combined vote-extension
	// reveals, not from a header hash a proposer could grind; node3's reveals
	// are missing, visibly, while it is down.
	for task := range uint64(2) {
		if seed := d.challengeSeed(t, posted.JobID, task); seed.Source != "vote_extensions" || seed.Revealers < 3 {
			t.Fatalf("task %d's challenge seed: %+v, want vote_extensions from at least 3 of 4 validators", task, seed)
		}
	}
	chains := d.revealChains(t)
	var missed int64
	for _, c := range chains {
		if atoi(t, c.Revealed) == 0 || c.StartHeight != "1" {
			t.Fatalf("reveal chain that never revealed: %+v", c)
		}
		missed += atoi(t, c.Missed)
	}
	if len(chains) != 4 || missed == 0 {
		t.Fatalf("reveal chains %+v: want 4, with node3's missed reveals counted", chains)
	}
	phase("challenge seeds from 3+ validators' reveals; missed reveals counted")

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
