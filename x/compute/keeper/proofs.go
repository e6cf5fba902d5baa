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

// Gas of a proof's hashing, in the work units of package kinds (about 1.5 ns of
// validator CPU each on the bench machine; BenchmarkProofVerification checks
// them against the kinds' work).
const (
	// HashGas is charged per SHA-256 of a Merkle proof (leaves included): a
	// 64-byte node hash takes about 150 ns.
	HashGas = 100
	// LeafByteGas is charged per output byte hashed into a leaf (SHA-256 runs at
	// about 0.75 ns per byte), so a large output cannot ride on HashGas.
	LeafByteGas = 1
)

// proofVerdict is what verification decides about a well-formed proof; it
// moves no money (settleProof does).
type proofVerdict struct {
	Accepted bool
	// WorkUnits is the work an accepted proof shows was done: the mean
	// measured work of the sampled items times the task's item count.
	WorkUnits math.Int
	// Work is the units validators measured re-executing the sampled items,
	// up to the first that failed: the gas the proof pays besides hashing.
	Work uint64
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
	offsets, err := checkAnswerShape(task, want, items, nodes, types.ErrInvalidChallengeAnswer, "challenge")
	if err != nil {
		return ProofResult{}, err
	}
	spec, wasm, err := k.proofSpec(ctx, job, items)
	if err != nil {
		return ProofResult{}, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return ProofResult{}, err
	}
	inputGas, err := checkProofInputs(wasm, params, items, inputNodes)
	if err != nil {
		return ProofResult{}, err
	}

	// Gas is the work measured (design note G1), charged after verifying; so
	// that a tx that could not pay stops before the work, it must first have
	// gas left for every item at its bound. Outputs are at most MaxOutputSize
	// and items at most MaxProofSamples, so none of this overflows.
	hashGas := ProofHashGas(items, nodes) + inputGas
	bound := spec.MaxWorkPerItem()*uint64(len(items)) + hashGas
	meter := sdk.UnwrapSDKContext(ctx).GasMeter()
	if left := meter.GasRemaining(); left < bound {
		return ProofResult{}, errorsmod.Wrapf(types.ErrInsufficientVerifyGas,
			"%d items at up to %d units each and %d of hashing need %d gas, %d left", len(items), spec.MaxWorkPerItem(), hashGas, bound, left)
	}

	if err := k.checkVerifyBudget(ctx, params, bound); err != nil {
		return ProofResult{}, err
	}

	if err := verifyProofInputs(wasm, items, inputNodes); err != nil {
		return ProofResult{}, err
	}
	verdict := verifyProof(spec, task, offsets, items, nodes)
	measured := hashGas + verdict.Work
	if err := k.spendVerifyBudget(ctx, measured); err != nil {
		return ProofResult{}, err
	}
	charge := measured
	if sdkCtx := sdk.UnwrapSDKContext(ctx); sdkCtx.ExecMode() == sdk.ExecModeSimulate {
		// A simulation estimates the gas limit a client signs with, and the
		// delivered tx must carry the bound, not the (often far smaller) work
		// measured: report the bound. Only estimates see this; no state does.
		charge = bound
	}
	meter.ConsumeGas(charge, "compute: verify proof")
	return k.settleProof(ctx, job, task, verdict)
}

// ProofHashGas is the gas of a proof's hashing: one hash per leaf (and its
// bytes), one per node and fewer than one per item for merging two computed
// nodes, the multi-proof's bound (merkle.VerifyMultiProof).
func ProofHashGas(items []types.ChallengeItem, nodes [][]byte) uint64 {
	gas := HashGas * uint64(2*len(items)+len(nodes))
	for _, it := range items {
		gas += LeafByteGas * uint64(len(it.Output))
	}
	return gas
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
	var work uint64
	for _, it := range items {
		w, err := spec.VerifyOutput(kinds.Item{JobID: task.JobId, Index: it.Index, Input: it.Input}, it.Output)
		work += w
		if err != nil {
			return proofVerdict{Work: work, Item: it.Index, Reason: errorsmod.Wrapf(types.ErrInvalidOutput, "item %d: %v", it.Index, err)}
		}
	}
	// Unsampled items are not seen by validators; they are credited at the
	// sample's mean (design note, programs 5). A forged cheap output fails its
	// check like any other, so a sample cannot be made to look heavier.
	units := math.NewIntFromUint64(work).Mul(math.NewIntFromUint64(task.ItemCount)).Quo(math.NewIntFromUint64(uint64(len(items))))
	return proofVerdict{Accepted: true, Work: work, WorkUnits: units}
}

// checkAnswerShape rejects an answer that does not give exactly the items asked
// for (by a challenge or a delivery demand, named by asker), in order, with the
// number of 32-byte nodes their multi-proof needs; refusals wrap errKind. It
// returns the items' offsets within the task, the leaf indices of its tree.
func checkAnswerShape(task types.Task, want []uint64, items []types.ChallengeItem, nodes [][]byte, errKind *errorsmod.Error, asker string) ([]uint64, error) {
	if len(items) != len(want) {
		return nil, errorsmod.Wrapf(errKind, "got %d items, the %s asks for %d: %v", len(items), asker, len(want), want)
	}
	offsets := make([]uint64, len(items))
	for i, it := range items {
		if it.Index != want[i] {
			return nil, errorsmod.Wrapf(errKind, "item %d answers index %d, the %s asks for %d (%s: %v)", i, it.Index, asker, want[i], asker, want)
		}
		if len(it.Output) > types.MaxOutputSize {
			return nil, errorsmod.Wrapf(errKind, "output of item %d is %d bytes, at most %d", it.Index, len(it.Output), types.MaxOutputSize)
		}
		offsets[i] = it.Index - task.FirstItem
	}
	if wantLen := merkle.MultiProofLength(offsets, task.ItemCount); len(nodes) != wantLen {
		return nil, errorsmod.Wrapf(errKind, "%d Merkle nodes, the multi-proof of these items needs %d", len(nodes), wantLen)
	}
	for i, n := range nodes {
		if len(n) != 32 {
			return nil, errorsmod.Wrapf(errKind, "Merkle node %d is %d bytes, want 32", i, len(n))
		}
	}
	return offsets, nil
}
