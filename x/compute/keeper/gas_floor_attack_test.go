package keeper_test

import (
	"testing"
	"time"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestVerificationDoSPaysTheGasFloor plays attack 1 of issue #14 against the
// gas floor. The issue's job (121 px at max_iter 65535, ≈ 23.8M gas a row) is
// refused at the default max_verify_gas_per_item. The heaviest job allowed,
// rows at the 4M bound with every pixel in the set, makes a 32-sample proof
// cost validators ≈ 0.13-0.19 s of CPU (1-1.5 ns a gas unit, docs/benchmarks.md);
// the proof must carry its bound in gas (a lower limit is refused and changes
// nothing), so at the default min_gas_price (0.001 ushift/gas, enforced by
// every node's ante handler in DeliverTx: app/min_gas_price_test.go) it pays at
// least 128,000 ushift: a validator CPU second costs the attacker ≥ 0.67 SHIFT.
func TestVerificationDoSPaysTheGasFloor(t *testing.T) {
	f := newFixture(t)
	params := types.DefaultParams()
	issueSpec := `{"width":121,"height":16,"center_re":"0","center_im":"0","scale":"0.01","max_iter":65535}`
	lab := addrOf("dos-lab")
	f.fund(lab, 1_000_000_000)
	_, err := exec(f, f.msgs.PostJob, &types.MsgPostJob{
		Requester: f.str(lab), Kind: "mandelbrot", Spec: issueSpec, Items: 16, ItemsPerTask: 16,
		PricePerItem: math.NewInt(1), DeadlineBlocks: 1000,
	})
	require.ErrorIs(t, err, types.ErrVerificationTooCostly, "the issue's job asks validators for more than max_verify_gas_per_item")

	// 64 px at max_iter 20,830 in the set: 100 + 64 × (3 + 3 × 20,830) = 3,999,652 ≤ 4M a row.
	const heavy = `{"width":64,"height":32,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":20830}`
	s := newProofSetup(f, "dos-dev", heavy, 32)
	require.Len(t, s.answer.items, int(params.ProofSamples))
	require.Greater(t, s.measure, s.bound*99/100, "every sampled pixel runs max_iter: the proof is at its bound")

	// Below the bound the proof is refused, so no cheap transaction buys it.
	withGasLimit(f, s.bound-1, func() {
		requireUnchanged(f, []sdk.AccAddress{s.op}, func() {
			require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, s.msg()), types.ErrInsufficientVerifyGas)
		})
	})
	var res *types.MsgSubmitProofResponse
	start := time.Now()
	used := withGasLimit(f, s.bound+1_000_000, func() { res = must(f, f.msgs.SubmitProof, s.msg()) })
	took := time.Since(start)
	require.True(t, res.Accepted, res.Reason)

	// The fee the ante handler asks of the smallest gas limit that passes.
	fee := params.MinGasPrice.MulInt(math.NewIntFromUint64(s.bound)).Ceil().TruncateInt()
	require.True(t, fee.GTE(math.NewInt(128_000)), "fee %s", fee)
	require.True(t, params.MinGasPrice.Equal(types.DefaultMinGasPrice()))
	// At the calibration's slowest figure (1.5 ns a gas unit) the proof buys
	// bound × 1.5 ns of CPU; the fee pays at least 1 ushift per 1,500 ns of it.
	require.True(t, fee.MulRaw(1500).GTE(math.NewIntFromUint64(s.bound)), "fee %s for %d gas", fee, s.bound)
	t.Logf("proof at the bound: %d gas (%d used), fee ≥ %s ushift, verified in %s here (%.0f ns per ushift of fee)",
		s.bound, used, fee, took, float64(took.Nanoseconds())/float64(fee.Int64()))
}
