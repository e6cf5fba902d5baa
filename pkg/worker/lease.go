package worker

// Leasing: new tasks from open jobs, and leases the chain holds that the local store lacks.

import (
	"context"
	"errors"
	"fmt"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// lease leases the next open task of the best-paying workable open job (see
// Rank), or returns nil when there is none.
func (w *Worker) lease(ctx context.Context) (*TaskState, error) {
	if !w.mayLease(ctx) {
		return nil, nil
	}
	ranking, err := w.rankOpenJobs(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range ranking.Offers {
		job := o.job
		if ok, why := w.fitsLease(ctx, *job, o.spec); !ok {
			w.skipNow(Skip{JobID: job.Id, Reason: SkipLeaseTooLong, Detail: why})
			continue
		}
		if ws, ok := o.spec.(wasmSpecOf); ok {
			// The code is fetched and checked before the lease, not after: a
			// program this worker cannot run costs it nothing.
			if _, err := w.cfg.Programs.Code(ctx, ws.WasmSpec().Program); err != nil {
				if errors.Is(err, workerclient.ErrUnavailable) {
					return nil, err
				}
				w.skipNow(Skip{JobID: job.Id, Reason: SkipProgram, Detail: err.Error()})
				continue
			}
		}
		out, err := w.cfg.Client.Submit(ctx, &types.MsgLeaseTask{Operator: w.operator, JobId: job.Id})
		switch {
		case err == nil:
			lease := out.Responses[0].(*types.MsgLeaseTaskResponse)
			t := &TaskState{
				JobID: job.Id, TaskIndex: lease.TaskIndex, FirstItem: lease.FirstItem, ItemCount: lease.ItemCount,
				Kind: job.Kind, Spec: job.Spec, Items: job.Items, ResultURL: job.ResultUrl,
				LeaseExpiry: lease.LeaseExpiry, Stage: StageLeased,
			}
			if err := w.cfg.Store.Save(t); err != nil {
				return nil, fatal(fmt.Errorf("save worker state: %w", err))
			}
			w.report(Event{Kind: "leased", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount,
				Message: fmt.Sprintf("%s items %d-%d, claim by height %d%s", job.Kind, t.FirstItem, t.FirstItem+t.ItemCount-1, t.LeaseExpiry, o.payNote())})
			return t, nil
		case errors.Is(err, types.ErrNoOpenTask), errors.Is(err, types.ErrJobNotOpen):
			continue
		case errors.Is(err, types.ErrTooManyLiveTasks):
			return nil, nil
		case errors.Is(err, types.ErrBondTooSmallForTask):
			w.skipAtLease(Skip{JobID: job.Id, Reason: SkipBondTooSmall,
				Detail: "this device's live tasks with this one, their pay and the epoch emission they can earn, are more than an invalid proof would slash of its bond: add bond with `tx compute update-device --add-bond` and restart the worker (x/compute README, Soundness)"})
			continue
		case errors.Is(err, types.ErrDeviceJailed), errors.Is(err, types.ErrBondTooLow), errors.Is(err, types.ErrDeviceNotActive), errors.Is(err, types.ErrDeviceNotFound):
			return nil, fatal(err)
		default:
			return nil, err
		}
	}
	return nil, nil
}

// unrecordedTasks returns, saved as new records, the leases the chain says this
// device holds but the store has no record of: leases confirmed after the
// worker that sent them was killed or stopped waiting. (A claim always has a
// record: it is saved before it is sent.)
func (w *Worker) unrecordedTasks(ctx context.Context) ([]*TaskState, error) {
	var found []*TaskState
	var key []byte
	for {
		res, err := w.cfg.Query.DeviceTasks(ctx, &types.QueryDeviceTasksRequest{Operator: w.operator, Pagination: &query.PageRequest{Key: key}})
		if err != nil {
			return found, unavailable(err)
		}
		for _, task := range res.Tasks {
			if task.Status != types.TASK_STATUS_LEASED || w.cfg.Store.Has(task.JobId, task.Index) {
				continue
			}
			job, err := w.cfg.Query.Job(ctx, &types.QueryJobRequest{JobId: task.JobId})
			if err != nil {
				return found, unavailable(err)
			}
			t := &TaskState{
				JobID: task.JobId, TaskIndex: task.Index, FirstItem: task.FirstItem, ItemCount: task.ItemCount,
				Kind: job.Job.Kind, Spec: job.Job.Spec, Items: job.Job.Items, ResultURL: job.Job.ResultUrl,
				LeaseExpiry: task.LeaseExpiry, Stage: StageLeased,
			}
			if err := w.cfg.Store.Save(t); err != nil {
				return found, fatalState(err)
			}
			w.report(Event{Kind: "resumed", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount,
				Message: "leased on chain but missing from the worker state; taking it up"})
			found = append(found, t)
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return found, nil
		}
		key = res.Pagination.NextKey
	}
}
