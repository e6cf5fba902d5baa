package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–42
// in order, then each later range (programs 60–71, measured work 100 on) in
// order, each code once, all in the compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	errs := types.Errors()
	require.GreaterOrEqual(t, len(errs), 41)
	for i, err := range errs[:41] {
		require.Equal(t, types.ModuleName, err.Codespace())
		require.Equal(t, uint32(i+2), err.ABCICode())
	}
	require.Same(t, types.ErrTaskBarred, errs[40])
	for i := 1; i < len(errs); i++ {
		require.Equal(t, types.ModuleName, errs[i].Codespace())
		require.Greater(t, errs[i].ABCICode(), errs[i-1].ABCICode(), "codes must increase")
	}
	require.Contains(t, errs, types.ErrProgramNotFound)
	require.Contains(t, errs, types.ErrOutputTooLarge)
	require.Same(t, types.ErrInsufficientVerifyGas, errs[len(errs)-1])
}
