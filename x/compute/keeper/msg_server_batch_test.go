package keeper_test

import (
	"bytes"
	"testing"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Batched settlement: every element runs the single message's keeper code in
// its own cache context; good elements settle, bad ones are reported and
// change nothing; a batch with nothing settled fails whole.

// twinWorlds builds the same world twice: the fixture is deterministic, so a
// batch sent in one and the equivalent single messages in the other must
// leave equal states.
func twinWorlds(t *testing.T, prepare func(w *msgWorld), tweaks ...func(*types.Params)) (*msgWorld, *msgWorld) {
	t.Helper()
	a, b := newMsgWorld(newFixture(t, tweaks...)), newMsgWorld(newFixture(t, tweaks...))
	if prepare != nil {
		prepare(a)
		prepare(b)
	}
	requireSameState(t, a, b)
	return a, b
}

func requireSameState(t *testing.T, a, b *msgWorld) {
	t.Helper()
	require.Equal(t, stateSnapshot(a.f, a.accounts()), stateSnapshot(b.f, b.accounts()))
	require.NoError(t, a.f.k.CheckInvariants(a.f.ctx))
	require.NoError(t, b.f.k.CheckInvariants(b.f.ctx))
}

// leaseWork leases n tasks of the world job to op one by one and computes them
// (forged when forge says so).
func (w *msgWorld) leaseWork(op sdk.AccAddress, n int, forge func(i int) bool) ([]*types.MsgLeaseTaskResponse, []*worker) {
	w.f.t.Helper()
	var leases []*types.MsgLeaseTaskResponse
	var works []*worker
	for i := range n {
		lease := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(op, w.job))
		wk := w.f.computeTask(op, w.job, lease, nil)
		if forge != nil && forge(i) {
			forgeOutputs(w.f, wk, w.job, 2)
		}
		leases, works = append(leases, lease), append(works, wk)
	}
	return leases, works
}

// claimWork leases and claims n tasks for op and advances to their challenges.
func (w *msgWorld) claimWork(op sdk.AccAddress, n int, forge func(i int) bool) ([]*types.MsgLeaseTaskResponse, []*worker) {
	w.f.t.Helper()
	leases, works := w.leaseWork(op, n, forge)
	var last uint64
	for i, l := range leases {
		c := must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(op, w.job, l.TaskIndex, works[i].root()))
		last = c.ChallengeHeight
	}
	w.f.advanceTo(last)
	return leases, works
}

func (w *msgWorld) proofElement(job, task uint64, wk *worker) types.ProofElement {
	a := wk.answer(w.f.challenge(job, task))
	return types.ProofElement{JobId: job, TaskIndex: task, Items: a.items, Nodes: a.nodes}
}

func batchCode(e *types.BatchError) uint32 {
	if e == nil {
		return 0
	}
	return e.Code
}

func code(err *errorsmod.Error) uint32 { return err.ABCICode() }

