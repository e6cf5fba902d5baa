package cli

import (
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/pkg/programjob"
)

func paramsOf(t *testing.T, program string, args ...string) ([]byte, error) {
	t.Helper()
	f := pflag.NewFlagSet("post-program", pflag.ContinueOnError)
	f.String(flagParams, "", "")
	addExampleParamFlags(f)
	require.NoError(t, f.Parse(args))
	prog, err := programjob.ResolveProgram(program)
	require.NoError(t, err)
	return programParams(f, prog)
}

func TestExampleParamFlags(t *testing.T) {
	got, err := paramsOf(t, "proth", "--proth-n", "127", "--k-per-item", "4")
	require.NoError(t, err)
	require.Equal(t, proth.Params{N: 127, KStart: 1, KPerItem: 4}.Encode(), got)

	got, err = paramsOf(t, "montecarlo", "--strike", "105", "--style", "asian", "--paths-per-item", "32")
	require.NoError(t, err)
	want, err := montecarlo.Option{Spot: 100, Strike: 105, Rate: 0.05, Volatility: 0.2, Maturity: 1, Steps: 252, PathsPerItem: 32, Style: montecarlo.Asian}.Params()
	require.NoError(t, err)
	require.Equal(t, want.Encode(), got)

	got, err = paramsOf(t, "tiles", "--filter", "blur")
	require.NoError(t, err)
	require.Equal(t, tiles.Params{Filter: tiles.Blur}.Encode(), got)

	got, err = paramsOf(t, "tiles", "--params", "02000000")
	require.NoError(t, err)
	require.Equal(t, []byte{2, 0, 0, 0}, got)

	for _, tc := range []struct {
		program string
		args    []string
		want    string
	}{
		{"tiles", []string{"--params", "01000000", "--filter", "blur"}, "give the params one way"},
		{"tiles", []string{"--proth-n", "12"}, "another example's params"},
		{"proth", nil, "proth needs --proth-n"},
		{"montecarlo", []string{"--style", "bermudan"}, "european or asian"},
		{"montecarlo", []string{"--volatility", "0"}, "volatility > 0"},
		{"tiles", []string{"--filter", "emboss"}, "blur, edges or sharpen"},
		{"tiles", []string{"--params", "xyz"}, "not hex"},
	} {
		_, err := paramsOf(t, tc.program, tc.args...)
		require.ErrorContains(t, err, tc.want, "%s %v", tc.program, tc.args)
	}
}
