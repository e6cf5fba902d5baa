package keeper_test

import (
	"slices"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// disputeSamples is the proof sample size of the dispute tests: one of a
// task's four items, so a forger can hide three wrong outputs from the proof.
const disputeSamples = 1

func disputeParams(p *types.Params) { p.ProofSamples = disputeSamples }

// verifyA has device a lease, compute, claim and prove the world job's next
// task, and returns its index. With forge, a commits to wrong outputs for
// every item the challenge will not sample (found by running the claim in a
// throw-away branch of the state first: the challenge depends only on the
// task and the block hash at the challenge height), so the proof passes and
// only a fraud proof can catch it.
func (w *msgWorld) verifyA(forge bool) (uint64, []uint64) {
	f := w.f
	f.t.Helper()
	w.lease = must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
	w.work = f.computeTask(w.a, w.job, w.lease, nil)
	var forged []uint64
	if forge {
		g := f.branch(f.t)
		claim := must(g, g.msgs.SubmitClaim, w.claimMsg(w.a, w.job, w.lease.TaskIndex, w.work.root()))
		g.advanceTo(claim.ChallengeHeight)
		sampled := g.challenge(w.job, w.lease.TaskIndex)
		forged = forgeItems(f, w.work, w.job, func(idx uint64) bool { return !slices.Contains(sampled, idx) })
		require.NotEmpty(f.t, forged)
	}
	w.claim = must(f, f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, w.lease.TaskIndex, w.work.root()))
	f.advanceTo(w.claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, w.lease.TaskIndex, w.work.answer(f.challenge(w.job, w.lease.TaskIndex))))
	require.True(f.t, proof.Accepted, proof.Reason)
	return w.lease.TaskIndex, forged
}

func (w *msgWorld) demandMsg(task uint64, items ...uint64) *types.MsgDemandDelivery {
	return &types.MsgDemandDelivery{Requester: w.f.str(w.requester), JobId: w.job, TaskIndex: task, Items: items}
}

// deliverMsg is a's honest answer to a demand for items of its last task.
func (w *msgWorld) deliverMsg(task uint64, items ...uint64) *types.MsgDeliverOutputs {
	a := w.work.answer(items)
	return &types.MsgDeliverOutputs{Operator: w.f.str(w.a), JobId: w.job, TaskIndex: task, Items: a.items, Nodes: a.nodes}
}

// fraudMsg reports item of a's last task with the output a committed to.
func (w *msgWorld) fraudMsg(task, item uint64) *types.MsgReportFraud {
	a := w.work.answer([]uint64{item})
	return &types.MsgReportFraud{Reporter: w.f.str(w.outsider), JobId: w.job, TaskIndex: task, Item: item, Output: a.items[0].Output, Proof: a.nodes}
}
