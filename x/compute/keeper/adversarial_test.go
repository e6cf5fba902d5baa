package keeper_test

import (
	"encoding/binary"
	"fmt"
	gomath "math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Devices that try to earn without doing the work, run against the keeper.

// advSpec is the job every adversarial test posts: hashcash at 2 bits, so a
// forged output is a nonce that misses the difficulty and certainly fails.
const advSpec = `{"difficulty_bits":2}`

// wealth is what an operator owns: its balance and its device's bond.
func (f *fixture) wealth(op sdk.AccAddress) math.Int {
	f.t.Helper()
	dev, err := f.k.Devices.Get(f.ctx, op)
	require.NoError(f.t, err)
	return f.balance(op).Add(dev.Bond)
}

// forgeItems replaces the outputs of the items fake picks with nonces that
// miss the difficulty, rebuilds the worker's tree and returns the forged indices.
func forgeItems(f *fixture, wk *worker, jobID uint64, fake func(index uint64) bool) []uint64 {
	f.t.Helper()
	var forged []uint64
	leaves := make([][32]byte, len(wk.outputs))
	for i := range wk.outputs {
		idx := wk.first + uint64(i)
		if fake(idx) {
			var nonce uint64
			for kinds.HashcashNonceValid(jobID, idx, nonce, 2) {
				nonce++
			}
			wk.outputs[i] = binary.BigEndian.AppendUint64(nil, nonce)
			forged = append(forged, idx)
		}
		leaves[i] = merkle.LeafHash(jobID, idx, wk.outputs[i])
	}
	tree, err := merkle.NewTree(leaves)
	require.NoError(f.t, err)
	wk.tree = tree
	return forged
}

// TestFakedOutputsAreCaughtAtTheSampledRate: a device fakes each output of
// every task independently with probability q and proves whatever the
// challenge asks. A proof of k samples catches it with probability exactly
// 1-(1-q)^k; over 400 tasks of 64 items the measured rate must lie within
// 4 binomial standard deviations of that, each verdict must be exactly
// "some challenged item was faked", and the faker must end poorer than an
// honest device that did the same number of tasks.
//
// Run with -v to see the measured rates (they are recorded in docs/bad-inputs.md).
func TestFakedOutputsAreCaughtAtTheSampledRate(t *testing.T) {
	const (
		tasks   = 400
		perTask = 64
		k       = 16
		price   = 1000 // a task pays 64,000
	)
	for _, percent := range []int{1, 10, 100} {
		q := float64(percent) / 100
		t.Run(fmt.Sprintf("q=%d%%", percent), func(t *testing.T) {
			f := newFixture(t, func(p *types.Params) {
				p.ProofSamples = k
				// Keep the faker working for all 400 tasks: slash 0.01 % of the
				// bond (about 100,000, above the 64,000 reward floor) and never jail.
				p.SlashInvalidBps = 1
				p.JailAfterFailures = 1 << 30
				p.MaxLiveTasksPerDevice = perTask
				// Disputes close a block after payment, so verified tasks do not
				// pile up against the tiny cover.
				p.DisputeWindowBlocks = 1
			})
			requester := addrOf("lab")
			f.fund(requester, 2*tasks*perTask*price)
			honest, faker := f.registerDevice("honest"), f.registerDevice("faker")
			honestJob := f.postJob(requester, "hashcash", advSpec, tasks*perTask, perTask, price)
			fakerJob := f.postJob(requester, "hashcash", advSpec, tasks*perTask, perTask, price)
			start := f.wealth(faker)
			require.Equal(t, start.String(), f.wealth(honest).String())

			rng := rand.New(rand.NewPCG(uint64(percent), 42))
			caught, proofs := 0, 0
			for proofs < tasks {
				// One live task per device at a time: the bond backs all live
				// tasks together, and 0.01 % of it covers one task's 64,000.
				batch := 1
				type leased struct {
					op     sdk.AccAddress
					job    uint64
					work   *worker
					forged []uint64
				}
				var live []leased
				for range batch {
					for _, dev := range []struct {
						op  sdk.AccAddress
						job uint64
					}{{honest, honestJob}, {faker, fakerJob}} {
						lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev.op), JobId: dev.job})
						wk := f.computeTask(dev.op, dev.job, lease, nil)
						var forged []uint64
						if dev.op.Equals(faker) {
							forged = forgeItems(f, wk, dev.job, func(uint64) bool { return rng.Float64() < q })
						}
						must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev.op), JobId: dev.job, TaskIndex: lease.TaskIndex, Root: wk.root()})
						live = append(live, leased{dev.op, dev.job, wk, forged})
					}
				}
				f.advance(int(types.DefaultParams().ChallengeDelayBlocks))
				for _, l := range live {
					task := l.work.first / perTask
					challenge := f.challenge(l.job, task)
					require.Len(t, challenge, k)
					hit := slices.ContainsFunc(challenge, func(i uint64) bool { return slices.Contains(l.forged, i) })
					proof := must(f, f.msgs.SubmitProof, l.work.answer(challenge).msg(f.str(l.op), l.job, task))
					require.Equal(t, !hit, proof.Accepted, "the verdict is exactly whether a challenged item was faked (%s)", proof.Reason)
					if !l.op.Equals(faker) {
						continue
					}
					proofs++
					if hit {
						caught++
						require.Contains(t, proof.Reason, types.ErrInvalidOutput.Error())
						require.True(t, proof.Slashed.GTE(math.NewInt(perTask*price)), "slash %s is at least the task's reward", proof.Slashed)
					}
				}
				// Let the one-block dispute windows close: a paid task's reward
				// counts against the cover until then.
				f.advance(2)
			}

			want := 1 - gomath.Pow(1-q, k)
			sigma := gomath.Sqrt(want * (1 - want) / tasks)
			got := float64(caught) / tasks
			t.Logf("q = %d%%: caught %d of %d proofs = %.4f; expected 1-(1-q)^%d = %.4f, 4 sigma = %.4f",
				percent, caught, tasks, got, k, want, 4*sigma)
			require.LessOrEqual(t, gomath.Abs(got-want), 4*sigma+1e-12, "measured catch rate %.4f, expected %.4f", got, want)

			honestEnd, fakerEnd := f.wealth(honest), f.wealth(faker)
			t.Logf("q = %d%%: honest device %s -> %s, faker %s -> %s", percent, start, honestEnd, start, fakerEnd)
			require.True(t, fakerEnd.LT(honestEnd), "the faker (%s) ends poorer than the honest device (%s)", fakerEnd, honestEnd)
		})
	}
}

