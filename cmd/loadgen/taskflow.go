package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// settle decodes the response of ev's tx into res; a failed tx or a response
// that does not decode abandons the task under step and returns false.
func (r *ComputeRun) settle(d *device, step string, ev devEvent, res proto.Message) bool {
	if !ev.out.OK() {
		r.abandon(d, step, ev.out, nil)
		return false
	}
	if err := r.g.msgResponse(ev.out, res); err != nil {
		r.abandon(d, step+" response", ev.out, err)
		return false
	}
	return true
}

func (r *ComputeRun) leased(ctx context.Context, d *device, ev devEvent) {
	t := ev.t
	if !ev.out.OK() {
		d.leased-- // a refused lease does not count toward perDev
	}
	var res computetypes.MsgLeaseTaskResponse
	if !r.settle(d, "lease", ev, &res) {
		return
	}
	t.index, t.first, t.count, t.leaseH = res.TaskIndex, res.FirstItem, res.ItemCount, ev.out.Height
	if err := r.compute(t); err != nil {
		r.abandon(d, "compute", Outcome{}, err)
		return
	}
	root := t.tree.Root()
	r.send(ctx, d, KindClaim, gasClaim, evClaimed, t,
		&computetypes.MsgSubmitClaim{Operator: d.acc.Bech32, JobId: t.job.ID, TaskIndex: t.index, Root: root[:]})
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
	t.outputs = make([][]byte, t.count)
	for i := range t.count {
		out, _, err := t.job.Spec.ComputeOutput(kinds.Item{JobID: t.job.ID, Index: t.first + i})
		if err != nil {
			return err
		}
		t.outputs[i] = out
	}
	tree, err := merkle.TaskTree(t.job.ID, t.first, t.outputs)
	t.tree = tree
	return err
}

func (r *ComputeRun) claimed(ctx context.Context, d *device, ev devEvent) {
	t := ev.t
	var res computetypes.MsgSubmitClaimResponse
	if !r.settle(d, "claim", ev, &res) {
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
	e, err := t.proofElement()
	if err != nil {
		r.abandon(d, "proof nodes", Outcome{}, err)
		return
	}
	r.send(ctx, d, KindProof, t.job.proofGas(), evProved, t,
		&computetypes.MsgSubmitProof{Operator: d.acc.Bech32, JobId: t.job.ID, TaskIndex: t.index, Items: e.Items, Nodes: e.Nodes})
}

// proofElement answers the task's challenge from its outputs, as the worker does.
func (t *task) proofElement() (computetypes.ProofElement, error) {
	items := make([]computetypes.ChallengeItem, len(t.indices))
	offsets := make([]uint64, len(t.indices))
	for i, idx := range t.indices {
		items[i] = computetypes.ChallengeItem{Index: idx, Output: t.outputs[idx-t.first]}
		offsets[i] = idx - t.first
	}
	nodes, err := t.tree.MultiProofBytes(offsets)
	return computetypes.ProofElement{JobId: t.job.ID, TaskIndex: t.index, Items: items, Nodes: nodes}, err
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
		r.abandon(d, "proof rejected", ev.out, fmt.Errorf("accepted=%v reason=%q err=%v", res.Accepted, res.Reason, err))
		return
	}
	r.verified(d, t, ev.out.Height)
}

// verified records a task whose proof was accepted at height h and frees its slot.
func (r *ComputeRun) verified(d *device, t *task, h int64) {
	r.g.Tracker.AddItems(h, int64(t.count))
	r.mu.Lock()
	r.done = append(r.done, TaskRecord{Items: t.count, LeaseH: t.leaseH, ClaimH: t.claimH, ProofH: h})
	r.mu.Unlock()
	r.end(d)
}
