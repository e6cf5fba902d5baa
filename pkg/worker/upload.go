package worker

// Uploading verified outputs to the requester's collector.

import (
	"context"
	"errors"
	"time"

	"github.com/nightshift-network/nightshift/pkg/resultupload"
)

// upload sends the outputs to the job's result endpoint, a few attempts at most;
// a rejection is reported and not retried.
func (w *Worker) upload(ctx context.Context, t *TaskState, attempts int) {
	outputs, err := w.cfg.Store.LoadOutputs(t)
	if err != nil {
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "upload: " + err.Error()})
		return
	}
	for i := range attempts {
		err = resultupload.Send(ctx, w.cfg.HTTP, t.ResultURL, t.JobID, t.TaskIndex, resultupload.Upload{Device: w.operator, Outputs: outputs})
		if err == nil || errors.Is(err, resultupload.ErrRejected) {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(min(time.Duration(i+1)*w.cfg.Poll, 15*time.Second)):
		}
	}
	switch {
	case err == nil:
		t.Uploaded = true
		if serr := w.cfg.Store.Save(t); serr != nil {
			w.report(Event{Kind: "error", Message: serr.Error()})
		}
		w.report(Event{Kind: "uploaded", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: t.ResultURL})
	case errors.Is(err, resultupload.ErrRejected):
		t.Uploaded = true // the requester refused it; do not retry
		_ = w.cfg.Store.Save(t)
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "result endpoint rejected the outputs: " + err.Error()})
	default:
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "upload failed, will retry: " + err.Error()})
	}
}
