package worker

// Leasing: new tasks from open jobs, and leases the chain holds that the local store lacks.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// lease leases up to n tasks (at most --batch-size) of the best-paying
// workable open jobs (see Rank) in one transaction (MsgLeaseTasks; with
// --batch-size 1 one MsgLeaseTask), or returns none when there is no work.
// Only tasks this device expects to finish within a lease are asked for: each
// is sized behind the leases in flight and the tasks before it in the batch.
// An idle device (nothing in flight) whose best job's next task is
// predictable returns that task instead, not leased, to compute and then
// lease and claim together (speculate.go).
func (w *Worker) lease(ctx context.Context, n int, idle bool) ([]*TaskState, error) {
	n = min(n, max(w.cfg.BatchSize, 1))
	if n <= 0 || w.predicting.Load() > 0 || !w.mayLease(ctx) {
		// A predicted task not yet leased and claimed: a lease now could be
		// given that very task (speculate.go).
		return nil, nil
	}
	ranking, err := w.rankOpenJobs(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := w.planLeases(ctx, ranking, n)
	if idle && len(plan) > 0 && err == nil {
		t, err := w.predictNext(ctx, plan[0].job.Id)
		if err != nil {
			return nil, err
		}
		if t != nil {
			return []*TaskState{t}, nil
		}
	}
	for len(plan) > 0 && err == nil {
		var leases []*types.MsgLeaseTaskResponse
		var errs []error
		leases, errs, err = w.submitLeases(ctx, plan)
		if errors.Is(err, types.ErrBatchSize) && len(plan) > 1 {
			// A chain whose max_batch_size is below --batch-size: one at a time.
			plan, err = plan[:1], nil
			continue
		}
		if err != nil {
			// Refused whole: the error is the first element's (no element
			// settled). Drop that job and ask for the rest.
			var stop bool
			if stop, err = w.leaseRefused(plan[0].job, err); stop {
				return nil, err
			}
			plan = withoutJob(plan, plan[0].job.Id)
			continue
		}
		return w.leased(plan, leases, errs)
	}
	return nil, err
}

// plannedLease is one element of a lease batch: a task of job.
type plannedLease struct {
	job   *types.Job
	offer *Offer
}

// planLeases picks up to n tasks from the ranking, best-paying job first and
// as many of its tasks as it has open, each one that fits within a lease
// behind those in flight and those picked before it.
func (w *Worker) planLeases(ctx context.Context, ranking Ranking, n int) ([]plannedLease, error) {
	var plan []plannedLease
	var planned time.Duration
	for i := range ranking.Offers {
		o := &ranking.Offers[i]
		job := o.job
		for k := uint64(0); k < openTasks(job) && len(plan) < n; k++ {
			ok, why, task := w.fitsLeaseAfter(ctx, *job, o.spec, planned)
			if !ok {
				if k == 0 && planned == 0 {
					// Too long even alone: the job's own fault, reported.
					w.skipNow(Skip{JobID: job.Id, Reason: SkipLeaseTooLong, Detail: why})
				}
				break
			}
			if k == 0 {
				if ws, ok := o.spec.(wasmSpecOf); ok {
					// The code is fetched and checked before the lease, not after: a
					// program this worker cannot run costs it nothing.
					if _, err := w.cfg.Programs.Code(ctx, ws.WasmSpec().Program); err != nil {
						if errors.Is(err, workerclient.ErrUnavailable) {
							return nil, err
						}
						w.skipNow(Skip{JobID: job.Id, Reason: SkipProgram, Detail: err.Error()})
						break
					}
				}
			}
			plan = append(plan, plannedLease{job: job, offer: o})
			planned += task
		}
		if len(plan) == n {
			break
		}
	}
	return plan, nil
}

// openTasks bounds the tasks of job a lease may get: those neither live nor
// verified (never leased, or reopened by a lapse, release or rejection).
func openTasks(job *types.Job) uint64 {
	taken := job.LiveTasks + job.TasksVerified
	if taken >= job.NumTasks {
		return 0
	}
	return job.NumTasks - taken
}

func withoutJob(plan []plannedLease, jobID uint64) []plannedLease {
	var rest []plannedLease
	for _, p := range plan {
		if p.job.Id != jobID {
			rest = append(rest, p)
		}
	}
	return rest
}

// submitLeases sends the plan: per element a lease or an error, or an error
// for the whole transaction (for a batch refused whole, the first element's).
func (w *Worker) submitLeases(ctx context.Context, plan []plannedLease) ([]*types.MsgLeaseTaskResponse, []error, error) {
	if w.cfg.BatchSize <= 1 {
		out, err := w.cfg.Client.Submit(ctx, &types.MsgLeaseTask{Operator: w.operator, JobId: plan[0].job.Id})
		if err != nil {
			return nil, nil, err
		}
		return []*types.MsgLeaseTaskResponse{out.Responses[0].(*types.MsgLeaseTaskResponse)}, []error{nil}, nil
	}
	ids := make([]uint64, len(plan))
	for i, p := range plan {
		ids[i] = p.job.Id
	}
	out, err := w.cfg.Client.Submit(ctx, &types.MsgLeaseTasks{Operator: w.operator, JobIds: ids})
	if err != nil {
		return nil, nil, err
	}
	batch := out.Responses[0].(*types.MsgLeaseTasksResponse)
	if len(batch.Results) != len(plan) {
		return nil, nil, fmt.Errorf("lease batch of %d answered with %d results", len(plan), len(batch.Results))
	}
	leases, errs := make([]*types.MsgLeaseTaskResponse, len(plan)), make([]error, len(plan))
	for i, r := range batch.Results {
		leases[i], errs[i] = r.Lease, batchError(r.Error)
		if errs[i] == nil && r.Lease == nil {
			errs[i] = fmt.Errorf("lease batch element %d settled without a lease", i)
		}
	}
	return leases, errs, nil
}

// leased records the batch's settled leases; a refused element is handled as
// a refused single lease. Every settled lease is saved before a fatal
// refusal is returned, so a restart takes them up.
func (w *Worker) leased(plan []plannedLease, leases []*types.MsgLeaseTaskResponse, errs []error) ([]*TaskState, error) {
	var tasks []*TaskState
	var fatalErr error
	for i, p := range plan {
		if errs[i] != nil {
			if _, err := w.leaseRefused(p.job, errs[i]); err != nil {
				if IsFatal(err) {
					fatalErr = err
				} else {
					w.report(Event{Kind: "error", JobID: p.job.Id, Message: "lease: " + err.Error()})
				}
			}
			continue
		}
		job, lease := p.job, leases[i]
		t := &TaskState{
			JobID: job.Id, TaskIndex: lease.TaskIndex, FirstItem: lease.FirstItem, ItemCount: lease.ItemCount,
			Kind: job.Kind, Spec: job.Spec, Items: job.Items, ResultURL: job.ResultUrl,
			LeaseExpiry: lease.LeaseExpiry, Stage: StageLeased,
		}
		if err := w.cfg.Store.Save(t); err != nil {
			return tasks, fatal(fmt.Errorf("save worker state: %w", err))
		}
		w.report(Event{Kind: "leased", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount,
			Message: fmt.Sprintf("%s items %d-%d, claim by height %d%s", job.Kind, t.FirstItem, t.FirstItem+t.ItemCount-1, t.LeaseExpiry, p.offer.payNote())})
		tasks = append(tasks, t)
	}
	return tasks, fatalErr
}

// leaseRefused handles the chain's refusal to lease a task of job: whether
// to stop leasing for now, and the error to return when stopping for one.
func (w *Worker) leaseRefused(job *types.Job, err error) (stop bool, _ error) {
	switch {
	case errors.Is(err, types.ErrNoOpenTask), errors.Is(err, types.ErrJobNotOpen):
		return false, nil
	case errors.Is(err, types.ErrTooManyLiveTasks):
		return true, nil
	case errors.Is(err, types.ErrBondTooSmallForTask):
		w.skipAtLease(Skip{JobID: job.Id, Reason: SkipBondTooSmall,
			Detail: "this device's live tasks with this one, their pay and the epoch emission they can earn, are more than an invalid proof would slash of its bond: add bond with `tx compute update-device --add-bond` and restart the worker (x/compute README, Soundness)"})
		return false, nil
	case errors.Is(err, types.ErrDeviceJailed), errors.Is(err, types.ErrBondTooLow), errors.Is(err, types.ErrDeviceNotActive), errors.Is(err, types.ErrDeviceNotFound):
		return true, fatal(err)
	default:
		return true, err
	}
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
