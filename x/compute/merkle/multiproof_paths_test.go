package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMultiProofFromPathsEqualsTreeMultiProof: assembled from single-leaf
// paths, the multi-proof is the full tree's, for odd and even leaf counts,
// adjacent and distant leaves, first and last.
func TestMultiProofFromPathsEqualsTreeMultiProof(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 7, 8, 33, 100} {
		leaves := make([][32]byte, n)
		for i := range leaves {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(i))
			leaves[i] = sha256.Sum256(b[:])
		}
		tree, err := NewTree(leaves)
		require.NoError(t, err)
		for _, indices := range [][]uint64{{0}, {n - 1}, {0, n - 1}, {n / 3, n/3 + 1, n - 1}} {
			indices = uniqueAscending(indices, n)
			paths := make([][][32]byte, len(indices))
			for i, idx := range indices {
				paths[i], err = tree.Proof(int(idx))
				require.NoError(t, err)
			}
			got, err := MultiProofFromPaths(indices, n, paths)
			require.NoError(t, err)
			want, err := tree.MultiProof(indices)
			require.NoError(t, err)
			require.Equal(t, want, got, "n=%d indices=%v", n, indices)
			sampled := make([][32]byte, len(indices))
			for i, idx := range indices {
				sampled[i] = leaves[idx]
			}
			require.NoError(t, VerifyMultiProof(tree.Root(), indices, sampled, n, got))
		}
	}
}

func TestMultiProofFromPathsRefusesShortPaths(t *testing.T) {
	leaves := make([][32]byte, 8)
	tree, err := NewTree(leaves)
	require.NoError(t, err)
	path, err := tree.Proof(3)
	require.NoError(t, err)
	_, err = MultiProofFromPaths([]uint64{3}, 8, [][][32]byte{path[:2]})
	require.ErrorIs(t, err, ErrInvalidProof)
	_, err = MultiProofFromPaths([]uint64{3, 4}, 8, [][][32]byte{path})
	require.ErrorIs(t, err, ErrInvalidProof)
	_, err = MultiProofFromPaths([]uint64{4, 3}, 8, [][][32]byte{path, path})
	require.ErrorIs(t, err, ErrInvalidProof)
}

func uniqueAscending(in []uint64, n uint64) []uint64 {
	var out []uint64
	for _, v := range in {
		if v < n && (len(out) == 0 || v > out[len(out)-1]) {
			out = append(out, v)
		}
	}
	return out
}
