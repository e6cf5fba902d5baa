package merkle

// The tree a device commits to when it claims a task: one leaf per item, in item
// order from the task's first item. The worker builds it to claim and prove, the
// collector to check an upload against the claimed root, the simulation to play a
// device; validators verify against its root. This is the one definition.

// TaskLeaves returns the leaves of the task of job jobID whose items start at
// firstItem and whose outputs are given in item order.
func TaskLeaves(jobID, firstItem uint64, outputs [][]byte) [][32]byte {
	leaves := make([][32]byte, len(outputs))
	for i, out := range outputs {
		leaves[i] = LeafHash(jobID, firstItem+uint64(i), out)
	}
	return leaves
}

// TaskTree builds the tree over a task's outputs, keeping every level for proofs.
func TaskTree(jobID, firstItem uint64, outputs [][]byte) (*Tree, error) {
	return NewTree(TaskLeaves(jobID, firstItem, outputs))
}

// TaskRoot returns the root of a task's tree without keeping the tree.
func TaskRoot(jobID, firstItem uint64, outputs [][]byte) ([32]byte, error) {
	return Root(TaskLeaves(jobID, firstItem, outputs))
}
