package worker

// Speculative lease+claim: an idle device computes the task the chain will
// lease it next and leases and claims it in one MsgLeaseAndClaim, so the task
// costs two transactions (lease+claim, proof) instead of three.
//
// When the next task is predictable: LeaseTask gives a device the job's first
// reopened task it is not barred from, else next_task. A job with no reopened
// task (next_task = live + verified: every task below next_task is live or
// verified) gives next_task to whichever device leases first. The prediction
// is made only by an idle device (nothing in flight, so none of its own
// transactions can move next_task first), from a fresh Query/Job.
//
// What a wrong prediction costs: another device leased the task first (or the
// job closed), so the chain refuses the element (ErrLeaseMismatch, or the
// lease's own refusal) with no state change; usually the simulation refuses
// it and nothing is sent. The device loses the computation and nothing else,
// and its next lease is an ordinary one (lease, then claim), so a contended
// job costs at most one wasted task per idle spell.
//
// Crash safety: the outputs and root are saved as StageClaiming (with
// Predicted set) before the transaction is sent, so a restart asks the chain
// first, as for a claim: a lease+claim that landed is taken up, one that did
// not is sent again, and one the chain refuses ends the record.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// predictNext returns the job's next task as this device's lease+claim would
// get it, or nil when it is not predictable: speculation off, the job's
// next task not the one a lease gives (a reopened task comes first), or the
// last prediction was wrong (the next lease is an ordinary one).
func (w *Worker) predictNext(ctx context.Context, jobID uint64) (*TaskState, error) {
	if !w.cfg.Speculate {
		return nil, nil
	}
	if w.mispredicted.Swap(false) {
		return nil, nil
	}
	res, err := w.cfg.Query.Job(ctx, &types.QueryJobRequest{JobId: jobID})
	if err != nil {
		return nil, unavailable(err)
	}
	job := res.Job
	if job.Status != types.JOB_STATUS_OPEN || job.NextTask >= job.NumTasks || job.NextTask != job.LiveTasks+job.TasksVerified {
		return nil, nil
	}
	first, count := job.TaskRange(job.NextTask)
	w.predicting.Add(1) // until drive settles it
	return &TaskState{
		JobID: job.Id, TaskIndex: job.NextTask, FirstItem: first, ItemCount: count,
		Kind: job.Kind, Spec: job.Spec, Items: job.Items, ResultURL: job.ResultUrl,
		Stage: StagePredicted, Predicted: true,
	}, nil
}

// computePredicted computes a predicted task and saves its outputs and root
// as StageClaiming (its lease and claim go together), then sends them.
func (w *Worker) computePredicted(ctx context.Context, t *TaskState) error {
	spec, err := w.spec(ctx, t)
	if err != nil {
		return err
	}
	w.report(Event{Kind: "computing", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount, Message: "before its lease (predicted)"})
	outputs, tree, err := w.cfg.Pool.Compute(ctx, spec, t.JobID, t.FirstItem, t.ItemCount, nil)
	if err != nil {
		return err
	}
	sum, err := w.cfg.Store.SaveOutputs(t, outputs)
	if err != nil {
		return fatalState(err)
	}
	root := tree.Root()
	t.Root, t.OutputsSHA256, t.Stage = hex.EncodeToString(root[:]), sum, StageClaiming
	if err := w.cfg.Store.Save(t); err != nil {
		return fatalState(err)
	}
	return w.retry(ctx, "lease and claim", func(ctx context.Context) error { return w.leaseAndClaim(ctx, t) })
}

// leaseAndClaim sends the predicted task's MsgLeaseAndClaim. A refusal is
// checked against the chain (an earlier send may have landed) before the
// task is given up as mispredicted.
func (w *Worker) leaseAndClaim(ctx context.Context, t *TaskState) error {
	root, err := hex.DecodeString(t.Root)
	if err != nil {
		return fmt.Errorf("%w: root: %v", ErrCorrupt, err)
	}
	out, err := w.cfg.Client.Submit(ctx, &types.MsgLeaseAndClaim{Operator: w.operator,
		Claims: []types.ClaimElement{{JobId: t.JobID, TaskIndex: t.TaskIndex, Root: root}}})
	if err == nil {
		res := out.Responses[0].(*types.MsgLeaseAndClaimResponse)
		if len(res.Results) != 1 || res.Results[0].Claim == nil || res.Results[0].Lease == nil {
			return fmt.Errorf("lease+claim answered with %d results and no claim", len(res.Results))
		}
		r := res.Results[0]
		t.LeaseExpiry = r.Lease.LeaseExpiry
		w.report(Event{Kind: "leased", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount,
			Message: fmt.Sprintf("%s items %d-%d, leased and claimed together (computed before the lease)", t.Kind, t.FirstItem, t.FirstItem+t.ItemCount-1)})
		return w.claimed(t, r.Claim.ChallengeHeight, r.Claim.ProofDeadline)
	}
	var refused *errorsmod.Error
	if !errors.As(err, &refused) || refused.Codespace() != types.ModuleName {
		return err // not the chain's verdict on the element: retried or fatal as any send
	}
	task, qerr := w.chainTask(ctx, t)
	switch {
	case errors.Is(qerr, workerclient.ErrUnavailable):
		return qerr
	case qerr == nil && task.Device == w.operator && task.Status == types.TASK_STATUS_CLAIMED && hex.EncodeToString(task.Root) == t.Root:
		t.LeaseExpiry = task.LeaseExpiry
		return w.claimed(t, task.ChallengeHeight, task.ProofDeadline)
	}
	w.mispredicted.Store(true)
	w.finish(t, StageMispredicted, "lease+claim refused (the next lease is an ordinary one): "+err.Error())
	return nil
}

// unsettledPrediction reports a predicted task whose lease+claim has not yet
// been answered.
func (t *TaskState) unsettledPrediction() bool {
	return t.Predicted && (t.Stage == StagePredicted || t.Stage == StageClaiming)
}

// predictionSettled ends the hold a predicted task put on other leases and
// wakes the lease loop.
func (w *Worker) predictionSettled() {
	w.predicting.Add(-1)
	select {
	case w.predicted <- struct{}{}:
	default:
	}
}
