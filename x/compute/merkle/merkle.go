// Package merkle builds and verifies the binary Merkle trees a device commits to
// when it claims a task.
//
// Hashing is domain separated so that a leaf can never be passed off as an inner
// node (or the reverse):
//
//	leaf = sha256(0x00 ‖ job_id (8 bytes BE) ‖ item_index (8 bytes BE) ‖ output)
//	node = sha256(0x01 ‖ left ‖ right)
//
// The tree has the shape of RFC 6962: a tree of n > 1 leaves is split at k, the
// largest power of two strictly less than n; the left subtree holds the first k
// leaves and the right subtree the rest. No node is ever duplicated, so a tree of n
// leaves and one with its last leaf repeated have different roots. Built bottom up,
// this is the same as hashing adjacent pairs level by level and carrying an odd last
// node up unchanged, which is how [NewTree] and [VerifyProof] work.
//
// The root does not commit to n; a verifier must use the leaf count it already
// knows (the task size) rather than one supplied by the prover.
package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxProofLength bounds the length of an inclusion path: a tree of at most 2^64-1
// leaves has at most 64 levels above its leaves.
const MaxProofLength = 64

const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

var (
	// ErrEmptyTree is returned for a tree, or a proof against a tree, with no leaves.
	ErrEmptyTree = errors.New("merkle: empty tree")
	// ErrIndexOutOfRange is returned for a leaf index not below the leaf count.
	ErrIndexOutOfRange = errors.New("merkle: leaf index out of range")
	// ErrInvalidProof is returned when an inclusion path is malformed or does not
	// lead to the expected root.
	ErrInvalidProof = errors.New("merkle: invalid proof")
)

// LeafHash returns the leaf for item itemIndex of job jobID with the given output.
// Binding the job and index into the leaf stops a device from reusing one output
// (or another device's tree) for a different item.
func LeafHash(jobID, itemIndex uint64, output []byte) [32]byte {
	var head [17]byte
	head[0] = leafPrefix
	binary.BigEndian.PutUint64(head[1:9], jobID)
	binary.BigEndian.PutUint64(head[9:17], itemIndex)
	h := sha256.New()
	h.Write(head[:])
	h.Write(output)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// NodeHash returns the inner node with the given children.
func NodeHash(left, right [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = nodePrefix
	copy(buf[1:33], left[:])
	copy(buf[33:65], right[:])
	return sha256.Sum256(buf[:])
}

// Root returns the root of the tree over leaves without keeping the tree.
func Root(leaves [][32]byte) ([32]byte, error) {
	if len(leaves) == 0 {
		return [32]byte{}, ErrEmptyTree
	}
	level := make([][32]byte, len(leaves))
	copy(level, leaves)
	for len(level) > 1 {
		level = level[:reduce(level, level)]
	}
	return level[0], nil
}

// reduce hashes the level src into the next level, written to dst (which may alias
// src, since dst[i] is written only after src[2i] and src[2i+1] are read), and
// returns the length of the next level. An odd last node is carried up unchanged.
func reduce(dst, src [][32]byte) int {
	n := len(src)
	for i := 0; i+1 < n; i += 2 {
		dst[i/2] = NodeHash(src[i], src[i+1])
	}
	if n%2 == 1 {
		dst[n/2] = src[n-1]
	}
	return (n + 1) / 2
}

// Tree is a Merkle tree with every level kept, so that proofs cost O(log n).
type Tree struct {
	// levels[0] holds the leaves and levels[len(levels)-1] the root alone.
	levels [][][32]byte
}

// NewTree builds the tree over leaves. It copies leaves; n-1 node hashes are
// computed once here.
func NewTree(leaves [][32]byte) (*Tree, error) {
	n := len(leaves)
	if n == 0 {
		return nil, ErrEmptyTree
	}
	// All levels share one backing array; carried-up nodes are stored on every
	// level they appear on, so the total is slightly above 2n-1.
	total := 0
	for m := n; ; m = (m + 1) / 2 {
		total += m
		if m == 1 {
			break
		}
	}
	store := make([][32]byte, 0, total)
	store = append(store, leaves...)
	levels := [][][32]byte{store[0:n:n]}
	for start := 0; n > 1; {
		next := (n + 1) / 2
		store = store[:start+n+next]
		reduce(store[start+n:start+n+next], store[start:start+n])
		start += n
		n = next
		levels = append(levels, store[start:start+n:start+n])
	}
	return &Tree{levels: levels}, nil
}

// Len returns the number of leaves.
func (t *Tree) Len() int { return len(t.levels[0]) }

// Leaf returns leaf i (0 <= i < Len()).
func (t *Tree) Leaf(i int) [32]byte { return t.levels[0][i] }

// Root returns the root hash.
func (t *Tree) Root() [32]byte { return t.levels[len(t.levels)-1][0] }

// Proof returns the inclusion path of leaf i: the sibling hashes from the leaf's
// level upwards, skipping levels where the node is carried up without a sibling.
func (t *Tree) Proof(i int) ([][32]byte, error) {
	if i < 0 || i >= t.Len() {
		return nil, fmt.Errorf("%w: index %d, tree of %d leaves", ErrIndexOutOfRange, i, t.Len())
	}
	path := make([][32]byte, 0, len(t.levels)-1)
	for _, level := range t.levels[:len(t.levels)-1] {
		switch {
		case i%2 == 1:
			path = append(path, level[i-1])
		case i+1 < len(level):
			path = append(path, level[i+1])
		}
		i /= 2
	}
	return path, nil
}

// ProofLength returns the length of the inclusion path of leaf index in a tree of n
// leaves, for 0 <= index < n.
func ProofLength(index, n uint64) int {
	length := 0
	for ; n > 1; n = n/2 + n%2 {
		if index%2 == 1 || index+1 < n {
			length++
		}
		index /= 2
	}
	return length
}

// VerifyProof checks that leaf is leaf number index of the tree of n leaves with the
// given root, using the inclusion path produced by [Tree.Proof]. It does at most
// MaxProofLength hashes whatever the input.
func VerifyProof(root, leaf [32]byte, index, n uint64, path [][32]byte) error {
	if n == 0 {
		return ErrEmptyTree
	}
	if index >= n {
		return fmt.Errorf("%w: index %d, tree of %d leaves", ErrIndexOutOfRange, index, n)
	}
	if len(path) > MaxProofLength {
		return fmt.Errorf("%w: path of %d hashes exceeds the maximum of %d", ErrInvalidProof, len(path), MaxProofLength)
	}
	// Checking the length first means every path element is used exactly once.
	if want := ProofLength(index, n); len(path) != want {
		return fmt.Errorf("%w: path of %d hashes, want %d for leaf %d of %d", ErrInvalidProof, len(path), want, index, n)
	}
	h := leaf
	next := 0
	for ; n > 1; n = n/2 + n%2 {
		switch {
		case index%2 == 1:
			h = NodeHash(path[next], h)
			next++
		case index+1 < n:
			h = NodeHash(h, path[next])
			next++
		}
		index /= 2
	}
	if h != root {
		return fmt.Errorf("%w: path does not lead to the root", ErrInvalidProof)
	}
	return nil
}
