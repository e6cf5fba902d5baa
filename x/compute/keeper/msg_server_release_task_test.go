package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

func (w *msgWorld) releaseMsg(op sdk.AccAddress, job, task uint64) *types.MsgReleaseTask {
	return &types.MsgReleaseTask{Operator: w.f.str(op), JobId: job, TaskIndex: task}
}

// lapseSlash is what letting a lease of op's lapse would burn now.
func (w *msgWorld) lapseSlash(op sdk.AccAddress) math.Int {
	return types.BpsOf(w.device(op).Bond, w.params().SlashLapsedBps)
}

func TestMsgReleaseTask(t *testing.T) {
	release := func(op func(w *msgWorld) sdk.AccAddress, job func(w *msgWorld) uint64, task uint64) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.ReleaseTask, w.releaseMsg(op(w), job(w), task))
		}
	}
	a := func(w *msgWorld) sdk.AccAddress { return w.a }
	b := func(w *msgWorld) sdk.AccAddress { return w.b }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	leaseA := func(w *msgWorld) { w.leaseA() }
	shortLease := func(p *types.Params) { p.LeaseBlocks = 5 }
	cases := []msgCase{
		{name: "invalid operator address", prepare: leaseA, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.ReleaseTask, &types.MsgReleaseTask{Operator: badChecksumAddr, JobId: w.job})
		}},
		{name: "operator of another chain's prefix", prepare: leaseA, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.ReleaseTask, &types.MsgReleaseTask{Operator: otherPrefixAddr, JobId: w.job})
		}},
		{name: "unregistered device", prepare: leaseA, send: release(func(w *msgWorld) sdk.AccAddress { return w.outsider }, worldJob, 0), err: types.ErrDeviceNotFound},
		{
			// Jailing revoked the lease; the device is told why it holds nothing.
			name: "jailed device", prepare: func(w *msgWorld) {
				w.leaseA()
				w.jail(w.a)
			},
			send: release(a, worldJob, 0), err: types.ErrDeviceJailed,
		},
		{name: "unknown job", prepare: leaseA, send: release(a, func(*msgWorld) uint64 { return 99 }, 0), err: types.ErrJobNotFound},
		{name: "job id 0", prepare: leaseA, send: release(a, func(*msgWorld) uint64 { return 0 }, 0), err: types.ErrJobNotFound},
		{name: "task never leased", prepare: leaseA, send: release(a, worldJob, 1), err: types.ErrTaskNotFound},
		{name: "task index beyond the job", prepare: leaseA, send: release(a, worldJob, 99), err: types.ErrTaskNotFound},
		{
			name: "released twice", prepare: func(w *msgWorld) {
				w.leaseA()
				must(w.f, w.f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
			},
			send: release(a, worldJob, 0), err: types.ErrTaskNotFound,
		},
		{
			name: "after the lease expired and the end block reopened the task", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
			},
			send: release(a, worldJob, 0), err: types.ErrTaskNotFound,
		},
		{name: "not the holder", prepare: leaseA, send: release(b, worldJob, 0), err: types.ErrNotTaskHolder},
		{
			name: "after the lease expired and another device leased the task", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
				must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
			},
			send: release(a, worldJob, 0), err: types.ErrNotTaskHolder,
		},
		{name: "claimed already", prepare: func(w *msgWorld) { w.claimA() }, send: release(a, worldJob, 0), err: types.ErrAlreadyClaimed},
		{
			name: "verified already", prepare: func(w *msgWorld) {
				_, proof := w.f.runTask(w.a, w.job, nil)
				require.True(w.f.t, proof.Accepted)
			},
			send: release(a, worldJob, 0), err: types.ErrAlreadyClaimed,
		},
		{
			// Releasing a lapsed lease would dodge the lapse's full slash.
			name: "after the lease expired, before the end block ran", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry)
				w.f.ctx = w.f.ctx.WithBlockHeight(int64(w.lease.LeaseExpiry) + 1)
			},
			send: release(a, worldJob, 0), err: types.ErrLeaseExpired,
		},
		{
			name: "after the lease expired, still queued behind another expiry",
			tweak: func(p *types.Params) {
				p.LeaseBlocks = 5
				p.MaxQueueItemsPerBlock = 1
			},
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)) // task 0, first in the queue
				w.leaseA()                                            // task 1
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
				require.Equal(t, types.TASK_STATUS_LEASED, w.task(w.job, 1).Status)
			},
			send: release(a, worldJob, 1), err: types.ErrLeaseExpired,
		},
	}
	runMsgCases(t, cases)

	t.Run("hands the task back at once, charged pro rata to the blocks held", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		w.leaseA()
		p := w.params()
		f.advance(25)
		h := uint64(f.ctx.BlockHeight())
		require.Equal(t, uint64(26), h)
		lapse := w.lapseSlash(w.a) // 1 % of 1,000 SHIFT: 10 SHIFT
		requireAmount(t, 10_000_000, lapse)
		supply, burned := w.supply(), f.totalBurned()

		res, em := mustEvents(f, f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
		// 25 of the lease's 100 blocks held: a quarter of the lapse slash.
		charge := math.NewInt(2_500_000)
		until := h + p.LeaseCooldownBlocks
		requireProto(t, &types.MsgReleaseTaskResponse{Charged: charge, BarredUntil: until}, res)
		requireEvent(t, em, &types.EventTaskReleased{JobId: w.job, TaskIndex: 0, Device: f.str(w.a), HeldBlocks: 25, Charged: charge, BarredUntil: until})
		requireEvent(t, em, &types.EventBondSlashed{
			Operator: f.str(w.a), JobId: w.job, TaskIndex: 0, Amount: charge, Reason: keeper.SlashReasonLeaseReleased, RemainingBond: math.NewInt(bond).Sub(charge),
		})
		require.Equal(t, supply.Sub(charge), w.supply(), "the charge is burned")
		require.Equal(t, burned.Add(charge), f.totalBurned())

		dev := w.device(w.a)
		require.Zero(t, dev.LiveTasks)
		require.Zero(t, dev.Failures+uint32(dev.MissedProofs), "a release is not a failure")
		require.Equal(t, types.DEVICE_STATUS_ACTIVE, dev.Status)
		task := w.task(w.job, 0)
		require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status)
		require.Empty(t, task.Device)
		require.Equal(t, []types.TaskBar{{Device: f.str(w.a), UntilHeight: until}}, task.Bars)
		key := collectionsJoin(w.job, 0)
		require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key), "queued for re-lease at once")
		require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.lease.LeaseExpiry, key)), "the lease no longer expires")
		require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
		job := w.jobState(w.job)
		require.Zero(t, job.LiveTasks)
		require.Zero(t, job.LiveItems)
		requireAmount(t, worldItems*worldPrice, job.Escrow, "the escrow stays for the next device")

		// Another device gets it in the same block; device a gets the next new task.
		again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.Equal(t, uint64(0), again.TaskIndex)
		require.Equal(t, h+p.LeaseBlocks, again.LeaseExpiry)
		next := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1), next.TaskIndex)
		// The old expiry height passes without touching b's lease.
		f.advanceTo(w.lease.LeaseExpiry + 1)
		require.Equal(t, types.TASK_STATUS_LEASED, w.task(w.job, 0).Status)
		require.Equal(t, f.str(w.b), w.task(w.job, 0).Device)
		requireAmount(t, bond-2_500_000, w.device(w.a).Bond, "no lapse slash for a released lease")
	})

	t.Run("released in the block it was leased, it costs nothing", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		w.leaseA()
		res := must(w.f, w.f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
		require.True(t, res.Charged.IsZero())
		requireAmount(t, bond, w.device(w.a).Bond)
	})

	t.Run("never costs more than the lapse, and less before the lease's last height", func(t *testing.T) {
		for held := uint64(0); held <= 7; held++ {
			w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 7 }))
			w.leaseA()
			w.f.advance(int(held))
			lapse := w.lapseSlash(w.a)
			res := must(w.f, w.f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
			// ⌈lapse × held / 7⌉
			want := lapse.MulRaw(int64(held)).AddRaw(6).QuoRaw(7)
			require.Equal(t, want.String(), res.Charged.String(), "held %d blocks", held)
			if held < 7 {
				require.True(t, res.Charged.LT(lapse), "held %d of 7 blocks: %s, lapse %s", held, res.Charged, lapse)
			} else {
				require.Equal(t, lapse.String(), res.Charged.String(), "at the lease's last height a release costs what the lapse would")
			}
		}
	})

	t.Run("governance changing lease_blocks does not change an open lease's charge", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 10 }))
		w.leaseA()
		w.f.advance(5)
		w.setParams(func(p *types.Params) { p.LeaseBlocks = 1000 })
		lapse := w.lapseSlash(w.a)
		res := must(w.f, w.f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
		require.Equal(t, lapse.QuoRaw(2).String(), res.Charged.String(), "5 of the lease's 10 blocks: half the lapse")
	})

	t.Run("of a cancelled job refunds the task's escrow", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		w.leaseA()
		must(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(w.requester), JobId: w.job})
		before := f.balance(w.requester)
		_, em := mustEvents(f, f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
		requireEvent(t, em, &types.EventEscrowRefunded{JobId: w.job, Requester: f.str(w.requester), Amount: math.NewInt(worldReward)})
		requireAmount(t, worldReward, f.balance(w.requester).Sub(before))
		require.True(t, w.jobState(w.job).Escrow.IsZero())
		require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, collectionsJoin(w.job, 0)), "a closed job's task does not reopen")
	})

	t.Run("the device may not lease the task again for lease_cooldown_blocks", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseCooldownBlocks = 5 }))
		f := w.f
		one, _ := w.postShortJob(100)
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one))
		f.advance(3)
		res := must(f, f.msgs.ReleaseTask, w.releaseMsg(w.a, one, 0))
		require.Equal(t, uint64(f.ctx.BlockHeight())+5, res.BarredUntil)
		// A release and a re-lease cannot restart the lease clock.
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one)), types.ErrTaskBarred)
		})
		f.advanceTo(res.BarredUntil - 1)
		require.ErrorIs(t, sendMsg(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one)), types.ErrTaskBarred)
		f.advanceTo(res.BarredUntil)
		again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one))
		require.Equal(t, uint64(0), again.TaskIndex)
	})
}
