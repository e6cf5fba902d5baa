package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

// refRoot is the RFC 6962 definition of the tree hash, written recursively.
func refRoot(leaves [][32]byte) [32]byte {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := splitPoint(len(leaves))
	return NodeHash(refRoot(leaves[:k]), refRoot(leaves[k:]))
}

// refProof is the RFC 6962 definition of an inclusion path, written recursively.
func refProof(m int, leaves [][32]byte) [][32]byte {
	if len(leaves) == 1 {
		return nil
	}
	k := splitPoint(len(leaves))
	if m < k {
		return append(refProof(m, leaves[:k]), refRoot(leaves[k:]))
	}
	return append(refProof(m-k, leaves[k:]), refRoot(leaves[:k]))
}

// splitPoint is the largest power of two strictly less than n, for n > 1.
func splitPoint(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

func testLeaves(n int) [][32]byte {
	leaves := make([][32]byte, n)
	for i := range leaves {
		leaves[i] = LeafHash(42, uint64(i), []byte{byte(i)})
	}
	return leaves
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	return [32]byte(b)
}

// The golden values were computed independently (Python hashlib) from the
// definitions in the package comment.
func TestGoldenHashes(t *testing.T) {
	if got, want := LeafHash(7, 3, []byte("hello")), mustHex32(t, "a4d6e06f8d86341919efb813a1f217f06cbbb44f8c850cb8edd1d8f7bc2feeb6"); got != want {
		t.Errorf("LeafHash = %x, want %x", got, want)
	}
	for _, tc := range []struct {
		n    int
		root string
	}{
		{1, "0efeb9718eda061173e7e568ee32455421e7207c01ce07a3240dff781acce792"},
		{5, "ff1232f4d12b53d1c47f88c3479cdd5c963bc8738f4d33aef199cf79d02c6382"},
	} {
		got, err := Root(testLeaves(tc.n))
		if err != nil {
			t.Fatal(err)
		}
		if want := mustHex32(t, tc.root); got != want {
			t.Errorf("Root(%d leaves) = %x, want %x", tc.n, got, want)
		}
	}
}

func TestLeafHashBindsJobAndIndex(t *testing.T) {
	base := LeafHash(1, 2, []byte("out"))
	for _, other := range [][32]byte{
		LeafHash(2, 2, []byte("out")),
		LeafHash(1, 3, []byte("out")),
		LeafHash(1, 2, []byte("ouT")),
		LeafHash(1, 2, nil),
	} {
		if other == base {
			t.Fatal("distinct leaf inputs hash equal")
		}
	}
	// A leaf is never an inner node over the same bytes.
	var l, r [32]byte
	if NodeHash(l, r) == sha256.Sum256(make([]byte, 64)) {
		t.Fatal("node hash lacks domain separation")
	}
}

func TestTreeMatchesReference(t *testing.T) {
	for n := 1; n <= 70; n++ {
		leaves := testLeaves(n)
		want := refRoot(leaves)

		root, err := Root(leaves)
		if err != nil {
			t.Fatalf("n=%d: Root: %v", n, err)
		}
		if root != want {
			t.Fatalf("n=%d: Root = %x, want %x", n, root, want)
		}
		tree, err := NewTree(leaves)
		if err != nil {
			t.Fatalf("n=%d: NewTree: %v", n, err)
		}
		if tree.Root() != want || tree.Len() != n {
			t.Fatalf("n=%d: tree root %x len %d, want %x", n, tree.Root(), tree.Len(), want)
		}
		for i := 0; i < n; i++ {
			path, err := tree.Proof(i)
			if err != nil {
				t.Fatalf("n=%d i=%d: Proof: %v", n, i, err)
			}
			if ref := refProof(i, leaves); !slices.Equal(path, ref) {
				t.Fatalf("n=%d i=%d: path differs from reference (%d vs %d hashes)", n, i, len(path), len(ref))
			}
			if ProofLength(uint64(i), uint64(n)) != len(path) {
				t.Fatalf("n=%d i=%d: ProofLength = %d, path has %d", n, i, ProofLength(uint64(i), uint64(n)), len(path))
			}
			if err := VerifyProof(want, leaves[i], uint64(i), uint64(n), path); err != nil {
				t.Fatalf("n=%d i=%d: genuine proof rejected: %v", n, i, err)
			}
		}
	}
}

func TestRootDoesNotModifyInput(t *testing.T) {
	leaves := testLeaves(9)
	orig := slices.Clone(leaves)
	if _, err := Root(leaves); err != nil {
		t.Fatal(err)
	}
	if _, err := NewTree(leaves); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(leaves, orig) {
		t.Fatal("input leaves modified")
	}
}

func TestNoOddNodeDuplication(t *testing.T) {
	// With Bitcoin-style duplication, [a b c] and [a b c c] share a root.
	leaves := testLeaves(3)
	r3, _ := Root(leaves)
	r4, _ := Root(append(leaves, leaves[2]))
	if r3 == r4 {
		t.Fatal("tree of 3 leaves has the root of its padded tree of 4")
	}
}

func TestEmptyTree(t *testing.T) {
	if _, err := Root(nil); !errors.Is(err, ErrEmptyTree) {
		t.Errorf("Root(nil) error = %v, want ErrEmptyTree", err)
	}
	if _, err := NewTree([][32]byte{}); !errors.Is(err, ErrEmptyTree) {
		t.Errorf("NewTree(empty) error = %v, want ErrEmptyTree", err)
	}
	if err := VerifyProof([32]byte{}, [32]byte{}, 0, 0, nil); !errors.Is(err, ErrEmptyTree) {
		t.Errorf("VerifyProof(n=0) error = %v, want ErrEmptyTree", err)
	}
}

func TestProofIndexOutOfRange(t *testing.T) {
	tree, _ := NewTree(testLeaves(5))
	for _, i := range []int{-1, 5, 100} {
		if _, err := tree.Proof(i); !errors.Is(err, ErrIndexOutOfRange) {
			t.Errorf("Proof(%d) error = %v, want ErrIndexOutOfRange", i, err)
		}
	}
}

func TestVerifyProofRejectsTampering(t *testing.T) {
	const n = 13
	leaves := testLeaves(n)
	tree, _ := NewTree(leaves)
	root := tree.Root()

	flip := func(h [32]byte) [32]byte { h[31] ^= 1; return h }
	for i := 0; i < n; i++ {
		path, _ := tree.Proof(i)
		idx := uint64(i)
		cases := []struct {
			name    string
			root    [32]byte
			leaf    [32]byte
			index   uint64
			n       uint64
			path    [][32]byte
			wantErr error
		}{
			{"wrong root", flip(root), leaves[i], idx, n, path, ErrInvalidProof},
			{"tampered leaf", root, flip(leaves[i]), idx, n, path, ErrInvalidProof},
			{"other leaf", root, leaves[(i+1)%n], idx, n, path, ErrInvalidProof},
			{"index+1", root, leaves[i], (idx + 1) % n, n, path, ErrInvalidProof},
			{"index out of range", root, leaves[i], n, n, path, ErrIndexOutOfRange},
			{"huge index", root, leaves[i], ^uint64(0), n, path, ErrIndexOutOfRange},
			{"n*2", root, leaves[i], idx, 2 * n, path, ErrInvalidProof},
			{"n=0", root, leaves[i], idx, 0, path, ErrEmptyTree},
			{"path too short", root, leaves[i], idx, n, path[:len(path)-1], ErrInvalidProof},
			{"path too long", root, leaves[i], idx, n, append(slices.Clone(path), root), ErrInvalidProof},
			{"path over the bound", root, leaves[i], idx, n, make([][32]byte, MaxProofLength+1), ErrInvalidProof},
			{"nil path", root, leaves[i], idx, n, nil, ErrInvalidProof},
		}
		for s := range path {
			tampered := slices.Clone(path)
			tampered[s] = flip(tampered[s])
			cases = append(cases, struct {
				name    string
				root    [32]byte
				leaf    [32]byte
				index   uint64
				n       uint64
				path    [][32]byte
				wantErr error
			}{"tampered sibling", root, leaves[i], idx, n, tampered, ErrInvalidProof})
		}
		if len(path) >= 2 {
			swapped := slices.Clone(path)
			swapped[0], swapped[1] = swapped[1], swapped[0]
			cases = append(cases, struct {
				name    string
				root    [32]byte
				leaf    [32]byte
				index   uint64
				n       uint64
				path    [][32]byte
				wantErr error
			}{"swapped siblings", root, leaves[i], idx, n, swapped, ErrInvalidProof})
		}
		for _, tc := range cases {
			err := VerifyProof(tc.root, tc.leaf, tc.index, tc.n, tc.path)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("leaf %d, %s: error = %v, want %v", i, tc.name, err, tc.wantErr)
			}
		}
	}
}

