package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestReplayedHeavyProofsLoseMoney plays attack 1 of issue #14: a requester posts
// heavy mandelbrot jobs (every pixel in the set, so re-verifying a row is the
// most CPU a row can ask for) to its own device under a second key, and the
// device replays the same rows on every job, rendered once, since rows do not
// depend on the job. The identical job, the same view spelled another way and
// the same view posted by a second requester key are refused with
// ErrDuplicateJob and cost nothing. What is left is to post other views:
// inside the set every row is max_iter whatever the view, so those rows are
// correct and verify, but each proof pays its measured work in gas, one block
// verifies at most max_verify_gas_per_block, and every job costs the posting
// fee and the protocol fee: the attacker ends with less than it started, and
// validators re-execute no more per block than the budget.
func TestReplayedHeavyProofsLoseMoney(t *testing.T) {
	const (
		spec = `{"width":64,"height":16,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":2000}`
		// respelled is spec in other words: the same view, so the same rows.
		respelled = `{"max_iter":2000,"scale":"0.100","center_im":"-0.0","center_re":"-0.10","height":16,"width":64}`
		rowWork   = 100 + 64*(3+3*2000) // every pixel runs max_iter
		jobs      = 3
		price     = 10
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
	// Views inside the set: the first, then two shifted by a fraction of a
	// pixel (px = 0.1/64), each a different spec with the same rows.
	for i, view := range []string{spec, strings.Replace(spec, `"center_im":"0"`, `"center_im":"0.001"`, 1), strings.Replace(spec, `"center_im":"0"`, `"center_im":"-0.001"`, 1)} {
		job := f.postJob(lab, "mandelbrot", view, 16, 16, price)
		lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: job})
		var wk *worker
		if i == 0 {
			wk = f.computeTask(dev, job, lease, nil) // rendered once
			// The replays a duplicate would allow are refused and cost nothing.
			second := addrOf("atk-lab-2")
			f.fund(second, 100_000_000)
			requireUnchanged(f, []sdk.AccAddress{lab, dev, second}, func() {
				for _, try := range []struct {
					who  sdk.AccAddress
					spec string
				}{{lab, spec}, {lab, respelled}, {second, spec}} {
					err := sendMsg(f, f.msgs.PostJob, &types.MsgPostJob{
						Requester: f.str(try.who), Kind: "mandelbrot", Spec: try.spec, Items: 16, ItemsPerTask: 16,
						PricePerItem: math.NewInt(price), DeadlineBlocks: 10_000,
					})
					require.ErrorIs(t, err, types.ErrDuplicateJob)
					require.ErrorContains(t, err, fmt.Sprintf("job %d is identical", job))
				}
			})
		} else {
			wk = replayRows(f, tasks[0].work, job, lease) // the first job's rows, replayed
		}
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

// replayRows is a replaying device's task: another job's outputs, item for
// item, under this job's leaves (the leaf binds the job id, so the root must
// be rebuilt; the outputs are not recomputed).
func replayRows(f *fixture, from *worker, jobID uint64, lease *types.MsgLeaseTaskResponse) *worker {
	f.t.Helper()
	w := &worker{f: f, op: from.op, first: lease.FirstItem}
	leaves := make([][32]byte, lease.ItemCount)
	for i := range lease.ItemCount {
		out := from.outputs[lease.FirstItem+i-from.first]
		w.outputs = append(w.outputs, out)
		leaves[i] = merkle.LeafHash(jobID, lease.FirstItem+i, out)
	}
	var err error
	w.tree, err = merkle.NewTree(leaves)
	require.NoError(f.t, err)
	return w
}

// TestReplayOnAnotherViewLosesToHonestWork: the replays left once duplicates
// are refused. A device that rendered a view replays its rows on a genuinely
// different view (shifted by a few rows' worth): the proof is rejected and the
// bond slashed, and an honest device that renders the new view is paid for it.
// Re-posting the first view once its job has closed is allowed, and then a
// replay verifies (the rows are right), but the requester and its device
// together only pay the posting and protocol fees for it, while the honest
// device doing work ends ahead.
func TestReplayOnAnotherViewLosesToHonestWork(t *testing.T) {
	const items, price = 8, 1000
	view := mandelbrotSpec(16, items, 50)
	shifted := strings.Replace(view, `"center_im":"0"`, `"center_im":"0.5"`, 1)
	fee := types.DefaultParams().JobPostingFee
	f := newFixture(t, func(p *types.Params) { p.JobPostingFee = fee })
	lab, dev, honest := addrOf("replay-lab"), f.registerDevice("replay-dev"), f.registerDevice("honest-dev")
	f.fund(lab, 100_000_000)
	wealth := func(who ...sdk.AccAddress) math.Int {
		total := math.ZeroInt()
		for _, a := range who {
			total = total.Add(f.balance(a))
			if d, err := f.k.Devices.Get(f.ctx, a); err == nil {
				total = total.Add(d.Bond)
			}
		}
		return total
	}
	attackerBefore, honestBefore := wealth(lab, dev), wealth(honest)

	// The device renders the first view honestly, once.
	first := f.postJob(lab, "mandelbrot", view, items, items, price)
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: first})
	rendered := f.computeTask(dev, first, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev), JobId: first, TaskIndex: lease.TaskIndex, Root: rendered.root()})
	f.advanceTo(claim.ChallengeHeight)
	res := must(f, f.msgs.SubmitProof, rendered.answer(f.challenge(first, lease.TaskIndex)).msg(f.str(dev), first, lease.TaskIndex))
	require.True(t, res.Accepted, res.Reason)

	// A genuinely different view must be rendered: replayed rows are slashed.
	other := f.postJob(lab, "mandelbrot", shifted, items, items, price)
	lease = must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: other})
	replayed := replayRows(f, rendered, other, lease)
	claim = must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev), JobId: other, TaskIndex: lease.TaskIndex, Root: replayed.root()})
	f.advanceTo(claim.ChallengeHeight)
	res = must(f, f.msgs.SubmitProof, replayed.answer(f.challenge(other, lease.TaskIndex)).msg(f.str(dev), other, lease.TaskIndex))
	require.False(t, res.Accepted, "rows of another view are not this view's rows")
	_, paid := f.runTask(honest, other, nil) // the honest device renders it and is paid
	require.True(t, paid.Accepted, paid.Reason)

	// Once the first job is closed and settled the same view may be posted
	// again, and the old rows verify on it: a correct replay, paid for.
	again := f.postJob(lab, "mandelbrot", view, items, items, price)
	lease = must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: again})
	replayed = replayRows(f, rendered, again, lease)
	claim = must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev), JobId: again, TaskIndex: lease.TaskIndex, Root: replayed.root()})
	f.advanceTo(claim.ChallengeHeight)
	res = must(f, f.msgs.SubmitProof, replayed.answer(f.challenge(again, lease.TaskIndex)).msg(f.str(dev), again, lease.TaskIndex))
	require.True(t, res.Accepted, res.Reason)

	reward := math.NewInt(items * price)
	protocol := reward.Sub(res.Paid)
	require.True(t, protocol.IsPositive())
	attacker, honestGain := wealth(lab, dev).Sub(attackerBefore), wealth(honest).Sub(honestBefore)
	slash := math.NewInt(bond).MulRaw(int64(types.DefaultParams().SlashInvalidBps)).QuoRaw(10_000)
	// The pair paid three posting fees, two protocol fees on its own jobs
	// and the slash, and lost the shifted job's escrow to the honest device.
	require.Equal(t, fee.MulRaw(3).Add(protocol.MulRaw(2)).Add(slash).Add(reward).Neg(), attacker)
	require.Equal(t, reward.Sub(protocol), honestGain)
	require.True(t, attacker.LT(honestGain), "the replayer %s, the honest device %s", attacker, honestGain)
	f.checkAll()
}
