package revealchain

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// TestChainValuesVerifyOnChain: each value the node computes from its
// checkpoints is the one the keeper accepts for its height, across
// checkpoint boundaries and after gaps, up to the chain's last value.
func TestChainValuesVerifyOnChain(t *testing.T) {
	home := t.TempDir()
	s, err := LoadOrCreate(home, 3000)
	require.NoError(t, err)
	c := s.Newest()
	require.Equal(t, permissiontypes.HashChainIterate(c.secret, 3000), c.Tip())

	onChain := permissiontypes.RevealChain{ConsAddress: "v", Tip: c.Tip(), Length: c.Length(), StartHeight: 10, LastReveal: c.Tip(), LastRevealHeight: 9}
	for _, h := range []int64{10, 11, 12, 1033, 1034, 2058, 3009} {
		v, ok := c.Value(uint64(h - onChain.StartHeight))
		require.True(t, ok)
		require.NoError(t, onChain.VerifyReveal(h, v), "height %d", h)
		onChain.LastReveal, onChain.LastRevealHeight = v, h
	}
	_, ok := c.Value(3000)
	require.False(t, ok, "a chain of 3000 has no 3001st value")
	require.Equal(t, c.secret, mustValue(t, c, 2999), "the last value is the secret itself")
}

func mustValue(t *testing.T, c *Chain, i uint64) []byte {
	t.Helper()
	v, ok := c.Value(i)
	require.True(t, ok)
	return v
}

// TestStoreFile: the secret is private to the node's user, reloads to the same
// chain, and the file keeps the current and the next chain only.
func TestStoreFile(t *testing.T) {
	home := t.TempDir()
	s, err := LoadOrCreate(home, permissiontypes.MinRevealChainLength)
	require.NoError(t, err)
	first := s.Newest().Tip()
	st, err := os.Stat(Path(home))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	again, err := LoadOrCreate(home, permissiontypes.MinRevealChainLength)
	require.NoError(t, err)
	require.Equal(t, first, again.Newest().Tip(), "an existing secret is kept, never replaced")

	second, err := again.Add(permissiontypes.MinRevealChainLength)
	require.NoError(t, err)
	third, err := again.Add(permissiontypes.MinRevealChainLength)
	require.NoError(t, err)
	loaded, err := Load(home)
	require.NoError(t, err)
	require.Len(t, loaded.Chains, 2)
	require.Nil(t, loaded.Find(first), "the oldest chain is dropped")
	require.NotNil(t, loaded.Find(second.Tip()))
	require.Equal(t, third.Tip(), loaded.Newest().Tip())

	_, err = again.Add(permissiontypes.MinRevealChainLength - 1)
	require.ErrorIs(t, err, permissiontypes.ErrInvalidRevealChain)
}
