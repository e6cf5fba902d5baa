package keeper_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// proofSamples is the challenge size in the SubmitProof tests: 2 of a task's 4
// items, so an answer can name an index that was not challenged.
const proofSamples = 2

func TestMsgSubmitProof(t *testing.T) {
	samples := func(p *types.Params) { p.ProofSamples = proofSamples }
	// prove sends a's answer, edited, for its task 0 once the challenge is fixed.
	prove := func(edit func(w *msgWorld, a *proofAnswer)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			a := w.answer()
			if edit != nil {
				edit(w, &a)
			}
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, a))
		}
	}
	ready := func(w *msgWorld) { w.challengeReady() }
	shape := func(name string, edit func(w *msgWorld, a *proofAnswer)) msgCase {
		return msgCase{name: name, prepare: ready, send: prove(edit), err: types.ErrInvalidChallengeAnswer}
	}
	unchallenged := func(w *msgWorld, items []types.ChallengeItem) uint64 {
		for i := range uint64(worldPerTask) {
			if !slices.ContainsFunc(items, func(it types.ChallengeItem) bool { return it.Index == i }) {
				return i
			}
		}
		panic("every index challenged")
	}
	shortWindow := func(p *types.Params) { p.ProofWindowBlocks = 3 }
	cases := []msgCase{
		{name: "invalid operator address", prepare: ready, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.answer().msg(badChecksumAddr, w.job, 0))
		}},
		{name: "unknown job", prepare: ready, err: types.ErrJobNotFound, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, 99, 0, w.answer()))
		}},
		{name: "task never leased", prepare: ready, err: types.ErrTaskNotFound, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 3, w.answer()))
		}},
		{name: "someone else's claim", prepare: ready, err: types.ErrNotTaskHolder, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.b, w.job, 0, w.answer()))
		}},
		{name: "task leased, not claimed", prepare: func(w *msgWorld) { w.leaseA() }, err: types.ErrNotClaimed, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, proofAnswer{}))
		}},
		{name: "at the claim height, before the challenge is fixed", prepare: func(w *msgWorld) { w.claimA() }, err: types.ErrChallengeNotReady, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, proofAnswer{}))
		}},
		{
			name: "the block before the challenge is fixed",
			prepare: func(w *msgWorld) {
				w.claimA()
				w.f.advanceTo(w.claim.ChallengeHeight - 1)
			},
			err: types.ErrChallengeNotReady,
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, proofAnswer{}))
			},
		},
		{
			name: "after the proof window, before the end block ran", tweak: shortWindow,
			prepare: func(w *msgWorld) {
				w.challengeReady()
				w.f.advanceTo(w.claim.ProofDeadline)
				w.f.ctx = w.f.ctx.WithBlockHeight(int64(w.claim.ProofDeadline) + 1)
			},
			send: prove(nil), err: types.ErrProofWindowClosed,
		},
		{
			// Two claims miss their window at one height and the end block takes one a block.
			name: "after the proof window, still queued behind another missed proof",
			tweak: func(p *types.Params) {
				p.ProofWindowBlocks = 3
				p.MaxQueueItemsPerBlock = 1
			},
			prepare: func(w *msgWorld) {
				l := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)) // task 0, first in the queue
				wk := w.f.computeTask(w.b, w.job, l, nil)
				must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 0, wk.root()))
				w.claimA() // task 1
				w.f.advanceTo(w.claim.ProofDeadline + 1)
				require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
				require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 1).Status)
			},
			err: types.ErrProofWindowClosed,
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 1, w.answer()))
			},
		},
		{
			name: "after the end block handled the missed proof", tweak: shortWindow,
			prepare: func(w *msgWorld) {
				w.challengeReady()
				w.f.advanceTo(w.claim.ProofDeadline + 1)
				require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
			},
			err: types.ErrTaskNotFound,
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.work.answer([]uint64{0, 1})))
			},
		},
		shape("no items", func(_ *msgWorld, a *proofAnswer) { a.items = nil }),
		shape("an item missing", func(_ *msgWorld, a *proofAnswer) { a.items = a.items[:1] }),
		shape("an extra item", func(w *msgWorld, a *proofAnswer) {
			a.items = append(a.items, w.work.answer([]uint64{unchallenged(w, a.items)}).items...)
		}),
		shape("a duplicate index", func(_ *msgWorld, a *proofAnswer) { a.items[1] = a.items[0] }),
		shape("indices out of order", func(_ *msgWorld, a *proofAnswer) { a.items[0], a.items[1] = a.items[1], a.items[0] }),
		shape("an index not challenged", func(w *msgWorld, a *proofAnswer) {
			a.items[1] = w.work.answer([]uint64{unchallenged(w, a.items)}).items[0]
		}),
		shape("an index of the next task", func(_ *msgWorld, a *proofAnswer) { a.items[1].Index = worldPerTask }),
		shape("an index beyond the job", func(_ *msgWorld, a *proofAnswer) { a.items[1].Index = worldItems }),
		shape("no Merkle nodes", func(_ *msgWorld, a *proofAnswer) { a.nodes = nil }),
		shape("a Merkle node short", func(_ *msgWorld, a *proofAnswer) { a.nodes = a.nodes[:len(a.nodes)-1] }),
		shape("a Merkle node extra", func(_ *msgWorld, a *proofAnswer) { a.nodes = append(a.nodes, make([]byte, 32)) }),
		shape("a Merkle node of 31 bytes", func(_ *msgWorld, a *proofAnswer) { a.nodes[0] = a.nodes[0][:31] }),
		shape("a Merkle node of 33 bytes", func(_ *msgWorld, a *proofAnswer) {
			a.nodes[len(a.nodes)-1] = append(a.nodes[len(a.nodes)-1], 0)
		}),
		shape("more Merkle nodes than any proof needs", func(_ *msgWorld, a *proofAnswer) {
			a.nodes = make([][]byte, types.MaxProofSamples*merkle.MaxProofLength+1)
		}),
		shape("an output above 16 KiB", func(_ *msgWorld, a *proofAnswer) { a.items[0].Output = make([]byte, types.MaxOutputSize+1) }),
		shape("more items than proof_samples can be", func(_ *msgWorld, a *proofAnswer) {
			for len(a.items) <= types.MaxProofSamples {
				a.items = append(a.items, a.items[0])
			}
		}),
	}
	runMsgCases(t, cases, samples)

	t.Run("pays the device from escrow", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		w.challengeReady()
		a := w.answer()
		require.Len(t, a.items, proofSamples)
		module, requester := f.balance(w.moduleAddr()), f.balance(w.requester)
		gasBefore := f.ctx.GasMeter().GasConsumed()
		res, em := mustEvents(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, a))
		requireProto(t, &types.MsgSubmitProofResponse{Accepted: true, Paid: math.NewInt(worldReward - worldFee), Slashed: math.ZeroInt()}, res)
		// Verification gas: per item the kind's measured check, plus two hashes per item (leaf, merge), one per
		// Merkle node, and the leaves' output bytes.
		require.GreaterOrEqual(t, f.ctx.GasMeter().GasConsumed()-gasBefore,
			uint64(proofSamples*kinds.HashcashWork+keeper.HashGas*(2*proofSamples+len(a.nodes))+keeper.LeafByteGas*proofSamples*kinds.HashcashOutputSize))

		requireAmount(t, 9*bond+worldReward-worldFee, f.balance(w.a))
		requireAmount(t, worldFee, f.balance(w.feeCollector()))
		requireAmount(t, module.Int64()-worldReward, f.balance(w.moduleAddr()))
		require.Equal(t, requester.String(), f.balance(w.requester).String())
		task := w.task(w.job, 0)
		require.Equal(t, types.TASK_STATUS_VERIFIED, task.Status)
		require.Equal(t, w.claim.ChallengeHeight, task.VerifiedHeight)
		key := collectionsJoin(w.job, 0)
		require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.claim.ProofDeadline, key)))
		require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
		job := w.jobState(w.job)
		requireAmount(t, (worldItems-worldPerTask)*worldPrice, job.Escrow)
		require.Equal(t, uint64(1), job.TasksVerified)
		require.Zero(t, job.LiveTasks)
		require.Zero(t, job.LiveItems)
		require.Equal(t, types.JOB_STATUS_OPEN, job.Status)
		dev := w.device(w.a)
		require.Equal(t, uint64(1), dev.TasksVerified)
		requireAmount(t, worldUnits, dev.WorkUnits)
		require.Zero(t, dev.LiveTasks)
		requireAmount(t, bond, dev.Bond)
		requireEvent(t, em, &types.EventProofAccepted{
			JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Paid: math.NewInt(worldReward - worldFee), Fee: math.NewInt(worldFee),
			WorkUnits: math.NewInt(worldUnits), EmissionEligible: false, Epoch: 0, Root: hex.EncodeToString(w.work.root()),
		})
		require.Empty(t, eventsOf[*types.EventJobClosed](em))
		epoch, err := f.k.Epochs.Get(f.ctx, 0)
		require.NoError(t, err)
		requireAmount(t, 0, epoch.WorkUnits, "an unapproved requester's job earns no emission")
	})

	t.Run("proves at the proof deadline and completes the job with its last task", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples, func(p *types.Params) { p.ProofWindowBlocks = 3 }))
		f := w.f
		short, _ := w.postShortJob(100)
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, short))
		wk := f.computeTask(w.a, short, lease, nil)
		claim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.a, short, 0, wk.root()))
		f.advanceTo(claim.ProofDeadline)
		res, em := mustEvents(f, f.msgs.SubmitProof, w.proofMsg(w.a, short, 0, wk.answer(f.challenge(short, 0))))
		require.True(t, res.Accepted, res.Reason)
		job := w.jobState(short)
		require.Equal(t, types.JOB_STATUS_COMPLETED, job.Status)
		requireAmount(t, 0, job.Escrow)
		require.True(t, hasKey(t, f.ctx, indexHas(f.k.Jobs.Indexes.Status), collectionsPair(int32(types.JOB_STATUS_COMPLETED), short)))
		require.False(t, hasKey(t, f.ctx, indexHas(f.k.Jobs.Indexes.Status), collectionsPair(int32(types.JOB_STATUS_OPEN), short)))
		require.False(t, hasKey(t, f.ctx, f.k.JobDeadlineQueue.Has, collectionsPair(job.DeadlineHeight, short)))
		requireEvent(t, em, &types.EventJobClosed{JobId: short, Status: types.JOB_STATUS_COMPLETED.String(), Refunded: math.ZeroInt()})
	})

	// A well-formed proof that fails verification is not an error: the
	// transaction succeeds so the slash sticks, and the reason names the
	// registered error.
	rejected := []struct {
		name   string
		reason error
		// claimAndAnswer claims a task for device a and returns the answer to
		// its challenge, broken as the case requires.
		claimAndAnswer func(w *msgWorld) proofAnswer
	}{
		{
			name:   "a wrong Merkle node",
			reason: types.ErrInvalidMerkleProof,
			claimAndAnswer: func(w *msgWorld) proofAnswer {
				w.challengeReady()
				a := w.answer()
				a.nodes[0][5] ^= 0x01 // right length, wrong bytes
				return a
			},
		},
		{
			name:   "a wrong output",
			reason: types.ErrInvalidOutput,
			claimAndAnswer: func(w *msgWorld) proofAnswer {
				w.leaseA()
				forgeOutputs(w.f, w.work, w.job, 2)
				w.claim = must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
				w.f.advanceTo(w.claim.ChallengeHeight)
				return w.answer()
			},
		},
	}
	for _, tc := range rejected {
		t.Run("slashes and reopens on "+tc.name, func(t *testing.T) {
			w := newMsgWorld(newFixture(t, samples))
			f := w.f
			a := tc.claimAndAnswer(w)
			p := w.params()
			module, supply, requester := f.balance(w.moduleAddr()), w.supply(), f.balance(w.requester)
			slash := max(bond*int64(p.SlashInvalidBps)/10_000, worldReward)
			require.Equal(t, int64(bond/2), slash, "at default params the bond share exceeds the reward")

			res, em := mustEvents(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, a))
			require.False(t, res.Accepted)
			require.True(t, strings.Contains(res.Reason, tc.reason.Error()), "reason %q", res.Reason)
			requireAmount(t, slash, res.Slashed)
			requireAmount(t, 0, res.Paid)

			dev := w.device(w.a)
			requireAmount(t, bond-slash, dev.Bond)
			require.Equal(t, uint32(1), dev.Failures)
			require.Zero(t, dev.LiveTasks)
			require.Zero(t, dev.TasksVerified)
			require.Equal(t, types.DEVICE_STATUS_ACTIVE, dev.Status)
			requireAmount(t, 9*bond, f.balance(w.a), "the slash comes from the bond, not the account")
			requireAmount(t, module.Int64()-slash, f.balance(w.moduleAddr()))
			requireAmount(t, supply.Int64()-slash, w.supply(), "slashed coins are burned")
			requireAmount(t, 0, f.balance(w.feeCollector()))
			require.Equal(t, requester.String(), f.balance(w.requester).String())

			job := w.jobState(w.job)
			requireAmount(t, worldItems*worldPrice, job.Escrow, "escrow untouched")
			require.Zero(t, job.LiveTasks)
			require.Zero(t, job.LiveItems)
			require.Zero(t, job.TasksVerified)
			task := w.task(w.job, 0)
			require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status)
			require.Empty(t, task.Device)
			require.Empty(t, task.Root)
			key := collectionsJoin(w.job, 0)
			require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
			require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.claim.ProofDeadline, key)))
			require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))

			requireEvent(t, em, &types.EventBondSlashed{
				Operator: f.str(w.a), JobId: w.job, TaskIndex: 0, Amount: math.NewInt(slash),
				Reason: keeper.SlashReasonInvalidProof, RemainingBond: math.NewInt(bond - slash),
			})
			requireEvent(t, em, &types.EventProofRejected{JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Reason: res.Reason, ItemIndex: a.items[0].Index})
			require.Empty(t, eventsOf[*types.EventProofAccepted](em))

			// The task is leasable again, before any never-leased task.
			again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
			require.Equal(t, uint64(0), again.TaskIndex)
			require.Equal(t, uint32(1), w.task(w.job, 0).Attempt)
			require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
		})
	}

	// A 300 SHIFT task and a small one leased on a 1,000 SHIFT bond (its
	// invalid-proof slash, 500, covers both): the small task fails first and
	// slashes half the bond (500); the big one then would slash half of what is
	// left (250), less than it pays, so it slashes the reward (300).
	t.Run("slashes at least the task reward", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		const price = 300_000_000
		job := must(f, f.msgs.PostJob, &types.MsgPostJob{
			Requester: f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 1, ItemsPerTask: 1,
			PricePerItem: math.NewInt(price), DeadlineBlocks: 100,
		}).JobId
		var workers []*worker
		for _, j := range []uint64{job, w.job} {
			l := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, j))
			wk := f.computeTask(w.a, j, l, nil)
			forgeOutputs(f, wk, j, 2)
			must(f, f.msgs.SubmitClaim, w.claimMsg(w.a, j, l.TaskIndex, wk.root()))
			workers = append(workers, wk)
		}
		f.advance(int(w.params().ChallengeDelayBlocks))
		supply := w.supply()
		first := must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, workers[1].answer(f.challenge(w.job, 0))))
		require.False(t, first.Accepted)
		requireAmount(t, bond/2, first.Slashed)
		second := must(f, f.msgs.SubmitProof, w.proofMsg(w.a, job, 0, workers[0].answer(f.challenge(job, 0))))
		require.False(t, second.Accepted)
		requireAmount(t, price, second.Slashed)
		requireAmount(t, bond-bond/2-price, w.device(w.a).Bond)
		requireAmount(t, supply.Int64()-bond/2-price, w.supply())
		requireAmount(t, price, w.jobState(job).Escrow)
	})

	t.Run("jails at jail_after_failures", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		n := w.params().JailAfterFailures
		for i := range n {
			res, em := w.cheat(w.a, w.job, 2)
			require.False(t, res.Accepted)
			jailed := eventsOf[*types.EventDeviceJailed](em)
			if i+1 < n {
				require.Empty(t, jailed)
				require.Equal(t, types.DEVICE_STATUS_ACTIVE, w.device(w.a).Status)
				continue
			}
			require.Len(t, jailed, 1)
			requireProto(t, &types.EventDeviceJailed{Operator: f.str(w.a), Failures: n}, jailed[0])
		}
		dev := w.device(w.a)
		require.Equal(t, types.DEVICE_STATUS_JAILED, dev.Status)
		require.True(t, dev.Jailed)
		requireAmount(t, bond>>n, dev.Bond)
	})
}
