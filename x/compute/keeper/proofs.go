package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	// HashGas is charged per SHA-256 of a Merkle proof (leaves included).
	HashGas = 50
)

// proofVerdict is what verification decides about a well-formed proof; it
// moves no money (settleProof does).
type proofVerdict struct {
	Accepted bool
	// WorkUnits is the work an accepted proof shows was done.
	WorkUnits math.Int
	// Item is the item a rejected proof fails on, and Reason why.
	Item   uint64
	Reason error
}

// SubmitProof answers a claim's challenge. A malformed answer (wrong indices,
// wrong number of Merkle nodes, too early or too late) is an error and changes
// nothing. A well-formed answer is verified: the sampled outputs, with the
// multi-proof nodes, must lead to the claimed root, and every output is
// re-verified by the task's kind, with gas charged first in proportion to that
// work. The verdict is then settled (settle.go): if all pass the device is paid
// from escrow; if any fails the bond is slashed and the task reopens, and the
// transaction succeeds so that the slash is kept.
func (k *Keeper) SubmitProof(ctx context.Context, operator sdk.AccAddress, jobID, index uint64, items []types.ChallengeItem, nodes, inputNodes [][]byte) (ProofResult, error) {
	task, err := k.heldTask(ctx, operator, jobID, index)
	if err != nil {
		return ProofResult{}, err
	}
	if task.Status != types.TASK_STATUS_CLAIMED {
		return ProofResult{}, errorsmod.Wrapf(types.ErrNotClaimed, "task %d/%d is %s", jobID, index, task.Status)
	}
	h := height(ctx)
	if h < task.ChallengeHeight {
		return ProofResult{}, errorsmod.Wrapf(types.ErrChallengeNotReady, "challenge is fixed at height %d, now %d", task.ChallengeHeight, h)
	}
	if h > task.ProofDeadline {
		return ProofResult{}, errorsmod.Wrapf(types.ErrProofWindowClosed, "window closed at height %d", task.ProofDeadline)
	}
	job, err := k.Jobs.Get(ctx, jobID)
	if err != nil {
		return ProofResult{}, err
	}
	want, ready, err := k.ChallengeIndices(ctx, task)
	if err != nil {
		return ProofResult{}, err
	}
	if !ready {
		return ProofResult{}, errorsmod.Wrap(types.ErrChallengeNotReady, "challenge not fixed")
	}
	offsets, err := checkAnswerShape(task, want, items, nodes)
	if err != nil {
		return ProofResult{}, err
	}
	if job.Kind == kinds.WasmKindName {
		return k.proveWasm(ctx, job, task, offsets, items, nodes, inputNodes)
	}
	if len(inputNodes) != 0 || hasInputs(items) {
		return ProofResult{}, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "a %s job takes no inputs in its proofs", job.Kind)
	}
	spec, err := k.jobSpec(job)
	if err != nil {
		return ProofResult{}, err
	}

	// One hash per leaf, one per node and fewer than one per item for merging
	// two computed nodes: the multi-proof's bound (merkle.VerifyMultiProof).
	gas := spec.VerifyGas()*uint64(len(items)) + HashGas*uint64(2*len(items)+len(nodes))
	sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(gas, "compute: verify proof")

	verdict := verifyProof(spec, task, offsets, items, nodes)
	return k.settleProof(ctx, job, task, verdict)
}

// verifyProof checks a well-formed answer against the claimed root and the
// task's kind. It reads no state and moves nothing.
func verifyProof(spec kinds.Spec, task types.Task, offsets []uint64, items []types.ChallengeItem, nodes [][]byte) proofVerdict {
	leaves := make([][32]byte, len(items))
	for i, it := range items {
		leaves[i] = merkle.LeafHash(task.JobId, it.Index, it.Output)
	}
	path := make([][32]byte, len(nodes))
	for i, n := range nodes {
		path[i] = [32]byte(n)
	}
	if err := merkle.VerifyMultiProof([32]byte(task.Root), offsets, leaves, task.ItemCount, path); err != nil {
		// The multi-proof proves all items at once, so the first sampled item
		// stands for the failure in the event.
		return proofVerdict{Item: items[0].Index, Reason: errorsmod.Wrapf(types.ErrInvalidMerkleProof, "%v", err)}
	}
	for _, it := range items {
		if err := spec.VerifyOutput(task.JobId, it.Index, it.Output); err != nil {
			return proofVerdict{Item: it.Index, Reason: errorsmod.Wrapf(types.ErrInvalidOutput, "item %d: %v", it.Index, err)}
		}
	}
	units := math.NewIntFromUint64(spec.UnitsPerItem()).Mul(math.NewIntFromUint64(task.ItemCount))
	return proofVerdict{Accepted: true, WorkUnits: units}
}

// checkAnswerShape rejects an answer that does not give exactly the challenged
// items, in order, with the number of 32-byte nodes their multi-proof needs. It
// returns the items' offsets within the task, the leaf indices of its tree.
func checkAnswerShape(task types.Task, want []uint64, items []types.ChallengeItem, nodes [][]byte) ([]uint64, error) {
	if len(items) != len(want) {
		return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "got %d items, the challenge asks for %d: %v", len(items), len(want), want)
	}
	offsets := make([]uint64, len(items))
	for i, it := range items {
		if it.Index != want[i] {
			return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "item %d answers index %d, the challenge asks for %d (challenge: %v)", i, it.Index, want[i], want)
		}
		if len(it.Output) > types.MaxOutputSize {
			return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "output of item %d is %d bytes, at most %d", it.Index, len(it.Output), types.MaxOutputSize)
		}
		offsets[i] = it.Index - task.FirstItem
	}
	if wantLen := merkle.MultiProofLength(offsets, task.ItemCount); len(nodes) != wantLen {
		return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "%d Merkle nodes, the multi-proof of these items needs %d", len(nodes), wantLen)
	}
	for i, n := range nodes {
		if len(n) != 32 {
			return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "Merkle node %d is %d bytes, want 32", i, len(n))
		}
	}
	return offsets, nil
}
