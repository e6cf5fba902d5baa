package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–41
// in order, each once, all in the compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	errs := types.Errors()
	require.Len(t, errs, 40)
	for i, err := range errs {
		require.Equal(t, types.ModuleName, err.Codespace())
		require.Equal(t, uint32(i+2), err.ABCICode())
	}
	require.Same(t, types.ErrInvalidAmount, errs[len(errs)-1])
}
