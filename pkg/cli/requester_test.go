package cli

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
)

func TestParseUshift(t *testing.T) {
	for in, want := range map[string]int64{
		"1000":          1000,
		"1000ushift":    1000,
		"0.001SHIFT":    1000,
		"2shift":        2_000_000,
		" 1.5SHIFT ":    1_500_000,
		"0.000001shift": 1,
	} {
		got, err := parseUshift(in)
		require.NoError(t, err, in)
		require.Equal(t, math.NewInt(want), got, in)
	}
	for _, in := range []string{"", "1uatom", "0.0000001SHIFT", "1.5ushift", "abc"} {
		_, err := parseUshift(in)
		require.Error(t, err, in)
	}
}

func TestFormatAmounts(t *testing.T) {
	require.Equal(t, "0.048 SHIFT (48000ushift)", formatUshift(math.NewInt(48000)))
	require.Equal(t, "3 SHIFT (3000000ushift)", formatUshift(math.NewInt(3_000_000)))
	require.Equal(t, "0 SHIFT (0ushift)", formatUshift(math.ZeroInt()))
	require.Equal(t, "2%", formatBps(200))
	require.Equal(t, "1.25%", formatBps(125))
	require.Equal(t, "0.5%", formatBps(50))
}
