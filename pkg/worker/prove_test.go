package worker

import (
	"errors"
	"fmt"
	"testing"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// A proof refused for the block's budget or the tx's gas is sent again, not
// abandoned (a missed proof is slashed); a proof refused for itself is not.
// The errors arrive as the client builds them: a simulation's answer wrapped
// around the registered error it names, or a batch element's ABCI error.
func TestProofRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errorsmod.Wrap(types.ErrBlockVerifyBudget, "rpc error: failed to execute message"), true},
		{errorsmod.ABCIError(types.ModuleName, types.ErrBlockVerifyBudget.ABCICode(), "element 0"), true},
		{errorsmod.ABCIError(types.ModuleName, types.ErrInsufficientVerifyGas.ABCICode(), "32 items at up to 4000000 units"), true},
		{fmt.Errorf("batch: %w", types.ErrInsufficientVerifyGas), true},
		{errorsmod.Wrap(types.ErrChallengeNotReady, "not yet"), false},
		{errorsmod.ABCIError(types.ModuleName, types.ErrInvalidMerkleProof.ABCICode(), "bad proof"), false},
		{errors.New("claim gone before the proof"), false},
	} {
		if got := proofRetryable(tc.err); got != tc.want {
			t.Errorf("proofRetryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
