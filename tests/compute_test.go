package tests

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestComputeEndToEnd drives the job market through the CLI against a devnet:
// a device bonds, a requester posts a hashcash job, the device leases, claims and
// proves both tasks with outputs computed by the kinds and merkle packages, and
// is paid from escrow until the job completes.
func TestComputeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	d := startDevnet(t)
	requester, device := d.addr("requester"), d.addr("device1")

	// Params and epoch: defaults, with the devnet's short epochs.
	var params struct {
		Params struct {
			MinDeviceBond        string `json:"min_device_bond"`
			ChallengeDelayBlocks string `json:"challenge_delay_blocks"`
			ProofSamples         uint32 `json:"proof_samples"`
			ProtocolFeeBps       uint32 `json:"protocol_fee_bps"`
			EpochBlocks          string `json:"epoch_blocks"`
			MaxTaskItems         string `json:"max_task_items"`
			JobPostingFee        string `json:"job_posting_fee"`
			MinGasPrice          string `json:"min_gas_price"`
		} `json:"params"`
	}
	d.query(&params, "compute", "params")
	if p := params.Params; p.MinDeviceBond != "100000000" || p.ChallengeDelayBlocks != "2" || p.ProofSamples != 32 ||
		p.ProtocolFeeBps != 200 || p.EpochBlocks != "30" || p.MaxTaskItems != "4096" || p.JobPostingFee != "1000000" ||
		p.MinGasPrice != "0.001000000000000000" {
		t.Fatalf("params: %+v", p)
	}
	var epoch struct {
		EndHeight    string `json:"end_height"`
		NextEmission string `json:"next_emission"`
		TotalEmitted string `json:"total_emitted"`
		EmissionCap  string `json:"emission_cap"`
	}
	d.query(&epoch, "compute", "epoch")
	if epoch.NextEmission != "1000000000" || epoch.TotalEmitted != "0" || epoch.EmissionCap != "21000000000000" || epoch.EndHeight == "" {
		t.Fatalf("epoch: %+v", epoch)
	}

	// The authority approves the requester; her jobs now earn emission.
	d.mustTx("compute", "approve-requester", requester, "--from", "validator")
	var approved struct {
		Requesters []string `json:"requesters"`
	}
	d.query(&approved, "compute", "requesters")
	if !slices.Contains(approved.Requesters, requester) {
		t.Fatalf("requesters = %v, want %s", approved.Requesters, requester)
	}

	// The device bonds 2,100 SHIFT: an invalid proof slashes 1,050, which covers
	// its tasks' payments and the 1,000 SHIFT epoch emission they can earn.
	d.mustTx("compute", "register-device", "my-rig", "2100000000", "--from", "device1")
	if dev := d.device(device); dev.Status != "DEVICE_STATUS_ACTIVE" || dev.Bond != "2100000000" || dev.Moniker != "my-rig" {
		t.Fatalf("device after register: %+v", dev)
	}

	// The requester posts 64 items in tasks of 32 at 1000 ushift an item.
	const (
		kind         = "hashcash"
		spec         = `{"difficulty_bits":8}`
		items        = 64
		itemsPerTask = 32
		price        = 1000
		deadline     = 1000 // blocks
	)
	before := d.balance(requester)
	res := d.mustTx("compute", "post-job", kind, spec, strconv.Itoa(items), strconv.Itoa(itemsPerTask), strconv.Itoa(price), strconv.Itoa(deadline), "--from", "requester")
	// No --fees nor --gas-prices: nightshiftd paid the chain's min_gas_price
	// for the 400,000 gas itself.
	if fee := res.fee(); fee != 400 {
		t.Fatalf("post-job paid a fee of %d ushift, want 400,000 gas × min_gas_price 0.001 = 400", fee)
	}
	var posted types.MsgPostJobResponse
	d.msgResponse(res, &posted)
	jobID := posted.JobId
	if got := res.event("nightshift.compute.v1.EventJobPosted", "job_id"); got != strconv.FormatUint(jobID, 10) || jobID == 0 {
		t.Fatalf("job id: response %d, event %q", jobID, got)
	}
	if got := res.event("nightshift.compute.v1.EventJobPosted", "escrow"); got != strconv.Itoa(items*price) {
		t.Fatalf("EventJobPosted escrow = %q", got)
	}
	var jobs struct {
		Jobs []jobJSON `json:"jobs"`
	}
	d.query(&jobs, "compute", "jobs", "--requester", requester)
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].ID != strconv.FormatUint(jobID, 10) || jobs.Jobs[0].Spec != spec ||
		jobs.Jobs[0].Status != "JOB_STATUS_OPEN" || jobs.Jobs[0].NumTasks != "2" || jobs.Jobs[0].Escrow != strconv.Itoa(items*price) {
		t.Fatalf("jobs of the requester: %+v", jobs.Jobs)
	}
	const postingFee = 1_000_000 // job_posting_fee, never refunded
	if after := d.balance(requester); after != before-items*price-postingFee-res.fee() {
		t.Fatalf("requester balance %d -> %d, want a drop of the escrow %d and the posting fee", before, after, items*price)
	}

	parsed, err := kinds.DefaultRegistry().Parse(kind, []byte(spec), items)
	if err != nil {
		t.Fatal(err)
	}
	for task := range uint64(items / itemsPerTask) {
		d.runTask(parsed, jobID, task, itemsPerTask*price, params.Params.ProtocolFeeBps)
		// The single validator's reveal seeded the challenge (vote extensions
		// are on from height 1 in the devnet genesis).
		if seed := d.challengeSeed(t, jobID, task); seed.Source != "vote_extensions" || seed.Revealers != 1 {
			t.Fatalf("task %d's challenge seed: %+v", task, seed)
		}
	}

	job := d.job(jobID)
	if job.Status != "JOB_STATUS_COMPLETED" || job.Escrow != "0" || job.TasksVerified != "2" {
		t.Fatalf("job after both proofs: %+v", job)
	}

	// REST (gRPC-gateway) serves the same state.
	var restJob struct {
		Job jobJSON `json:"job"`
	}
	if err := getJSON(fmt.Sprintf("%s/nightshift/compute/v1/jobs/%d", d.restURL, jobID), &restJob); err != nil {
		t.Fatal(err)
	}
	if j := restJob.Job; j.ID != strconv.FormatUint(jobID, 10) || j.Requester != requester || j.Kind != kind ||
		j.Status != "JOB_STATUS_COMPLETED" || j.Escrow != "0" || j.TasksVerified != "2" || j.LiveTasks != "0" {
		t.Fatalf("REST job: %+v", j)
	}
	var restDevice struct {
		Device deviceJSON `json:"device"`
	}
	if err := getJSON(d.restURL+"/nightshift/compute/v1/devices/"+device, &restDevice); err != nil {
		t.Fatal(err)
	}
	// Every hashcash item measures the same work (one hash checked), so the
	// sampled mean times the items is exact.
	wantUnits := strconv.FormatUint(items*parsed.MaxWorkPerItem(), 10)
	if dev := restDevice.Device; dev.Operator != device || dev.Status != "DEVICE_STATUS_ACTIVE" || dev.Bond != "2100000000" ||
		dev.TasksVerified != "2" || dev.WorkUnits != wantUnits || dev.LiveTasks != 0 {
		t.Fatalf("REST device: %+v", dev)
	}
	// And gRPC, through the CLI's --grpc-addr.
	out, err := d.cli("q", "compute", "device", device, "--grpc-addr", fmt.Sprintf("127.0.0.1:%d", d.grpc), "--grpc-insecure", "--output", "json")
	if err != nil || !strings.Contains(out, `"work_units": "`+wantUnits+`"`) {
		t.Fatalf("device over gRPC: %v %s", err, out)
	}

	// An unknown kind is refused and costs the requester no more than the
	// transaction's fee (nothing is escrowed, no posting fee is taken).
	before = d.balance(requester)
	res = d.tx("compute", "post-job", "no-such-kind", "{}", "4", "2", "1000", "100", "--from", "requester")
	if res.Code == 0 || !strings.Contains(res.RawLog, "unknown task kind") {
		t.Fatalf("post-job with an unknown kind was not refused: %+v", res)
	}
	if after := d.balance(requester); after != before-res.fee() || res.fee() > 400 {
		t.Fatalf("requester balance %d -> %d (fee %d) after a refused job", before, after, res.fee())
	}
	d.query(&jobs, "compute", "jobs", "--requester", requester)
	if len(jobs.Jobs) != 1 {
		t.Fatalf("a refused job was stored: %+v", jobs.Jobs)
	}
}

