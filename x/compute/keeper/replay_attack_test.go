package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestReplayedHeavyProofsLoseMoney plays attack 1 of issue #14: a requester posts
// identical heavy mandelbrot jobs (every pixel in the set, so re-verifying a row
// is the most CPU a row can ask for) to its own device under a second key, and
// the device replays the same rows on every job — rendered once, since rows do
// not depend on the job. Each proof pays its measured work in gas, one block
// verifies at most max_verify_gas_per_block, and every job costs the posting
// fee and the protocol fee: the attacker ends with less than it started, and
// validators re-execute no more per block than the budget.
func TestReplayedHeavyProofsLoseMoney(t *testing.T) {
	const (
		spec    = `{"width":64,"height":16,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":2000}`
		rowWork = 100 + 64*(3+3*2000) // every pixel runs max_iter
		jobs    = 3
		price   = 10
	)
	fee := types.DefaultParams().JobPostingFee
	f := newFixture(t, func(p *types.Params) {
		p.JobPostingFee = fee
		p.MaxVerifyGasPerItem = rowWork
		// Each 16-row task is sampled whole (16 ≤ proof_samples): two of its
		// proofs fit a block, not three.
		p.ProofSamples = 16
		p.MaxVerifyGasPerBlock = 2 * 16 * (rowWork + types.VerifyHashReservePerItem)
	})
	lab, dev := addrOf("atk-lab"), f.registerDevice("atk-dev")
	f.fund(lab, 100_000_000)
	wealth := func() math.Int {
		d, err := f.k.Devices.Get(f.ctx, dev)
		require.NoError(t, err)
		return f.balance(lab).Add(f.balance(dev)).Add(d.Bond)
	}
	before := wealth()

	type held struct {
		job, task uint64
		work      *worker
	}
	var tasks []held
	var challengeAt uint64
	for range jobs {
		job := f.postJob(lab, "mandelbrot", spec, 16, 16, price)
		lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: job})
		wk := f.computeTask(dev, job, lease, nil) // the same rows for every job: a replay
		claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev), JobId: job, TaskIndex: lease.TaskIndex, Root: wk.root()})
		tasks = append(tasks, held{job, lease.TaskIndex, wk})
		challengeAt = max(challengeAt, claim.ChallengeHeight)
	}
	f.advanceTo(challengeAt)
	proof := func(h held) *types.MsgSubmitProof {
		return h.work.answer(f.challenge(h.job, h.task)).msg(f.str(dev), h.job, h.task)
	}

	// All three proofs in one block: the third is over the block's budget.
	gasBefore := f.ctx.GasMeter().GasConsumed()
	for i, h := range tasks {
		if i < 2 {
			res := must(f, f.msgs.SubmitProof, proof(h))
			require.True(t, res.Accepted, res.Reason)
			continue
		}
		require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, proof(h)), types.ErrBlockVerifyBudget)
	}
	// Each accepted proof paid its measured work, here its bound.
	require.GreaterOrEqual(t, f.ctx.GasMeter().GasConsumed()-gasBefore, 2*16*uint64(rowWork))
	f.nextBlock()
	res := must(f, f.msgs.SubmitProof, proof(tasks[2]))
	require.True(t, res.Accepted, res.Reason)

	// The attacker paid three posting fees and three protocol fees, and got
	// back only its own escrow less the fees (an unapproved requester's jobs
	// earn no emission; a second-key approved requester is attack 2).
	reward := math.NewInt(16 * price)
	protocol := reward.Sub(res.Paid) // ⌈reward × protocol_fee_bps⌉
	require.True(t, protocol.IsPositive(), "the protocol fee never rounds to zero")
	loss := before.Sub(wealth())
	require.Equal(t, fee.Add(protocol).MulRaw(jobs), loss)
	require.True(t, loss.IsPositive())
}
