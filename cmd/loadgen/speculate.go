package main

import (
	"context"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// The speculative compute workload (--speculate): a device computes the tasks
// it will lease next before leasing them and sends lease and claim together,
// in one MsgLeaseAndClaim of up to --batch elements, so a task costs two
// batch transactions (lease+claim, proof) instead of three.
//
// When the prediction is sound: LeaseTask gives a device the job's first
// reopened task it is not barred from, else the job's next_task. Each device
// here has a job of its own (one per device, posted at setup), nobody else
// leases from it, and a lease this device let lapse reopens a task it is
// barred from: so the next task is next_task, which only this device's own
// leases move, one per element in the order of its transactions (one
// sequence, so one order in blocks). The device counts it locally.
//
// What a wrong prediction costs: the element fails with ErrLeaseMismatch in a
// cache context the keeper drops (no lease, no claim, no escrow moved), so the
// device loses the computation and the element's gas, nothing more. After a
// failed element or transaction the later ones in flight would mismatch too,
// so the device stops predicting, waits for its transactions in flight, and
// reads next_task from the chain (Query/Job) before it predicts again.

// evLeasedClaimedBatch is a MsgLeaseAndClaim transaction's outcome.
const evLeasedClaimedBatch eventKind = iota + 200

// fillSpeculative computes and leases+claims tasks of the device's own job
// for its free slots, in batches of at most r.batch (gated as fillBatch is).
func (r *ComputeRun) fillSpeculative(ctx context.Context, d *device) {
	if d.resync {
		if d.inFlight > 0 {
			return
		}
		res, err := r.g.NodeFor(d.acc).Compute.Job(ctx, &computetypes.QueryJobRequest{JobId: d.job.ID})
		if err != nil {
			r.fail("lease+claim resync", Outcome{}, err)
			return
		}
		d.next, d.resync = res.Job.NextTask, false
	}
	if d.active > 0 && d.wanting < min(r.batch, r.live) {
		return
	}
	for d.wanting > 0 && r.mayLease(d) && d.next < d.job.NumTasks && r.throttle.TryAcquire() {
		n := uint64(min(d.wanting, r.batch))
		n = min(n, d.job.NumTasks-d.next)
		msg := &computetypes.MsgLeaseAndClaim{Operator: d.acc.Bech32}
		ts := make([]*task, 0, n)
		for i := range n {
			t := &task{job: d.job, index: d.next + i, count: d.job.ItemsPerTask}
			t.first = t.index * d.job.ItemsPerTask
			t.count = min(t.count, d.job.Items-t.first)
			if err := r.compute(t); err != nil {
				r.fail("compute", Outcome{}, err)
				break
			}
			root := t.tree.Root()
			ts = append(ts, t)
			msg.Claims = append(msg.Claims, computetypes.ClaimElement{JobId: t.job.ID, TaskIndex: t.index, Root: root[:]})
		}
		if len(ts) == 0 {
			r.throttle.Release()
			return
		}
		fallback := (gasLease + gasClaim) * uint64(len(ts))
		err := r.g.SendMsgs(ctx, d.acc, KindLease, r.gas.Limit(KindLease, len(ts), fallback), func(o Outcome) {
			r.throttle.Release()
			r.gas.Observe(KindLease, len(ts), o)
			d.events <- devEvent{kind: evLeasedClaimedBatch, ts: ts, out: o}
		}, msg)
		if err != nil {
			r.throttle.Release()
			r.fail("lease+claim broadcast", Outcome{}, err)
			d.resync = true
			return
		}
		d.next += uint64(len(ts))
		d.inFlight++
		d.wanting -= len(ts)
		d.active += len(ts)
		d.leased += len(ts)
	}
}

// leasedClaimedBatch records a MsgLeaseAndClaim's outcome: the settled tasks
// wait for their challenge; any failure makes the device re-read next_task.
func (r *ComputeRun) leasedClaimedBatch(ctx context.Context, d *device, ev devEvent) {
	d.inFlight--
	if !ev.out.OK() {
		d.leased -= len(ev.ts)
		d.resync = true
	}
	var res computetypes.MsgLeaseAndClaimResponse
	if !r.settleBatch(d, "lease+claim", ev, &res) {
		for _, t := range ev.ts {
			t.tree, t.outputs = nil, nil
		}
		return
	}
	var ok []*task
	for i, t := range ev.ts {
		lr := res.Results[i]
		if lr.Error != nil {
			d.leased--
			d.resync = true
			t.tree, t.outputs = nil, nil
			r.elementFailed(d, "lease+claim", lr.Error)
			continue
		}
		t.leaseH, t.claimH, t.challengeHeight = ev.out.Height, ev.out.Height, lr.Claim.ChallengeHeight
		ok = append(ok, t)
	}
	if len(ok) > 0 {
		go r.awaitChallenges(ctx, d, ok)
	}
}
