package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// Fixed gas limits per message (the fee is fixed too); the results report the
// gas actually used.
const (
	gasBank     = 150_000
	gasRegister = 300_000
	gasPostJob  = 300_000 // per MsgPostJob
	gasLease    = 300_000
	gasClaim    = 300_000
	gasProof    = 1_500_000
)

// Job is a posted hashcash job the devices lease from.
type Job struct {
	ID           uint64
	Items        uint64
	ItemsPerTask uint64
	NumTasks     uint64
	Spec         kinds.Spec
	leases       atomic.Int64 // leases sent for it
}

// JobPicker hands out jobs in order until each has had a lease sent per task.
type JobPicker struct {
	jobs []*Job
	cur  atomic.Int64
}

// Pick returns the job to lease from next, or nil when all are taken.
func (p *JobPicker) Pick() *Job {
	for {
		i := p.cur.Load()
		if int(i) >= len(p.jobs) {
			return nil
		}
		j := p.jobs[i]
		if j.leases.Add(1) <= int64(j.NumTasks) {
			return j
		}
		p.cur.CompareAndSwap(i, i+1)
	}
}

// PostJobs posts hashcash jobs of items items cut into tasks of itemsPerTask,
// all in one tx of the requester, and returns them.
func (g *Gen) PostJobs(ctx context.Context, requester *Account, n int, items, itemsPerTask uint64, difficulty uint) ([]*Job, error) {
	spec := fmt.Sprintf(`{"difficulty_bits":%d}`, difficulty)
	msgs := make([]sdk.Msg, n)
	for i := range msgs {
		msgs[i] = &computetypes.MsgPostJob{Requester: requester.Bech32, Kind: "hashcash", Spec: spec, Items: items,
			ItemsPerTask: itemsPerTask, PricePerItem: math.NewInt(1), DeadlineBlocks: 100_000}
	}
	out, err := g.SendAndWait(ctx, requester, KindSetup, gasPostJob*uint64(n), msgs...)
	if err != nil {
		return nil, err
	}
	if !out.OK() {
		return nil, fmt.Errorf("post %d jobs: code %d lost=%v: %s", n, out.Code, out.Lost, out.Log)
	}
	resps, err := g.msgResponses(out.Data)
	if err != nil {
		return nil, err
	}
	parsed, err := kinds.DefaultRegistry().Parse("hashcash", []byte(spec), items)
	if err != nil {
		return nil, err
	}
	jobs := make([]*Job, len(resps))
	for i, r := range resps {
		var res computetypes.MsgPostJobResponse
		if err := proto.Unmarshal(r, &res); err != nil {
			return nil, err
		}
		jobs[i] = &Job{ID: res.JobId, Items: items, ItemsPerTask: itemsPerTask, NumTasks: (items + itemsPerTask - 1) / itemsPerTask, Spec: parsed}
	}
	return jobs, nil
}

// msgResponses returns the encoded Msg responses of a tx result's data.
func (g *Gen) msgResponses(data []byte) ([][]byte, error) {
	var md sdk.TxMsgData
	if err := g.Codecs.Codec.Unmarshal(data, &md); err != nil {
		return nil, err
	}
	out := make([][]byte, len(md.MsgResponses))
	for i, a := range md.MsgResponses {
		out[i] = a.Value
	}
	return out, nil
}

func (g *Gen) msgResponse(o Outcome, into proto.Message) error {
	resps, err := g.msgResponses(o.Data)
	if err != nil {
		return err
	}
	if len(resps) != 1 {
		return fmt.Errorf("%d msg responses, want 1", len(resps))
	}
	return proto.Unmarshal(resps[0], into)
}

