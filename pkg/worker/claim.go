package worker

// Computing a leased task and claiming it: the outputs and root are on disk before the claim is sent.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// spec is the task's spec, ready to compute: a built-in kind parsed, or a
// wasm job bound to its program's code with the task's inputs fetched and
// checked (a *cannotRunError if they cannot be).
func (w *Worker) spec(ctx context.Context, t *TaskState) (kinds.Spec, error) {
	if t.Kind != kinds.WasmKindName {
		return w.cfg.Kinds.Parse(t.Kind, []byte(t.Spec), t.Items)
	}
	if w.cfg.Programs == nil {
		return nil, &cannotRunError{errors.New("this worker runs no programs (kind wasm)"), SkipUnsupported}
	}
	ws, err := kinds.ParseWasmSpec([]byte(t.Spec), t.Items)
	if err != nil {
		return nil, &cannotRunError{err, SkipUnsupported}
	}
	var inputs [][]byte
	if ws.HasInputRoot {
		ins, err := w.taskInputs(ctx, t, ws)
		if err != nil {
			return nil, err
		}
		inputs = inputBytes(ins)
	}
	j, err := w.cfg.Programs.bind(ctx, ws, t.FirstItem, inputs)
	if err != nil && !errors.Is(err, workerclient.ErrUnavailable) {
		return nil, &cannotRunError{err, SkipProgram}
	}
	return j, err
}

// compute runs the task's items, calling progress after each, and persists
// outputs and root before any claim.
func (w *Worker) compute(ctx context.Context, t *TaskState, spec kinds.Spec, progress func()) error {
	w.report(Event{Kind: "computing", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount})
	outputs, tree, err := w.cfg.Pool.Compute(ctx, spec, t.JobID, t.FirstItem, t.ItemCount, progress)
	if err != nil {
		return err
	}
	sum, err := w.cfg.Store.SaveOutputs(t, outputs)
	if err != nil {
		return fatalState(err)
	}
	root := tree.Root()
	t.Root, t.OutputsSHA256, t.Stage = hex.EncodeToString(root[:]), sum, StageComputed
	if err := w.cfg.Store.Save(t); err != nil {
		return fatalState(err)
	}
	w.report(Event{Kind: "computed", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount, Message: "root " + t.Root[:16] + "…"})
	return nil
}

// claim sends the claim once: in StageClaiming the chain is asked first
// whether an earlier attempt already landed.
func (w *Worker) claim(ctx context.Context, t *TaskState) error {
	if t.Stage == StageClaiming {
		task, err := w.chainTask(ctx, t)
		if err != nil {
			return err
		}
		switch {
		case task.Device != w.operator:
			return fmt.Errorf("lease lost: task is %s by %q", task.Status, task.Device)
		case task.Status == types.TASK_STATUS_CLAIMED && hex.EncodeToString(task.Root) == t.Root:
			return w.claimed(t, task.ChallengeHeight, task.ProofDeadline)
		case task.Status != types.TASK_STATUS_LEASED:
			return fmt.Errorf("task is %s, expected our lease", task.Status)
		}
	}
	t.Stage = StageClaiming
	if err := w.cfg.Store.Save(t); err != nil {
		return fatalState(err)
	}
	root, err := hex.DecodeString(t.Root)
	if err != nil {
		return fmt.Errorf("%w: root: %v", ErrCorrupt, err)
	}
	res, err := w.submitClaim(ctx, types.ClaimElement{JobId: t.JobID, TaskIndex: t.TaskIndex, Root: root})
	switch {
	case err == nil:
		return w.claimed(t, res.ChallengeHeight, res.ProofDeadline)
	case errors.Is(err, types.ErrAlreadyClaimed):
		return errRetryNow // the chain has our claim (a resend raced an inclusion): re-read it
	default:
		return err
	}
}

func (w *Worker) claimed(t *TaskState, challenge, deadline uint64) error {
	t.Stage, t.ChallengeHeight, t.ProofDeadline = StageClaimed, challenge, deadline
	if err := w.cfg.Store.Save(t); err != nil {
		return fatalState(err)
	}
	w.report(Event{Kind: "claimed", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: fmt.Sprintf("challenge at height %d, prove by %d", challenge, deadline)})
	return nil
}
