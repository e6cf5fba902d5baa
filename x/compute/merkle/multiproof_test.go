package merkle

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// subsets returns every non-empty subset of [0, n) as ascending indices.
func subsets(n int) [][]uint64 {
	var out [][]uint64
	for mask := 1; mask < 1<<n; mask++ {
		var s []uint64
		for i := range n {
			if mask&(1<<i) != 0 {
				s = append(s, uint64(i))
			}
		}
		out = append(out, s)
	}
	return out
}

func leavesAt(leaves [][32]byte, indices []uint64) [][32]byte {
	out := make([][32]byte, len(indices))
	for i, idx := range indices {
		out[i] = leaves[idx]
	}
	return out
}

// Every subset of every tree up to 9 leaves (balanced and not) proves, with
// exactly MultiProofLength nodes, no more hashes than separate paths, and
// fails for any single flipped bit of a node or leaf.
func TestMultiProofAllSubsets(t *testing.T) {
	for n := 1; n <= 9; n++ {
		leaves := testLeaves(n)
		tree, err := NewTree(leaves)
		if err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		for _, idx := range subsets(n) {
			nodes, err := tree.MultiProof(idx)
			if err != nil {
				t.Fatalf("n=%d %v: %v", n, idx, err)
			}
			if got := MultiProofLength(idx, uint64(n)); got != len(nodes) {
				t.Fatalf("n=%d %v: MultiProofLength %d, proof has %d nodes", n, idx, got, len(nodes))
			}
			paths := 0
			for _, i := range idx {
				paths += ProofLength(i, uint64(n))
			}
			if len(nodes) > paths {
				t.Fatalf("n=%d %v: %d nodes, more than the %d of separate paths", n, idx, len(nodes), paths)
			}
			if len(idx) == n && len(nodes) != 0 {
				t.Fatalf("n=%d: proving every leaf needs no nodes, got %d", n, len(nodes))
			}
			ls := leavesAt(leaves, idx)
			if err := VerifyMultiProof(root, idx, ls, uint64(n), nodes); err != nil {
				t.Fatalf("n=%d %v: %v", n, idx, err)
			}
			for j := range nodes {
				bad := slices.Clone(nodes)
				bad[j][j%32] ^= 0x10
				if err := VerifyMultiProof(root, idx, ls, uint64(n), bad); !errors.Is(err, ErrInvalidProof) {
					t.Fatalf("n=%d %v: node %d flipped: %v", n, idx, j, err)
				}
			}
			for j := range ls {
				bad := slices.Clone(ls)
				bad[j][0] ^= 0x01
				if err := VerifyMultiProof(root, idx, bad, uint64(n), nodes); !errors.Is(err, ErrInvalidProof) {
					t.Fatalf("n=%d %v: leaf %d flipped: %v", n, idx, j, err)
				}
			}
		}
	}
}

// A single index gives exactly the inclusion path of Tree.Proof.
func TestMultiProofOfOneIsThePath(t *testing.T) {
	for _, n := range []int{1, 2, 5, 64, 1000, 1024} {
		tree, _ := NewTree(testLeaves(n))
		for _, i := range []int{0, n / 3, n - 1} {
			path, _ := tree.Proof(i)
			nodes, err := tree.MultiProof([]uint64{uint64(i)})
			if err != nil || !slices.Equal(path, nodes) {
				t.Fatalf("n=%d i=%d: multi-proof %x, path %x (%v)", n, i, nodes, path, err)
			}
		}
	}
}

func TestMultiProofRejectsMalformed(t *testing.T) {
	leaves := testLeaves(10)
	tree, _ := NewTree(leaves)
	root := tree.Root()
	idx := []uint64{1, 4, 7}
	nodes, _ := tree.MultiProof(idx)
	ls := leavesAt(leaves, idx)
	cases := []struct {
		name   string
		root   [32]byte
		idx    []uint64
		leaves [][32]byte
		n      uint64
		nodes  [][32]byte
		want   error
	}{
		{"empty tree", root, idx, ls, 0, nodes, ErrEmptyTree},
		{"no indices", root, nil, nil, 10, nodes, ErrInvalidProof},
		{"index out of range", root, []uint64{1, 4, 10}, ls, 10, nodes, ErrIndexOutOfRange},
		{"indices not ascending", root, []uint64{4, 1, 7}, ls, 10, nodes, ErrInvalidProof},
		{"duplicate index", root, []uint64{1, 4, 4}, ls, 10, nodes, ErrInvalidProof},
		{"fewer leaves than indices", root, idx, ls[:2], 10, nodes, ErrInvalidProof},
		{"a node short", root, idx, ls, 10, nodes[:len(nodes)-1], ErrInvalidProof},
		{"a node extra", root, idx, ls, 10, append(slices.Clone(nodes), [32]byte{}), ErrInvalidProof},
		// (Sizes whose extra leaves hide inside a sent node verify too: the root does
		// not commit to n, which is why the keeper passes the task size it knows.)
		{"a tree size needing more nodes", root, idx, ls, 1000, nodes, ErrInvalidProof},
		{"leaves swapped", root, idx, [][32]byte{ls[1], ls[0], ls[2]}, 10, nodes, ErrInvalidProof},
		{"another root", [32]byte{1}, idx, ls, 10, nodes, ErrInvalidProof},
	}
	for _, c := range cases {
		if err := VerifyMultiProof(c.root, c.idx, c.leaves, c.n, c.nodes); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := tree.MultiProof([]uint64{3, 2}); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("MultiProof of unsorted indices: %v", err)
	}
	if got := MultiProofLength([]uint64{3, 3}, 10); got != -1 {
		t.Errorf("MultiProofLength of a duplicate index = %d, want -1", got)
	}
	// The leaf count is not limited by an int: the walk halves it without overflow.
	if got := MultiProofLength([]uint64{0, 1<<64 - 2}, 1<<64-1); got != 2*63-1 {
		t.Errorf("MultiProofLength in a tree of 2^64-1 leaves = %d, want %d", got, 2*63-1)
	}
}

