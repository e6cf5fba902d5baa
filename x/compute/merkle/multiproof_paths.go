package merkle

import "fmt"

// MultiProofFromPaths assembles the multi-proof of indices (strictly ascending,
// below n) from each leaf's own inclusion path ([Tree.Proof]), for a prover
// that never holds the whole tree: a worker proving the inputs of sampled items
// of a job whose requester served each item's input with its path. Every node
// a multi-proof needs is the sibling of an ancestor of one of the proven
// leaves, so it lies on that leaf's path; the result equals
// [Tree.MultiProof](indices) of the full tree. The paths are not checked
// against a root here (the caller verified each one when it fetched it).
func MultiProofFromPaths(indices []uint64, n uint64, paths [][][32]byte) ([][32]byte, error) {
	if err := checkIndices(indices, n); err != nil {
		return nil, err
	}
	if len(paths) != len(indices) {
		return nil, fmt.Errorf("%w: %d paths for %d leaves", ErrInvalidProof, len(paths), len(indices))
	}
	type at struct {
		level int
		index uint64
	}
	known := make(map[at][32]byte)
	for i, idx := range indices {
		if want := ProofLength(idx, n); len(paths[i]) != want {
			return nil, fmt.Errorf("%w: path of leaf %d has %d hashes, want %d", ErrInvalidProof, idx, len(paths[i]), want)
		}
		next := 0
		for level, p, m := 0, idx, n; m > 1; level, p, m = level+1, p/2, m/2+m%2 {
			switch {
			case p%2 == 1:
				known[at{level, p - 1}] = paths[i][next]
				next++
			case p+1 < m:
				known[at{level, p + 1}] = paths[i][next]
				next++
			}
		}
	}
	var nodes [][32]byte
	var missing error
	walkMultiProof(indices, n, func(level int, index uint64) {
		h, ok := known[at{level, index}]
		if !ok && missing == nil {
			missing = fmt.Errorf("%w: no path holds node %d of level %d", ErrInvalidProof, index, level)
		}
		nodes = append(nodes, h)
	})
	if missing != nil {
		return nil, missing
	}
	return nodes, nil
}
