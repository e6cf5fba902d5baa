package merkle

import (
	"fmt"
	"slices"
)

// A multi-proof proves several leaves of one tree at once. Sampled leaves share
// the upper levels of their paths, so sending every needed sibling once instead
// of one full path per leaf halves a proof of 16 leaves of 1,024 (about 83
// nodes instead of 160) and hashes each inner node once.
//
// The nodes are the siblings that cannot be computed from the proven leaves,
// level by level from the leaves up and left to right within a level: exactly
// the order in which [VerifyMultiProof] consumes them. The same indices and leaf
// count always give the same number of nodes ([MultiProofLength]), so a verifier
// can reject a proof of the wrong size before hashing anything.

// MultiProof returns the nodes proving the leaves at indices, which must be
// strictly ascending and below the leaf count.
func (t *Tree) MultiProof(indices []uint64) ([][32]byte, error) {
	if err := checkIndices(indices, uint64(t.Len())); err != nil {
		return nil, err
	}
	var nodes [][32]byte
	walkMultiProof(indices, uint64(t.Len()), func(level int, sibling uint64) {
		nodes = append(nodes, t.levels[level][sibling])
	})
	return nodes, nil
}

// MultiProofLength returns the number of nodes in the multi-proof of indices
// (strictly ascending, below n) in a tree of n leaves, or -1 if the indices are
// not valid.
func MultiProofLength(indices []uint64, n uint64) int {
	if checkIndices(indices, n) != nil {
		return -1
	}
	count := 0
	walkMultiProof(indices, n, func(int, uint64) { count++ })
	return count
}

// VerifyMultiProof checks that leaves[i] is leaf number indices[i] of the tree
// of n leaves with the given root, using the nodes produced by
// [Tree.MultiProof]. indices must be strictly ascending. It does at most
// len(nodes) + 2·len(leaves) hashes: one per node used, one per pair of known
// nodes merged (fewer than len(leaves)), and none for the leaves themselves,
// which the caller has already hashed.
func VerifyMultiProof(root [32]byte, indices []uint64, leaves [][32]byte, n uint64, nodes [][32]byte) error {
	if len(indices) != len(leaves) {
		return fmt.Errorf("%w: %d indices for %d leaves", ErrInvalidProof, len(indices), len(leaves))
	}
	if err := checkIndices(indices, n); err != nil {
		return err
	}
	// Checking the count first means every node is used exactly once.
	if want := MultiProofLength(indices, n); len(nodes) != want {
		return fmt.Errorf("%w: %d nodes, want %d for %d leaves of %d", ErrInvalidProof, len(nodes), want, len(indices), n)
	}
	pos := slices.Clone(indices)
	known := slices.Clone(leaves)
	next := 0
	for m := n; m > 1; m = m/2 + m%2 {
		out := 0
		for i := 0; i < len(pos); i++ {
			p, h := pos[i], known[i]
			switch {
			case p%2 == 1: // the left sibling is not known, or it would have taken p
				h = NodeHash(nodes[next], h)
				next++
			case i+1 < len(pos) && pos[i+1] == p+1:
				h = NodeHash(h, known[i+1])
				i++
			case p+1 < m:
				h = NodeHash(h, nodes[next])
				next++
			}
			pos[out], known[out] = p/2, h
			out++
		}
		pos, known = pos[:out], known[:out]
	}
	if known[0] != root {
		return fmt.Errorf("%w: nodes do not lead to the root", ErrInvalidProof)
	}
	return nil
}

// walkMultiProof calls need(level, index) for every node the multi-proof of
// indices must supply, in proof order. It allocates one copy of indices and
// does len(indices) steps per level.
func walkMultiProof(indices []uint64, n uint64, need func(level int, index uint64)) {
	pos := slices.Clone(indices)
	for level, m := 0, n; m > 1; level, m = level+1, m/2+m%2 {
		out := 0
		for i := 0; i < len(pos); i++ {
			p := pos[i]
			switch {
			case p%2 == 1:
				need(level, p-1)
			case i+1 < len(pos) && pos[i+1] == p+1:
				i++
			case p+1 < m:
				need(level, p+1)
			}
			pos[out] = p / 2
			out++
		}
		pos = pos[:out]
	}
}

func checkIndices(indices []uint64, n uint64) error {
	if n == 0 {
		return ErrEmptyTree
	}
	if len(indices) == 0 {
		return fmt.Errorf("%w: no leaves to prove", ErrInvalidProof)
	}
	for i, idx := range indices {
		if idx >= n {
			return fmt.Errorf("%w: index %d, tree of %d leaves", ErrIndexOutOfRange, idx, n)
		}
		if i > 0 && idx <= indices[i-1] {
			return fmt.Errorf("%w: indices must be strictly ascending (%d after %d)", ErrInvalidProof, idx, indices[i-1])
		}
	}
	return nil
}

// MultiProofBytes is [Tree.MultiProof] with every node in its own byte slice,
// the form of MsgSubmitProof.nodes.
func (t *Tree) MultiProofBytes(indices []uint64) ([][]byte, error) {
	nodes, err := t.MultiProof(indices)
	if err != nil {
		return nil, err
	}
	return NodeBytes(nodes), nil
}

// NodeBytes gives each node of a multi-proof its own byte slice, the form of
// MsgSubmitProof.nodes and input_nodes.
func NodeBytes(nodes [][32]byte) [][]byte {
	out := make([][]byte, len(nodes))
	for i := range nodes {
		out[i] = nodes[i][:]
	}
	return out
}
