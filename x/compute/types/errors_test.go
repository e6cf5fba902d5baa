package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestErrorsListsEveryRegistration checks the list register builds: codes 2–42
// in order, then each branch's range (disputes 90–97, measured work 100 on),
// each code once, all in the compute codespace.
func TestErrorsListsEveryRegistration(t *testing.T) {
	errs := types.Errors()
	seen := make(map[uint32]bool, len(errs))
	for i, err := range errs {
		require.Equal(t, types.ModuleName, err.Codespace())
		code := err.ABCICode()
		require.False(t, seen[code], "code %d registered twice", code)
		seen[code] = true
		if i < 41 {
			require.Equal(t, uint32(i+2), code)
		}
	}
	require.Same(t, types.ErrTaskBarred, errs[40])
	for code := uint32(90); code <= 97; code++ {
		require.True(t, seen[code], "dispute error code %d", code)
	}
	require.True(t, seen[100], "measured-work error code 100")
}
