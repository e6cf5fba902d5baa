package keeper_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgSubmitClaim(t *testing.T) {
	claim := func(op func(w *msgWorld) sdk.AccAddress, job func(w *msgWorld) uint64, task uint64, root func(w *msgWorld) []byte) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitClaim, w.claimMsg(op(w), job(w), task, root(w)))
		}
	}
	a := func(w *msgWorld) sdk.AccAddress { return w.a }
	b := func(w *msgWorld) sdk.AccAddress { return w.b }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	goodRoot := func(w *msgWorld) []byte { return w.work.root() }
	sized := func(n int) func(*msgWorld) []byte {
		return func(w *msgWorld) []byte { return bytes.Repeat([]byte{7}, n) }
	}
	leaseA := func(w *msgWorld) { w.leaseA() }
	shortLease := func(p *types.Params) { p.LeaseBlocks = 5 }
	cases := []msgCase{
		{name: "invalid operator address", prepare: leaseA, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: "", JobId: w.job, Root: w.work.root()})
		}},
		{name: "unknown job", prepare: leaseA, send: claim(a, func(*msgWorld) uint64 { return 99 }, 0, goodRoot), err: types.ErrJobNotFound},
		{name: "task never leased", prepare: leaseA, send: claim(a, worldJob, 1, goodRoot), err: types.ErrTaskNotFound},
		{name: "task index beyond the job", prepare: leaseA, send: claim(a, worldJob, 99, goodRoot), err: types.ErrTaskNotFound},
		{name: "device not holding the lease", prepare: leaseA, send: claim(b, worldJob, 0, goodRoot), err: types.ErrNotTaskHolder},
		{name: "unregistered device", prepare: leaseA, send: claim(func(w *msgWorld) sdk.AccAddress { return w.outsider }, worldJob, 0, goodRoot), err: types.ErrNotTaskHolder},
		{name: "claimed twice", prepare: func(w *msgWorld) { w.claimA() }, send: claim(a, worldJob, 0, goodRoot), err: types.ErrAlreadyClaimed},
		{name: "claimed twice with another root", prepare: func(w *msgWorld) { w.claimA() }, send: claim(a, worldJob, 0, sized(32)), err: types.ErrAlreadyClaimed},
		{name: "root of 31 bytes", prepare: leaseA, send: claim(a, worldJob, 0, sized(31)), err: types.ErrInvalidRoot},
		{name: "root of 33 bytes", prepare: leaseA, send: claim(a, worldJob, 0, sized(33)), err: types.ErrInvalidRoot},
		{name: "empty root", prepare: leaseA, send: claim(a, worldJob, 0, sized(0)), err: types.ErrInvalidRoot},
		{
			name: "after the lease expired and the end block reopened the task", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
			},
			send: claim(a, worldJob, 0, goodRoot), err: types.ErrTaskNotFound,
		},
		{
			name: "after the lease expired, before the end block ran", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry)
				w.f.ctx = w.f.ctx.WithBlockHeight(int64(w.lease.LeaseExpiry) + 1)
			},
			send: claim(a, worldJob, 0, goodRoot), err: types.ErrLeaseExpired,
		},
		{
			// Two leases expire at one height and the end block takes one a block:
			// the second is still leased, and past its expiry, a block later.
			name: "after the lease expired, still queued behind another expiry",
			tweak: func(p *types.Params) {
				p.LeaseBlocks = 5
				p.MaxQueueItemsPerBlock = 1
			},
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)) // task 0, first in the queue
				w.leaseA()                                            // task 1
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
				require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
				require.Equal(t, types.TASK_STATUS_LEASED, w.task(w.job, 1).Status)
			},
			send: claim(a, worldJob, 1, goodRoot), err: types.ErrLeaseExpired,
		},
		{
			name: "after the lease expired and another device leased the task", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
				must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
			},
			send: claim(a, worldJob, 0, goodRoot), err: types.ErrNotTaskHolder,
		},
	}
	runMsgCases(t, cases)

	t.Run("commits the root and schedules the challenge", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		w.leaseA()
		f.advance(3)
		p := w.params()
		res, em := mustEvents(f, f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
		challengeAt := uint64(4) + p.ChallengeDelayBlocks
		deadline := challengeAt + p.ProofWindowBlocks
		requireProto(t, &types.MsgSubmitClaimResponse{ChallengeHeight: challengeAt, ProofDeadline: deadline}, res)
		requireProto(t, &types.Task{
			JobId: w.job, Index: 0, Device: f.str(w.a), Status: types.TASK_STATUS_CLAIMED, FirstItem: 0, ItemCount: worldPerTask,
			LeasedHeight: 1, LeaseExpiry: w.lease.LeaseExpiry, Root: w.work.root(), ClaimHeight: 4, ChallengeHeight: challengeAt, ProofDeadline: deadline,
		}, pointerTo(w.task(w.job, 0)))
		key := collectionsJoin(w.job, 0)
		require.True(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(deadline, key)))
		require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.lease.LeaseExpiry, key)), "the lease no longer expires")
		require.Equal(t, uint32(1), w.device(w.a).LiveTasks)
		require.Equal(t, uint64(1), w.jobState(w.job).LiveTasks)
		requireEvent(t, em, &types.EventClaimSubmitted{
			JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Root: hex.EncodeToString(w.work.root()), ChallengeHeight: challengeAt, ProofDeadline: deadline,
		})
		// The lease's expiry passing changes nothing for a claimed task.
		f.advanceTo(w.lease.LeaseExpiry + 1)
		require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 0).Status)
	})

	t.Run("claims at the lease expiry height", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 5 }))
		w.leaseA()
		w.f.advanceTo(w.lease.LeaseExpiry)
		must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
		w.f.nextBlock()
		require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 0).Status)
	})
}