// TestReplayedProofsAndClaims: a proof or root taken from another device's
// task earns nothing. Each task has one holder, and the leaf binds job and
// item index, so neither a message replayed under another signer nor a root
// copied onto another task proves anything.
func TestReplayedProofsAndClaims(t *testing.T) {
	samples := func(p *types.Params) { p.ProofSamples = proofSamples }

	t.Run("another device's proof, sent for the claim it belongs to", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		w.challengeReady()
		theirs := w.proofMsg(w.a, w.job, 0, w.answer())
		replay := w.proofMsg(w.b, w.job, 0, proofAnswer{items: theirs.Items, nodes: theirs.Nodes})
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, replay), types.ErrNotTaskHolder)
		})
		// The holder is paid once; a replay by anyone afterwards changes nothing.
		require.True(t, must(f, f.msgs.SubmitProof, theirs).Accepted)
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, theirs), types.ErrNotClaimed)
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, replay), types.ErrNotTaskHolder)
		})
	})

	t.Run("another device's claim, sent for the task it belongs to", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		w.leaseA()
		theirs := w.claimMsg(w.a, w.job, 0, w.work.root())
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 0, theirs.Root)), types.ErrNotTaskHolder)
		})
		must(f, f.msgs.SubmitClaim, theirs)
		requireUnchanged(f, w.accounts(), func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitClaim, theirs), types.ErrAlreadyClaimed)
		})
	})

	// b leases a task of its own and claims a's root for it, then answers its
	// challenge with a's outputs and paths (the item at the same offset of a's
	// task): every copied path fails, b is slashed and paid nothing, and a's
	// own claim is untouched.
	for _, victim := range []string{"the same job's previous task", "an identical job's task"} {
		t.Run("a root copied from "+victim, func(t *testing.T) {
			w := newMsgWorld(newFixture(t, samples))
			f := w.f
			w.claimA() // a: world job, task 0
			job := w.job
			if strings.HasPrefix(victim, "an identical") {
				job = f.postJob(w.requester, "hashcash", worldSpec, worldItems, worldPerTask, worldPrice)
			}
			lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, job))
			require.NotEqual(t, [2]uint64{w.job, w.lease.TaskIndex}, [2]uint64{job, lease.TaskIndex})
			claim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.b, job, lease.TaskIndex, w.work.root()))
			f.advanceTo(claim.ChallengeHeight)

			challenge := f.challenge(job, lease.TaskIndex)
			offsets := make([]uint64, len(challenge))
			for i, idx := range challenge {
				offsets[i] = idx - lease.FirstItem
			}
			copied := w.work.answer(offsets) // a's items and nodes at the challenged offsets
			for i := range copied.items {
				copied.items[i].Index = challenge[i]
			}
			wealthB, escrow := f.wealth(w.b), w.jobState(job).Escrow
			proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.b, job, lease.TaskIndex, copied))
			require.False(t, proof.Accepted)
			require.Contains(t, proof.Reason, types.ErrInvalidMerkleProof.Error())
			requireAmount(t, 0, proof.Paid)
			require.Equal(t, wealthB.Sub(proof.Slashed).String(), f.wealth(w.b).String())
			require.Equal(t, escrow.String(), w.jobState(job).Escrow.String(), "the escrow stays with the job")

			f.advanceTo(w.claim.ChallengeHeight)
			require.True(t, must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer())).Accepted, "the victim's claim stands")
		})
	}
}

