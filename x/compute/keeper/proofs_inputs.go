package keeper

import (
	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// InputByteGas is charged per input byte a proof carries (hashed into its
// input leaf; SHA-256 runs at about 1 ns a byte on the bench).
const InputByteGas = 1

// checkProofInputs checks the inputs a proof carries before anything is
// verified. A job without an input root takes none. For a wasm job with one,
// every sampled item carries its input, at most max_item_input_bytes, and
// inputNodes prove them all against the job's input root (leaf index = item
// index, leaf count = the job's items, both from state).
//
// A mismatch is an error that changes nothing rather than a slash: the inputs
// are the requester's data, which the worker checked against the same root,
// so a mismatch is a malformed answer, not a wrong computation. It cannot buy
// a cheater anything: the claim still stands, and a proof that never arrives
// is slashed as missed (at least as much as an invalid one).
//
// It returns the gas of the input hashing, which the caller charges.
func checkProofInputs(wasm *kinds.WasmSpec, params types.Params, items []types.ChallengeItem, inputNodes [][]byte) (uint64, error) {
	if wasm == nil || !wasm.HasInputRoot {
		for _, it := range items {
			if len(it.Input) != 0 {
				return 0, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "item %d carries an input, the job has no input root", it.Index)
			}
		}
		if len(inputNodes) != 0 {
			return 0, errorsmod.Wrap(types.ErrInvalidChallengeAnswer, "input nodes for a job without an input root")
		}
		return 0, nil
	}
	indices := make([]uint64, len(items))
	gas := HashGas * uint64(2*len(items)+len(inputNodes))
	for i, it := range items {
		if uint64(len(it.Input)) > uint64(params.MaxItemInputBytes) {
			return 0, errorsmod.Wrapf(types.ErrInputTooLarge, "input of item %d is %d bytes, at most %d", it.Index, len(it.Input), params.MaxItemInputBytes)
		}
		indices[i] = it.Index
		gas += InputByteGas * uint64(len(it.Input))
	}
	if want := merkle.MultiProofLength(indices, wasm.Items()); len(inputNodes) != want {
		return 0, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "%d input nodes, the multi-proof of these items' inputs needs %d", len(inputNodes), want)
	}
	for i, n := range inputNodes {
		if len(n) != 32 {
			return 0, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "input node %d is %d bytes, want 32", i, len(n))
		}
	}
	return gas, nil
}

// verifyProofInputs checks the inputs against the input root; the shape was
// checked by checkProofInputs and its gas charged.
func verifyProofInputs(wasm *kinds.WasmSpec, items []types.ChallengeItem, inputNodes [][]byte) error {
	if wasm == nil || !wasm.HasInputRoot {
		return nil
	}
	indices := make([]uint64, len(items))
	leaves := make([][32]byte, len(items))
	for i, it := range items {
		indices[i] = it.Index
		leaves[i] = merkle.InputLeafHash(it.Index, it.Input)
	}
	path := make([][32]byte, len(inputNodes))
	for i, n := range inputNodes {
		path[i] = [32]byte(n)
	}
	if err := merkle.VerifyMultiProof(wasm.InputRoot, indices, leaves, wasm.Items(), path); err != nil {
		return errorsmod.Wrapf(types.ErrInputMismatch, "%v", err)
	}
	return nil
}

// checkWasmOutputs refuses a recorded output longer than the job allows: the
// status byte plus max_output_bytes (a longer one cannot be any item's).
func checkWasmOutputs(wasm *kinds.WasmSpec, items []types.ChallengeItem) error {
	if wasm == nil {
		return nil
	}
	for _, it := range items {
		if uint64(len(it.Output)) > uint64(wasm.MaxOutputBytes)+1 {
			return errorsmod.Wrapf(types.ErrOutputTooLarge, "output of item %d is %d bytes, the job allows %d", it.Index, len(it.Output), wasm.MaxOutputBytes+1)
		}
	}
	return nil
}