// The root does not commit to the leaf count: a proof for a leaf whose position in
// the tree is the same for n and n+1 verifies under both. Verifiers must use the
// count they already know, as the package comment says.
func TestRootDoesNotCommitToN(t *testing.T) {
	leaves := testLeaves(13)
	tree, _ := NewTree(leaves)
	path, _ := tree.Proof(0)
	if err := VerifyProof(tree.Root(), leaves[0], 0, 14, path); err != nil {
		t.Fatalf("expected the documented ambiguity, got %v", err)
	}
}

func TestProofLengthLargeTrees(t *testing.T) {
	for _, tc := range []struct {
		index, n uint64
		want     int
	}{
		{0, 1, 0},
		{0, 2, 1},
		{4, 5, 1},
		{0, 5, 3},
		{0, 1 << 63, 63},
		{0, 1<<63 + 1, 64},
		{1 << 63, 1<<63 + 1, 1},
		{0, ^uint64(0), 64},
		{^uint64(0) - 1, ^uint64(0), 1 + 62},
	} {
		if got := ProofLength(tc.index, tc.n); got != tc.want {
			t.Errorf("ProofLength(%d, %d) = %d, want %d", tc.index, tc.n, got, tc.want)
		}
	}
}

// FuzzVerifyProof forges proofs from genuine ones; a forgery must verify only when it
// equals the genuine proof, and no input may panic.
func FuzzVerifyProof(f *testing.F) {
	f.Add(uint8(5), uint16(3), uint16(3), int8(0), uint16(0), false, uint64(0), []byte{})
	f.Add(uint8(12), uint16(7), uint16(6), int8(0), uint16(0), false, uint64(0), []byte{})
	f.Add(uint8(12), uint16(7), uint16(7), int8(-1), uint16(0), false, uint64(0), []byte{})
	f.Add(uint8(33), uint16(32), uint16(32), int8(2), uint16(0), false, uint64(0), make([]byte, 64))
	f.Add(uint8(69), uint16(1), uint16(1), int8(0), uint16(100), false, uint64(0), []byte{})
	f.Add(uint8(0), uint16(0), uint16(0), int8(0), uint16(0), true, uint64(0), []byte{1, 2, 3})
	f.Add(uint8(7), uint16(6), uint16(6), int8(0), uint16(0), false, uint64(9), []byte{})
	f.Add(uint8(255), uint16(65535), uint16(65535), int8(127), uint16(65535), true, ^uint64(0), make([]byte, 4096))
	f.Fuzz(func(t *testing.T, nSeed uint8, idx, forgedIdx uint16, cut int8, flipBit uint16, forgeLeaf bool, forgedN uint64, extra []byte) {
		n := int(nSeed)%70 + 1
		leaves := testLeaves(n)
		tree, err := NewTree(leaves)
		if err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		i := int(idx) % n
		genuine, err := tree.Proof(i)
		if err != nil {
			t.Fatal(err)
		}

		path := slices.Clone(genuine)
		if flipBit != 0 && len(path) > 0 {
			b := int(flipBit-1) % (len(path) * 256)
			path[b/256][(b%256)/8] ^= 1 << (b % 8)
		}
		switch {
		case cut < 0:
			path = path[:max(0, len(path)+int(cut))]
		case cut > 0:
			for k := 0; k < int(cut); k++ {
				var h [32]byte
				if len(extra) > 0 {
					copy(h[:], extra[(k*32)%len(extra):])
				}
				path = append(path, h)
			}
		}
		leaf := leaves[i]
		if forgeLeaf {
			leaf = sha256.Sum256(extra)
		}
		index := uint64(forgedIdx)

		err = VerifyProof(root, leaf, index, uint64(n), path)
		unchanged := index == uint64(i) && leaf == leaves[i] && slices.Equal(path, genuine)
		if unchanged && err != nil {
			t.Fatalf("genuine proof rejected: %v", err)
		}
		if !unchanged && err == nil {
			t.Fatalf("forged proof accepted: n=%d index=%d (genuine %d), path of %d", n, index, i, len(path))
		}

		// Arbitrary inputs (including a claimed n) must fail cleanly, never panic.
		if forgedN != 0 {
			var random [][32]byte
			for k := 0; k+32 <= len(extra); k += 32 {
				random = append(random, [32]byte(extra[k:k+32]))
			}
			rIndex := binary.LittleEndian.Uint64(append(slices.Clone(extra), make([]byte, 8)...))
			_ = VerifyProof(root, leaf, rIndex, forgedN, random)
			_ = VerifyProof(root, leaf, index, forgedN, path)
		}
	})
}

func BenchmarkNewTree1024(b *testing.B) {
	leaves := testLeaves(1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewTree(leaves); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyProof(b *testing.B) {
	leaves := testLeaves(1024)
	tree, _ := NewTree(leaves)
	root := tree.Root()
	path, _ := tree.Proof(517)
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyProof(root, leaves[517], 517, 1024, path); err != nil {
			b.Fatal(err)
		}
	}
}
