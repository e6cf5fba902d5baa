package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// speculate computes the task op's next lease of job would give (its index
// and items), before leasing it, as a speculating worker does.
func (w *msgWorld) speculate(job, index uint64) *worker {
	w.f.t.Helper()
	j := w.jobState(job)
	first, count := j.TaskRange(index)
	return w.f.computeTask(w.a, job, &types.MsgLeaseTaskResponse{TaskIndex: index, FirstItem: first, ItemCount: count}, nil)
}

func TestMsgLeaseAndClaim(t *testing.T) {
	t.Run("leases and claims in one step, as LeaseTask then SubmitClaim do", func(t *testing.T) {
		one, many := twinWorlds(t, nil)
		w0, w1 := one.speculate(one.job, 0), one.speculate(one.job, 1)
		for i, wk := range []*worker{w0, w1} {
			must(one.f, one.f.msgs.LeaseTask, one.leaseMsg(one.a, one.job))
			must(one.f, one.f.msgs.SubmitClaim, one.claimMsg(one.a, one.job, uint64(i), wk.root()))
		}
		res, em := mustEvents(many.f, many.f.msgs.LeaseAndClaim, &types.MsgLeaseAndClaim{Operator: many.f.str(many.a), Claims: []types.ClaimElement{
			{JobId: many.job, TaskIndex: 0, Root: w0.root()}, {JobId: many.job, TaskIndex: 1, Root: w1.root()},
		}})
		require.Equal(t, uint32(2), res.Settled)
		require.Equal(t, uint64(1), res.Results[1].Lease.TaskIndex)
		// The challenge is fixed by a later block, as for any claim.
		require.Equal(t, uint64(many.f.ctx.BlockHeight())+types.DefaultParams().ChallengeDelayBlocks, res.Results[1].Claim.ChallengeHeight)
		require.Len(t, eventsOf[*types.EventTaskLeased](em), 2)
		require.Len(t, eventsOf[*types.EventClaimSubmitted](em), 2)
		requireSameState(t, one, many)
		// The claimed task is proven like any other.
		many.f.advanceTo(res.Results[1].Claim.ChallengeHeight)
		proof := must(many.f, many.f.msgs.SubmitProof, many.proofMsg(many.a, many.job, 1, w1.answer(many.f.challenge(many.job, 1))))
		require.True(t, proof.Accepted, proof.Reason)
	})
	t.Run("an element naming another task than the lease gives changes nothing", func(t *testing.T) {
		one, many := twinWorlds(t, nil)
		w0 := one.speculate(one.job, 0)
		must(one.f, one.f.msgs.LeaseTask, one.leaseMsg(one.a, one.job))
		must(one.f, one.f.msgs.SubmitClaim, one.claimMsg(one.a, one.job, 0, w0.root()))
		res := must(many.f, many.f.msgs.LeaseAndClaim, &types.MsgLeaseAndClaim{Operator: many.f.str(many.a), Claims: []types.ClaimElement{
			{JobId: many.job, TaskIndex: 2, Root: w0.root()}, // the device may not pick its task
			{JobId: many.job, TaskIndex: 0, Root: w0.root()},
			{JobId: many.job, TaskIndex: 0, Root: w0.root()},     // duplicate
			{JobId: many.job, TaskIndex: 1, Root: w0.root()[:4]}, // leased, then the claim fails: the lease is undone too
		}})
		require.Equal(t, uint32(1), res.Settled)
		require.Equal(t, []uint32{code(types.ErrLeaseMismatch), 0, code(types.ErrDuplicateBatchElement), code(types.ErrInvalidRoot)},
			[]uint32{batchCode(res.Results[0].Error), batchCode(res.Results[1].Error), batchCode(res.Results[2].Error), batchCode(res.Results[3].Error)})
		requireSameState(t, one, many)
	})

	lac := func(w *msgWorld, elems ...types.ClaimElement) error {
		return sendMsg(w.f, w.f.msgs.LeaseAndClaim, &types.MsgLeaseAndClaim{Operator: w.f.str(w.a), Claims: elems})
	}
	root := make([]byte, 32)
	runMsgCases(t, []msgCase{
		{name: "invalid operator address", err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.LeaseAndClaim, &types.MsgLeaseAndClaim{Operator: "night1", Claims: []types.ClaimElement{{JobId: w.job, Root: root}}})
		}},
		{name: "empty batch", send: func(w *msgWorld) error { return lac(w) }, err: types.ErrBatchSize},
		{
			name: "more elements than max_batch_size", tweak: func(p *types.Params) { p.MaxBatchSize = 1 },
			send: func(w *msgWorld) error {
				return lac(w, types.ClaimElement{JobId: w.job, Root: root}, types.ClaimElement{JobId: w.job, TaskIndex: 1, Root: root})
			}, err: types.ErrBatchSize,
		},
		{name: "no element settles: another task than the next", send: func(w *msgWorld) error {
			return lac(w, types.ClaimElement{JobId: w.job, TaskIndex: 3, Root: root})
		}, err: types.ErrLeaseMismatch},
		{name: "no element settles: short root", send: func(w *msgWorld) error {
			return lac(w, types.ClaimElement{JobId: w.job, TaskIndex: 0, Root: root[:31]})
		}, err: types.ErrInvalidRoot},
		{name: "no element settles: unknown job", send: func(w *msgWorld) error {
			return lac(w, types.ClaimElement{JobId: 99, Root: root})
		}, err: types.ErrJobNotFound},
		{
			name: "no element settles: the lease rules apply (live-task limit)", tweak: func(p *types.Params) { p.MaxLiveTasksPerDevice = 1 },
			prepare: func(w *msgWorld) { w.leaseA() },
			send: func(w *msgWorld) error {
				return lac(w, types.ClaimElement{JobId: w.job, TaskIndex: 1, Root: root})
			}, err: types.ErrTooManyLiveTasks,
		},
		{
			name: "no element settles: the lease rules apply (bond cover)", tweak: func(p *types.Params) { p.SlashInvalidBps = 1 },
			prepare: func(w *msgWorld) { w.job = w.f.postJob(w.requester, "hashcash", worldSpec, 4, 4, 1_000_000) },
			send: func(w *msgWorld) error {
				return lac(w, types.ClaimElement{JobId: w.job, TaskIndex: 0, Root: root})
			}, err: types.ErrBondTooSmallForTask,
		},
	})
}
