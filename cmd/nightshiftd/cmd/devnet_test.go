package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A home holding something else is refused and left exactly as it was.
func TestPrepareDevnetRefusesForeignHome(t *testing.T) {
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "keep.txt"), []byte("mine"), 0o600))
	_, err := prepareDevnet(other, "nightshift-devnet-1")
	require.ErrorContains(t, err, "holds no devnet")
	entries, err := os.ReadDir(other)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	otherChain := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(otherChain, devnetMarker), []byte(`{"chain_id":"elsewhere-1"}`), 0o600))
	_, err = prepareDevnet(otherChain, "nightshift-devnet-1")
	require.ErrorContains(t, err, `holds chain "elsewhere-1"`)

	created, err := prepareDevnet(otherChain, "elsewhere-1")
	require.NoError(t, err)
	require.False(t, created, "a matching devnet home is resumed, not recreated")
}
