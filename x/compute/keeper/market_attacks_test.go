package keeper_test

import (
	"slices"
	"strings"
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

// TestLeaseSquatting (attack 5, G3): a device leases every task of a job and
// lets the leases lapse, to hold the job hostage. Each lapse burns
// slash_lapsed_bps of its bond, and the device may not lease those tasks again
// for lease_cooldown_blocks, so an honest device takes and finishes them.
func TestLeaseSquatting(t *testing.T) {
	const tasks, perTask, price = 16, 4, 1000
	f := newFixture(t)
	p, err := f.k.GetParams(f.ctx)
	require.NoError(t, err)
	requester := addrOf("lab")
	f.fund(requester, 1000*shift)
	squatter, honest := f.registerDevice("squatter"), f.registerDevice("honest")
	job := f.postJob(requester, "hashcash", advSpec, tasks*perTask, perTask, price)
	start, honestStart := f.wealth(squatter), f.wealth(honest)

	var expiry uint64
	for range tasks {
		expiry = must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(squatter), JobId: job}).LeaseExpiry
	}
	f.advanceTo(expiry + 1)
	want := math.NewInt(bond)
	for range tasks {
		want = want.Sub(types.BpsOf(want, p.SlashLapsedBps))
	}
	require.Equal(t, want.String(), f.device(squatter).Bond.String(), "each lapse burned 1 %% of the bond")
	require.Zero(t, f.device(squatter).LiveTasks)

	// The squatter cannot take the tasks straight back.
	requireUnchanged(f, []sdk.AccAddress{squatter, honest, requester}, func() {
		_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(squatter), JobId: job})
		require.ErrorIs(t, err, types.ErrTaskBarred)
	})
	// An honest device does them all and is paid.
	paid := math.ZeroInt()
	for i := range tasks {
		lease, proof := f.runTask(honest, job, nil)
		require.Equal(t, uint64(i), lease.TaskIndex)
		require.True(t, proof.Accepted, proof.Reason)
		paid = paid.Add(proof.Paid)
	}
	requireAmount(t, tasks*(perTask*price-perTask*price*200/10_000), paid)
	require.Equal(t, types.JOB_STATUS_COMPLETED, f.job(job).Status)
	require.True(t, f.wealth(squatter).LT(start), "squatting loses money")
	require.True(t, f.wealth(squatter).Sub(start).LT(f.wealth(honest).Sub(honestStart)))
	t.Logf("squatter %+d ushift, honest device %+d ushift", f.wealth(squatter).Sub(start).Int64(), f.wealth(honest).Sub(honestStart).Int64())

	t.Run("the bar ends after lease_cooldown_blocks", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks, p.LeaseCooldownBlocks = 3, 5 }))
		f := w.f
		one, _ := w.postShortJob(100)
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one))
		f.advanceTo(lease.LeaseExpiry + 1)
		until := f.taskRecord(one, 0).Bars[0].UntilHeight
		require.Equal(t, lease.LeaseExpiry+5, until)
		f.advanceTo(until - 1)
		require.ErrorIs(t, sendMsg(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one)), types.ErrTaskBarred)
		f.advanceTo(until)
		again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, one))
		require.Equal(t, uint64(0), again.TaskIndex)
		require.Empty(t, f.taskRecord(one, 0).Bars, "an ended bar is dropped at the next lease")
	})
}

func (f *fixture) job(id uint64) types.Job {
	f.t.Helper()
	j, err := f.k.Jobs.Get(f.ctx, id)
	require.NoError(f.t, err)
	return j
}

