package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestLeaseAndReleaseSquatting (G3): a device leases every task of a job it
// can, holds the leases almost to their end and releases them, again and
// again, to keep the job from other devices without ever paying a lapse. Each
// release is charged the lapse slash pro rata to the blocks held, so holding a
// task costs the same per block whether the lease is released or lapses; the
// released tasks go to a waiting honest device at once, and the squatter is
// barred from them for lease_cooldown_blocks, so it cannot take them straight
// back. It ends with less than it started with, and less than the honest
// device.
func TestLeaseAndReleaseSquatting(t *testing.T) {
	const tasks, perTask, price = 8, 4, 1000
	f := newFixture(t)
	p, err := f.k.GetParams(f.ctx)
	require.NoError(t, err)
	requester := addrOf("lab")
	f.fund(requester, 1000*shift)
	squatter, honest := f.registerDevice("squatter"), f.registerDevice("honest")
	job := f.postJob(requester, "hashcash", advSpec, tasks*perTask, perTask, price)
	start, honestStart := f.wealth(squatter), f.wealth(honest)

	charged := math.ZeroInt()
	paid := math.ZeroInt()
	verified := 0
	for round := 0; verified < tasks; round++ {
		require.Less(t, round, tasks, "the honest device finishes the job")
		// The squatter takes every task it may lease, however many it gets.
		var leased []uint64
		for {
			res, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(squatter), JobId: job})
			if err != nil {
				require.ErrorIs(t, err, types.ErrTaskBarred, "round %d", round)
				break
			}
			leased = append(leased, res.TaskIndex)
			if len(leased) == tasks {
				break
			}
		}
		if round == 0 {
			require.Len(t, leased, tasks, "the squatter holds the whole job")
		}
		// It holds them to one block before they would lapse, then releases.
		f.advance(int(p.LeaseBlocks) - 1)
		for _, i := range leased {
			bondBefore := f.device(squatter).Bond
			res := must(f, f.msgs.ReleaseTask, &types.MsgReleaseTask{Operator: f.str(squatter), JobId: job, TaskIndex: i})
			lapse := types.BpsOf(bondBefore, p.SlashLapsedBps)
			require.True(t, res.Charged.LT(lapse) && res.Charged.GTE(lapse.MulRaw(int64(p.LeaseBlocks)-2).QuoRaw(int64(p.LeaseBlocks))),
				"held %d of %d blocks: charged %s of a %s lapse", p.LeaseBlocks-1, p.LeaseBlocks, res.Charged, lapse)
			charged = charged.Add(res.Charged)
		}
		// The released tasks go to the honest device in the same block, and
		// the squatter cannot take them back.
		requireUnchanged(f, []sdk.AccAddress{squatter, honest, requester}, func() {
			_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(squatter), JobId: job})
			require.ErrorIs(t, err, types.ErrTaskBarred)
		})
		for range leased {
			lease, proof := f.runTask(honest, job, nil)
			require.True(t, proof.Accepted, "task %d: %s", lease.TaskIndex, proof.Reason)
			paid = paid.Add(proof.Paid)
			verified++
		}
	}
	require.Equal(t, types.JOB_STATUS_COMPLETED, f.job(job).Status)
	requireAmount(t, tasks*(perTask*price-perTask*price*200/10_000), paid)
	require.Equal(t, start.Sub(charged).String(), f.wealth(squatter).String(), "the squatter lost exactly its release charges")
	require.True(t, f.wealth(squatter).LT(start), "squatting by release loses money")
	require.True(t, f.wealth(squatter).Sub(start).LT(f.wealth(honest).Sub(honestStart)))
	t.Logf("squatter %+d ushift over %d releases, honest device %+d ushift", f.wealth(squatter).Sub(start).Int64(), tasks, f.wealth(honest).Sub(honestStart).Int64())

	t.Run("an honest release is cheaper than the lapse it avoids", func(t *testing.T) {
		// A worker unplugged 10 blocks into a 100-block lease hands it back at
		// once: a tenth of what waiting for the lapse costs, and the task is
		// back on the market 90 blocks sooner.
		w := newMsgWorld(newFixture(t))
		w.leaseA()
		w.f.advance(10)
		lapse := w.lapseSlash(w.a)
		res := must(w.f, w.f.msgs.ReleaseTask, w.releaseMsg(w.a, w.job, 0))
		require.Equal(t, lapse.QuoRaw(10).String(), res.Charged.String())

		lapsed := newMsgWorld(newFixture(t))
		lapsed.leaseA()
		lapsed.f.advanceTo(lapsed.lease.LeaseExpiry + 1)
		require.Equal(t, lapse.String(), math.NewInt(bond).Sub(lapsed.device(lapsed.a).Bond).String(), "the lapse burns the whole 1 %%")
		require.True(t, res.Charged.LT(lapse))
	})
}