func TestMsgLeaseTasks(t *testing.T) {
	t.Run("leases a task per listed job, as the single messages do", func(t *testing.T) {
		one, many := twinWorlds(t, nil)
		job2 := one.f.postJob(one.requester, "hashcash", worldSpec, 8, 4, worldPrice)
		require.Equal(t, job2, many.f.postJob(many.requester, "hashcash", worldSpec, 8, 4, worldPrice))
		for _, j := range []uint64{one.job, job2, one.job} {
			must(one.f, one.f.msgs.LeaseTask, one.leaseMsg(one.a, j))
		}
		res, em := mustEvents(many.f, many.f.msgs.LeaseTasks, &types.MsgLeaseTasks{Operator: many.f.str(many.a), JobIds: []uint64{many.job, job2, many.job}})
		require.Equal(t, uint32(3), res.Settled)
		// A job listed twice leases two of its tasks, in order.
		require.Equal(t, uint64(0), res.Results[0].Lease.TaskIndex)
		require.Equal(t, uint64(0), res.Results[1].Lease.TaskIndex)
		require.Equal(t, uint64(1), res.Results[2].Lease.TaskIndex)
		require.Len(t, eventsOf[*types.EventTaskLeased](em), 3)
		requireEvent(t, em, &types.EventBatchSettled{Msg: sdk.MsgTypeURL(&types.MsgLeaseTasks{}), Operator: many.f.str(many.a), Elements: 3, Settled: 3})
		requireSameState(t, one, many)
		require.Equal(t, uint32(3), many.device(many.a).LiveTasks)
		require.Equal(t, uint64(2), many.jobState(many.job).LiveTasks)
	})
	t.Run("settles the good elements and reports the bad, which change nothing", func(t *testing.T) {
		one, many := twinWorlds(t, nil, func(p *types.Params) { p.MaxLiveTasksPerDevice = 3 })
		// Job 99 does not exist; the fourth lease of the world job is over the
		// live-task limit; a fifth would find the job's four tasks taken.
		for range 3 {
			must(one.f, one.f.msgs.LeaseTask, one.leaseMsg(one.a, one.job))
		}
		res, em := mustEvents(many.f, many.f.msgs.LeaseTasks, &types.MsgLeaseTasks{Operator: many.f.str(many.a), JobIds: []uint64{many.job, 99, many.job, many.job, many.job}})
		require.Equal(t, uint32(3), res.Settled)
		require.Equal(t, []uint32{0, code(types.ErrJobNotFound), 0, 0, code(types.ErrTooManyLiveTasks)},
			[]uint32{batchCode(res.Results[0].Error), batchCode(res.Results[1].Error), batchCode(res.Results[2].Error), batchCode(res.Results[3].Error), batchCode(res.Results[4].Error)})
		require.Nil(t, res.Results[1].Lease)
		failed := eventsOf[*types.EventBatchElementFailed](em)
		require.Len(t, failed, 2)
		require.Equal(t, uint32(1), failed[0].Element)
		require.Equal(t, types.ModuleName, failed[0].Codespace)
		require.Equal(t, code(types.ErrJobNotFound), failed[0].Code)
		requireSameState(t, one, many)
	})
	t.Run("the lowest open task of a job listed past its tasks is taken once", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		res := must(w.f, w.f.msgs.LeaseTasks, &types.MsgLeaseTasks{Operator: w.f.str(w.a), JobIds: []uint64{w.job, w.job, w.job, w.job, w.job}})
		require.Equal(t, uint32(4), res.Settled)
		require.Equal(t, code(types.ErrNoOpenTask), batchCode(res.Results[4].Error))
		require.Equal(t, uint64(4), w.jobState(w.job).LiveTasks)
	})

	a := func(w *msgWorld) string { return w.f.str(w.a) }
	lease := func(op func(*msgWorld) string, jobs func(*msgWorld) []uint64) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.LeaseTasks, &types.MsgLeaseTasks{Operator: op(w), JobIds: jobs(w)})
		}
	}
	runMsgCases(t, []msgCase{
		{name: "invalid operator address", send: lease(func(*msgWorld) string { return "" }, func(w *msgWorld) []uint64 { return []uint64{w.job} }), err: types.ErrInvalidAddress},
		{name: "empty batch", send: lease(a, func(*msgWorld) []uint64 { return nil }), err: types.ErrBatchSize},
		{
			name: "more elements than max_batch_size", tweak: func(p *types.Params) { p.MaxBatchSize = 2 },
			send: lease(a, func(w *msgWorld) []uint64 { return []uint64{w.job, w.job, w.job} }), err: types.ErrBatchSize,
		},
		{name: "no element settles: unknown jobs", send: lease(a, func(*msgWorld) []uint64 { return []uint64{98, 99} }), err: types.ErrJobNotFound},
		{name: "no element settles: the first error is named", send: lease(a, func(*msgWorld) []uint64 { return []uint64{99} }), err: types.ErrJobNotFound},
		{
			name:  "no element settles: bond too small for the task",
			tweak: func(p *types.Params) { p.SlashInvalidBps = 1 }, // a 0.1 SHIFT slash, under the 4 SHIFT task
			prepare: func(w *msgWorld) {
				w.job = w.f.postJob(w.requester, "hashcash", worldSpec, 4, 4, 1_000_000) // one task of 4 SHIFT
			},
			send: lease(a, func(w *msgWorld) []uint64 { return []uint64{w.job} }), err: types.ErrBondTooSmallForTask,
		},
		{
			name:    "no element settles: jailed device",
			prepare: func(w *msgWorld) { w.jail(w.a) },
			send:    lease(a, func(w *msgWorld) []uint64 { return []uint64{w.job} }), err: types.ErrDeviceJailed,
		},
	})
}

