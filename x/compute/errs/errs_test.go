package errs_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/errs"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–42
// in order and each once, then each feature's own range (programs 60–79, release
// 80–84, disputes 90–99, measured work 100–109) in increasing order, all in the
// compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	list := errs.Errors()
	require.GreaterOrEqual(t, len(list), 41)
	for i, err := range list[:41] {
		require.Equal(t, errs.Codespace, err.Codespace())
		require.Equal(t, uint32(i+2), err.ABCICode())
	}
	require.Same(t, errs.ErrTaskBarred, list[40])
	for i := 41; i < len(list); i++ {
		require.Equal(t, errs.Codespace, list[i].Codespace())
		require.Greater(t, list[i].ABCICode(), list[i-1].ABCICode(), "codes must increase")
	}
	require.Contains(t, list, errs.ErrProgramNotFound)
	require.Contains(t, list, errs.ErrOutputTooLarge)
	require.Contains(t, list, errs.ErrInsufficientVerifyGas)
	require.Contains(t, list, errs.ErrBlockVerifyBudget)
	require.Contains(t, list, errs.ErrNotDisputable)
	require.Contains(t, list, errs.ErrInvalidFraudProof)
}
