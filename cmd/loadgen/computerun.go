package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// TaskRecord is a task that went lease → claim → accepted proof.
type TaskRecord struct {
	Items                  uint64
	LeaseH, ClaimH, ProofH int64
}

// ComputeRun drives devices through lease → compute → claim → challenge →
// proof, each with up to Live tasks at once, signing on the fly.
type ComputeRun struct {
	g      *Gen
	picker *JobPicker
	live   int
	batch  int // tasks per lease, claim and proof tx (1: the single messages)
	// speculate: lease and claim in one MsgLeaseAndClaim, each device on a
	// job of its own (speculate.go)
	speculate bool
	perDev    int // tasks per device before it stops (0: until Stop)
	throttle  *Throttle
	gas       *GasLimits    // learned gas limits (gaslimit.go)
	cpu       chan struct{} // bounds concurrent output computation to the cores
	stopped   atomic.Bool
	noJobs    atomic.Bool

	mu        sync.Mutex
	done      []TaskRecord
	failures  map[string]int
	computeNs atomic.Int64 // CPU time the load generator spent computing outputs and trees
}

// NewComputeRun prepares a run over jobs; th gates new leases.
func NewComputeRun(g *Gen, jobs []*Job, live, perDevice int, th *Throttle) *ComputeRun {
	return &ComputeRun{g: g, picker: &JobPicker{jobs: jobs}, live: live, batch: 1, perDev: perDevice, throttle: th,
		gas: NewGasLimits(), cpu: make(chan struct{}, runtime.NumCPU()), failures: map[string]int{}}
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
	outputs             [][]byte // count outputs, item first… (sizes differ for wasm)
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
	ts   []*task // a batch's tasks (batchflow.go)
}

type device struct {
	acc     *Account
	events  chan devEvent
	active  int // tasks in flight
	wanting int // free slots
	opened  int // slots opened so far (the ramp opens them one by one)
	opens   []time.Time
	leased  int // tasks leased so far

	// --speculate (speculate.go): the device's own job, the task it will
	// lease next, its lease+claim txs in flight, and whether next must be
	// re-read from the chain.
	job      *Job
	next     uint64
	inFlight int
	resync   bool
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
		if r.speculate {
			d.job = r.picker.jobs[i]
		}
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
		switch {
		case r.speculate:
			r.fillSpeculative(ctx, d)
		case r.batch > 1:
			r.fillBatch(ctx, d)
		default:
			r.fill(ctx, d)
		}
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
			case evLeasedBatch:
				r.leasedBatch(ctx, d, ev)
			case evClaimedBatch:
				r.claimedBatch(ctx, d, ev)
			case evChallengeBatch:
				r.proveBatch(ctx, d, ev.ts)
			case evProvedBatch:
				r.provedBatch(d, ev)
			case evLeasedClaimedBatch:
				r.leasedClaimedBatch(ctx, d, ev)
			}
		}
	}
}

func (r *ComputeRun) mayLease(d *device) bool {
	if d.job != nil && d.next >= d.job.NumTasks {
		return false // its own job is used up (speculate.go)
	}
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
		err := r.g.SendMsgs(ctx, d.acc, KindLease, r.gas.Limit(KindLease, 1, gasLease), func(o Outcome) {
			r.throttle.Release()
			r.gas.Observe(KindLease, 1, o)
			d.events <- devEvent{kind: evLeased, t: t, out: o}
		},
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

// abandon records why a task in flight failed at step and frees its slot.
func (r *ComputeRun) abandon(d *device, step string, o Outcome, err error) {
	r.fail(step, o, err)
	r.end(d)
}

// send sends a claim or proof: counted by the throttle, never held back by it.
// Its gas limit is the learned one, fallback until there is one. A broadcast
// that fails abandons the task.
func (r *ComputeRun) send(ctx context.Context, d *device, kind TxKind, fallback uint64, ev eventKind, t *task, msg sdk.Msg) {
	r.throttle.Add()
	err := r.g.SendMsgs(ctx, d.acc, kind, r.gas.Limit(kind, 1, fallback), func(o Outcome) {
		r.throttle.Release()
		r.gas.Observe(kind, 1, o)
		d.events <- devEvent{kind: ev, t: t, out: o}
	}, msg)
	if err != nil {
		r.throttle.Release()
		r.abandon(d, kind.String()+" broadcast", Outcome{}, err)
	}
}