func TestMsgSubmitClaims(t *testing.T) {
	t.Run("claims every task, as the single messages do", func(t *testing.T) {
		var works [2][]*worker
		var leases [2][]*types.MsgLeaseTaskResponse
		n := 0
		one, many := twinWorlds(t, func(w *msgWorld) { leases[n], works[n] = w.leaseWork(w.a, 3, nil); n++ })
		var claims []types.ClaimElement
		for i, l := range leases[0] {
			must(one.f, one.f.msgs.SubmitClaim, one.claimMsg(one.a, one.job, l.TaskIndex, works[0][i].root()))
			claims = append(claims, types.ClaimElement{JobId: many.job, TaskIndex: l.TaskIndex, Root: works[1][i].root()})
		}
		res, em := mustEvents(many.f, many.f.msgs.SubmitClaims, &types.MsgSubmitClaims{Operator: many.f.str(many.a), Claims: claims})
		require.Equal(t, uint32(3), res.Settled)
		require.Len(t, eventsOf[*types.EventClaimSubmitted](em), 3)
		for _, r := range res.Results {
			require.Nil(t, r.Error)
			require.Equal(t, uint64(1+types.DefaultParams().ChallengeDelayBlocks), r.Claim.ChallengeHeight)
		}
		requireSameState(t, one, many)
	})
	t.Run("settles the good claims and reports the bad, which change nothing", func(t *testing.T) {
		var works [2][]*worker
		n := 0
		one, many := twinWorlds(t, func(w *msgWorld) {
			_, works[n] = w.leaseWork(w.a, 2, nil)
			must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)) // task 2 is b's
			n++
		})
		must(one.f, one.f.msgs.SubmitClaim, one.claimMsg(one.a, one.job, 1, works[0][1].root()))
		res := must(many.f, many.f.msgs.SubmitClaims, &types.MsgSubmitClaims{Operator: many.f.str(many.a), Claims: []types.ClaimElement{
			{JobId: many.job, TaskIndex: 0, Root: works[1][0].root()[:31]}, // short root
			{JobId: many.job, TaskIndex: 1, Root: works[1][1].root()},      // good
			{JobId: many.job, TaskIndex: 1, Root: bytes.Repeat([]byte{1}, 32)},
			{JobId: many.job, TaskIndex: 2, Root: works[1][1].root()}, // b's task
			{JobId: many.job, TaskIndex: 3, Root: works[1][1].root()}, // never leased
		}})
		require.Equal(t, uint32(1), res.Settled)
		var got []uint32
		for _, r := range res.Results {
			got = append(got, batchCode(r.Error))
		}
		require.Equal(t, []uint32{code(types.ErrInvalidRoot), 0, code(types.ErrDuplicateBatchElement), code(types.ErrNotTaskHolder), code(types.ErrTaskNotFound)}, got)
		requireSameState(t, one, many)
	})

	claims := func(w *msgWorld, elems ...types.ClaimElement) error {
		return sendMsg(w.f, w.f.msgs.SubmitClaims, &types.MsgSubmitClaims{Operator: w.f.str(w.a), Claims: elems})
	}
	runMsgCases(t, []msgCase{
		{name: "invalid operator address", prepare: func(w *msgWorld) { w.leaseA() }, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitClaims, &types.MsgSubmitClaims{Operator: badChecksumAddr, Claims: []types.ClaimElement{{JobId: w.job, Root: w.work.root()}}})
		}},
		{name: "empty batch", send: func(w *msgWorld) error { return claims(w) }, err: types.ErrBatchSize},
		{
			name: "more elements than max_batch_size", tweak: func(p *types.Params) { p.MaxBatchSize = 1 }, prepare: func(w *msgWorld) { w.leaseA() },
			send: func(w *msgWorld) error {
				return claims(w, types.ClaimElement{JobId: w.job, Root: w.work.root()}, types.ClaimElement{JobId: w.job, TaskIndex: 1, Root: w.work.root()})
			}, err: types.ErrBatchSize,
		},
		{name: "no element settles: already claimed, then a duplicate", prepare: func(w *msgWorld) { w.claimA() }, send: func(w *msgWorld) error {
			return claims(w, types.ClaimElement{JobId: w.job, Root: w.work.root()}, types.ClaimElement{JobId: w.job, Root: w.work.root()})
		}, err: types.ErrAlreadyClaimed},
		{name: "no element settles: unknown job", prepare: func(w *msgWorld) { w.leaseA() }, send: func(w *msgWorld) error {
			return claims(w, types.ClaimElement{JobId: 99, Root: w.work.root()})
		}, err: types.ErrJobNotFound},
	})
}