// runTask leases the next task of a job to device1, claims it with the root of
// outputs computed here, waits for the challenge and proves it, then checks the
// device was paid reward less the protocol fee.
func (d *devnet) runTask(spec kinds.Spec, jobID, wantTask uint64, reward int64, feeBps uint32) {
	d.t.Helper()
	job := strconv.FormatUint(jobID, 10)
	device := d.addr("device1")

	res := d.mustTx("compute", "lease-task", job, "--from", "device1")
	leaseRes := res
	var lease types.MsgLeaseTaskResponse
	d.msgResponse(res, &lease)
	if lease.TaskIndex != wantTask {
		d.t.Fatalf("leased task %d, want %d", lease.TaskIndex, wantTask)
	}
	task := strconv.FormatUint(lease.TaskIndex, 10)
	var live struct {
		Tasks []taskJSON `json:"tasks"`
	}
	d.query(&live, "compute", "device-tasks", device)
	if len(live.Tasks) != 1 || live.Tasks[0].Status != "TASK_STATUS_LEASED" || live.Tasks[0].JobID != job {
		d.t.Fatalf("device tasks after lease: %+v", live.Tasks)
	}

	// What a worker does: compute every output and commit to their Merkle root.
	outputs := make([][]byte, lease.ItemCount)
	leaves := make([][32]byte, lease.ItemCount)
	for i := range lease.ItemCount {
		out, _, err := spec.ComputeOutput(kinds.Item{JobID: jobID, Index: lease.FirstItem + i})
		if err != nil {
			d.t.Fatal(err)
		}
		outputs[i], leaves[i] = out, merkle.LeafHash(jobID, lease.FirstItem+i, out)
	}
	tree, err := merkle.NewTree(leaves)
	if err != nil {
		d.t.Fatal(err)
	}
	root := tree.Root()
	res = d.mustTx("compute", "submit-claim", job, task, hex.EncodeToString(root[:]), "--from", "device1")
	claimRes := res
	var claim types.MsgSubmitClaimResponse
	d.msgResponse(res, &claim)
	if claim.ChallengeHeight == 0 || claim.ProofDeadline <= claim.ChallengeHeight {
		d.t.Fatalf("claim response: %+v", claim)
	}

	// The challenge is fixed by the hash of block challenge_height.
	d.waitHeight(int64(claim.ChallengeHeight), 30*time.Second)
	var q struct {
		Task             taskJSON `json:"task"`
		ChallengeReady   bool     `json:"challenge_ready"`
		ChallengeIndices []string `json:"challenge_indices"`
	}
	d.query(&q, "compute", "task", job, task)
	if !q.ChallengeReady || q.Task.Status != "TASK_STATUS_CLAIMED" || q.Task.Root != b64(root[:]) {
		d.t.Fatalf("task at the challenge height: %+v", q)
	}
	// k = 32 (proof_samples, sized for a proposer that drops a vote
	// extension): every item of a 32-item task is sampled.
	if len(q.ChallengeIndices) != 32 || lease.ItemCount != 32 {
		d.t.Fatalf("challenge indices %v for a task of %d items", q.ChallengeIndices, lease.ItemCount)
	}

	// One --items flag per challenged item (a ChallengeItem as JSON, bytes in
	// base64) and one --nodes flag (hex) per node of the multi-proof.
	args := []string{"compute", "submit-proof", job, task, "--from", "device1", "--gas", "auto", "--gas-adjustment", "1.5"}
	offsets := make([]uint64, len(q.ChallengeIndices))
	for i, s := range q.ChallengeIndices {
		index, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			d.t.Fatal(err)
		}
		offsets[i] = index - lease.FirstItem
		bz, err := json.Marshal(challengeItemJSON{Index: index, Output: outputs[offsets[i]]})
		if err != nil {
			d.t.Fatal(err)
		}
		args = append(args, "--items", string(bz))
	}
	nodes, err := tree.MultiProof(offsets)
	if err != nil || len(nodes) != 0 { // all leaves are known: the root needs no sibling
		d.t.Fatalf("multi-proof of %v: %d nodes, %v", offsets, len(nodes), err)
	}
	for _, n := range nodes {
		args = append(args, "--nodes", hex.EncodeToString(n[:]))
	}
	balance := d.balance(device)
	res = d.mustTx(args...)
	var proof types.MsgSubmitProofResponse
	d.msgResponse(res, &proof)
	fee := reward * int64(feeBps) / types.BasisPoints
	if !proof.Accepted || proof.Paid.Int64() != reward-fee || !proof.Slashed.IsZero() {
		d.t.Fatalf("proof response: %+v", proof)
	}
	const accepted = "nightshift.compute.v1.EventProofAccepted"
	if res.event(accepted, "paid") != strconv.FormatInt(reward-fee, 10) || res.event(accepted, "fee") != strconv.FormatInt(fee, 10) ||
		res.event(accepted, "emission_eligible") != "true" {
		d.t.Fatalf("EventProofAccepted: %+v", res.Events)
	}
	if got := d.balance(device); got != balance+reward-fee-res.fee() {
		d.t.Fatalf("device balance %d -> %d, want +%d (fee %d)", balance, got, reward-fee, res.fee())
	}
	// What the task's three transactions cost the device at min_gas_price,
	// against what it paid (the figures in the module README).
	txFees := leaseRes.fee() + claimRes.fee() + res.fee()
	for _, r := range []txResult{leaseRes, claimRes, res} {
		if wanted, _ := strconv.ParseInt(r.GasWanted, 10, 64); r.fee()*1000 < wanted || r.fee() == 0 {
			d.t.Fatalf("tx %s paid %d ushift for %s gas: below min_gas_price", r.TxHash, r.fee(), r.GasWanted)
		}
	}
	d.t.Logf("task %s: lease %s/%s gas, claim %s/%s, proof %s/%s (used/wanted); fees %d ushift of the %d paid (%.1f %%)",
		task, leaseRes.GasUsed, leaseRes.GasWanted, claimRes.GasUsed, claimRes.GasWanted, res.GasUsed, res.GasWanted,
		txFees, reward-fee, 100*float64(txFees)/float64(reward-fee))
	d.query(&q, "compute", "task", job, task)
	if q.Task.Status != "TASK_STATUS_VERIFIED" {
		d.t.Fatalf("task after proof: %+v", q.Task)
	}
}

