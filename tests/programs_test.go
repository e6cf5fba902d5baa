package tests

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/pkg/programjob"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

// programJob is one wasm job of the programs e2e.
type programJob struct {
	name    string // the example
	id      uint64
	args    []string // post-program's job flags
	inputs  string   // the dataset directory collect serves, for tiles
	out     string   // collect's --out
	collect *process
}

// cheaterBinary builds the test-only cheating device (tests/internal/cheater).
func cheaterBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cheater")
	if out, err := exec.Command("go", "build", "-o", bin, "./internal/cheater").CombinedOutput(); err != nil {
		t.Fatalf("build cheater: %v\n%s", err, out)
	}
	return bin
}

// TestProgramsEndToEnd is issue 15's "done when", as a new user would do it on
// a devnet: store each example program with `requester store-program` (twice:
// the second sends nothing), post a job of each with `requester post-program`
// (tiles with an image as --inputs, served by `requester collect --inputs`),
// let a cheating device fake an output of a fourth job, then run two workers,
// one SIGKILLed mid-job and restarted. Every job completes; the collected
// per-item outputs equal a local program.Engine run and the assembled results
// equal the examples' own reduction of them; the cheater is slashed and earns
// nothing while the honest devices are paid.
func TestProgramsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and worker processes")
	}
	cheater := cheaterBinary(t)
	// Every device bonds 2,100 SHIFT: a slash (half) covers its tasks' payments
	// and the 1,000 SHIFT epoch emission they can earn for an approved requester.
	const bond = 2_100_000_000
	d := startDevnet(t)
	requester, alice := d.addr("requester"), d.addr("alice")
	d.mustTx("compute", "approve-requester", requester, "--from", "validator")
	txFlags := []string{"--from", "requester", "--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y", "--output", "json"}
	examples := filepath.Join("..", "pkg", "examples")

	// 1. Store each example program; storing again is a no-op.
	ids := map[string]string{}
	for _, name := range []string{"proth", "montecarlo", "tiles"} {
		file := filepath.Join(examples, name, name+".wasm")
		var stored struct {
			ID            string `json:"id"`
			AlreadyStored bool   `json:"already_stored"`
			Fee           string `json:"fee"`
		}
		for attempt, want := range []bool{false, true} {
			out, err := d.cli(append([]string{"requester", "store-program", file}, txFlags...)...)
			if err != nil {
				t.Fatalf("store-program %s (attempt %d): %v", name, attempt+1, err)
			}
			if err := json.Unmarshal([]byte(out), &stored); err != nil || stored.AlreadyStored != want {
				t.Fatalf("store-program %s (attempt %d): %q: %v", name, attempt+1, out, err)
			}
		}
		ex := catalog.Programs[name]
		if id := ex.ID(); stored.ID != hex.EncodeToString(id[:]) {
			t.Fatalf("%s stored as %s, want sha256 of its code %x", name, stored.ID, id)
		}
		ids[name] = stored.ID
	}
	// Refused locally, before any fee: a file that is no program, a program
	// the chain does not have.
	bogus := filepath.Join(examples, "tiles", "testdata", "sample.png")
	if out, err := d.cli(append([]string{"requester", "store-program", bogus}, txFlags...)...); err == nil || !strings.Contains(err.Error(), "the chain would refuse") {
		t.Fatalf("store-program of a PNG: %q, %v", out, err)
	}
	unknown := filepath.Join(t.TempDir(), "own.wasm")
	if err := os.WriteFile(unknown, append(append([]byte(nil), catalog.Programs["proth"].Wasm...), 0, 4, 3, 'p', 'a', 'd'), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := d.cli(append([]string{"requester", "post-program", "--program", unknown, "--items", "4"}, txFlags...)...); err == nil || !strings.Contains(err.Error(), "is not stored on chain") {
		t.Fatalf("post-program of an unstored program: %q, %v", out, err)
	}
	var programs struct {
		Programs []struct {
			ID       string `json:"id"`
			CodeSize string `json:"code_size"`
		} `json:"programs"`
	}
	d.query(&programs, "compute", "programs")
	if len(programs.Programs) != 3 {
		t.Fatalf("programs on chain: %+v", programs)
	}

	// 2. Post a job of each; the proth job is named by id, the others by file
	// and by example name, as a user may.
	inputsDir := filepath.Join(t.TempDir(), "tiles-inputs")
	jobs := []*programJob{
		{name: "proth", args: []string{"--program", ids["proth"], "--proth-n", "127", "--k-per-item", "2", "--items", "16", "--items-per-task", "4"}},
		{name: "montecarlo", args: []string{"--program", filepath.Join(examples, "montecarlo", "montecarlo.wasm"),
			"--strike", "105", "--style", "asian", "--steps", "64", "--paths-per-item", "16", "--items", "16", "--items-per-task", "4"}},
		{name: "tiles", inputs: inputsDir, args: []string{"--program", "tiles", "--filter", "edges",
			"--inputs", filepath.Join(examples, "tiles", "testdata", "sample.png"), "--tile-size", "64", "--inputs-out", inputsDir, "--items-per-task", "3"}},
		// The job the cheater fakes an output of (its task 0), finished by the honest workers.
		{name: "proth", args: []string{"--program", ids["proth"], "--proth-n", "61", "--k-per-item", "4", "--items", "8", "--items-per-task", "4"}},
	}
	ports := freePorts(t, len(jobs))
	for i, j := range jobs {
		args := append(append([]string{"requester", "post-program"}, j.args...), "--price-per-item", "1000ushift",
			"--result-url", fmt.Sprintf("http://127.0.0.1:%d", ports[i]))
		out, err := d.cli(append(args, txFlags...)...)
		if err != nil {
			t.Fatalf("post-program %s: %v", j.name, err)
		}
		var posted struct {
			JobID uint64 `json:"job_id"`
		}
		if err := json.Unmarshal([]byte(out), &posted); err != nil || posted.JobID != uint64(i+1) {
			t.Fatalf("post-program %s: %q (want job %d): %v", j.name, out, i+1, err)
		}
		j.id = posted.JobID
		if job := d.job(j.id); job.Kind != "wasm" || job.Status != "JOB_STATUS_OPEN" {
			t.Fatalf("job %d: %+v", j.id, job)
		}
	}
	if _, err := os.Stat(filepath.Join(inputsDir, programinputs.FileName(11))); err != nil {
		t.Fatalf("post-program did not write the 12 tiles to --inputs-out: %v", err)
	}

	// A collector given another dataset than the job's refuses to start.
	otherInputs := t.TempDir()
	if err := os.WriteFile(filepath.Join(otherInputs, programinputs.FileName(0)), []byte("not a tile"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := d.cli("requester", "collect", "--job", "3", "--inputs", otherInputs, "--out", t.TempDir(), "--node", d.node()); err == nil || !strings.Contains(err.Error(), "job 3 commits to") {
		t.Fatalf("collect with another dataset: %q, %v", out, err)
	}

	// 3. A collector per job; the tiles one serves the inputs too.
	for i, j := range jobs {
		j.out = t.TempDir()
		args := []string{"requester", "collect", "--job", strconv.FormatUint(j.id, 10), "--listen", fmt.Sprintf("127.0.0.1:%d", ports[i]),
			"--out", j.out, "--node", d.node(), "--output", "json", "--upload-grace", "60s"}
		if j.inputs != "" {
			args = append(args, "--inputs", j.inputs)
		}
		j.collect = d.start("collector "+j.name, args...)
	}
	waitFor(t, 30*time.Second, "the tiles collector to serve its inputs", func() bool {
		jobs[2].collect.checkRunning()
		return strings.Contains(jobs[2].collect.stderr(), "Serving 12 inputs")
	})

	// 4. The cheater leases a task of job 4, fakes one output, claims and proves.
	before := d.balance(alice)
	out, err := runCLI(cheater, "cheat", "--job", strconv.FormatUint(jobs[3].id, 10), "--forge", "1", "--bond", strconv.Itoa(bond),
		"--from", "alice", "--home", d.home, "--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y")
	if err != nil {
		t.Fatalf("cheater: %v", err)
	}
	var cheat struct {
		TaskIndex uint64   `json:"task_index"`
		Forged    []uint64 `json:"forged"`
		Sampled   []uint64 `json:"sampled"`
		Accepted  bool     `json:"accepted"`
		Paid      string   `json:"paid"`
		Slashed   string   `json:"slashed"`
	}
	if err := json.Unmarshal([]byte(out), &cheat); err != nil {
		t.Fatalf("cheater output %q: %v", out, err)
	}
	slashed, _ := strconv.ParseInt(cheat.Slashed, 10, 64)
	if cheat.Accepted || slashed <= 0 || (cheat.Paid != "0" && cheat.Paid != "") || len(cheat.Forged) != 1 {
		t.Fatalf("the forged proof was not caught: %+v", cheat)
	}
	cheaterDev := d.device(alice)
	if left, _ := strconv.ParseInt(cheaterDev.Bond, 10, 64); left != bond-slashed {
		t.Fatalf("cheater's device after the slash (%d): %+v", slashed, cheaterDev)
	}
	t.Logf("cheater faked item %v of job %d task %d, sampled %v: slashed %d ushift", cheat.Forged, jobs[3].id, cheat.TaskIndex, cheat.Sampled, slashed)

	// 5. Two honest workers; bob is killed as soon as he holds a claim.
	workerArgs := func(key, stateDir string) []string {
		return []string{"worker", "start", "--from", key, "--moniker", key, "--bond", strconv.Itoa(bond) + "ushift", "--threads", "1",
			"--state-dir", stateDir, "--output", "json", "--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node()}
	}
	device1State, bobState := t.TempDir(), t.TempDir()
	w1 := d.start("worker device1", workerArgs("device1", device1State)...)
	bob1 := d.start("worker bob", workerArgs("bob", bobState)...)
	waitFor(t, 90*time.Second, "bob's first claim", func() bool {
		bob1.checkRunning()
		return len(bob1.events("claimed")) > 0
	})
	bob1.kill()
	held := bob1.events("leased")
	bob2 := d.start("worker bob (restarted)", workerArgs("bob", bobState)...)

	for _, j := range jobs {
		waitFor(t, 120*time.Second, fmt.Sprintf("job %d (%s) to complete", j.id, j.name), func() bool {
			w1.checkRunning()
			bob2.checkRunning()
			return d.job(j.id).Status == "JOB_STATUS_COMPLETED"
		})
	}
	for _, e := range held {
		if !bob2.has("verified", e.JobID, e.TaskIndex) && !bob1.has("verified", e.JobID, e.TaskIndex) {
			t.Errorf("bob's lease of job %d task %d was not finished after the kill", e.JobID, e.TaskIndex)
		}
	}
	for _, p := range []*process{w1, bob1, bob2} {
		if bad := append(p.events("rejected"), p.events("abandoned")...); len(bad) > 0 {
			t.Errorf("%s: %+v", p.name, bad)
		}
	}

	// 6. What each collector wrote is a local run of the job's program.
	engine := program.NewEngine(program.EngineConfig{CacheEntries: 4})
	defer func() { _ = engine.Close() }()
	for _, j := range jobs {
		if err := j.collect.wait(90 * time.Second); err != nil {
			t.Fatalf("collector of job %d: %v\n%s", j.id, err, j.collect.stderr())
		}
		checkCollectedProgram(t, d, engine, j)
	}

	// 7. The honest devices were paid for every task, the cheater for none.
	var paid int64
	for _, p := range []*process{w1, bob1, bob2} {
		paid += p.total("verified")
	}
	if paid <= 0 {
		t.Fatalf("honest workers report %d ushift paid", paid)
	}
	if after := d.balance(alice); after > before {
		t.Fatalf("the cheater's balance went from %d to %d", before, after)
	}
	cheaterDev = d.device(alice)
	if cheaterDev.TasksVerified != "" && cheaterDev.TasksVerified != "0" {
		t.Fatalf("the cheater has verified tasks: %+v", cheaterDev)
	}
	var tasks struct {
		Tasks []struct {
			Index  string `json:"index"`
			Device string `json:"device"`
			Status string `json:"status"`
		} `json:"tasks"`
	}
	d.query(&tasks, "compute", "job-tasks", strconv.FormatUint(jobs[3].id, 10))
	for _, task := range tasks.Tasks {
		if task.Status != "TASK_STATUS_VERIFIED" || task.Device == alice {
			t.Fatalf("job %d task %s: %+v", jobs[3].id, task.Index, task)
		}
	}
	for _, key := range []string{"device1", "bob"} {
		dev := d.device(d.addr(key))
		if n, _ := strconv.Atoi(dev.TasksVerified); n < 1 || dev.Status != "DEVICE_STATUS_ACTIVE" || dev.Bond != strconv.Itoa(bond) {
			t.Fatalf("honest device %s: %+v", key, dev)
		}
		t.Logf("%s verified %s tasks", key, dev.TasksVerified)
	}
	t.Logf("honest workers paid %d ushift in all; the cheater lost %d", paid, slashed)
}

// checkCollectedProgram compares a collected wasm job with a local run: every
// item's file in outputs/ is the recorded output program.Engine gives, and the
// example's result files are the example's reduction of those outputs.
func checkCollectedProgram(t *testing.T, d *devnet, engine *program.Engine, j *programJob) {
	t.Helper()
	job := d.job(j.id)
	items, _ := strconv.ParseUint(d.jobItems(j.id), 10, 64)
	spec, err := kinds.ParseWasmSpec([]byte(job.Spec), items)
	if err != nil {
		t.Fatal(err)
	}
	ex := catalog.Programs[j.name]
	var inputs [][]byte
	if spec.HasInputRoot {
		if inputs, err = programjob.ReadInputDir(j.inputs, 0); err != nil {
			t.Fatal(err)
		}
	}
	want := make([][]byte, items)
	for i := range want {
		call := program.Call{JobID: j.id, Item: uint64(i), Params: spec.Params, FuelLimit: spec.FuelLimit,
			MemoryPages: spec.MemoryPages, MaxOutputBytes: spec.MaxOutputBytes}
		if inputs != nil {
			call.Input = inputs[i]
		}
		res, err := engine.Run(context.Background(), ex.Wasm, call)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = res.Output
		got, err := os.ReadFile(filepath.Join(j.out, "outputs", programinputs.FileName(uint64(i))))
		if err != nil || !bytes.Equal(got, res.Output) {
			t.Fatalf("job %d (%s) item %d: collected %x, local run %x (%v)", j.id, j.name, i, got, res.Output, err)
		}
		if _, trapped := programjob.Trap(res.Output); trapped {
			t.Fatalf("job %d (%s) item %d traps: %x", j.id, j.name, i, res.Output)
		}
	}
	local := t.TempDir()
	files, tally, err := ex.WriteResult(local, spec.Params, want)
	if err != nil || !tally.Complete() || len(files) == 0 {
		t.Fatalf("local %s result: %v %v %+v", j.name, files, err, tally)
	}
	for _, f := range files {
		w, _ := os.ReadFile(filepath.Join(local, f))
		g, err := os.ReadFile(filepath.Join(j.out, f))
		if err != nil || !bytes.Equal(w, g) {
			t.Fatalf("job %d: collected %s differs from the local reduction (%v)", j.id, f, err)
		}
	}
	t.Logf("job %d (%s): %d items collected equal the local run; %v equal the local result", j.id, j.name, items, files)
}

// jobItems reads a job's item count (jobJSON does not carry it).
func (d *devnet) jobItems(id uint64) string {
	d.t.Helper()
	var res struct {
		Job struct {
			Items string `json:"items"`
		} `json:"job"`
	}
	d.query(&res, "compute", "job", strconv.FormatUint(id, 10))
	return res.Job.Items
}
