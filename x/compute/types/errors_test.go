package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/errs"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–42
// in order and each once, then each feature's own range (programs 60–79, release
// 80–84, disputes 90–99, measured work 100–109) in increasing order, all in the
// compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	errs := types.Errors()
	require.GreaterOrEqual(t, len(errs), 41)
	for i, err := range errs[:41] {
		require.Equal(t, types.ModuleName, err.Codespace())
		require.Equal(t, uint32(i+2), err.ABCICode())
	}
	require.Same(t, types.ErrTaskBarred, errs[40])
	for i := 41; i < len(errs); i++ {
		require.Equal(t, types.ModuleName, errs[i].Codespace())
		require.Greater(t, errs[i].ABCICode(), errs[i-1].ABCICode(), "codes must increase")
	}
	require.Contains(t, errs, types.ErrProgramNotFound)
	require.Contains(t, errs, types.ErrOutputTooLarge)
	require.Contains(t, errs, types.ErrInsufficientVerifyGas)
	require.Contains(t, errs, types.ErrBlockVerifyBudget)
	require.Contains(t, errs, types.ErrNotDisputable)
	require.Contains(t, errs, types.ErrInvalidFraudProof)
}

// TestErrorsAreTheErrsRegistrations checks the aliases are the values
// x/compute/errs registered (one registration, so errors.Is holds across the
// two names) and the codespace is the module name.
func TestErrorsAreTheErrsRegistrations(t *testing.T) {
	require.Equal(t, errs.Codespace, types.ModuleName)
	require.Equal(t, errs.Errors(), types.Errors())
	require.Same(t, errs.ErrTaskBarred, types.ErrTaskBarred)
	require.Same(t, errs.ErrDuplicateJob, types.ErrDuplicateJob)
}
