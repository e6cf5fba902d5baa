package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestWorkerEndToEnd runs the off-chain tools as a contributor and a requester
// would: a requester posts a Mandelbrot render and collects it, two workers
// compute it, and one of them is killed with SIGKILL mid-job and restarted.
// The collected image must equal a local render, every task must be verified
// without a failed or missed proof, and both devices must be paid from escrow
// and share the epoch's emission.
func TestWorkerEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and worker processes")
	}
	d := startDevnet(t)
	requester, device1, bob := d.addr("requester"), d.addr("device1"), d.addr("bob")
	d.mustTx("compute", "approve-requester", requester, "--from", "validator")
	var params struct {
		Params struct {
			ProtocolFeeBps uint32 `json:"protocol_fee_bps"`
		} `json:"params"`
	}
	d.query(&params, "compute", "params")

	const (
		width, height = 128, 128
		itemsPerTask  = 16
		numTasks      = height / itemsPerTask
		price         = 1000          // ushift per item
		bond          = 2_100_000_000 // ushift, --bond 2100SHIFT: its slash covers the epoch emission
	)
	// What a verified task pays its device: the task's price less the protocol fee.
	taskPay := int64(itemsPerTask*price) - int64(itemsPerTask*price)*int64(params.Params.ProtocolFeeBps)/types.BasisPoints
	before := map[string]int64{device1: d.balance(device1), bob: d.balance(bob)}

	// The requester starts the collector first, then posts the render whose
	// result URL the collector serves: the collector waits for the job.
	port := freePorts(t, 1)[0]
	const nextJob = 1 // the devnet is new
	outDir := t.TempDir()
	collect := d.start("collector", "requester", "collect", "--job", strconv.Itoa(nextJob),
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--out", outDir, "--node", d.node(), "--output", "json")
	waitFor(t, 30*time.Second, "the collector to wait for its job", func() bool {
		collect.checkRunning()
		return strings.Contains(collect.stderr(), "Waiting: job 1 does not exist yet")
	})
	jobID := strconv.Itoa(nextJob)
	out, err := d.cli("requester", "post-render", "--from", "requester",
		"--width", strconv.Itoa(width), "--height", strconv.Itoa(height), "--max-iter", "200",
		"--items-per-task", strconv.Itoa(itemsPerTask), "--price-per-item", strconv.Itoa(price)+"ushift",
		"--result-url", fmt.Sprintf("http://127.0.0.1:%d", port),
		"--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var posted struct {
		JobID  uint64 `json:"job_id"`
		TxHash string `json:"tx_hash"`
	}
	if err := json.Unmarshal([]byte(out), &posted); err != nil || posted.JobID != nextJob {
		t.Fatalf("post-render output %q (want job %d): %v", out, nextJob, err)
	}
	job := d.job(posted.JobID)
	if job.Kind != "mandelbrot" || job.NumTasks != strconv.Itoa(numTasks) || job.Escrow != strconv.Itoa(height*price) || job.Status != "JOB_STATUS_OPEN" {
		t.Fatalf("posted job: %+v", job)
	}

	// Two workers share the job; bob is killed as soon as he holds a claim.
	workerArgs := func(key, stateDir string) []string {
		return []string{"worker", "start", "--from", key, "--moniker", key, "--bond", "2100SHIFT", "--threads", "1",
			"--state-dir", stateDir, "--output", "json",
			"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node()}
	}
	device1State, bobState := t.TempDir(), t.TempDir()
	w1 := d.start("worker device1", workerArgs("device1", device1State)...)
	bob1 := d.start("worker bob", workerArgs("bob", bobState)...)

	waitFor(t, 60*time.Second, "bob's first claim", func() bool {
		bob1.checkRunning()
		return len(bob1.events("claimed")) > 0
	})
	bob1.kill()
	held := bob1.events("leased")
	t.Logf("killed bob's worker holding %d leases (%d claimed)", len(held), len(bob1.events("claimed")))

	// Restarted on the same state, bob resumes what he held and finishes it.
	bob2 := d.start("worker bob (restarted)", workerArgs("bob", bobState)...)
	waitFor(t, 30*time.Second, "bob's worker to resume", func() bool {
		bob2.checkRunning()
		return len(bob2.events("resumed")) > 0
	})

	// The job completes and the collector assembles it and exits.
	waitFor(t, 120*time.Second, "job "+jobID+" to complete", func() bool {
		w1.checkRunning()
		bob2.checkRunning()
		return d.job(posted.JobID).Status == "JOB_STATUS_COMPLETED"
	})
	if err := collect.wait(60 * time.Second); err != nil {
		t.Fatalf("collector: %v\n%s", err, collect.stderr())
	}
	var collected struct {
		JobID    uint64 `json:"job_id"`
		Complete bool   `json:"complete"`
	}
	if err := json.Unmarshal(collect.stdout(), &collected); err != nil || !collected.Complete || collected.JobID != posted.JobID {
		t.Fatalf("collector output %q: %v", collect.stdout(), err)
	}
	// Every upload came from the task's holder and matched its claimed root.
	if log := collect.stderr(); strings.Contains(log, "status=403") || strings.Contains(log, "status=422") {
		t.Fatalf("collector refused an upload:\n%s", log)
	}

	// The restarted worker finished every task it resumed, and every lease the
	// killed one held; no worker had a proof rejected or a task abandoned.
	for _, e := range bob2.events("resumed") {
		if e.JobID == 0 {
			continue // the compute pool resuming after a pause
		}
		t.Logf("bob resumed job %d task %d: %s", e.JobID, e.TaskIndex, e.Message)
		if !bob2.has("verified", e.JobID, e.TaskIndex) {
			t.Errorf("bob resumed job %d task %d (%s) but did not verify it", e.JobID, e.TaskIndex, e.Message)
		}
	}
	for _, e := range held {
		if !bob2.has("verified", e.JobID, e.TaskIndex) {
			t.Errorf("bob's lease of job %d task %d was not finished after the kill", e.JobID, e.TaskIndex)
		}
	}
	for _, p := range []*process{w1, bob1, bob2} {
		if bad := append(p.events("rejected"), p.events("abandoned")...); len(bad) > 0 {
			t.Errorf("%s: %+v", p.name, bad)
		}
	}

	// The image is exactly a local render of the same spec.
	job = d.job(posted.JobID)
	spec, err := kinds.DefaultRegistry().Parse("mandelbrot", []byte(job.Spec), height)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]byte, height)
	for i := range rows {
		if rows[i], _, err = spec.ComputeOutput(kinds.Item{JobID: posted.JobID, Index: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var want bytes.Buffer
	if err := collector.RenderMandelbrotPNG([]byte(job.Spec), rows, &want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(outDir, "render.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("render.png (%d bytes) differs from the local render (%d bytes)", len(got), want.Len())
	}
	if all, err := os.ReadFile(filepath.Join(outDir, "outputs.bin")); err != nil || !bytes.Equal(all, bytes.Join(rows, nil)) {
		t.Fatalf("outputs.bin differs from the local rows: %v", err)
	}

	// Every task verified, the escrow spent, no proof failed or missed.
	if job.TasksVerified != strconv.Itoa(numTasks) || job.Escrow != "0" || (job.LiveTasks != "" && job.LiveTasks != "0") {
		t.Fatalf("job after completion: %+v", job)
	}
	var tasks struct {
		Tasks []struct {
			Index   string `json:"index"`
			Device  string `json:"device"`
			Status  string `json:"status"`
			Attempt uint32 `json:"attempt"`
		} `json:"tasks"`
	}
	d.query(&tasks, "compute", "job-tasks", jobID)
	verifiedBy := map[string]int64{}
	for _, task := range tasks.Tasks {
		if task.Status != "TASK_STATUS_VERIFIED" {
			t.Fatalf("task %s is %s", task.Index, task.Status)
		}
		// Leased once: no lease was lost in the kill and left to expire.
		if task.Attempt != 0 {
			t.Fatalf("task %s was leased %d times", task.Index, task.Attempt+1)
		}
		verifiedBy[task.Device]++
	}
	if len(tasks.Tasks) != numTasks {
		t.Fatalf("job has %d task records, want %d", len(tasks.Tasks), numTasks)
	}
	for _, dev := range []string{device1, bob} {
		var q struct {
			Device struct {
				deviceJSON
				Failures     uint32 `json:"failures"`
				MissedProofs string `json:"missed_proofs"`
			} `json:"device"`
		}
		d.query(&q, "compute", "device", dev)
		n, _ := strconv.ParseInt(q.Device.TasksVerified, 10, 64)
		if n < 1 || n != verifiedBy[dev] || q.Device.Failures != 0 || (q.Device.MissedProofs != "" && q.Device.MissedProofs != "0") ||
			q.Device.Bond != strconv.Itoa(bond) || q.Device.Status != "DEVICE_STATUS_ACTIVE" {
			t.Fatalf("device %s after the job (verified %d tasks of the job): %+v", dev, verifiedBy[dev], q.Device)
		}
	}
	t.Logf("tasks verified: device1 %d, bob %d", verifiedBy[device1], verifiedBy[bob])

	// Emission: once an epoch with the job's work settles, both devices have a
	// share, withdrawn by their worker or still withdrawable.
	logs := map[string][]*process{device1: {w1}, bob: {bob1, bob2}}
	withdrawable := func(dev string) int64 {
		var r struct {
			Withdrawable string `json:"withdrawable"`
		}
		d.query(&r, "compute", "rewards", dev)
		n, _ := strconv.ParseInt(r.Withdrawable, 10, 64)
		return n
	}
	waitFor(t, 90*time.Second, "both devices to earn emission", func() bool {
		for dev, procs := range logs {
			var withdrawn int64
			for _, p := range procs {
				withdrawn += p.total("withdrawn")
			}
			if withdrawn+withdrawable(dev) == 0 {
				return false
			}
		}
		return true
	})

	// Stop the workers so that balances are final, then account for every
	// ushift: the bond and the transaction fees (the chain's min_gas_price,
	// paid by the worker's client unasked) out, task payments and withdrawn
	// emission in.
	for _, w := range []*process{w1, bob2} {
		w.interrupt()
		if w.err != nil || !strings.Contains(w.stderr(), "stopped: ") {
			t.Errorf("%s did not stop cleanly on SIGINT: %v\n%s", w.name, w.err, w.stderr())
		}
	}
	// A withdrawal broadcast just before the stop may still be in the mempool:
	// read balances and withdrawable rewards only after it has had two blocks
	// to land, so both readings see the same state.
	d.waitHeight(d.height()+2, 30*time.Second)
	var shares int64
	for dev, name := range map[string]string{device1: "device1", bob: "bob"} {
		var verified, paid, withdrawnLogged int64
		for _, p := range logs[dev] {
			verified += int64(len(p.events("verified")))
			paid += p.total("verified")
			withdrawnLogged += p.total("withdrawn")
		}
		if verified != verifiedBy[dev] || paid != verifiedBy[dev]*taskPay {
			t.Errorf("%s's workers report %d tasks verified and %d ushift paid, want %d tasks × %d", name, verified, paid, verifiedBy[dev], taskPay)
		}
		// A withdrawal that lands just as its worker stops is not logged, so the
		// logs are a lower bound of what was withdrawn.
		after := d.balance(dev)
		fees := feesPaidBy(t, d.cli, d.node(), dev)
		withdrawn, left := after-before[dev]+bond-paid+fees, withdrawable(dev)
		if withdrawn < withdrawnLogged || withdrawn+left <= 0 {
			t.Errorf("%s: balance %d -> %d after a %d bond and %d paid: %d emission withdrawn (%d logged), %d withdrawable",
				name, before[dev], after, bond, paid, withdrawn, withdrawnLogged, left)
		}
		shares += withdrawn + left
		if fees <= 0 {
			t.Errorf("%s paid no fees: the worker's transactions must pay min_gas_price", name)
		}
		t.Logf("%s: %d tasks paid %d ushift for %d ushift of fees; emission %d withdrawn + %d withdrawable", name, verified, paid, fees, withdrawn, left)
	}
	var epoch struct {
		TotalEmitted string `json:"total_emitted"`
	}
	d.query(&epoch, "compute", "epoch")
	if total, _ := strconv.ParseInt(epoch.TotalEmitted, 10, 64); shares > total {
		t.Fatalf("devices' emission %d exceeds the total emitted %d", shares, total)
	}

	// `worker status` agrees with the chain and the worker's own records.
	out, err = d.cli("worker", "status", "--from", "device1", "--state-dir", device1State,
		"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node(), "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Device struct {
			Status        string `json:"status"`
			TasksVerified string `json:"tasks_verified"`
		} `json:"device"`
		LiveTasks  []json.RawMessage `json:"live_tasks"`
		LocalTasks map[string]int64  `json:"local_tasks"`
		PaidUshift string            `json:"paid_ushift"`
	}
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("worker status output %q: %v", out, err)
	}
	if status.Device.Status != "DEVICE_STATUS_ACTIVE" || status.Device.TasksVerified != strconv.FormatInt(verifiedBy[device1], 10) ||
		len(status.LiveTasks) != 0 || status.LocalTasks["done"] != verifiedBy[device1] ||
		status.PaidUshift != strconv.FormatInt(verifiedBy[device1]*taskPay, 10) {
		t.Fatalf("worker status: %s", out)
	}
}