// TestClaimsWithoutALease: an adversary claims and proves tasks it never
// leased, or no longer holds: every attempt is refused with a registered error
// and changes nothing, and the devices that do hold the tasks finish them.
func TestClaimsWithoutALease(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) {
		p.ProofSamples = proofSamples
		p.LeaseBlocks = 5
	}))
	f := w.f
	mallory := f.registerDevice("mallory")
	w.extra = append(w.extra, mallory)
	root := make([]byte, 32)
	refused := func(name string, err error, send func() error) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			requireUnchanged(f, w.accounts(), func() {
				got := send()
				require.ErrorIs(t, got, err)
				requireRegistered(t, got)
			})
		})
	}
	claim := func(op sdk.AccAddress, task uint64) func() error {
		return func() error { return sendMsg(f, f.msgs.SubmitClaim, w.claimMsg(op, w.job, task, root)) }
	}

	w.claimA() // a holds task 0 with a claim
	// mallory leases task 1 and lets the lease run out: the task reopens.
	expired := must(f, f.msgs.LeaseTask, w.leaseMsg(mallory, w.job))
	require.Equal(t, uint64(1), expired.TaskIndex)
	f.advanceTo(expired.LeaseExpiry + 1)
	refused("claims its expired lease", types.ErrTaskNotFound, claim(mallory, 1))
	refused("claims a task nobody leased", types.ErrTaskNotFound, claim(mallory, 3))
	refused("claims a task beyond the job", types.ErrTaskNotFound, claim(mallory, 1<<40))

	// b leases the reopened task.
	require.Equal(t, uint64(1), must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)).TaskIndex)
	refused("claims its expired lease, now another device's", types.ErrNotTaskHolder, claim(mallory, 1))
	refused("claims a task another device claimed", types.ErrNotTaskHolder, claim(mallory, 0))
	refused("claims as an account without a device", types.ErrNotTaskHolder, claim(w.outsider, 1))
	refused("proves a claim it never made", types.ErrNotTaskHolder, func() error {
		return sendMsg(f, f.msgs.SubmitProof, w.proofMsg(mallory, w.job, 0, w.answer()))
	})
	refused("proves a task it never claimed", types.ErrTaskNotFound, func() error {
		return sendMsg(f, f.msgs.SubmitProof, w.proofMsg(mallory, w.job, 3, proofAnswer{}))
	})

	require.Equal(t, int64(10*bond-bond/100), f.wealth(mallory).Int64(), "mallory gained nothing and lost its lapsed lease's slash")
	require.True(t, must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer())).Accepted)
}