// RegisterDevices registers every device with bond, in parallel.
func (g *Gen) RegisterDevices(ctx context.Context, devices []*Account, bond math.Int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(devices))
	for _, d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := g.SendAndWait(ctx, d, KindSetup, gasRegister,
				&computetypes.MsgRegisterDevice{Operator: d.Bech32, Moniker: fmt.Sprintf("bench-%d", d.Index), Bond: bond})
			if err == nil && !o.OK() {
				err = fmt.Errorf("register device %d: code %d lost=%v: %s", d.Index, o.Code, o.Lost, o.Log)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TaskRecord is a task that went lease → claim → accepted proof.
type TaskRecord struct {
	Items                  uint64
	LeaseH, ClaimH, ProofH int64
}

// ComputeRun drives devices through lease → compute → claim → challenge →
// proof, each with up to Live tasks at once, signing on the fly.
type ComputeRun struct {
	g        *Gen
	picker   *JobPicker
	live     int
	perDev   int // tasks per device before it stops (0: until Stop)
	throttle *Throttle
	cpu      chan struct{} // bounds concurrent output computation to the cores
	stopped  atomic.Bool
	noJobs   atomic.Bool

	mu        sync.Mutex
	done      []TaskRecord
	failures  map[string]int
	computeNs atomic.Int64 // CPU time the load generator spent computing outputs and trees
}

// NewComputeRun prepares a run over jobs; th gates new leases.
func NewComputeRun(g *Gen, jobs []*Job, live, perDevice int, th *Throttle) *ComputeRun {
	return &ComputeRun{g: g, picker: &JobPicker{jobs: jobs}, live: live, perDev: perDevice, throttle: th,
		cpu: make(chan struct{}, runtime.NumCPU()), failures: map[string]int{}}
}

// Stop stops new leases; tasks in flight finish.
func (r *ComputeRun) Stop() { r.stopped.Store(true) }

// Completed returns the tasks whose proof was accepted.
func (r *ComputeRun) Completed() []TaskRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]TaskRecord(nil), r.done...)
}

// Failures counts what went wrong, by step and reason.
func (r *ComputeRun) Failures() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.failures {
		out[k] = v
	}
	return out
}

func (r *ComputeRun) fail(step string, o Outcome, err error) {
	reason := ""
	switch {
	case err != nil:
		reason = err.Error()
		if len(reason) > 80 {
			reason = reason[:80]
		}
	case o.Lost:
		reason = "lost (not included)"
	default:
		reason = fmt.Sprintf("code %d", o.Code)
		if o.Codespace != "" {
			if e := errorsmod.ABCIError(o.Codespace, o.Code, ""); e != nil {
				reason = fmt.Sprintf("%s/%d %s", o.Codespace, o.Code, e.Error())
			}
		}
	}
	r.mu.Lock()
	r.failures[step+": "+reason]++
	r.mu.Unlock()
}

type task struct {
	job                 *Job
	index, first, count uint64
	leaseH, claimH      int64
	outputs             []byte // count outputs of HashcashOutputSize bytes
	tree                *merkle.Tree
	challengeHeight     uint64
	indices             []uint64
}

type eventKind int

const (
	evLeased eventKind = iota
	evClaimed
	evChallenge
	evProved
)

type devEvent struct {
	kind eventKind
	t    *task
	out  Outcome
}

type device struct {
	acc     *Account
	events  chan devEvent
	active  int // tasks in flight
	wanting int // free slots
	opened  int // slots opened so far (the ramp opens them one by one)
	opens   []time.Time
	leased  int // tasks leased so far
}

// Run works with every device until Stop has been called and all tasks in
// flight have ended, or ctx ends. The devices' task slots open evenly over
// ramp, so tasks do not move through lease, claim and proof in lockstep
// waves but in the mix of a steady state.
func (r *ComputeRun) Run(ctx context.Context, devices []*Account, ramp time.Duration) {
	start := time.Now()
	slots := len(devices) * r.live
	var wg sync.WaitGroup
	for i, acc := range devices {
		d := &device{acc: acc, events: make(chan devEvent, 2*r.live+4)}
		for s := range r.live {
			// Slot s of device i opens at (s·devices + i)/slots of the ramp.
			d.opens = append(d.opens, start.Add(ramp*time.Duration(s*len(devices)+i)/time.Duration(slots)))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.device(ctx, d)
		}()
	}
	wg.Wait()
}

