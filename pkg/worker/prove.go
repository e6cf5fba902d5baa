package worker

// Proving a claimed task: answering the challenge with the sampled outputs and a multi-proof.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// prove uploads the outputs (if the job wants them), waits for the challenge
// and answers it.
func (w *Worker) prove(ctx context.Context, t *TaskState) error {
	if t.ResultURL != "" && !t.Uploaded {
		w.upload(ctx, t, 2) // more attempts follow once the proof is in
	}
	var task types.QueryTaskResponse
	for {
		res, err := w.cfg.Query.Task(ctx, &types.QueryTaskRequest{JobId: t.JobID, TaskIndex: t.TaskIndex})
		if err != nil {
			return unavailable(err)
		}
		if res.Task.Device != w.operator || res.Task.Status != types.TASK_STATUS_CLAIMED {
			if res.Task.Status == types.TASK_STATUS_VERIFIED && res.Task.Device == w.operator {
				w.finish(t, StageDone, "verified")
				return nil
			}
			return fmt.Errorf("claim gone before the proof (task %s): the proof window may have closed", res.Task.Status)
		}
		if res.ChallengeReady {
			task = *res
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(w.cfg.Poll):
		}
	}
	outputs, err := w.outputs(ctx, t)
	if err != nil {
		return err
	}
	tree, err := merkle.TaskTree(t.JobID, t.FirstItem, outputs)
	if err != nil {
		return err
	}
	items := make([]types.ChallengeItem, len(task.ChallengeIndices))
	offsets := make([]uint64, len(task.ChallengeIndices))
	for i, idx := range task.ChallengeIndices {
		if idx < t.FirstItem || idx-t.FirstItem >= uint64(len(outputs)) {
			return fmt.Errorf("challenge index %d outside task items [%d, %d)", idx, t.FirstItem, t.FirstItem+uint64(len(outputs)))
		}
		items[i] = types.ChallengeItem{Index: idx, Output: outputs[idx-t.FirstItem]}
		offsets[i] = idx - t.FirstItem
	}
	nodes, err := tree.MultiProofBytes(offsets)
	if err != nil {
		return err
	}
	inputNodes, err := w.proofInputs(ctx, t, items)
	if err != nil {
		return err
	}
	res, err := w.submitProof(ctx, types.ProofElement{JobId: t.JobID, TaskIndex: t.TaskIndex, Items: items, Nodes: nodes, InputNodes: inputNodes})
	if err != nil {
		if errors.Is(err, types.ErrChallengeNotReady) {
			return errRetryNow
		}
		if proofRetryable(err) {
			// The proof is fine; the block was not. Abandoning it would be a
			// missed proof (slashed), so send it again while the window is
			// open: the loop above stops once the claim is gone.
			w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "proof deferred to a later block: " + err.Error()})
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(w.cfg.Poll):
			}
			return errRetryNow
		}
		return err
	}
	if !res.Accepted {
		t.Paid = "0"
		w.finish(t, StageFailed, fmt.Sprintf("proof rejected (%s); %sushift slashed", res.Reason, res.Slashed))
		return nil
	}
	t.Paid = coin.BaseString(res.Paid)
	w.mu.Lock()
	w.stats.TasksVerified++
	w.stats.Earned = w.stats.Earned.Add(res.Paid)
	w.mu.Unlock()
	w.finish(t, StageDone, "paid "+t.Paid)
	w.withdraw(ctx)
	w.sweep(ctx)
	return nil
}

// outputs loads a task's outputs; if the local copy is corrupt it recomputes
// them and uses them only if they reproduce the claimed root.
func (w *Worker) outputs(ctx context.Context, t *TaskState) ([][]byte, error) {
	outputs, err := w.cfg.Store.LoadOutputs(t)
	if err == nil {
		return outputs, nil
	}
	if !errors.Is(err, ErrCorrupt) {
		return nil, err
	}
	w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: err.Error() + "; recomputing"})
	spec, serr := w.spec(ctx, t)
	if serr != nil {
		return nil, serr
	}
	outputs, tree, cerr := w.cfg.Pool.ComputeNow(ctx, spec, t.JobID, t.FirstItem, t.ItemCount)
	if cerr != nil {
		return nil, cerr
	}
	root := tree.Root()
	if hex.EncodeToString(root[:]) != t.Root {
		return nil, fmt.Errorf("%w: recomputed outputs do not match the claimed root; not proving", ErrCorrupt)
	}
	if t.OutputsSHA256, err = w.cfg.Store.SaveOutputs(t, outputs); err != nil {
		return nil, fatalState(err)
	}
	return outputs, w.cfg.Store.Save(t)
}

func (w *Worker) chainTask(ctx context.Context, t *TaskState) (types.Task, error) {
	res, err := w.cfg.Query.Task(ctx, &types.QueryTaskRequest{JobId: t.JobID, TaskIndex: t.TaskIndex})
	if err != nil {
		if isNotFound(err) {
			return types.Task{}, fmt.Errorf("task not on chain")
		}
		return types.Task{}, unavailable(err)
	}
	return res.Task, nil
}

// proofRetryable reports a refusal of a proof that says nothing about the
// proof: the block's verification budget (max_verify_gas_per_block) was spent
// by other proofs, or the transaction's gas did not leave the items' bound
// (a batch simulated while one element was refused for the budget, then
// delivered with every element). With items near max_verify_gas_per_item a
// proof's bound is most of a block's budget, so two devices proving in one
// block is common; both errors say to send the proof again later.
func proofRetryable(err error) bool {
	return errors.Is(err, types.ErrBlockVerifyBudget) || errors.Is(err, types.ErrInsufficientVerifyGas)
}