// TestWithheldProofs: a device that claims and then withholds its proof is
// paid nothing and loses slash_missed_bps of its bond per task, whether it
// always withholds or fakes a quarter of its outputs and withholds only when
// the challenge hits one.
func TestWithheldProofs(t *testing.T) {
	const tasks = 16
	f := newFixture(t, func(p *types.Params) {
		p.ProofSamples = 4
		p.ProofWindowBlocks = 3
		p.JailAfterFailures = 1 << 30
		// 1 % per missed proof (above the 8,000 reward floor), so 16 misses
		// leave the bond above min_device_bond.
		p.SlashInvalidBps, p.SlashMissedBps = 100, 100
	})
	p, err := f.k.GetParams(f.ctx)
	require.NoError(t, err)
	requester := addrOf("lab")
	f.fund(requester, 1_000_000_000)
	honest, silent, selective := f.registerDevice("honest"), f.registerDevice("silent"), f.registerDevice("selective")
	start := f.wealth(honest)
	jobs := map[string]uint64{}
	for _, name := range []string{"honest", "silent", "selective"} {
		jobs[name] = f.postJob(requester, "hashcash", advSpec, tasks*8, 8, 1000)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	withheld := map[string]int{}
	for range tasks {
		type claimed struct {
			name   string
			op     sdk.AccAddress
			work   *worker
			forged []uint64
			task   uint64
			proof  uint64
		}
		var live []claimed
		for _, d := range []struct {
			name string
			op   sdk.AccAddress
		}{{"honest", honest}, {"silent", silent}, {"selective", selective}} {
			job := jobs[d.name]
			lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(d.op), JobId: job})
			wk := f.computeTask(d.op, job, lease, nil)
			var forged []uint64
			if d.name == "selective" {
				forged = forgeItems(f, wk, job, func(uint64) bool { return rng.IntN(4) == 0 })
			}
			c := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(d.op), JobId: job, TaskIndex: lease.TaskIndex, Root: wk.root()})
			live = append(live, claimed{d.name, d.op, wk, forged, lease.TaskIndex, c.ProofDeadline})
		}
		f.advance(int(p.ChallengeDelayBlocks))
		for _, c := range live {
			challenge := f.challenge(jobs[c.name], c.task)
			hit := slices.ContainsFunc(challenge, func(i uint64) bool { return slices.Contains(c.forged, i) })
			if c.name == "silent" || hit {
				withheld[c.name]++
				continue
			}
			proof := must(f, f.msgs.SubmitProof, c.work.answer(challenge).msg(f.str(c.op), jobs[c.name], c.task))
			require.True(t, proof.Accepted, proof.Reason)
		}
		// Whatever was not proved is missed at the proof deadline.
		type before struct {
			op        sdk.AccAddress
			dev       types.Device
			balance   math.Int
			job, task uint64
		}
		var unproved []before
		deadline := uint64(0)
		for _, c := range live {
			task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(jobs[c.name], c.task))
			require.NoError(t, err)
			if task.Status == types.TASK_STATUS_VERIFIED {
				continue
			}
			dev, err := f.k.Devices.Get(f.ctx, c.op)
			require.NoError(t, err)
			unproved = append(unproved, before{c.op, dev, f.balance(c.op), jobs[c.name], c.task})
			deadline = max(deadline, c.proof)
		}
		f.advanceTo(deadline + 1)
		for _, u := range unproved {
			dev, err := f.k.Devices.Get(f.ctx, u.op)
			require.NoError(t, err)
			require.Equal(t, u.dev.MissedProofs+1, dev.MissedProofs, "%s withheld a proof", u.dev.Moniker)
			require.Equal(t, u.dev.Bond.Sub(types.BpsOf(u.dev.Bond, p.MissedSlashBps())).String(), dev.Bond.String(), "missed-proof slash")
			require.Equal(t, u.balance.String(), f.balance(u.op).String(), "and is paid nothing")
			task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(u.job, u.task))
			require.NoError(t, err)
			require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status, "the task reopens")
		}
	}
	require.Equal(t, tasks, withheld["silent"])
	require.Positive(t, withheld["selective"])
	require.Less(t, withheld["selective"], tasks, "some challenges missed every forged item")
	t.Logf("the selective device withheld %d of %d proofs", withheld["selective"], tasks)

	honestEnd := f.wealth(honest)
	require.True(t, honestEnd.GT(start))
	for _, op := range []sdk.AccAddress{silent, selective} {
		dev, err := f.k.Devices.Get(f.ctx, op)
		require.NoError(t, err)
		require.Zero(t, dev.Failures, "a withheld proof is missed, not failed")
		require.True(t, f.wealth(op).LT(honestEnd), "a withholding device ends poorer than the honest one")
	}
	require.True(t, f.wealth(silent).LT(start), "always withholding loses money")
	for _, job := range []uint64{jobs["silent"], jobs["selective"]} {
		j, err := f.k.Jobs.Get(f.ctx, job)
		require.NoError(t, err)
		paid := j.TaskReward(j.TasksVerified * 8)
		require.Equal(t, j.PricePerItem.MulRaw(int64(j.Items)).Sub(paid).String(), j.Escrow.String(), "only verified tasks left escrow")
	}
}

