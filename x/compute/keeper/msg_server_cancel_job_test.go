package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgCancelJob(t *testing.T) {
	cancel := func(op func(w *msgWorld) string, job func(w *msgWorld) uint64) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: op(w), JobId: job(w)})
		}
	}
	requester := func(w *msgWorld) string { return w.f.str(w.requester) }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	var short uint64
	shortJob := func(*msgWorld) uint64 { return short }
	cases := []msgCase{
		{name: "invalid requester address", send: cancel(func(*msgWorld) string { return badChecksumAddr }, worldJob), err: types.ErrInvalidAddress},
		{name: "unknown job", send: cancel(requester, func(*msgWorld) uint64 { return 99 }), err: types.ErrJobNotFound},
		{name: "job id 0", send: cancel(requester, func(*msgWorld) uint64 { return 0 }), err: types.ErrJobNotFound},
		{name: "not the requester", send: cancel(func(w *msgWorld) string { return w.f.str(w.outsider) }, worldJob), err: types.ErrNotJobRequester},
		{name: "a device of the job", prepare: func(w *msgWorld) { w.leaseA() }, send: cancel(func(w *msgWorld) string { return w.f.str(w.a) }, worldJob), err: types.ErrNotJobRequester},
		{
			name: "already cancelled",
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: w.job})
			},
			send: cancel(requester, worldJob), err: types.ErrJobNotOpen,
		},
		{
			name: "completed",
			prepare: func(w *msgWorld) {
				short, _ = w.postShortJob(100)
				w.f.runTask(w.a, short, nil)
				require.Equal(t, types.JOB_STATUS_COMPLETED, w.jobState(short).Status)
			},
			send: cancel(requester, shortJob), err: types.ErrJobNotOpen,
		},
		{
			name: "expired",
			prepare: func(w *msgWorld) {
				var deadline uint64
				short, deadline = w.postShortJob(3)
				w.f.advanceTo(deadline + 1)
				require.Equal(t, types.JOB_STATUS_EXPIRED, w.jobState(short).Status)
			},
			send: cancel(requester, shortJob), err: types.ErrJobNotOpen,
		},
	}
	runMsgCases(t, cases)

	// Four tasks of 4,000: task 0 verified before the cancel, task 1 leased and
	// left to expire, task 2 claimed and proved after the cancel, task 3 never
	// leased. The cancel refunds task 3; task 2 is paid; task 1's expiry refunds.
	t.Run("refunds idle escrow now and live tasks' escrow when they fail", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 20 }))
		f := w.f
		w.challengeReady()
		require.True(t, must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer())).Accepted)
		leased := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1), leased.TaskIndex)
		bLease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.Equal(t, uint64(2), bLease.TaskIndex)
		bWork := f.computeTask(w.b, w.job, bLease, nil)
		bClaim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 2, bWork.root()))
		paid := worldFunds - worldItems*worldPrice
		requireAmount(t, int64(paid), f.balance(w.requester))

		res, em := mustEvents(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(w.requester), JobId: w.job})
		requireAmount(t, worldReward, res.Refunded, "only task 3 is idle")
		requireAmount(t, int64(paid+worldReward), f.balance(w.requester))
		job := w.jobState(w.job)
		require.Equal(t, types.JOB_STATUS_CANCELLED, job.Status)
		requireAmount(t, 2*worldReward, job.Escrow)
		require.Equal(t, uint64(2), job.LiveTasks)
		require.Equal(t, uint64(2*worldPerTask), job.LiveItems)
		require.True(t, hasKey(t, f.ctx, indexHas(f.k.Jobs.Indexes.Status), collectionsPair(int32(types.JOB_STATUS_CANCELLED), w.job)))
		require.False(t, hasKey(t, f.ctx, indexHas(f.k.Jobs.Indexes.Status), collectionsPair(int32(types.JOB_STATUS_OPEN), w.job)))
		require.False(t, hasKey(t, f.ctx, f.k.JobDeadlineQueue.Has, collectionsPair(job.DeadlineHeight, w.job)))
		requireEvent(t, em, &types.EventEscrowRefunded{JobId: w.job, Requester: f.str(w.requester), Amount: math.NewInt(worldReward)})
		requireEvent(t, em, &types.EventJobClosed{JobId: w.job, Status: types.JOB_STATUS_CANCELLED.String(), Refunded: math.NewInt(worldReward)})
		_, err := exec(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.ErrorIs(t, err, types.ErrJobNotOpen)

		// The live claim is proved after the cancel and paid.
		f.advanceTo(bClaim.ChallengeHeight)
		bBalance := f.balance(w.b)
		proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.b, w.job, 2, bWork.answer(f.challenge(w.job, 2))))
		require.True(t, proof.Accepted, proof.Reason)
		requireAmount(t, worldReward-worldFee, proof.Paid)
		requireAmount(t, bBalance.Int64()+worldReward-worldFee, f.balance(w.b))
		job = w.jobState(w.job)
		require.Equal(t, types.JOB_STATUS_CANCELLED, job.Status)
		requireAmount(t, worldReward, job.Escrow)
		require.Equal(t, uint64(2), job.TasksVerified)

		// The live lease expires and its share goes back to the requester.
		f.advanceTo(leased.LeaseExpiry)
		requireAmount(t, int64(paid+worldReward), f.balance(w.requester))
		em = f.ctx.EventManager()
		f.nextBlock()
		requireAmount(t, int64(paid+2*worldReward), f.balance(w.requester))
		requireEvent(t, em, &types.EventEscrowRefunded{JobId: w.job, Requester: f.str(w.requester), Amount: math.NewInt(worldReward)})
		job = w.jobState(w.job)
		requireAmount(t, 0, job.Escrow)
		require.Zero(t, job.LiveTasks)
		require.Zero(t, job.LiveItems)
		require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, collectionsJoin(w.job, 1)), "a closed job's task does not reopen")
		require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 1).Status)
		dev := w.device(w.a)
		require.Zero(t, dev.LiveTasks)
		requireAmount(t, bond-bond/100, dev.Bond, "an expired lease costs slash_lapsed_bps of the bond")
		// The requester paid for exactly the two verified tasks.
		requireAmount(t, worldFunds-2*worldReward, f.balance(w.requester))
		requireAmount(t, 2*worldFee, f.balance(w.feeCollector()))
	})
}
