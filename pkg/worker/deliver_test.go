package worker

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

// TestDeliveryAnswerProvesTheDemandedItems: the answer the worker sends to a
// demand carries the demanded items, in order, with a multi-proof that leads
// to the task's root, as the keeper checks it (DeliverOutputs).
func TestDeliveryAnswerProvesTheDemandedItems(t *testing.T) {
	task := &TaskState{JobID: 7, TaskIndex: 2, FirstItem: 20, ItemCount: 5}
	outputs := [][]byte{{1}, {2}, {3}, {4}, {5}}
	tree, err := merkle.TaskTree(task.JobID, task.FirstItem, outputs)
	require.NoError(t, err)
	msg, err := deliveryAnswer("night1op", task, outputs, []uint64{21, 24})
	require.NoError(t, err)
	require.Equal(t, "night1op", msg.Operator)
	require.Len(t, msg.Items, 2)
	require.Equal(t, uint64(24), msg.Items[1].Index)
	require.Equal(t, []byte{5}, msg.Items[1].Output)
	leaves := [][32]byte{merkle.LeafHash(7, 21, outputs[1]), merkle.LeafHash(7, 24, outputs[4])}
	nodes := make([][32]byte, len(msg.Nodes))
	for i, n := range msg.Nodes {
		nodes[i] = [32]byte(n)
	}
	require.NoError(t, merkle.VerifyMultiProof(tree.Root(), []uint64{1, 4}, leaves, task.ItemCount, nodes))

	_, err = deliveryAnswer("night1op", task, outputs, []uint64{25})
	require.Error(t, err, "an item outside the task is refused, not answered")
}
