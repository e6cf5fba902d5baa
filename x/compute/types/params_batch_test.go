package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMaxBatchSizeIsValidated(t *testing.T) {
	for _, tc := range []struct {
		size uint32
		ok   bool
	}{{0, false}, {1, true}, {types.DefaultMaxBatchSize, true}, {types.MaxBatchSizeLimit, true}, {types.MaxBatchSizeLimit + 1, false}} {
		p := types.DefaultParams()
		p.MaxBatchSize = tc.size
		err := p.Validate()
		if tc.ok {
			require.NoError(t, err, "max_batch_size %d", tc.size)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidParams, "max_batch_size %d", tc.size)
		}
	}
	// The genesis round trip keeps it.
	gs := types.DefaultGenesis()
	require.Equal(t, uint32(types.DefaultMaxBatchSize), gs.Params.MaxBatchSize)
}
