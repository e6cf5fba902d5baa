package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–42
// in order, each once, all in the compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	errs := types.Errors()
	require.Len(t, errs, 41)
	for i, err := range errs {
		require.Equal(t, types.ModuleName, err.Codespace())
		require.Equal(t, uint32(i+2), err.ABCICode())
	}
	require.Same(t, types.ErrTaskBarred, errs[len(errs)-1])
}