// TestSelfDealingEarnsNoEmission: an approved requester that posts a job and
// does it with its own device is paid its own escrow back, less the protocol
// fee, and earns no emission; the same job done by an arm's-length device
// earns the epoch's emission (one requester's capped share of it).
func TestSelfDealingEarnsNoEmission(t *testing.T) {
	const emission = 1_000_000
	f := newFixture(t, func(p *types.Params) {
		p.EpochBlocks = 40
		p.InitialEpochEmission = math.NewInt(emission)
	})
	p, err := f.k.GetParams(f.ctx)
	require.NoError(t, err)
	dealer := f.registerDevice("dealer") // the requester's own device: same account
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(dealer)})
	start := f.wealth(dealer)

	job := f.postJob(dealer, "hashcash", advSpec, 16, 4, 1000)
	fees := math.ZeroInt()
	for range 4 {
		_, proof := f.runTask(dealer, job, nil)
		require.True(t, proof.Accepted, proof.Reason)
		fees = fees.Add(types.BpsOf(math.NewInt(4*1000), p.ProtocolFeeBps))
	}
	res, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.True(t, res.Current.WorkUnits.IsZero(), "self-dealt work earns no emission")
	f.advanceTo(res.EndHeight + 1)
	total, err := f.k.TotalEmitted.Get(f.ctx)
	require.NoError(t, err)
	require.True(t, total.IsZero(), "nothing is minted for an epoch of self-dealt work")
	_, err = exec(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(dealer)})
	require.ErrorIs(t, err, types.ErrNoRewards)
	require.Equal(t, start.Sub(fees).String(), f.wealth(dealer).String(), "self-dealing costs the protocol fee")

	// The same job, done by an arm's-length device, earns the epoch's emission.
	other := f.registerDevice("other")
	job = f.postJob(dealer, "hashcash", advSpec, 16, 4, 1000)
	for range 4 {
		_, proof := f.runTask(other, job, nil)
		require.True(t, proof.Accepted, proof.Reason)
	}
	res, err = f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, int64(16*kinds.HashcashWork), res.Current.WorkUnits.Int64())
	f.advanceTo(res.EndHeight + 1)
	// One requester's jobs draw at most max_requester_emission_bps of the epoch.
	require.Equal(t, int64(emission)*types.DefaultMaxRequesterEmissionBps/types.BasisPoints, must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(other)}).Amount.Int64())
	_, err = exec(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(dealer)})
	require.ErrorIs(t, err, types.ErrNoRewards)
}