func TestMsgSubmitProofs(t *testing.T) {
	t.Run("pays every task, as the single messages do", func(t *testing.T) {
		var works [2][]*worker
		var leases [2][]*types.MsgLeaseTaskResponse
		n := 0
		one, many := twinWorlds(t, func(w *msgWorld) { leases[n], works[n] = w.claimWork(w.a, 3, nil); n++ })
		var proofs []types.ProofElement
		for i, l := range leases[0] {
			res := must(one.f, one.f.msgs.SubmitProof, one.proofMsg(one.a, one.job, l.TaskIndex, works[0][i].answer(one.f.challenge(one.job, l.TaskIndex))))
			require.True(t, res.Accepted, res.Reason)
			proofs = append(proofs, many.proofElement(many.job, l.TaskIndex, works[1][i]))
		}
		res, em := mustEvents(many.f, many.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: many.f.str(many.a), Proofs: proofs})
		require.Equal(t, uint32(3), res.Settled)
		for _, r := range res.Results {
			require.True(t, r.Proof.Accepted, r.Proof.Reason)
			requireAmount(t, worldReward-worldFee, r.Proof.Paid)
		}
		require.Len(t, eventsOf[*types.EventProofAccepted](em), 3)
		requireSameState(t, one, many)
	})
	t.Run("a rejected proof settles with its slash; malformed and duplicate elements change nothing", func(t *testing.T) {
		var works [2][]*worker
		n := 0
		forgeFirst := func(i int) bool { return i == 0 }
		one, many := twinWorlds(t, func(w *msgWorld) { _, works[n] = w.claimWork(w.a, 3, forgeFirst); n++ })
		r0 := must(one.f, one.f.msgs.SubmitProof, one.proofMsg(one.a, one.job, 0, works[0][0].answer(one.f.challenge(one.job, 0))))
		require.False(t, r0.Accepted)
		must(one.f, one.f.msgs.SubmitProof, one.proofMsg(one.a, one.job, 1, works[0][1].answer(one.f.challenge(one.job, 1))))

		forged, good, malformed := many.proofElement(many.job, 0, works[1][0]), many.proofElement(many.job, 1, works[1][1]), many.proofElement(many.job, 2, works[1][2])
		malformed.Nodes = append(malformed.Nodes, make([]byte, 32))
		res := must(many.f, many.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: many.f.str(many.a), Proofs: []types.ProofElement{forged, good, good, malformed}})
		require.Equal(t, uint32(2), res.Settled)
		require.False(t, res.Results[0].Proof.Accepted)
		require.True(t, res.Results[0].Proof.Slashed.IsPositive())
		require.True(t, res.Results[1].Proof.Accepted)
		require.Equal(t, code(types.ErrDuplicateBatchElement), batchCode(res.Results[2].Error))
		require.Equal(t, code(types.ErrInvalidChallengeAnswer), batchCode(res.Results[3].Error))
		requireSameState(t, one, many)
		require.Equal(t, types.TASK_STATUS_CLAIMED, many.task(many.job, 2).Status, "the malformed answer may be sent again in the window")
	})
	t.Run("pays every element's verification and reports one the gas left cannot bound", func(t *testing.T) {
		f := newFixture(t, inSetParams(2))
		s, second := newBatchProofSetup(f)
		elems := []types.ProofElement{{JobId: s.job, TaskIndex: s.task, Items: s.answer.items, Nodes: s.answer.nodes}, second}
		// Gas for one bound and the store (under half a bound): the second
		// element is refused before its work and changes nothing; the first
		// settles.
		var res *types.MsgSubmitProofsResponse
		used := withGasLimit(f, s.bound*3/2, func() {
			res = must(f, f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: f.str(s.op), Proofs: elems})
		})
		require.Equal(t, uint32(1), res.Settled)
		require.True(t, res.Results[0].Proof.Accepted, res.Results[0].Proof.Reason)
		require.Equal(t, code(types.ErrInsufficientVerifyGas), batchCode(res.Results[1].Error))
		require.Equal(t, types.TASK_STATUS_CLAIMED, taskStatus(f, second.JobId, second.TaskIndex))
		require.GreaterOrEqual(t, used, s.measure)
	})
	t.Run("a batch pays at least the sum of its elements' verification", func(t *testing.T) {
		f := newFixture(t, inSetParams(2))
		s, second := newBatchProofSetup(f)
		elems := []types.ProofElement{{JobId: s.job, TaskIndex: s.task, Items: s.answer.items, Nodes: s.answer.nodes}, second}
		var res *types.MsgSubmitProofsResponse
		used := withGasLimit(f, 2*s.bound+2_000_000, func() {
			res = must(f, f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: f.str(s.op), Proofs: elems})
		})
		require.Equal(t, uint32(2), res.Settled)
		// Every pixel runs max_iter: each element measured its bound.
		require.Equal(t, s.bound, s.measure)
		require.GreaterOrEqual(t, used, 2*s.measure)
	})
	t.Run("elements share the block's verification budget", func(t *testing.T) {
		f := newFixture(t, inSetParams(1))
		s, second := newBatchProofSetup(f)
		res := must(f, f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: f.str(s.op), Proofs: []types.ProofElement{
			{JobId: s.job, TaskIndex: s.task, Items: s.answer.items, Nodes: s.answer.nodes}, second,
		}})
		require.Equal(t, uint32(1), res.Settled)
		require.Equal(t, code(types.ErrBlockVerifyBudget), batchCode(res.Results[1].Error))
		// Next block the budget is whole again and the refused element settles.
		f.nextBlock()
		res = must(f, f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: f.str(s.op), Proofs: []types.ProofElement{second}})
		require.True(t, res.Results[0].Proof.Accepted)
	})

	proofs := func(w *msgWorld, elems ...types.ProofElement) error {
		return sendMsg(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: w.f.str(w.a), Proofs: elems})
	}
	runMsgCases(t, []msgCase{
		{name: "invalid operator address", prepare: func(w *msgWorld) { w.challengeReady() }, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: otherPrefixAddr, Proofs: []types.ProofElement{w.proofElement(w.job, 0, w.work)}})
		}},
		{name: "empty batch", send: func(w *msgWorld) error { return proofs(w) }, err: types.ErrBatchSize},
		{
			name: "more elements than max_batch_size", tweak: func(p *types.Params) { p.MaxBatchSize = 1 }, prepare: func(w *msgWorld) { w.challengeReady() },
			send: func(w *msgWorld) error {
				e := w.proofElement(w.job, 0, w.work)
				return proofs(w, e, e)
			}, err: types.ErrBatchSize,
		},
		{name: "no element settles: before the challenge", prepare: func(w *msgWorld) { w.claimA() }, send: func(w *msgWorld) error {
			return proofs(w, types.ProofElement{JobId: w.job, TaskIndex: 0})
		}, err: types.ErrChallengeNotReady},
		{name: "no element settles: too many items", prepare: func(w *msgWorld) { w.challengeReady() }, send: func(w *msgWorld) error {
			return proofs(w, types.ProofElement{JobId: w.job, TaskIndex: 0, Items: make([]types.ChallengeItem, types.MaxProofSamples+1)})
		}, err: types.ErrInvalidChallengeAnswer},
		{name: "no element settles: by another device", prepare: func(w *msgWorld) { w.challengeReady() }, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: w.f.str(w.b), Proofs: []types.ProofElement{w.proofElement(w.job, 0, w.work)}})
		}, err: types.ErrNotTaskHolder},
		{name: "no element settles: unclaimed task", prepare: func(w *msgWorld) { w.leaseA() }, send: func(w *msgWorld) error {
			return proofs(w, types.ProofElement{JobId: w.job, TaskIndex: 0})
		}, err: types.ErrNotClaimed},
	})
}

