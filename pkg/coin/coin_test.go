package coin

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{
		"1000":          1000,
		"1000ushift":    1000,
		"0.001SHIFT":    1000,
		"2shift":        2_000_000,
		" 1.5SHIFT ":    1_500_000,
		"0.000001shift": 1,
		"200SHIFT":      200_000_000,
	} {
		got, err := Parse(in)
		require.NoError(t, err, in)
		require.Equal(t, math.NewInt(want), got, in)
	}
	for _, in := range []string{"", "1uatom", "0.0000001SHIFT", "1.5ushift", "abc", "1,000SHIFT"} {
		_, err := Parse(in)
		require.Error(t, err, in)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		ushift      int64
		exact, live string
	}{
		{0, "0 SHIFT", "0 SHIFT"},
		{1, "0.000001 SHIFT", "0 SHIFT"},
		{48_000, "0.048 SHIFT", "0.048 SHIFT"},
		{3_000_000, "3 SHIFT", "3 SHIFT"},
		{1_000_094_567, "1,000.094567 SHIFT", "1,000.094 SHIFT"},
		{123_456_789_000_000, "123,456,789 SHIFT", "123,456,789 SHIFT"},
		{-1_500_000, "-1.5 SHIFT", "-1.5 SHIFT"},
	} {
		require.Equal(t, tc.exact, Format(math.NewInt(tc.ushift)), tc.ushift)
		require.Equal(t, tc.live, FormatShort(math.NewInt(tc.ushift)), tc.ushift)
	}
	require.Equal(t, "1.08 SHIFT (1080000ushift)", FormatWithBase(math.NewInt(1_080_000)))
	require.Equal(t, "1080000ushift", BaseString(math.NewInt(1_080_000)))
	// Every formatted amount parses back to itself.
	for _, v := range []int64{0, 1, 999, 1_000_000, 987_654_321} {
		got, err := Parse(BaseString(math.NewInt(v)))
		require.NoError(t, err)
		require.Equal(t, math.NewInt(v), got)
	}
}
