package keeper

import (
	"context"
	"errors"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// FraudResult is where a proven fraud's slash went.
type FraudResult struct {
	Loss disputeLoss
}

// FraudItem is the item a fraud report shows wrong: its output with the path
// against the device's claimed root, and for a wasm job with an input root
// its input with the path against the job's input root (the item is re-run
// on that input; an honest device computed it on the same one, so without it
// an honest device could be framed by re-running on another input).
type FraudItem struct {
	Index      uint64
	Output     []byte
	Proof      [][]byte
	Input      []byte
	InputProof [][]byte
}

// ReportFraud takes one item of a verified task, with its path against the
// device's claimed root, whose output the kind rejects. Within the dispute
// window that proves the device committed to a wrong output that sampling
// missed: it is slashed (slash_invalid_bps of the bond, at least the task's
// reward plus the emission the task earned), jailed, the requester refunded
// the reward from the slash, the reporter paid fraud_reporter_bps of the rest,
// and the remainder burned. The verification gas is charged before the work,
// so a report of a correct item (ErrFraudNotProven, nothing changes) costs
// the reporter that gas. Wasm items are re-run like a proof's: on the item's
// input, checked against the job's input root first.
func (k *Keeper) ReportFraud(ctx context.Context, reporter sdk.AccAddress, jobID, index uint64, fi FraudItem) (FraudResult, error) {
	item, output, proof := fi.Index, fi.Output, fi.Proof
	job, task, err := k.disputableTask(ctx, jobID, index)
	if err != nil {
		return FraudResult{}, err
	}
	if item < task.FirstItem || item >= task.FirstItem+task.ItemCount {
		return FraudResult{}, errorsmod.Wrapf(types.ErrInvalidFraudProof, "item %d is outside task %d/%d's items [%d, %d)", item, jobID, index, task.FirstItem, task.FirstItem+task.ItemCount)
	}
	if len(output) > types.MaxOutputSize {
		return FraudResult{}, errorsmod.Wrapf(types.ErrInvalidFraudProof, "output is %d bytes, at most %d", len(output), types.MaxOutputSize)
	}
	offsets := []uint64{item - task.FirstItem}
	if want := merkle.MultiProofLength(offsets, task.ItemCount); len(proof) != want {
		return FraudResult{}, errorsmod.Wrapf(types.ErrInvalidFraudProof, "%d Merkle nodes, the path of item %d needs %d", len(proof), item, want)
	}
	path := make([][32]byte, len(proof))
	for i, n := range proof {
		if len(n) != 32 {
			return FraudResult{}, errorsmod.Wrapf(types.ErrInvalidFraudProof, "Merkle node %d is %d bytes, want 32", i, len(n))
		}
		path[i] = [32]byte(n)
	}
	answer := []types.ChallengeItem{{Index: item, Output: output, Input: fi.Input}}
	spec, wasm, err := k.proofSpec(ctx, job, answer)
	if err != nil {
		return FraudResult{}, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return FraudResult{}, err
	}
	// The input is checked as a proof's inputs are: one item's multi-proof is
	// its path.
	inputGas, err := checkProofInputs(wasm, params, answer, fi.InputProof)
	if err != nil {
		if errors.Is(err, types.ErrInvalidChallengeAnswer) {
			return FraudResult{}, errorsmod.Wrap(types.ErrInvalidFraudProof, err.Error())
		}
		return FraudResult{}, err
	}
	// As for a proof (G1): the tx must hold gas for the item at its bound
	// before the work, and pays the work measured plus the hashing.
	hashGas := ProofHashGas(answer, proof) + inputGas
	bound := spec.MaxWorkPerItem() + hashGas
	meter := sdk.UnwrapSDKContext(ctx).GasMeter()
	if left := meter.GasRemaining(); left < bound {
		return FraudResult{}, errorsmod.Wrapf(types.ErrInsufficientVerifyGas, "the item at up to %d units and %d of hashing need %d gas, %d left", spec.MaxWorkPerItem(), hashGas, bound, left)
	}

	leaf := merkle.LeafHash(task.JobId, item, output)
	if err := merkle.VerifyMultiProof([32]byte(task.Root), offsets, [][32]byte{leaf}, task.ItemCount, path); err != nil {
		meter.ConsumeGas(hashGas, "compute: verify fraud proof")
		return FraudResult{}, errorsmod.Wrapf(types.ErrInvalidMerkleProof, "item %d is not what the device committed to: %v", item, err)
	}
	if err := verifyProofInputs(wasm, answer, fi.InputProof); err != nil {
		meter.ConsumeGas(hashGas, "compute: verify fraud proof")
		return FraudResult{}, err
	}
	work, verr := spec.VerifyOutput(kinds.Item{JobID: task.JobId, Index: item, Input: fi.Input}, output)
	charge := hashGas + work
	if sdk.UnwrapSDKContext(ctx).ExecMode() == sdk.ExecModeSimulate {
		charge = bound // estimates must cover the bound the delivered tx needs
	}
	meter.ConsumeGas(charge, "compute: verify fraud proof")
	if verr == nil {
		return FraudResult{}, errorsmod.Wrapf(types.ErrFraudNotProven, "item %d of task %d/%d verifies", item, jobID, index)
	}
	return k.settleFraud(ctx, job, task, reporter, item, verr)
}

// settleFraud carries out a proven fraud (see ReportFraud).
func (k *Keeper) settleFraud(ctx context.Context, job types.Job, task types.Task, reporter sdk.AccAddress, item uint64, reason error) (FraudResult, error) {
	params, operator, dev, err := k.taskHolder(ctx, task)
	if err != nil {
		return FraudResult{}, err
	}
	if task.Demand != nil {
		// The fraud settles the task; the requester's demand fee goes back.
		requester, err := k.addr("requester", job.Requester)
		if err != nil {
			return FraudResult{}, err
		}
		if err := k.payOut(ctx, requester, task.Demand.Fee); err != nil {
			return FraudResult{}, err
		}
		if err := k.endDemand(ctx, &task, operator); err != nil {
			return FraudResult{}, err
		}
	}
	loss, err := k.disputeSlash(ctx, job, task, &dev, operator, params.SlashInvalidBps, reporter, params.FraudReporterBps, SlashReasonFraud)
	if err != nil {
		return FraudResult{}, err
	}
	if err := k.closeDispute(ctx, job, &task, &dev); err != nil {
		return FraudResult{}, err
	}
	dev.Failures++
	if err := k.Tasks.Set(ctx, taskKey(task.JobId, task.Index), task); err != nil {
		return FraudResult{}, err
	}
	if err := k.Devices.Set(ctx, operator, dev); err != nil {
		return FraudResult{}, err
	}
	if err := k.jailDevice(ctx, operator); err != nil {
		return FraudResult{}, err
	}
	return FraudResult{Loss: loss}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventFraudProven{
		JobId: task.JobId, TaskIndex: task.Index, Device: task.Device, Reporter: k.addrString(reporter), Item: item,
		Reason: reason.Error(), Slashed: loss.Slashed, ReporterReward: loss.BeneficiaryShare, Refunded: loss.Refunded,
		Burned: loss.Burned, UnitsRemoved: loss.UnitsRemoved,
	})
}
