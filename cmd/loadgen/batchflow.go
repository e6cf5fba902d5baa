package main

import (
	"context"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// The batched compute workload (--batch N > 1): a device leases up to N tasks
// in one MsgLeaseTasks, claims the ones it computed in one MsgSubmitClaims and
// proves them in one MsgSubmitProofs, so a round of N tasks is three
// transactions. Each element is settled or refused on its own.

// Batch events carry the tasks of one batch transaction.
const (
	evLeasedBatch eventKind = iota + 100
	evClaimedBatch
	evChallengeBatch
	evProvedBatch
)

// fillBatch leases tasks for free slots in batches of at most r.batch.
//
// A device with tasks in flight waits until a whole batch of slots is free:
// tasks end one by one (slots open on a ramp, challenges fall in different
// blocks), and leasing each freed slot at once would make every batch, and
// the claim and proof batches after it, a batch of one.
func (r *ComputeRun) fillBatch(ctx context.Context, d *device) {
	if d.active > 0 && d.wanting < min(r.batch, r.live) {
		return
	}
	for d.wanting > 0 && r.mayLease(d) && r.throttle.TryAcquire() {
		n := min(d.wanting, r.batch)
		if r.perDev > 0 {
			n = min(n, r.perDev-d.leased)
		}
		msg := &computetypes.MsgLeaseTasks{Operator: d.acc.Bech32}
		var ts []*task
		for range n {
			job := r.picker.Pick()
			if job == nil {
				break
			}
			ts = append(ts, &task{job: job})
			msg.JobIds = append(msg.JobIds, job.ID)
		}
		if len(ts) == 0 {
			r.throttle.Release()
			r.noJobs.Store(true)
			return
		}
		err := r.g.SendMsgs(ctx, d.acc, KindLease, r.gas.Limit(KindLease, len(ts), gasLease*uint64(len(ts))), func(o Outcome) {
			r.throttle.Release()
			r.gas.Observe(KindLease, len(ts), o)
			d.events <- devEvent{kind: evLeasedBatch, ts: ts, out: o}
		}, msg)
		if err != nil {
			r.throttle.Release()
			r.fail("lease broadcast", Outcome{}, err)
			return
		}
		d.wanting -= len(ts)
		d.active += len(ts)
		d.leased += len(ts)
	}
}

// settleBatch decodes a batch tx's response; a failed tx or one that does not
// decode abandons all its tasks.
func (r *ComputeRun) settleBatch(d *device, step string, ev devEvent, res interface{ Unmarshal([]byte) error }) bool {
	if !ev.out.OK() {
		for range ev.ts {
			r.abandon(d, step, ev.out, nil)
		}
		return false
	}
	resps, err := r.g.msgResponses(ev.out.Data)
	if err == nil && len(resps) != 1 {
		err = fmt.Errorf("%d msg responses, want 1", len(resps))
	}
	if err == nil {
		err = res.Unmarshal(resps[0])
	}
	if err != nil {
		for range ev.ts {
			r.abandon(d, step+" response", ev.out, err)
		}
		return false
	}
	return true
}

// elementFailed abandons a task whose element the chain refused.
func (r *ComputeRun) elementFailed(d *device, step string, e *computetypes.BatchError) {
	r.abandon(d, step, Outcome{}, errorsmod.ABCIError(e.Codespace, e.Code, ""))
}

func (r *ComputeRun) leasedBatch(ctx context.Context, d *device, ev devEvent) {
	if !ev.out.OK() {
		d.leased -= len(ev.ts)
	}
	var res computetypes.MsgLeaseTasksResponse
	if !r.settleBatch(d, "lease", ev, &res) {
		return
	}
	msg := &computetypes.MsgSubmitClaims{Operator: d.acc.Bech32}
	var claimed []*task
	for i, t := range ev.ts {
		lr := res.Results[i]
		if lr.Error != nil {
			d.leased--
			r.elementFailed(d, "lease", lr.Error)
			continue
		}
		t.index, t.first, t.count, t.leaseH = lr.Lease.TaskIndex, lr.Lease.FirstItem, lr.Lease.ItemCount, ev.out.Height
		if err := r.compute(t); err != nil {
			r.abandon(d, "compute", Outcome{}, err)
			continue
		}
		root := t.tree.Root()
		claimed = append(claimed, t)
		msg.Claims = append(msg.Claims, computetypes.ClaimElement{JobId: t.job.ID, TaskIndex: t.index, Root: root[:]})
	}
	if len(claimed) > 0 {
		r.sendBatch(ctx, d, KindClaim, gasClaim*uint64(len(claimed)), evClaimedBatch, claimed, msg)
	}
}

func (r *ComputeRun) claimedBatch(ctx context.Context, d *device, ev devEvent) {
	var res computetypes.MsgSubmitClaimsResponse
	if !r.settleBatch(d, "claim", ev, &res) {
		return
	}
	var ok []*task
	for i, t := range ev.ts {
		if e := res.Results[i].Error; e != nil {
			r.elementFailed(d, "claim", e)
			continue
		}
		t.claimH, t.challengeHeight = ev.out.Height, res.Results[i].Claim.ChallengeHeight
		ok = append(ok, t)
	}
	if len(ok) > 0 {
		go r.awaitChallenges(ctx, d, ok)
	}
}

// awaitChallenges waits for the batch's challenge block (one claim height, so
// one challenge height) and reads each task's indices.
func (r *ComputeRun) awaitChallenges(ctx context.Context, d *device, ts []*task) {
	one := make(chan devEvent, len(ts))
	for _, t := range ts {
		sub := &device{acc: d.acc, events: one}
		r.awaitChallenge(ctx, sub, t)
	}
	select {
	case d.events <- devEvent{kind: evChallengeBatch, ts: ts}:
	case <-ctx.Done():
	}
}

func (r *ComputeRun) proveBatch(ctx context.Context, d *device, ts []*task) {
	msg := &computetypes.MsgSubmitProofs{Operator: d.acc.Bech32}
	var proving []*task
	for _, t := range ts {
		if t.indices == nil {
			r.end(d) // awaitChallenge recorded the failure
			continue
		}
		e, err := t.proofElement()
		if err != nil {
			r.abandon(d, "proof nodes", Outcome{}, err)
			continue
		}
		proving = append(proving, t)
		msg.Proofs = append(msg.Proofs, e)
	}
	if len(proving) > 0 {
		var gas uint64
		for _, t := range proving {
			gas += t.job.proofGas()
		}
		r.sendBatch(ctx, d, KindProof, gas, evProvedBatch, proving, msg)
	}
}

func (r *ComputeRun) provedBatch(d *device, ev devEvent) {
	for _, t := range ev.ts {
		t.tree, t.outputs = nil, nil
	}
	var res computetypes.MsgSubmitProofsResponse
	if !r.settleBatch(d, "proof", ev, &res) {
		return
	}
	for i, t := range ev.ts {
		pr := res.Results[i]
		switch {
		case pr.Error != nil:
			r.elementFailed(d, "proof", pr.Error)
		case !pr.Proof.Accepted:
			r.abandon(d, "proof rejected", ev.out, fmt.Errorf("reason=%q", pr.Proof.Reason))
		default:
			r.verified(d, t, ev.out.Height)
		}
	}
}

// sendBatch sends a batch claim or proof for ts: counted by the throttle,
// never held back by it. Its gas limit is the learned one for len(ts)
// elements, fallback (gas for all elements) until there is one. A broadcast
// that fails abandons every task.
func (r *ComputeRun) sendBatch(ctx context.Context, d *device, kind TxKind, fallback uint64, ev eventKind, ts []*task, msg sdk.Msg) {
	r.throttle.Add()
	err := r.g.SendMsgs(ctx, d.acc, kind, r.gas.Limit(kind, len(ts), fallback), func(o Outcome) {
		r.throttle.Release()
		r.gas.Observe(kind, len(ts), o)
		d.events <- devEvent{kind: ev, ts: ts, out: o}
	}, msg)
	if err != nil {
		r.throttle.Release()
		for range ts {
			r.abandon(d, kind.String()+" broadcast", Outcome{}, err)
		}
	}
}
