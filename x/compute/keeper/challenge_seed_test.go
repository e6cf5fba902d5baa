package keeper_test

import (
	"bytes"
	"context"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"
)

// seedsByHeight is a seed source (x/permission on a chain) with seeds for
// some heights only.
type seedsByHeight map[int64][]byte

func (s seedsByHeight) CurrentBlockSeed(ctx context.Context) ([]byte, bool, error) {
	seed, ok := s[sdk.UnwrapSDKContext(ctx).BlockHeight()]
	return seed, ok, nil
}

// TestBlockSeedFromSeedSource: a block the seed source has a seed for records
// that seed, whatever the header hash; a block it has none for (vote
// extensions off) records the header hash, the fallback the README states.
func TestBlockSeedFromSeedSource(t *testing.T) {
	f := newFixture(t)
	combined := bytes.Repeat([]byte{0xab}, 32)
	f.k.SetSeedSource(seedsByHeight{3: combined})

	f.advanceTo(3)
	got, err := f.k.BlockHashes.Get(f.ctx, 3)
	require.NoError(t, err)
	require.Equal(t, combined, got, "the combined reveals, not the header hash")

	f.advanceTo(4)
	got, err = f.k.BlockHashes.Get(f.ctx, 4)
	require.NoError(t, err)
	require.Equal(t, blockHash(4), got, "no seed for the block: the header hash")

	// The proposer of block 3 tries other tx sets: other header hashes. The
	// recorded seed, and so every challenge drawn from it, does not move.
	for i := range 50 {
		ctx := f.ctx.WithBlockHeight(3).WithHeaderHash([]byte{byte(i), 1, 2, 3})
		require.NoError(t, f.k.RecordBlockHash(ctx))
		got, err := f.k.BlockHashes.Get(ctx, 3)
		require.NoError(t, err)
		require.Equal(t, combined, got)
	}
}