func (r *ComputeRun) device(ctx context.Context, d *device) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for d.opened < len(d.opens) && !time.Now().Before(d.opens[d.opened]) {
			d.opened++
			d.wanting++
		}
		r.fill(ctx, d)
		if d.active == 0 && d.opened == len(d.opens) && !r.mayLease(d) {
			return
		}
		if d.active == 0 && !r.mayLease(d) && (r.stopped.Load() || r.noJobs.Load()) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case ev := <-d.events:
			switch ev.kind {
			case evLeased:
				r.leased(ctx, d, ev)
			case evClaimed:
				r.claimed(ctx, d, ev)
			case evChallenge:
				r.prove(ctx, d, ev.t)
			case evProved:
				r.proved(ctx, d, ev)
			}
		}
	}
}

func (r *ComputeRun) mayLease(d *device) bool {
	return !r.stopped.Load() && !r.noJobs.Load() && (r.perDev == 0 || d.leased < r.perDev)
}

// fill leases tasks for free slots while the throttle lets new work in.
func (r *ComputeRun) fill(ctx context.Context, d *device) {
	for d.wanting > 0 && r.mayLease(d) && r.throttle.TryAcquire() {
		job := r.picker.Pick()
		if job == nil {
			r.throttle.Release()
			r.noJobs.Store(true)
			return
		}
		t := &task{job: job}
		err := r.g.SendMsgs(ctx, d.acc, KindLease, gasLease, func(o Outcome) { r.throttle.Release(); d.events <- devEvent{evLeased, t, o} },
			&computetypes.MsgLeaseTask{Operator: d.acc.Bech32, JobId: job.ID})
		if err != nil {
			r.throttle.Release()
			r.fail("lease broadcast", Outcome{}, err)
			return
		}
		d.wanting--
		d.active++
		d.leased++
	}
}

// end frees a slot.
func (r *ComputeRun) end(d *device) {
	d.active--
	d.wanting++
}

// send sends a claim or proof: counted by the throttle, never held back by it.
func (r *ComputeRun) send(ctx context.Context, d *device, kind TxKind, gas uint64, ev eventKind, t *task, msg sdk.Msg) error {
	r.throttle.Add()
	err := r.g.SendMsgs(ctx, d.acc, kind, gas, func(o Outcome) { r.throttle.Release(); d.events <- devEvent{ev, t, o} }, msg)
	if err != nil {
		r.throttle.Release()
	}
	return err
}

func (r *ComputeRun) leased(ctx context.Context, d *device, ev devEvent) {
	t := ev.t
	if !ev.out.OK() {
		r.fail("lease", ev.out, nil)
		d.leased--
		r.end(d)
		return
	}
	var res computetypes.MsgLeaseTaskResponse
	if err := r.g.msgResponse(ev.out, &res); err != nil {
		r.fail("lease response", ev.out, err)
		r.end(d)
		return
	}
	t.index, t.first, t.count, t.leaseH = res.TaskIndex, res.FirstItem, res.ItemCount, ev.out.Height
	if err := r.compute(t); err != nil {
		r.fail("compute", Outcome{}, err)
		r.end(d)
		return
	}
	root := t.tree.Root()
	err := r.send(ctx, d, KindClaim, gasClaim, evClaimed, t,
		&computetypes.MsgSubmitClaim{Operator: d.acc.Bech32, JobId: t.job.ID, TaskIndex: t.index, Root: root[:]})
	if err != nil {
		r.fail("claim broadcast", Outcome{}, err)
		r.end(d)
	}
}

// compute runs the kind's own code for every item and builds the Merkle tree,
// exactly as the worker does.
func (r *ComputeRun) compute(t *task) error {
	r.cpu <- struct{}{}
	runtime.LockOSThread()
	start := threadCPU()
	defer func() {
		r.computeNs.Add(int64(threadCPU() - start))
		runtime.UnlockOSThread()
		<-r.cpu
	}()
	outputs := make([][]byte, t.count)
	t.outputs = make([]byte, 0, t.count*kinds.HashcashOutputSize)
	for i := range t.count {
		out, err := t.job.Spec.ComputeOutput(t.job.ID, t.first+i)
		if err != nil {
			return err
		}
		if len(out) != kinds.HashcashOutputSize {
			return fmt.Errorf("output of %d bytes, want %d", len(out), kinds.HashcashOutputSize)
		}
		t.outputs = append(t.outputs, out...)
		outputs[i] = t.outputs[i*kinds.HashcashOutputSize : (i+1)*kinds.HashcashOutputSize]
	}
	tree, err := merkle.TaskTree(t.job.ID, t.first, outputs)
	t.tree = tree
	return err
}

