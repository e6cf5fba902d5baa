package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–42
// and 100 on in order, each once, all in the compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	errs := types.Errors()
	require.Len(t, errs, 42)
	for i, err := range errs {
		require.Equal(t, types.ModuleName, err.Codespace())
		want := uint32(i + 2)
		if i >= 41 {
			want = uint32(100 + i - 41) // measured work and priced verification
		}
		require.Equal(t, want, err.ABCICode())
	}
	require.Same(t, types.ErrTaskBarred, errs[40])
	require.Same(t, types.ErrInsufficientVerifyGas, errs[len(errs)-1])
}
