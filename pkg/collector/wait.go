package collector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ErrNothingToCollect is returned for a job that closed with no verified task:
// no upload can ever be accepted for it.
var ErrNothingToCollect = errors.New("nothing to collect")

// WaitForJob returns the job once it exists on chain. A requester may start the
// collector before posting the job it will serve ("start the collector, then
// post"), so a job that does not exist yet is waited for, polling every
// interval, until timeout (zero: until ctx ends); onWaiting is called once, when
// the first poll finds no job. Errors reading the chain are retried the same
// way. A job that closed with no verified task is refused with
// ErrNothingToCollect; any other job is returned, including one that is over
// (its verified uploads may still arrive, or be stored from an earlier run).
func WaitForJob(ctx context.Context, q Querier, jobID uint64, interval, timeout time.Duration, onWaiting func(reason string)) (types.Job, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var waiting string
	for {
		res, err := q.Job(ctx, &types.QueryJobRequest{JobId: jobID})
		if err == nil {
			job := res.Job
			if jobOver(job) && job.TasksVerified == 0 {
				return job, fmt.Errorf("job %d is %s with no verified task: %w", jobID, job.Status, ErrNothingToCollect)
			}
			return job, nil
		}
		reason := fmt.Sprintf("job %d does not exist yet", jobID)
		if status.Code(err) != codes.NotFound {
			reason = fmt.Sprintf("cannot read job %d from the chain (%v)", jobID, err)
		}
		if reason != waiting && onWaiting != nil {
			onWaiting(reason)
		}
		waiting = reason
		select {
		case <-ctx.Done():
			if timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return types.Job{}, fmt.Errorf("gave up after %s: %s", timeout, waiting)
			}
			return types.Job{}, fmt.Errorf("stopped waiting: %s: %w", waiting, ctx.Err())
		case <-ticker.C:
		}
	}
}