// inSetSpec is a view inside the set: every pixel runs max_iter, so a proof
// measures exactly its bound. Its 8 rows make two tasks of 4.
const inSetSpec = `{"width":64,"height":8,"center_re":"-0.1","center_im":"0","scale":"0.05","max_iter":1000}`

// inSetParams sample all 4 items of inSetSpec's tasks, with a block budget of
// exactly proofs such proofs at their bound.
func inSetParams(proofs uint64) func(*types.Params) {
	one := uint64(4) * (kinds.MandelbrotBaseWork + 64*(kinds.MandelbrotWorkPerPixel+1000*kinds.MandelbrotWorkPerIter))
	return func(p *types.Params) {
		p.ProofSamples = 4
		p.MaxVerifyGasPerItem = one / 4
		p.MaxVerifyGasPerBlock = proofs*4*(one/4+types.VerifyHashReservePerItem) + 1
	}
}

// newBatchProofSetup claims both tasks of an inSetSpec job for one device and
// reaches their challenges: the first as a proofSetup, the second as an element.
func newBatchProofSetup(f *fixture) (*proofSetup, types.ProofElement) {
	f.t.Helper()
	requester := addrOf("lab")
	f.fund(requester, 1_000_000_000)
	job := f.postJob(requester, "mandelbrot", inSetSpec, 8, 4, 1000)
	op := f.registerDevice("dev")
	parsed, err := f.k.Kinds().Parse("mandelbrot", []byte(inSetSpec), 8)
	require.NoError(f.t, err)
	var works []*worker
	var at uint64
	for range 2 {
		lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(op), JobId: job})
		wk := f.computeTask(op, job, lease, nil)
		claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(op), JobId: job, TaskIndex: lease.TaskIndex, Root: wk.root()})
		works, at = append(works, wk), claim.ChallengeHeight
	}
	f.advanceTo(at)
	first, second := works[0].answer(f.challenge(job, 0)), works[1].answer(f.challenge(job, 1))
	s := &proofSetup{f: f, op: op, job: job, task: 0, answer: first}
	hash := keeper.ProofHashGas(first.items, first.nodes)
	s.bound, s.measure = parsed.MaxWorkPerItem()*uint64(len(first.items))+hash, hash
	for _, it := range first.items {
		w, err := parsed.VerifyOutput(kinds.Item{JobID: job, Index: it.Index}, it.Output)
		require.NoError(f.t, err)
		s.measure += w
	}
	return s, types.ProofElement{JobId: job, TaskIndex: 1, Items: second.items, Nodes: second.nodes}
}

func taskStatus(f *fixture, job, index uint64) types.TaskStatus {
	task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(job, index))
	require.NoError(f.t, err)
	return task.Status
}
