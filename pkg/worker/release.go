package worker

// Handing back what the worker cannot finish: it leases only tasks it expects
// to finish within the lease at its measured speed, and when a pause (power,
// heat, schedule) outlasts a lease it holds, it releases the lease at once
// (MsgReleaseTask: charged a share of the lapse slash pro rata to the blocks
// held) instead of letting it lapse (the whole lapse slash, and the task
// blocked for everyone until then). Claims are never released: their proofs
// are answered while paused.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	// claimBlocks is the end of a lease kept for the claim to be included.
	claimBlocks = 3
	// estimateSlack covers a bench taken on a cooler, idler machine.
	estimateSlack = 1.5
)

// releaseState is what the worker knows about the leases it is computing.
type releaseState struct {
	mu          sync.Mutex
	live        map[string]*pace // leased tasks being computed, by task key
	leaseBlocks uint64           // params.lease_blocks, read once
	waiting     string           // why leasing is held back, as last reported
}

// pace is a leased task's progress and expected time per item.
type pace struct {
	items    uint64
	done     atomic.Uint64
	itemTime time.Duration
	known    bool
}

// left is the expected compute time of the items not done yet.
func (p *pace) left() time.Duration {
	if !p.known {
		return 0
	}
	done := min(p.done.Load(), p.items)
	return time.Duration(float64(p.items-done) * float64(p.itemTime) * estimateSlack)
}

// itemTime is an item's expected time at the measured speed on the pool's threads.
func (w *Worker) itemTime(spec kinds.Spec, kind string) (time.Duration, bool) {
	if w.cfg.Speed == nil {
		return 0, false
	}
	return w.cfg.Speed.ItemTime(spec, kind, w.cfg.Pool.threads)
}

// backlog is the expected compute time left of the leases in flight: a new
// task waits for the pool behind them.
func (w *Worker) backlog() time.Duration {
	w.rel.mu.Lock()
	defer w.rel.mu.Unlock()
	var total time.Duration
	for _, p := range w.rel.live {
		total += p.left()
	}
	return total
}

func (w *Worker) leaseLength(ctx context.Context) (uint64, error) {
	w.rel.mu.Lock()
	n := w.rel.leaseBlocks
	w.rel.mu.Unlock()
	if n != 0 {
		return n, nil
	}
	res, err := w.cfg.Query.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return 0, unavailable(err)
	}
	w.rel.mu.Lock()
	w.rel.leaseBlocks = res.Params.LeaseBlocks
	w.rel.mu.Unlock()
	return res.Params.LeaseBlocks, nil
}

// leaseTime is how long a lease taken now lasts, less the claim's blocks.
func (w *Worker) leaseTime(ctx context.Context) (time.Duration, bool) {
	if w.cfg.Clock == nil {
		return 0, false
	}
	blocks, err := w.leaseLength(ctx)
	if err != nil {
		return 0, false
	}
	_, block, err := w.cfg.Clock.Now(ctx)
	if err != nil || blocks <= claimBlocks {
		return 0, false
	}
	return time.Duration(blocks-claimBlocks) * block, true
}

// mayLease reports whether the worker should lease at all now: not while a
// pause will outlast any lease it could take.
func (w *Worker) mayLease(ctx context.Context) bool {
	lease, ok := w.leaseTime(ctx)
	if !ok || w.cfg.Pool.policy == nil {
		return true
	}
	paused, why, left := w.cfg.Pool.policy.pauseLeft()
	reason := ""
	if paused && left >= lease {
		reason = fmt.Sprintf("not leasing: paused (%s) for at least %s, longer than a lease lasts (%s)", why, left.Round(time.Second), lease.Round(time.Second))
	}
	w.rel.mu.Lock()
	changed := reason != w.rel.waiting
	w.rel.waiting = reason
	w.rel.mu.Unlock()
	if changed && reason != "" {
		w.report(Event{Kind: "waiting", Message: reason})
	}
	return reason == ""
}

// fitsLease reports whether a task of job is expected to be finished within
// a lease: after the tasks in flight, at the measured speed, and after the
// pause if computing is paused. It says why not.
func (w *Worker) fitsLease(ctx context.Context, job types.Job, spec kinds.Spec) (bool, string) {
	ok, why, _ := w.fitsLeaseAfter(ctx, job, spec, 0)
	return ok, why
}

// fitsLeaseAfter is fitsLease for a task leased behind planned more compute
// time than the leases in flight (the tasks before it in the same lease
// batch); it also returns the task's own expected time (0 when unknown).
func (w *Worker) fitsLeaseAfter(ctx context.Context, job types.Job, spec kinds.Spec, planned time.Duration) (bool, string, time.Duration) {
	lease, ok := w.leaseTime(ctx)
	if !ok {
		return true, "", 0
	}
	per, known := w.itemTime(spec, job.Kind)
	if !known {
		return true, "", 0 // no bench for this kind: the lease is watched as it runs
	}
	task := time.Duration(float64(job.ItemsPerTask) * float64(per) * estimateSlack)
	need := w.backlog() + planned + task
	var pause time.Duration
	if w.cfg.Pool.policy != nil {
		if paused, _, left := w.cfg.Pool.policy.pauseLeft(); paused {
			pause = left
		}
	}
	if need+pause <= lease {
		return true, "", task
	}
	return false, fmt.Sprintf("job %d: a task of %d items needs about %s at this device's measured speed (%s of work in flight, %s of pause), more than a lease lasts (%s); run `bench` again if the machine got faster",
		job.Id, job.ItemsPerTask, task.Round(time.Second), (need - task).Round(time.Second), pause.Round(time.Second), lease.Round(time.Second)), task
}