// TestOneBondManyTasks (attack 6, G3): a device tries to back many live tasks
// with one bond, and to keep earning after it is jailed. The lease check counts
// every live task: bond × slash_invalid_bps must cover their rewards together
// with the new one's. Once jailed, its live tasks are revoked unpaid (they
// reopen for honest devices, escrow intact) and its running-epoch work earns
// no emission.
func TestOneBondManyTasks(t *testing.T) {
	t.Run("the bond covers all live tasks together", func(t *testing.T) {
		const price = 125 * shift // a 4-item task pays 500 SHIFT: half of the 1,000 SHIFT bond
		f := newFixture(t)
		requester := addrOf("lab")
		f.fund(requester, 10_000*shift)
		attacker, honest := f.registerDevice("attacker"), f.registerDevice("honest")
		job := f.postJob(requester, "hashcash", advSpec, 16*4, 4, price)
		must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(attacker), JobId: job})
		requireUnchanged(f, []sdk.AccAddress{attacker, honest, requester}, func() {
			_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(attacker), JobId: job})
			require.ErrorIs(t, err, types.ErrBondTooSmallForTask)
			require.ErrorContains(t, err, "live tasks with this one pay 1000000000")
		})
		require.Equal(t, uint32(1), f.device(attacker).LiveTasks, "one 1,000 SHIFT bond backs one 500 SHIFT task, not sixteen")
		// The honest device, with the same bond, also holds one at a time and is paid.
		_, proof := f.runTask(honest, job, nil)
		require.True(t, proof.Accepted, proof.Reason)
	})

	t.Run("a jailed device is paid nothing more and earns no emission", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) {
			p.ProofSamples = proofSamples
			p.EpochBlocks = 200
			p.InitialEpochEmission = coverableEmission
		}))
		f := w.f
		must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
		start, honestStart := f.wealth(w.a), f.wealth(w.b)
		// a does one honest task (paid, units credited to the running epoch)...
		_, first := f.runTask(w.a, w.job, nil)
		require.True(t, first.Accepted)
		// ...holds a claimed, honestly computed task and a lease...
		w.claimA()
		held := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		f.advanceTo(w.claim.ChallengeHeight)
		escrow := f.job(w.job).Escrow
		answer := w.answer()
		// ...and is jailed for cheating elsewhere.
		w.jail(w.a)
		dev := f.device(w.a)
		require.Zero(t, dev.LiveTasks, "its live tasks were revoked")
		require.Equal(t, escrow.String(), f.job(w.job).Escrow.String(), "their escrow stays with the job")
		for _, i := range []uint64{w.lease.TaskIndex, held.TaskIndex} {
			task := f.taskRecord(w.job, i)
			require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status)
			require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, collectionsJoin(w.job, i)))
		}
		// Its honest proof of the claimed task is no longer accepted.
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, w.lease.TaskIndex, answer)), types.ErrTaskNotFound)
		})
		// b does the rest of the job, revoked tasks included, and is paid.
		for range 3 {
			_, proof := f.runTask(w.b, w.job, nil)
			require.True(t, proof.Accepted, proof.Reason)
		}
		require.Equal(t, types.JOB_STATUS_COMPLETED, f.job(w.job).Status)
		// The epoch's emission goes to b alone.
		res, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
		require.NoError(t, err)
		requireAmount(t, 3*worldUnits, res.Current.WorkUnits, "a's units were struck from the epoch")
		f.advanceTo(res.EndHeight + 1)
		emission := must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(w.b)}).Amount
		// b's share is all the epoch's one requester may draw.
		require.Equal(t, types.BpsOf(w.params().InitialEpochEmission, w.params().MaxRequesterEmissionBps).String(), emission.String())
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(w.a)}), types.ErrDeviceJailed)
		})
		require.True(t, f.wealth(w.a).LT(start), "the jailed device lost money")
		require.True(t, f.wealth(w.a).Sub(start).LT(f.wealth(w.b).Sub(honestStart)))
	})
}

// TestGovernanceCannotPruneAChallenge (attack 8, G6): governance lowers
// proof_window_blocks while an honest claim waits for its proof. The block
// hash the claim's challenge comes from is kept until the claim is settled, so
// the proof, sent inside the claim's own deadline, is accepted and paid; the
// ring shrinks to the new window once the claim is settled.
func TestGovernanceCannotPruneAChallenge(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = proofSamples }))
	f := w.f
	start := f.wealth(w.a)
	w.challengeReady()
	answer := w.answer()
	w.setParams(func(p *types.Params) { p.ProofWindowBlocks = 1 })
	f.advance(60) // 4 stale hashes pruned per block: far past the new window's ring
	require.Less(t, uint64(f.ctx.BlockHeight()), w.claim.ProofDeadline, "still inside the claim's own window")
	require.True(t, hasKey(t, f.ctx, f.k.BlockHashes.Has, w.claim.ChallengeHeight), "the claim's challenge hash is kept")
	require.False(t, hasKey(t, f.ctx, f.k.BlockHashes.Has, w.claim.ChallengeHeight-1), "older hashes are pruned")

	proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, w.lease.TaskIndex, answer))
	require.True(t, proof.Accepted, proof.Reason)
	requireAmount(t, worldReward-worldFee, proof.Paid)
	require.Equal(t, start.Add(proof.Paid).String(), f.wealth(w.a).String(), "the honest device is paid, not slashed")

	f.advance(40) // the backlog drains at 3 net hashes a block
	n := 0
	require.NoError(t, f.k.BlockHashes.Walk(f.ctx, nil, func(uint64, []byte) (bool, error) { n++; return false, nil }))
	require.LessOrEqual(t, n, 1+16+1, "the ring follows the new window once no claim needs more")
}

