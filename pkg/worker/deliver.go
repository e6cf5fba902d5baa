package worker

import (
	"context"
	"fmt"
	"os"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Delivery demands (G5): for dispute_window_blocks after a task is paid, its
// requester may demand items on chain, and a device that does not publish
// them by the deadline loses the task's reward and emission. So the worker
// keeps a paid task's outputs until the chain says its dispute is closed, and
// answers every demand on its tasks from them.

// answerDemands answers the open delivery demands on this device's tasks.
func (w *Worker) answerDemands(ctx context.Context) {
	res, err := w.cfg.Query.DeliveryDemands(ctx, &types.QueryDeliveryDemandsRequest{Operator: w.operator})
	if err != nil || len(res.Tasks) == 0 {
		return
	}
	saved, err := w.cfg.Store.Tasks()
	if err != nil {
		w.report(Event{Kind: "error", Message: "delivery demands: " + err.Error()})
		return
	}
	for _, task := range res.Tasks {
		t := findTask(saved, task.JobId, task.Index)
		if t == nil || task.Demand == nil {
			w.report(Event{Kind: "error", JobID: task.JobId, TaskIndex: task.Index, Message: "delivery demanded for a task this worker has no record of"})
			continue
		}
		outputs, err := w.outputs(ctx, t)
		if err != nil {
			w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "delivery demanded but outputs unavailable: " + err.Error()})
			continue
		}
		msg, err := deliveryAnswer(w.operator, t, outputs, task.Demand.Items)
		if err != nil {
			w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "delivery: " + err.Error()})
			continue
		}
		if _, err := w.cfg.Client.Submit(ctx, msg); err != nil {
			w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "deliver outputs: " + err.Error()})
			continue
		}
		w.report(Event{Kind: "delivered", JobID: t.JobID, TaskIndex: t.TaskIndex, Amount: task.Demand.Fee.String(),
			Message: fmt.Sprintf("%d demanded items published on chain", len(msg.Items))})
	}
}

// deliveryAnswer builds the answer to a demand for items of a task from its
// outputs: the items in the demand's order and their multi-proof.
func deliveryAnswer(operator string, t *TaskState, outputs [][]byte, demanded []uint64) (*types.MsgDeliverOutputs, error) {
	tree, err := merkle.TaskTree(t.JobID, t.FirstItem, outputs)
	if err != nil {
		return nil, err
	}
	items := make([]types.ChallengeItem, len(demanded))
	offsets := make([]uint64, len(demanded))
	for i, idx := range demanded {
		if idx < t.FirstItem || idx-t.FirstItem >= uint64(len(outputs)) {
			return nil, fmt.Errorf("demanded item %d outside task items [%d, %d)", idx, t.FirstItem, t.FirstItem+uint64(len(outputs)))
		}
		items[i] = types.ChallengeItem{Index: idx, Output: outputs[idx-t.FirstItem]}
		offsets[i] = idx - t.FirstItem
	}
	nodes, err := tree.MultiProofBytes(offsets)
	if err != nil {
		return nil, err
	}
	return &types.MsgDeliverOutputs{Operator: operator, JobId: t.JobID, TaskIndex: t.TaskIndex, Items: items, Nodes: nodes}, nil
}

// dropSettledOutputs removes the outputs of paid tasks whose dispute has
// closed on chain (or whose record was pruned): no demand can come any more.
func (w *Worker) dropSettledOutputs(ctx context.Context) {
	saved, err := w.cfg.Store.Tasks()
	if err != nil {
		return
	}
	for _, t := range saved {
		if t.Stage != StageDone || !w.cfg.Store.hasOutputs(t) || (t.ResultURL != "" && !t.Uploaded) {
			continue
		}
		res, err := w.cfg.Query.Task(ctx, &types.QueryTaskRequest{JobId: t.JobID, TaskIndex: t.TaskIndex})
		switch {
		case err != nil && !isNotFound(err):
			continue // the node is unreachable: keep them
		case err == nil && (res.Task.DisputeUntil != 0 || res.Task.Demand != nil):
			continue
		}
		_ = w.cfg.Store.DropOutputs(t)
	}
}

func findTask(saved []*TaskState, jobID, index uint64) *TaskState {
	for _, t := range saved {
		if t.JobID == jobID && t.TaskIndex == index {
			return t
		}
	}
	return nil
}

// hasOutputs reports whether a task's outputs are on disk.
func (s *Store) hasOutputs(t *TaskState) bool {
	_, err := os.Stat(s.path(t, ".out"))
	return err == nil
}