// computeOrRelease computes a leased task, and while computing is paused
// releases the lease as soon as the pause makes finishing before the lease
// ends impossible.
//
// A task it cannot compute at all (inputs missing or not matching the job's
// input root, program code refused) is released at once with the reason,
// never claimed.
func (w *Worker) computeOrRelease(ctx context.Context, t *TaskState) error {
	var spec kinds.Spec
	err := w.retry(ctx, "prepare the task", func(ctx context.Context) error {
		var err error
		spec, err = w.spec(ctx, t)
		return err
	})
	var cannot *cannotRunError
	if errors.As(err, &cannot) && ctx.Err() == nil {
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "cannot compute: " + cannot.Error() + "; releasing the lease"})
		w.skipAtLease(Skip{JobID: t.JobID, Reason: cannot.reason, Detail: cannot.Error() + " (a leased task was released; not leased again until the worker restarts)"})
		return w.retry(ctx, "release", func(ctx context.Context) error { return w.release(ctx, t, "cannot compute: "+cannot.Error()) })
	}
	if err != nil {
		return err
	}
	p := &pace{items: t.ItemCount}
	p.itemTime, p.known = w.itemTime(spec, t.Kind)
	w.rel.mu.Lock()
	if w.rel.live == nil {
		w.rel.live = map[string]*pace{}
	}
	w.rel.live[t.key()] = p
	w.rel.mu.Unlock()
	defer func() {
		w.rel.mu.Lock()
		delete(w.rel.live, t.key())
		w.rel.mu.Unlock()
	}()

	computeCtx, stop := context.WithCancel(ctx)
	defer stop()
	var why atomic.Pointer[string]
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-computeCtx.Done():
				return
			case <-time.After(w.cfg.Poll):
			}
			if reason, ok := w.mustRelease(computeCtx, t, p); ok {
				why.Store(&reason)
				stop()
				return
			}
		}
	}()
	err = w.compute(computeCtx, t, spec, func() { p.done.Add(1) })
	stop()
	<-watched
	if reason := why.Load(); reason != nil && t.Stage == StageLeased && ctx.Err() == nil {
		return w.retry(ctx, "release", func(ctx context.Context) error { return w.release(ctx, t, *reason) })
	}
	return err
}

// mustRelease reports whether a paused task can no longer be finished in its
// lease: the pause lasts at least pauseLeft, then the rest of the items take
// their expected time, and the claim needs claimBlocks.
func (w *Worker) mustRelease(ctx context.Context, t *TaskState, p *pace) (string, bool) {
	if w.cfg.Clock == nil || w.cfg.Pool.policy == nil {
		return "", false
	}
	paused, why, left := w.cfg.Pool.policy.pauseLeft()
	if !paused {
		return "", false
	}
	height, block, err := w.cfg.Clock.Now(ctx)
	if err != nil || height+claimBlocks > t.LeaseExpiry+1 {
		// Unknown, or too late to matter: at the lease's end a release costs
		// what the lapse does.
		return "", false
	}
	leaseLeft := time.Duration(t.LeaseExpiry+1-claimBlocks-height) * block
	need := left + p.left()
	if need <= leaseLeft {
		return "", false
	}
	return fmt.Sprintf("%s; the lease ends at height %d, in about %s, and resuming and finishing takes at least %s",
		why, t.LeaseExpiry, leaseLeft.Round(time.Second), need.Round(time.Second)), true
}

// release hands the lease back and records the task as released.
func (w *Worker) release(ctx context.Context, t *TaskState, why string) error {
	out, err := w.cfg.Client.Submit(ctx, &types.MsgReleaseTask{Operator: w.operator, JobId: t.JobID, TaskIndex: t.TaskIndex})
	switch {
	case err == nil:
	case errors.Is(err, types.ErrTaskNotFound), errors.Is(err, types.ErrNotTaskHolder),
		errors.Is(err, types.ErrLeaseExpired), errors.Is(err, types.ErrAlreadyClaimed):
		w.finish(t, StageAbandoned, "lease gone before it could be released: "+err.Error())
		return nil
	default:
		return err
	}
	res := out.Responses[0].(*types.MsgReleaseTaskResponse)
	t.Stage, t.Charged = StageReleased, coin.BaseString(res.Charged)
	t.Note = fmt.Sprintf("%s; released, %s charged (a lapse costs more), may lease it again from height %d", why, coin.FormatWithBase(res.Charged), res.BarredUntil)
	if err := w.cfg.Store.Save(t); err != nil {
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "save worker state: " + err.Error()})
	}
	w.mu.Lock()
	w.stats.TasksReleased++
	w.mu.Unlock()
	w.report(Event{Kind: "released", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount, Amount: t.Charged, Message: t.Note})
	return nil
}

// pauseLeft reports whether computing is paused now, why, and the least time
// the pause still lasts: until the schedule's window opens, and for a power
// or heat pause the resume-after hysteresis still to hold once the
// conditions are met again (an unplugged phone stays paused at least that
// long after it is plugged back in). A pause of unknown end (a busy machine)
// lasts at least 0.
func (p *Policy) pauseLeft() (paused bool, why string, left time.Duration) {
	open, why := p.Open()
	if open {
		return false, "", 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.Now()
	if p.Schedule != nil && !p.Schedule.Contains(now) {
		left = p.Schedule.untilOpen(now)
	}
	if g := p.Power; g != nil && g.closed {
		hold := g.Rules.ResumeAfter
		if !g.okSince.IsZero() {
			hold -= now.Sub(g.okSince)
		}
		left = max(left, hold)
	}
	return true, why, left
}

// untilOpen is the time from t to the window's next start.
func (s *Schedule) untilOpen(t time.Time) time.Duration {
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	if s.From >= d {
		return s.From - d
	}
	return 24*time.Hour - d + s.From
}
