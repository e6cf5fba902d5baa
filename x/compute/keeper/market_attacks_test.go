package keeper_test

import (
	"slices"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Market attacks of issue 14: each test plays the rational attacker through the
// Msg server (the escrow invariant is checked after every message and block)
// and requires it to end with less money than an honest device doing the same
// work, the honest device still being paid.

const shift = 1_000_000 // ushift

// upcomingChallenge is the challenge a claim of the task made now will get: the
// fixture's block hashes are known in advance, which lets a test put a forged
// item under the challenge on purpose.
func upcomingChallenge(f *fixture, op sdk.AccAddress, lease *types.MsgLeaseTaskResponse, jobID uint64) []uint64 {
	f.t.Helper()
	p, err := f.k.GetParams(f.ctx)
	require.NoError(f.t, err)
	task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(jobID, lease.TaskIndex))
	require.NoError(f.t, err)
	challengeHeight := f.ctx.BlockHeight() + int64(p.ChallengeDelayBlocks)
	seed := keeper.ChallengeSeed(blockHash(challengeHeight), task)
	return keeper.SampleIndices(seed, lease.FirstItem, lease.ItemCount, uint64(p.ProofSamples))
}

// TestWithholdAndReRoll (attack 4, G3): a device forges 8 of 64 outputs, sees
// the challenge hit a forgery and withholds its proof, hoping to re-lease the
// task and re-claim the same root under a fresh challenge. The missed proof
// costs what an invalid proof costs (half the bond, at least the reward), the
// task is barred to it for good, and it goes to an honest device instead.
func TestWithholdAndReRoll(t *testing.T) {
	const (
		items = 64
		price = 4_687_500 // a 64-item task pays 300 SHIFT
	)
	f := newFixture(t)
	p, err := f.k.GetParams(f.ctx)
	require.NoError(t, err)
	requester := addrOf("lab")
	f.fund(requester, 1000*shift)
	attacker, honest := f.registerDevice("attacker"), f.registerDevice("honest")
	job := f.postJob(requester, "hashcash", advSpec, items, items, price)
	start := f.wealth(attacker)
	reward := math.NewInt(items * price)

	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(attacker), JobId: job})
	wk := f.computeTask(attacker, job, lease, nil)
	challenge := upcomingChallenge(f, attacker, lease, job)
	// 8 forgeries, one of them under the challenge: the case where withholding tempts.
	forged := []uint64{challenge[0]}
	for i := uint64(0); len(forged) < 8; i++ {
		if !slices.Contains(challenge, i) {
			forged = append(forged, i)
		}
	}
	forgeItems(f, wk, job, func(i uint64) bool { return slices.Contains(forged, i) })
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(attacker), JobId: job, TaskIndex: 0, Root: wk.root()})
	f.advanceTo(claim.ChallengeHeight)
	require.Equal(t, challenge, f.challenge(job, 0))

	// An invalid proof would cost max(bond × slash_invalid_bps, reward).
	invalidSlash := math.MaxInt(types.BpsOf(math.NewInt(bond), p.SlashInvalidBps), reward)
	f.advanceTo(claim.ProofDeadline + 1) // withheld
	dev := f.device(attacker)
	missedSlash := math.NewInt(bond).Sub(dev.Bond)
	require.True(t, missedSlash.GTE(invalidSlash), "missed slash %s is at least an invalid proof's %s", missedSlash, invalidSlash)
	requireAmount(t, 500*shift, missedSlash)
	require.Equal(t, uint64(1), dev.MissedProofs)

	// The re-roll: the reopened task is the job's only open task, and it is barred.
	requireUnchanged(f, []sdk.AccAddress{attacker, honest, requester}, func() {
		_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(attacker), JobId: job})
		require.ErrorIs(t, err, types.ErrTaskBarred)
		requireRegistered(t, err)
	})
	bars := f.taskRecord(job, 0).Bars
	require.Equal(t, []types.TaskBar{{Device: f.str(attacker), UntilHeight: 0}}, bars)

	// An honest device does the task and is paid.
	honestStart := f.wealth(honest)
	relet, proof := f.runTask(honest, job, nil)
	require.Equal(t, uint64(0), relet.TaskIndex)
	require.True(t, proof.Accepted, proof.Reason)
	requireAmount(t, 294*shift, proof.Paid)
	require.Equal(t, honestStart.Add(proof.Paid).String(), f.wealth(honest).String())

	require.True(t, f.wealth(attacker).LT(start), "the attacker loses money")
	require.True(t, f.wealth(attacker).Sub(start).LT(f.wealth(honest).Sub(honestStart)), "and ends below the honest device")
	t.Logf("attacker %+d SHIFT, honest device %+d SHIFT",
		f.wealth(attacker).Sub(start).Int64()/shift, f.wealth(honest).Sub(honestStart).Int64()/shift)

	t.Run("missed proofs count toward jailing", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofWindowBlocks = 3 }))
		f := w.f
		n := w.params().JailAfterFailures
		for i := range n {
			w.claimA()
			require.Equal(t, uint64(i), w.lease.TaskIndex, "each lease is a task the device never dodged")
			f.advanceTo(w.claim.ProofDeadline + 1)
		}
		dev := w.device(w.a)
		require.Equal(t, uint64(n), dev.MissedProofs)
		require.Zero(t, dev.Failures)
		require.Equal(t, types.DEVICE_STATUS_JAILED, dev.Status)
		require.True(t, dev.Jailed)
		require.ErrorIs(t, sendMsg(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job)), types.ErrDeviceJailed)
	})
}

func (f *fixture) device(op sdk.AccAddress) types.Device {
	f.t.Helper()
	d, err := f.k.Devices.Get(f.ctx, op)
	require.NoError(f.t, err)
	return d
}

func (f *fixture) taskRecord(job, index uint64) types.Task {
	f.t.Helper()
	task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(job, index))
	require.NoError(f.t, err)
	return task
}
