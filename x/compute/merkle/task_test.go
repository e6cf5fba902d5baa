package merkle

import (
	"errors"
	"testing"
)

func TestTaskTreeMatchesLeafByLeaf(t *testing.T) {
	outputs := [][]byte{[]byte("a"), []byte("bb"), {}, []byte("dddd"), []byte("e")}
	const job, first = 7, 40
	leaves := make([][32]byte, len(outputs))
	for i, o := range outputs {
		leaves[i] = LeafHash(job, first+uint64(i), o)
	}
	want, err := Root(leaves)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := TaskTree(job, first, outputs)
	if err != nil {
		t.Fatal(err)
	}
	root, err := TaskRoot(job, first, outputs)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Root() != want || root != want {
		t.Fatalf("task tree root %x, task root %x, want %x", tree.Root(), root, want)
	}
	// The first item is part of every leaf: the same outputs one item later differ.
	shifted, err := TaskRoot(job, first+1, outputs)
	if err != nil {
		t.Fatal(err)
	}
	if shifted == want {
		t.Fatal("root does not depend on the task's first item")
	}
	if _, err := TaskRoot(job, first, nil); !errors.Is(err, ErrEmptyTree) {
		t.Fatalf("empty task: got %v, want ErrEmptyTree", err)
	}
}
