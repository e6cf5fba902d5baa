package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Attacks on batched settlement: a batch must not let a device get paid for
// a task it did not compute, be paid twice, or dodge a slash.

// worth is what a device owns: its balance and its bond.
func (w *msgWorld) worth() math.Int {
	return w.f.balance(w.a).Add(w.device(w.a).Bond)
}

func TestBatchHidingAForgedTaskLosesMoney(t *testing.T) {
	var works [2][]*worker
	n := 0
	forgeLast := func(i int) bool { return n == 1 && i == 2 } // only the cheater's world forges
	honest, cheater := twinWorlds(t, nil)
	for _, w := range []*msgWorld{honest, cheater} {
		_, works[n] = w.claimWork(w.a, 3, forgeLast)
		n++
	}
	var results [2]*types.MsgSubmitProofsResponse
	for i, w := range []*msgWorld{honest, cheater} {
		var elems []types.ProofElement
		for task := range uint64(3) {
			elems = append(elems, w.proofElement(w.job, task, works[i][task]))
		}
		results[i] = must(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: w.f.str(w.a), Proofs: elems})
		require.NoError(t, w.f.k.CheckInvariants(w.f.ctx))
	}
	// The forged task is rejected and slashed, the other two are paid.
	require.Equal(t, uint32(3), results[1].Settled)
	require.False(t, results[1].Results[2].Proof.Accepted)
	requireAmount(t, 0, results[1].Results[2].Proof.Paid)
	slash := results[1].Results[2].Proof.Slashed
	require.True(t, slash.GTE(math.NewInt(worldReward)), "the slash is at least the task's reward")
	// The cheater saved the work of one task and lost its reward and the slash.
	lost := honest.worth().Sub(cheater.worth())
	require.Equal(t, math.NewInt(worldReward-worldFee).Add(slash).String(), lost.String())
	require.Equal(t, uint32(1), cheater.device(cheater.a).Failures)
	require.Equal(t, types.TASK_STATUS_UNSPECIFIED, cheater.task(cheater.job, 2).Status, "the forged task reopens for others")
}

func TestBatchCannotUndoASlash(t *testing.T) {
	// A device that knows its proof fails adds an element it knows is
	// malformed, hoping the whole transaction (and the slash) is rolled back.
	w := newMsgWorld(newFixture(t))
	_, works := w.claimWork(w.a, 2, func(i int) bool { return i == 0 })
	bad := w.proofElement(w.job, 1, works[1])
	bad.Items = bad.Items[1:]
	before := w.device(w.a).Bond
	res := must(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: w.f.str(w.a), Proofs: []types.ProofElement{w.proofElement(w.job, 0, works[0]), bad}})
	require.Equal(t, uint32(1), res.Settled)
	require.False(t, res.Results[0].Proof.Accepted)
	require.Equal(t, before.Sub(res.Results[0].Proof.Slashed).String(), w.device(w.a).Bond.String(), "the slash is kept")
	require.Equal(t, code(types.ErrInvalidChallengeAnswer), batchCode(res.Results[1].Error))
	// Leaving the malformed element alone, the holder still owes its proof or
	// pays a missed one: the batch bought nothing.
	require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 1).Status)
}

func TestBatchPaysATaskOnce(t *testing.T) {
	w := newMsgWorld(newFixture(t))
	_, works := w.claimWork(w.a, 1, nil)
	good := w.proofElement(w.job, 0, works[0])
	before := w.f.balance(w.a)
	res := must(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: w.f.str(w.a), Proofs: []types.ProofElement{good, good, good}})
	require.Equal(t, uint32(1), res.Settled)
	requireAmount(t, worldReward-worldFee, w.f.balance(w.a).Sub(before))
	require.Equal(t, code(types.ErrDuplicateBatchElement), batchCode(res.Results[1].Error))
	require.Equal(t, code(types.ErrDuplicateBatchElement), batchCode(res.Results[2].Error))
}

func TestBatchCannotProveAnotherDevicesTask(t *testing.T) {
	// Device a copies b's honest answer into its batch: the element is refused,
	// b's claim is untouched and a earns only its own task.
	w := newMsgWorld(newFixture(t))
	_, worksA := w.claimWork(w.a, 1, nil)
	_, worksB := w.claimWork(w.b, 1, nil)
	before := w.f.balance(w.a)
	res := must(w.f, w.f.msgs.SubmitProofs, &types.MsgSubmitProofs{Operator: w.f.str(w.a), Proofs: []types.ProofElement{
		w.proofElement(w.job, 0, worksA[0]), w.proofElement(w.job, 1, worksB[0]),
	}})
	require.Equal(t, uint32(1), res.Settled)
	require.Equal(t, code(types.ErrNotTaskHolder), batchCode(res.Results[1].Error))
	requireAmount(t, worldReward-worldFee, w.f.balance(w.a).Sub(before))
	require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 1).Status)
	require.Equal(t, w.f.str(w.b), w.task(w.job, 1).Device)
}

func TestLeaseAndClaimCannotReclaimABarredTask(t *testing.T) {
	// A device whose forged proof of task 0 was rejected has seen task 0's
	// challenge; it may not lease-and-claim task 0 again with a root fitted
	// to it. The job's next lease for it is another task, so the element fails.
	w := newMsgWorld(newFixture(t))
	_, works := w.claimWork(w.a, 1, func(int) bool { return true })
	res := must(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, works[0].answer(w.f.challenge(w.job, 0))))
	require.False(t, res.Accepted)
	honest := w.speculate(w.job, 0)
	requireUnchanged(w.f, w.accounts(), func() {
		err := sendMsg(w.f, w.f.msgs.LeaseAndClaim, &types.MsgLeaseAndClaim{Operator: w.f.str(w.a), Claims: []types.ClaimElement{{JobId: w.job, TaskIndex: 0, Root: honest.root()}}})
		require.ErrorIs(t, err, types.ErrLeaseMismatch)
	})
}
