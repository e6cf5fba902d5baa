package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
)

// TestWorkerRunsPrograms stores two example programs with the plain tx
// commands, posts a proth job (no inputs) and a tiles job whose inputs the
// test serves with the shared programinputs handler, and runs one worker:
// every task of both is verified (the tiles proofs carry inputs and their
// multi-proof against the input root), and the outputs the collectors
// received equal a local program.Engine run of each item. A third job, whose
// server has one tile changed, is released by the worker (never claimed) and
// not leased again.
func TestWorkerRunsPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and worker processes")
	}
	d := startDevnet(t)

	for _, code := range [][]byte{proth.Wasm, tiles.Wasm} {
		// proth is 62 kB (one unrolled Montgomery multiply per limb count): its
		// store tx pays the KV write and tx size per byte, well above 2 M gas.
		d.mustTx("compute", "store-program", hex.EncodeToString(code), "--from", "requester", "--gas", "8000000")
	}

	// The tiles dataset: the sample image in 64×64 tiles, served by the test.
	f, err := os.Open("../pkg/examples/tiles/testdata/sample.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, inputs, err := tiles.Split(img, 64)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := programinputs.NewServer(inputs)
	if err != nil {
		t.Fatal(err)
	}
	inputsHTTP := httptest.NewServer(srv)
	defer inputsHTTP.Close()
	tampered := append([][]byte(nil), inputs...)
	tampered[5] = append([]byte(nil), inputs[5]...)
	tampered[5][len(tampered[5])-1] ^= 1
	badSrv, err := programinputs.NewServer(tampered)
	if err != nil {
		t.Fatal(err)
	}
	badHTTP := httptest.NewServer(badSrv)
	defer badHTTP.Close()

	prothSpec := &kinds.WasmSpec{Program: sha256.Sum256(proth.Wasm), Params: proth.Params{N: 127, KStart: 3, KPerItem: 4}.Encode(),
		FuelLimit: 3_000_000, MemoryPages: 16, MaxOutputBytes: 1024}
	tilesSpec := &kinds.WasmSpec{Program: sha256.Sum256(tiles.Wasm), Params: tiles.Params{Filter: tiles.Edges}.Encode(),
		FuelLimit: 3_000_000, MemoryPages: 16, MaxOutputBytes: 8192,
		HasInputRoot: true, InputRoot: srv.Root(), InputsURL: inputsHTTP.URL + "/inputs"}
	jobs := []struct {
		spec       *kinds.WasmSpec
		items, per int
		inputs     [][]byte
		outDir     string
		collect    *process
		resultURL  string
	}{
		{spec: prothSpec, items: 24, per: 8},
		{spec: tilesSpec, items: len(inputs), per: 4, inputs: inputs},
	}
	ports := freePorts(t, len(jobs))
	for i := range jobs {
		j := &jobs[i]
		id := i + 1 // the devnet is new: jobs 1 and 2
		j.outDir = t.TempDir()
		j.resultURL = fmt.Sprintf("http://127.0.0.1:%d", ports[i])
		j.collect = d.start(fmt.Sprintf("collector %d", id), "requester", "collect", "--job", strconv.Itoa(id),
			"--listen", fmt.Sprintf("127.0.0.1:%d", ports[i]), "--out", j.outDir, "--node", d.node(), "--output", "json")
		waitFor(t, 30*time.Second, "collector to wait for its job", func() bool {
			j.collect.checkRunning()
			return strings.Contains(j.collect.stderr(), fmt.Sprintf("Waiting: job %d does not exist yet", id))
		})
		d.mustTx("compute", "post-job", kinds.WasmKindName, string(j.spec.Encode()), strconv.Itoa(j.items), strconv.Itoa(j.per), "1000", "500",
			"--result-url", j.resultURL, "--from", "requester")
		if job := d.job(uint64(id)); job.Kind != kinds.WasmKindName || job.Status != "JOB_STATUS_OPEN" {
			t.Fatalf("job %d posted as %+v", id, job)
		}
	}

	// Job 3 commits to the real dataset but its server has tile 5 changed. It
	// sharpens instead of finding edges: the same program, params and input
	// root as job 2 would be a duplicate (ErrDuplicateJob) whatever the URL.
	badSpec := *tilesSpec
	badSpec.Params = tiles.Params{Filter: tiles.Sharpen}.Encode()
	badSpec.InputsURL = badHTTP.URL + "/inputs"
	d.mustTx("compute", "post-job", kinds.WasmKindName, string(badSpec.Encode()), strconv.Itoa(len(inputs)), strconv.Itoa(len(inputs)), "1000", "500",
		"--from", "requester")
	const badJob = 3

	state := t.TempDir()
	w := d.start("worker device1", "worker", "start", "--from", "device1", "--moniker", "device1", "--bond", "200SHIFT", "--threads", "2",
		"--max-fuel", "10000000", "--state-dir", state, "--output", "json",
		"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node())
	for i := range jobs {
		id := uint64(i + 1)
		waitFor(t, 120*time.Second, fmt.Sprintf("job %d to complete", id), func() bool {
			w.checkRunning()
			return d.job(id).Status == "JOB_STATUS_COMPLETED"
		})
	}
	waitFor(t, 60*time.Second, "the worker to release job 3's task", func() bool {
		w.checkRunning()
		return len(w.events("released")) > 0
	})
	for _, kind := range []string{"rejected", "abandoned", "claimed"} {
		for _, e := range w.events(kind) {
			if kind != "claimed" || e.JobID == badJob {
				t.Errorf("worker %s job %d task %d: %s", kind, e.JobID, e.TaskIndex, e.Message)
			}
		}
	}
	released := w.events("released")
	if len(released) != 1 || released[0].JobID != badJob || !strings.Contains(released[0].Message, "does not match the job's input root") {
		t.Fatalf("released: %+v, want job %d's one task for its inputs", released, badJob)
	}
	if job := d.job(badJob); job.Status != "JOB_STATUS_OPEN" || (job.TasksVerified != "" && job.TasksVerified != "0") {
		t.Fatalf("job %d after the release: %+v", badJob, job)
	}

	engine := program.NewEngine(program.EngineConfig{})
	defer func() { _ = engine.Close() }()
	for i, j := range jobs {
		id := uint64(i + 1)
		if err := j.collect.wait(60 * time.Second); err != nil {
			t.Fatalf("collector %d: %v\n%s", id, err, j.collect.stderr())
		}
		var tasks struct {
			Tasks []struct {
				Index  string `json:"index"`
				Status string `json:"status"`
			} `json:"tasks"`
		}
		d.query(&tasks, "compute", "job-tasks", strconv.FormatUint(id, 10))
		numTasks := (j.items + j.per - 1) / j.per
		if len(tasks.Tasks) != numTasks {
			t.Fatalf("job %d has %d tasks, want %d", id, len(tasks.Tasks), numTasks)
		}
		var want, got [][]byte
		for task, rec := range tasks.Tasks {
			if rec.Status != "TASK_STATUS_VERIFIED" {
				t.Fatalf("job %d task %s is %s", id, rec.Index, rec.Status)
			}
			first, outputs, err := storedOutputs(j.outDir, id, uint64(task))
			if err != nil {
				t.Fatalf("job %d task %d upload: %v", id, task, err)
			}
			if first != uint64(task*j.per) {
				t.Fatalf("job %d task %d starts at item %d", id, task, first)
			}
			got = append(got, outputs...)
		}
		for item := range j.items {
			var in []byte
			if j.inputs != nil {
				in = j.inputs[item]
			}
			code := proth.Wasm
			if j.spec.HasInputRoot {
				code = tiles.Wasm
			}
			res, err := engine.Run(context.Background(), code, program.Call{JobID: id, Item: uint64(item), Params: j.spec.Params, Input: in,
				FuelLimit: j.spec.FuelLimit, MemoryPages: j.spec.MemoryPages, MaxOutputBytes: j.spec.MaxOutputBytes})
			if err != nil {
				t.Fatal(err)
			}
			if res.Output[0] != 0 {
				t.Fatalf("job %d item %d traps locally (%x): the test's job is wrong", id, item, res.Output)
			}
			want = append(want, res.Output)
		}
		if len(got) != len(want) {
			t.Fatalf("job %d: collected %d outputs, want %d", id, len(got), len(want))
		}
		for item := range want {
			if !bytes.Equal(got[item], want[item]) {
				t.Fatalf("job %d item %d: collected %x…, a local run gives %x…", id, item, got[item][:min(8, len(got[item]))], want[item][:min(8, len(want[item]))])
			}
		}
		t.Logf("job %d: %d items in %d tasks verified, outputs equal a local run", id, j.items, numTasks)
	}
	root, err := merkle.InputRoot(inputs)
	if err != nil || root != tilesSpec.InputRoot {
		t.Fatalf("the served dataset's root is not the job's: %v", err)
	}
	fetched := map[uint64]int{}
	for _, e := range w.events("inputs") {
		fetched[e.JobID]++
	}
	if fetched[2] != (len(inputs)+3)/4 || fetched[badJob] != 1 {
		t.Errorf("worker fetched inputs %v times by job, want once per task of job 2 and once of job %d", fetched, badJob)
	}
	skippedBad := false
	for _, e := range w.events("skipped") {
		skippedBad = skippedBad || (e.JobID == badJob && strings.Contains(e.Message, "not leased again"))
	}
	if !skippedBad {
		t.Errorf("job %d not skipped after its release", badJob)
	}
}

// storedOutputs reads a task's upload the collector accepted.
func storedOutputs(dir string, jobID, task uint64) (uint64, [][]byte, error) {
	first, _, outputs, err := collector.StoredUpload(dir, jobID, task)
	return first, outputs, err
}
