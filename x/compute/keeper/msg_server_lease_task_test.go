package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgLeaseTask(t *testing.T) {
	lease := func(op func(w *msgWorld) sdk.AccAddress, job func(w *msgWorld) uint64) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.LeaseTask, w.leaseMsg(op(w), job(w)))
		}
	}
	a := func(w *msgWorld) sdk.AccAddress { return w.a }
	b := func(w *msgWorld) sdk.AccAddress { return w.b }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	var other uint64
	otherJob := func(*msgWorld) uint64 { return other }
	thin := addrOf("thin")
	cases := []msgCase{
		{name: "invalid operator address", err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: otherPrefixAddr, JobId: w.job})
		}},
		{name: "unregistered device", send: lease(func(w *msgWorld) sdk.AccAddress { return w.outsider }, worldJob), err: types.ErrDeviceNotFound},
		{name: "jailed device", prepare: func(w *msgWorld) { w.jail(w.a) }, send: lease(a, worldJob), err: types.ErrDeviceJailed},
		{name: "unbonding device", prepare: func(w *msgWorld) { w.unbond(w.a, false) }, send: lease(a, worldJob), err: types.ErrDeviceNotActive},
		{
			name: "unbonded device", tweak: func(p *types.Params) { p.DeviceUnbondingBlocks = 2 },
			prepare: func(w *msgWorld) { w.unbond(w.a, true) }, send: lease(a, worldJob), err: types.ErrDeviceNotActive,
		},
		{name: "unknown job", send: lease(a, func(*msgWorld) uint64 { return 99 }), err: types.ErrJobNotFound},
		{
			name: "the only open task is one the device withheld a proof for", tweak: func(p *types.Params) { p.ProofWindowBlocks = 3 },
			prepare: func(w *msgWorld) {
				other, _ = w.postShortJob(100)
				l := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, other))
				wk := w.f.computeTask(w.a, other, l, nil)
				c := must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, other, l.TaskIndex, wk.root()))
				w.f.advanceTo(c.ProofDeadline + 1)
			},
			send: lease(a, otherJob), err: types.ErrTaskBarred,
		},
		{
			name: "the only open task is one the device failed", prepare: func(w *msgWorld) {
				other, _ = w.postShortJob(100)
				res, _ := w.cheat(w.a, other, 2)
				require.False(w.f.t, res.Accepted)
			},
			send: lease(a, otherJob), err: types.ErrTaskBarred,
		},
		{
			name: "completed job",
			prepare: func(w *msgWorld) {
				other, _ = w.postShortJob(100)
				w.f.runTask(w.b, other, nil)
			},
			send: lease(a, otherJob), err: types.ErrJobNotOpen,
		},
		{
			name: "cancelled job",
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: w.job})
			},
			send: lease(a, worldJob), err: types.ErrJobNotOpen,
		},
		{
			name: "at the deadline height, before the end block closes the job",
			prepare: func(w *msgWorld) {
				var deadline uint64
				other, deadline = w.postShortJob(3)
				w.f.advanceTo(deadline)
				require.Equal(t, types.JOB_STATUS_OPEN, w.jobState(other).Status)
			},
			send: lease(a, otherJob), err: types.ErrJobNotOpen,
		},
		{
			name: "past the deadline, the job expired",
			prepare: func(w *msgWorld) {
				var deadline uint64
				other, deadline = w.postShortJob(3)
				w.f.advanceTo(deadline + 1)
				require.Equal(t, types.JOB_STATUS_EXPIRED, w.jobState(other).Status)
			},
			send: lease(a, otherJob), err: types.ErrJobNotOpen,
		},
		{
			name: "every task leased",
			prepare: func(w *msgWorld) {
				for range worldItems / worldPerTask {
					w.leaseA()
				}
			},
			send: lease(b, worldJob), err: types.ErrNoOpenTask,
		},
		{
			name: "every task verified or live",
			prepare: func(w *msgWorld) {
				other, _ = w.postShortJob(100)
				w.f.runTask(w.b, other, nil)
				// The world job: three tasks live, one verified.
				w.challengeReady()
				must(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer()))
				for range 3 {
					must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
				}
			},
			send: lease(a, worldJob), err: types.ErrNoOpenTask,
		},
		{
			name:    "too many live tasks",
			tweak:   func(p *types.Params) { p.MaxLiveTasksPerDevice = 1 },
			prepare: func(w *msgWorld) { w.leaseA() },
			send:    lease(a, worldJob), err: types.ErrTooManyLiveTasks,
		},
		{
			name: "bond too small for the task's reward",
			prepare: func(w *msgWorld) {
				// A 1,000 SHIFT bond slashes 500 SHIFT on an invalid proof; the task pays 1 more.
				res := must(w.f, w.f.msgs.PostJob, &types.MsgPostJob{
					Requester: w.f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 1, ItemsPerTask: 1,
					PricePerItem: math.NewInt(bond/2 + 1), DeadlineBlocks: 100,
				})
				other = res.JobId
			},
			send: lease(a, otherJob), err: types.ErrBondTooSmallForTask,
		},
		{
			name:  "bond below the minimum after a slash",
			tweak: func(p *types.Params) { p.ProofWindowBlocks = 3 },
			prepare: func(w *msgWorld) {
				f := w.f
				min := w.params().MinDeviceBond
				f.fund(thin, bond)
				w.extra = append(w.extra, thin)
				must(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(thin), Moniker: "thin", Bond: min})
				l := must(f, f.msgs.LeaseTask, w.leaseMsg(thin, w.job))
				wk := f.computeTask(thin, w.job, l, nil)
				c := must(f, f.msgs.SubmitClaim, w.claimMsg(thin, w.job, l.TaskIndex, wk.root()))
				f.advanceTo(c.ProofDeadline + 1) // the proof is missed: 50% of the bond burned
				require.Equal(t, types.BpsOf(min, 5000).String(), w.device(thin).Bond.String())
			},
			send: lease(func(*msgWorld) sdk.AccAddress { return thin }, worldJob), err: types.ErrBondTooLow,
		},
	}
	runMsgCases(t, cases)

	t.Run("leases the next task", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		f.advance(2)
		res, em := mustEvents(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		expiry := uint64(3) + w.params().LeaseBlocks
		requireProto(t, &types.MsgLeaseTaskResponse{TaskIndex: 0, FirstItem: 0, ItemCount: worldPerTask, LeaseExpiry: expiry}, res)
		requireProto(t, &types.Task{
			JobId: w.job, Index: 0, Device: f.str(w.a), Status: types.TASK_STATUS_LEASED, FirstItem: 0, ItemCount: worldPerTask,
			LeasedHeight: 3, LeaseExpiry: expiry,
		}, pointerTo(w.task(w.job, 0)))
		job := w.jobState(w.job)
		require.Equal(t, uint64(1), job.NextTask)
		require.Equal(t, uint64(1), job.LiveTasks)
		require.Equal(t, uint64(worldPerTask), job.LiveItems)
		requireAmount(t, worldItems*worldPrice, job.Escrow, "leasing moves no escrow")
		require.Equal(t, uint32(1), w.device(w.a).LiveTasks)
		require.True(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(expiry, collectionsJoin(w.job, 0))))
		require.True(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), collectionsJoin(w.job, 0))))
		requireEvent(t, em, &types.EventTaskLeased{JobId: w.job, TaskIndex: 0, Device: f.str(w.a), FirstItem: 0, ItemCount: worldPerTask, LeaseExpiry: expiry})

		// The next lease, by another device, gets the next task; a short last task keeps its size.
		res = must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.Equal(t, uint64(1), res.TaskIndex)
		require.Equal(t, uint64(worldPerTask), res.FirstItem)
		odd := must(f, f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) { m.Items, m.ItemsPerTask = 6, 4 }))
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, odd.JobId))
		res = must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, odd.JobId))
		require.Equal(t, uint64(1), res.TaskIndex)
		require.Equal(t, uint64(4), res.FirstItem)
		require.Equal(t, uint64(2), res.ItemCount)
	})

	t.Run("leases at the limits", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		// A task paying exactly what an invalid proof slashes.
		res := must(f, f.msgs.PostJob, &types.MsgPostJob{
			Requester: f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 1, ItemsPerTask: 1,
			PricePerItem: math.NewInt(bond / 2), DeadlineBlocks: 100,
		})
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, res.JobId))
		// The block before the deadline.
		short, deadline := w.postShortJob(3)
		f.advanceTo(deadline - 1)
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, short))
		require.Equal(t, types.TASK_STATUS_LEASED, w.task(short, 0).Status)
	})
}