type jobJSON struct {
	ID            string `json:"id"`
	Requester     string `json:"requester"`
	Kind          string `json:"kind"`
	Spec          string `json:"spec"`
	Escrow        string `json:"escrow"`
	Status        string `json:"status"`
	NumTasks      string `json:"num_tasks"`
	TasksVerified string `json:"tasks_verified"`
	LiveTasks     string `json:"live_tasks"`
}

type deviceJSON struct {
	Operator      string `json:"operator"`
	Moniker       string `json:"moniker"`
	Bond          string `json:"bond"`
	Status        string `json:"status"`
	TasksVerified string `json:"tasks_verified"`
	WorkUnits     string `json:"work_units"`
	LiveTasks     uint32 `json:"live_tasks"`
}

type taskJSON struct {
	JobID  string `json:"job_id"`
	Status string `json:"status"`
	Root   string `json:"root"`
}

// challengeItemJSON is nightshift.compute.v1.ChallengeItem as protojson reads it.
type challengeItemJSON struct {
	Index  uint64 `json:"index"`
	Output []byte `json:"output"`
}

// query runs `nightshiftd q ARGS --output json` and decodes the result.
func (d *devnet) query(into any, args ...string) {
	d.t.Helper()
	args = append(append([]string{"q"}, args...), "--node", d.node(), "--output", "json")
	out, err := d.cli(args...)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), into); err != nil {
		d.t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

func (d *devnet) job(id uint64) jobJSON {
	d.t.Helper()
	var res struct {
		Job jobJSON `json:"job"`
	}
	d.query(&res, "compute", "job", strconv.FormatUint(id, 10))
	return res.Job
}

func (d *devnet) device(operator string) deviceJSON {
	d.t.Helper()
	var res struct {
		Device deviceJSON `json:"device"`
	}
	d.query(&res, "compute", "device", operator)
	return res.Device
}

// balance is an account's ushift from `q bank balances`.
func (d *devnet) balance(addr string) int64 {
	d.t.Helper()
	var res struct {
		Balances []struct {
			Denom  string `json:"denom"`
			Amount string `json:"amount"`
		} `json:"balances"`
	}
	d.query(&res, "bank", "balances", addr)
	for _, c := range res.Balances {
		if c.Denom == "ushift" {
			n, err := strconv.ParseInt(c.Amount, 10, 64)
			if err != nil {
				d.t.Fatal(err)
			}
			return n
		}
	}
	return 0
}

// msgResponse decodes the first message response of an included tx.
func (d *devnet) msgResponse(res txResult, into interface{ Unmarshal([]byte) error }) {
	d.t.Helper()
	bz, err := hex.DecodeString(res.Data)
	if err != nil {
		d.t.Fatal(err)
	}
	var data sdk.TxMsgData
	if err := data.Unmarshal(bz); err != nil {
		d.t.Fatal(err)
	}
	if len(data.MsgResponses) != 1 {
		d.t.Fatalf("tx %s has %d message responses", res.TxHash, len(data.MsgResponses))
	}
	if err := into.Unmarshal(data.MsgResponses[0].Value); err != nil {
		d.t.Fatal(err)
	}
}

func b64(bz []byte) string { return base64.StdEncoding.EncodeToString(bz) }
