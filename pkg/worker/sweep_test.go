package worker

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	"github.com/stretchr/testify/require"
)

func TestSweepAmount(t *testing.T) {
	keep := math.NewInt(10_000_000) // 10 SHIFT
	for _, c := range []struct{ spendable, want int64 }{
		{0, 0},
		{9_000_000, 0},                        // below the kept amount
		{10_000_000, 0},                       // exactly kept
		{10_100_000, 0},                       // kept plus the fee reserve
		{10_100_001, 1},                       // one ushift above both
		{25_000_000, 25_000_000 - 10_100_000}, // everything above
	} {
		require.Equal(t, math.NewInt(c.want), SweepAmount(math.NewInt(c.spendable), keep), "spendable %d", c.spendable)
	}
	require.Equal(t, math.NewInt(900_000), SweepAmount(math.NewInt(1_000_000), math.ZeroInt()), "keep 0 still keeps the fee reserve")
}

func TestCheckSweepAddress(t *testing.T) {
	raw := make([]byte, 20)
	raw[19] = 7
	addr := func(hrp string) string {
		s, err := bech32.ConvertAndEncode(hrp, raw)
		require.NoError(t, err)
		return s
	}
	own, err := bech32.ConvertAndEncode("night", make([]byte, 20))
	require.NoError(t, err)
	require.NoError(t, CheckSweepAddress(addr("night"), own))
	require.ErrorContains(t, CheckSweepAddress(addr("cosmos"), own), `is an address of another chain (prefix "cosmos"); want a night1... account of this chain`)
	require.ErrorContains(t, CheckSweepAddress(addr("osmo"), own), `prefix "osmo"`)
	require.ErrorContains(t, CheckSweepAddress(addr("nightvaloper"), own), `prefix "nightvaloper"`)
	require.ErrorContains(t, CheckSweepAddress("night1notanaddress", own), "is not a bech32 address")
	require.ErrorContains(t, CheckSweepAddress(own, own), "the device's own account")
}