// 16 samples of 1,024 leaves, drawn as the keeper draws challenges, need about
// half the nodes of 16 separate paths.
func TestMultiProofSize(t *testing.T) {
	total := 0
	const rounds = 200
	for r := range rounds {
		total += MultiProofLength(sample16(uint64(r)), 1024)
	}
	if mean := float64(total) / rounds; mean < 70 || mean > 95 {
		t.Fatalf("mean multi-proof of 16 of 1,024 leaves: %.1f nodes, want about 83 (160 as paths)", mean)
	}
}

// sample16 draws 16 distinct ascending indices below 1,024 from seed.
func sample16(seed uint64) []uint64 {
	var s []uint64
	x := seed*0x9e3779b97f4a7c15 + 1
	for len(s) < 16 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if i := x % 1024; !slices.Contains(s, i) {
			s = append(s, i)
		}
	}
	slices.Sort(s)
	return s
}

// FuzzVerifyMultiProof: a genuine multi-proof of any subset verifies; arbitrary
// nodes, indices and leaf counts fail cleanly and never panic.
func FuzzVerifyMultiProof(f *testing.F) {
	f.Add(uint16(7), []byte{0, 3, 5}, []byte{}, uint64(0))
	f.Add(uint16(1024), []byte{1, 2, 200}, make([]byte, 64), uint64(3))
	f.Fuzz(func(t *testing.T, n uint16, picks, extra []byte, forgedN uint64) {
		if n == 0 || n > 2048 {
			return
		}
		leaves := testLeaves(int(n))
		tree, err := NewTree(leaves)
		if err != nil {
			t.Fatal(err)
		}
		var idx []uint64
		for i := 0; i+1 < len(picks) && len(idx) < 64; i += 2 {
			idx = append(idx, uint64(binary.LittleEndian.Uint16(picks[i:]))%uint64(n))
		}
		slices.Sort(idx)
		idx = slices.Compact(idx)
		if len(idx) > 0 {
			nodes, err := tree.MultiProof(idx)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyMultiProof(tree.Root(), idx, leavesAt(leaves, idx), uint64(n), nodes); err != nil {
				t.Fatalf("genuine multi-proof of %v in %d leaves: %v", idx, n, err)
			}
		}
		var random [][32]byte
		for k := 0; k+32 <= len(extra); k += 32 {
			random = append(random, [32]byte(extra[k:k+32]))
		}
		rawIdx := make([]uint64, 0, len(picks)/8)
		for k := 0; k+8 <= len(picks); k += 8 {
			rawIdx = append(rawIdx, binary.LittleEndian.Uint64(picks[k:]))
		}
		ls := make([][32]byte, len(rawIdx))
		if VerifyMultiProof(tree.Root(), rawIdx, ls, forgedN, random) == nil && len(rawIdx) > 0 {
			t.Fatalf("random nodes verified: %v %d", rawIdx, forgedN)
		}
		_ = MultiProofLength(rawIdx, forgedN)
	})
}

// BenchmarkProof16of1024 proves 16 sampled leaves of a 1,024-leaf tree as
// separate paths (the format before multi-proofs) and as one multi-proof, and
// reports the proof's size in bytes as a transaction carries it (32-byte hashes
// plus 2 bytes of protobuf framing each).
func BenchmarkProof16of1024(b *testing.B) {
	leaves := testLeaves(1024)
	tree, _ := NewTree(leaves)
	root := tree.Root()
	idx := sample16(42)
	ls := leavesAt(leaves, idx)
	b.Run("paths", func(b *testing.B) {
		paths := make([][][32]byte, len(idx))
		hashes := 0
		for i, x := range idx {
			paths[i], _ = tree.Proof(int(x))
			hashes += len(paths[i])
		}
		b.ReportAllocs()
		for b.Loop() {
			for i, x := range idx {
				if err := VerifyProof(root, ls[i], x, 1024, paths[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(hashes), "nodes/proof")
		b.ReportMetric(float64(hashes*34), "bytes/proof")
	})
	b.Run("multiproof", func(b *testing.B) {
		nodes, _ := tree.MultiProof(idx)
		b.ReportAllocs()
		for b.Loop() {
			if err := VerifyMultiProof(root, idx, ls, 1024, nodes); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(nodes)), "nodes/proof")
		b.ReportMetric(float64(len(nodes)*34), "bytes/proof")
	})
}