// TestFreeStateCostsAFee (attack 7, G3): a requester posts jobs with a padded
// spec and a long result URL and cancels them at once, for permanent state at
// no cost. Each post now costs the non-refundable job_posting_fee (to the fee
// collector), the spec is stored compacted, and after task_retention_blocks
// the closed job shrinks to a summary without spec and URL.
func TestFreeStateCostsAFee(t *testing.T) {
	const retention = 20
	fee := types.DefaultParams().JobPostingFee
	f := newFixture(t, func(p *types.Params) {
		p.JobPostingFee = fee
		p.TaskRetentionBlocks = retention
	})
	spammer := addrOf("spammer")
	f.fund(spammer, 1000*shift)
	collector := f.accounts.GetModuleAddress("fee_collector")
	start, collected, supply := f.balance(spammer), f.balance(collector), f.bank.GetSupply(f.ctx, denom).Amount
	padded := `{"difficulty_bits":` + strings.Repeat(" ", 900) + `2}`
	url := "https://results.example/" + strings.Repeat("x", 256-len("https://results.example/"))

	res, em := mustEvents(f, f.msgs.PostJob, &types.MsgPostJob{
		Requester: f.str(spammer), Kind: "hashcash", Spec: padded, Items: 8, ItemsPerTask: 4,
		PricePerItem: math.NewInt(1000), DeadlineBlocks: 100, ResultUrl: url,
	})
	require.Equal(t, fee.String(), eventsOf[*types.EventJobPosted](em)[0].PostingFee.String())
	job := f.job(res.JobId)
	require.Equal(t, `{"difficulty_bits":2}`, job.Spec, "the padding does not reach state")
	posted := job.Size()
	must(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(spammer), JobId: res.JobId})

	require.Equal(t, start.Sub(fee).String(), f.balance(spammer).String(), "post + cancel costs the posting fee")
	require.Equal(t, collected.Add(fee).String(), f.balance(collector).String(), "which goes to the fee collector")
	require.Equal(t, supply.String(), f.bank.GetSupply(f.ctx, denom).Amount.String(), "nothing is minted or burned")

	f.advanceTo(f.job(res.JobId).PruneHeight + 1)
	summary := f.job(res.JobId)
	require.Empty(t, summary.Spec)
	require.Empty(t, summary.ResultUrl)
	require.Equal(t, types.JOB_STATUS_CANCELLED, summary.Status)
	t.Logf("job record: %d bytes posted, %d bytes as a summary", posted, summary.Size())
	require.Less(t, summary.Size(), 160, "the summary is small")
	require.Less(t, summary.Size(), posted)
}

// TestProtocolFeeNeverRoundsToZero (attack 1, part): the 2 % fee of a reward
// below 50 ushift used to round to 0, so dust-priced jobs paid validators
// nothing for the verification they do. The fee rounds up.
func TestProtocolFeeNeverRoundsToZero(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = proofSamples }))
	f := w.f
	job := w.f.postJob(w.requester, "hashcash", worldSpec, 4, 4, 10) // one task paying 40 ushift
	_, proof := f.runTask(w.a, job, nil)
	require.True(t, proof.Accepted, proof.Reason)
	requireAmount(t, 39, proof.Paid, "40 − ceil(40 × 2 %) = 39")
	requireAmount(t, 1, f.balance(w.feeCollector()))
}