func (r *ComputeRun) claimed(ctx context.Context, d *device, ev devEvent) {
	t := ev.t
	if !ev.out.OK() {
		r.fail("claim", ev.out, nil)
		r.end(d)
		return
	}
	var res computetypes.MsgSubmitClaimResponse
	if err := r.g.msgResponse(ev.out, &res); err != nil {
		r.fail("claim response", ev.out, err)
		r.end(d)
		return
	}
	t.claimH, t.challengeHeight = ev.out.Height, res.ChallengeHeight
	go r.awaitChallenge(ctx, d, t)
}

// awaitChallenge waits for the challenge block, then reads the indices from
// the device's node (Query/Task, as the worker does).
func (r *ComputeRun) awaitChallenge(ctx context.Context, d *device, t *task) {
	if err := r.g.Tracker.WaitHeight(ctx, int64(t.challengeHeight)); err != nil {
		return
	}
	node := r.g.NodeFor(d.acc)
	for range 200 {
		res, err := node.Compute.Task(ctx, &computetypes.QueryTaskRequest{JobId: t.job.ID, TaskIndex: t.index})
		if err == nil && res.ChallengeReady {
			t.indices = res.ChallengeIndices
			d.events <- devEvent{kind: evChallenge, t: t}
			return
		}
		if ctx.Err() != nil {
			return
		}
		sleep(ctx, 100*time.Millisecond)
	}
	r.fail("challenge", Outcome{}, fmt.Errorf("challenge of job %d task %d not ready after 20 s", t.job.ID, t.index))
	d.events <- devEvent{kind: evProved, t: t, out: Outcome{Lost: true}}
}

func (r *ComputeRun) prove(ctx context.Context, d *device, t *task) {
	if t.indices == nil {
		r.end(d)
		return
	}
	items := make([]computetypes.ChallengeItem, len(t.indices))
	offsets := make([]uint64, len(t.indices))
	for i, idx := range t.indices {
		off := (idx - t.first) * kinds.HashcashOutputSize
		items[i] = computetypes.ChallengeItem{Index: idx, Output: t.outputs[off : off+kinds.HashcashOutputSize]}
		offsets[i] = idx - t.first
	}
	nodes, err := t.tree.MultiProofBytes(offsets)
	if err != nil {
		r.fail("proof nodes", Outcome{}, err)
		r.end(d)
		return
	}
	err = r.send(ctx, d, KindProof, gasProof, evProved, t,
		&computetypes.MsgSubmitProof{Operator: d.acc.Bech32, JobId: t.job.ID, TaskIndex: t.index, Items: items, Nodes: nodes})
	if err != nil {
		r.fail("proof broadcast", Outcome{}, err)
		r.end(d)
	}
}

func (r *ComputeRun) proved(ctx context.Context, d *device, ev devEvent) {
	t := ev.t
	t.tree, t.outputs = nil, nil
	if !ev.out.OK() {
		if t.indices != nil {
			r.fail("proof", ev.out, nil)
		}
		r.end(d)
		return
	}
	var res computetypes.MsgSubmitProofResponse
	if err := r.g.msgResponse(ev.out, &res); err != nil || !res.Accepted {
		r.fail("proof rejected", ev.out, fmt.Errorf("accepted=%v reason=%q err=%v", res.Accepted, res.Reason, err))
		r.end(d)
		return
	}
	r.g.Tracker.AddItems(ev.out.Height, int64(t.count))
	r.mu.Lock()
	r.done = append(r.done, TaskRecord{Items: t.count, LeaseH: t.leaseH, ClaimH: t.claimH, ProofH: ev.out.Height})
	r.mu.Unlock()
	r.end(d)
}

// threadCPU is the calling OS thread's CPU time (the goroutine must be locked to it).
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
