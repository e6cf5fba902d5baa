package main

import (
	"testing"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/stretchr/testify/require"
)

func observeN(l *GasLimits, kind TxKind, n, times int, used int64) {
	for range times {
		l.Observe(kind, n, Outcome{Height: 1, GasUsed: used})
	}
}

// The limit is the fallback until minObservations txs of the kind have been
// in blocks, then 1.5 × the most gas used, from the batch size seen nearest.
func TestGasLimitsLearnFromBlocks(t *testing.T) {
	l := NewGasLimits()
	require.Equal(t, uint64(4_800_000), l.Limit(KindLease, 16, 4_800_000))

	observeN(l, KindLease, 16, minObservations-1, 1_000_000)
	require.Equal(t, uint64(4_800_000), l.Limit(KindLease, 16, 4_800_000), "too few txs seen")
	l.Observe(KindLease, 16, Outcome{Height: 1, GasUsed: 1_100_000})
	require.Equal(t, uint64(1_650_001), l.Limit(KindLease, 16, 4_800_000), "1.5 × the most used")

	// Another kind learns nothing from leases.
	require.Equal(t, uint64(300_000), l.Limit(KindClaim, 1, 300_000))
	// A smaller batch: the smallest larger one's gas bounds it.
	require.Equal(t, uint64(1_650_001), l.Limit(KindLease, 4, 1_200_000))
	// A larger one: the largest smaller one's, scaled by n/m.
	observeN(l, KindLease, 16, 1, 900_000) // not a new maximum
	require.Equal(t, uint64(2*1.5*1_100_000+1), l.Limit(KindLease, 32, 9_600_000))
}

// Failed and lost txs teach nothing, except running out of gas: that raises
// the next limit, so a limit learned too low corrects itself.
func TestGasLimitsOutOfGasRaisesTheLimit(t *testing.T) {
	l := NewGasLimits()
	observeN(l, KindProof, 6, minObservations, 1_000_000)
	l.Observe(KindProof, 6, Outcome{Lost: true, GasUsed: 9_000_000})
	l.Observe(KindProof, 6, Outcome{Code: 5, Codespace: "sdk", GasUsed: 9_000_000})
	require.Equal(t, uint64(1_500_001), l.Limit(KindProof, 6, 9_000_000))

	oog := sdkerrors.ErrOutOfGas
	l.Observe(KindProof, 6, Outcome{Height: 2, Code: oog.ABCICode(), Codespace: oog.Codespace(), GasUsed: 1_500_001})
	require.Equal(t, uint64(2_250_002), l.Limit(KindProof, 6, 9_000_000))

	var none *GasLimits
	require.Equal(t, uint64(7), none.Limit(KindProof, 6, 7), "no learner: the fallback")
}

// --batch-gas-adjustment applies to txs of two or more elements only; a
// single message keeps the worker's 1.5.
func TestGasLimitsBatchAdjustment(t *testing.T) {
	l := NewGasLimits()
	l.batchAdj = 1.1
	observeN(l, KindLease, 16, minObservations, 1_000_000)
	observeN(l, KindLease, 1, minObservations, 100_000)
	require.Equal(t, uint64(1_100_001), l.Limit(KindLease, 16, 4_800_000))
	require.Equal(t, uint64(150_001), l.Limit(KindLease, 1, 300_000))
	require.Equal(t, uint64(1_100_001), l.Limit(KindLease, 8, 2_400_000), "from the batch of 16, at the batch adjustment")
}
