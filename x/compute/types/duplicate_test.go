package types_test

import (
	"errors"
	"fmt"
	"testing"

	errorsmod "cosmossdk.io/errors"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestDuplicateJobIDReadsTheRefusal(t *testing.T) {
	err := types.DuplicateJobError(42, "mandelbrot")
	id, ok := types.DuplicateJobID(err)
	require.True(t, ok)
	require.Equal(t, uint64(42), id)
	// As a client sees it: the chain's text wrapped again by the client.
	relayed := errorsmod.Wrap(types.ErrDuplicateJob, fmt.Sprintf("rpc error: failed to execute message; message index: 0: %v", err))
	id, ok = types.DuplicateJobID(relayed)
	require.True(t, ok)
	require.Equal(t, uint64(42), id)
	_, ok = types.DuplicateJobID(errors.New("job 42 is identical")) // not the registered error
	require.False(t, ok)
	_, ok = types.DuplicateJobID(types.ErrDuplicateJob) // no job named
	require.False(t, ok)
}
