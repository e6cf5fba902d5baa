package merkle

import (
	"crypto/sha256"
	"encoding/binary"
)

// inputLeafPrefix separates input leaves from output leaves (0x00) and inner
// nodes (0x01), so an input tree's leaf can never stand for either.
const inputLeafPrefix = 0x02

// The tree a requester commits to when a wasm job has per-item inputs: one
// leaf per item of the job, in item order from item 0. The requester's CLI
// builds it to post the job, the worker to check every input it fetches, and
// validators verify the inputs a proof carries against its root (the job's
// item count is the leaf count). The job id is not in the leaf: the root is
// computed before the job exists.
//
//	input leaf = sha256(0x02 ‖ item_index (8 bytes BE) ‖ input)

// InputLeafHash returns the input tree's leaf for item itemIndex.
func InputLeafHash(itemIndex uint64, input []byte) [32]byte {
	var head [9]byte
	head[0] = inputLeafPrefix
	binary.BigEndian.PutUint64(head[1:9], itemIndex)
	h := sha256.New()
	h.Write(head[:])
	h.Write(input)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// InputLeaves returns the input tree's leaves of inputs, item 0 first.
func InputLeaves(inputs [][]byte) [][32]byte {
	leaves := make([][32]byte, len(inputs))
	for i, in := range inputs {
		leaves[i] = InputLeafHash(uint64(i), in)
	}
	return leaves
}

// InputTree builds the input tree of a job's inputs, keeping every level for
// the proofs a worker sends.
func InputTree(inputs [][]byte) (*Tree, error) {
	return NewTree(InputLeaves(inputs))
}

// InputRoot returns the input root of a job's inputs.
func InputRoot(inputs [][]byte) ([32]byte, error) {
	return Root(InputLeaves(inputs))
}
