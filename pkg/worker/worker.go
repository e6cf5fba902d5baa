// Package worker is the contributor's daemon: it registers the device, leases
// tasks, computes them with the kinds package on all cores, commits to the
// outputs, answers the challenge and collects payment and emission. Every step
// is persisted before it is acted on (see Stage), so a worker can be killed at
// any moment and restarted without losing or repeating work.
package worker

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"cosmossdk.io/math"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/pkg/txclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Config configures a worker.
type Config struct {
	Client      *txclient.Client
	Query       types.QueryClient
	Store       *Store
	Pool        *Pool
	Kinds       *kinds.Registry
	Moniker     string
	Bond        math.Int // bond to register with; zero means params.min_device_bond
	MaxInFlight int      // tasks leased at once
	Poll        time.Duration
	Report      func(Event)
	HTTP        *http.Client
}

// Event is something the worker did, for the progress display or JSON log.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"event"`
	JobID     uint64    `json:"job_id,omitempty"`
	TaskIndex uint64    `json:"task_index,omitempty"`
	Items     uint64    `json:"items,omitempty"`
	Amount    string    `json:"amount,omitempty"`
	Message   string    `json:"message,omitempty"`
}

// Stats are the worker's running totals.
type Stats struct {
	TasksVerified int
	Earned        math.Int // payments plus emission withdrawn, in ushift
	InFlight      int
}

// Worker runs the lease → compute → claim → prove loop.
type Worker struct {
	cfg      Config
	operator string

	mu      sync.Mutex
	stats   Stats
	skipped map[uint64]bool // jobs reported as unworkable
}

// New returns a worker.
func New(cfg Config) *Worker {
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 3
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Report == nil {
		cfg.Report = func(Event) {}
	}
	return &Worker{cfg: cfg, operator: cfg.Client.Address().String(), stats: Stats{Earned: math.ZeroInt()}, skipped: map[uint64]bool{}}
}

// Stats returns a copy of the running totals.
func (w *Worker) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

func (w *Worker) report(e Event) {
	e.Time = time.Now()
	w.cfg.Report(e)
}

// Run works until ctx ends. It returns an error only for conditions a restart
// cannot fix (jailed device, bond too low, bad key).
func (w *Worker) Run(ctx context.Context) error {
	if err := w.retry(ctx, "register device", w.ensureDevice); err != nil {
		return err
	}
	done := make(chan *TaskState)
	inFlight := 0
	start := func(t *TaskState) {
		inFlight++
		w.setInFlight(inFlight)
		go func() {
			w.drive(ctx, t)
			select {
			case done <- t:
			case <-ctx.Done():
			}
		}()
	}
	saved, err := w.cfg.Store.Tasks()
	if err != nil {
		return fmt.Errorf("worker state in %s: %w", w.cfg.Store.Dir(), err)
	}
	for _, t := range saved {
		switch {
		case !t.Stage.Finished():
			w.report(Event{Kind: "resumed", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: string(t.Stage)})
			start(t)
		case t.Stage != StageAbandoned && t.ResultURL != "" && !t.Uploaded:
			if _, err := w.cfg.Store.LoadOutputs(t); err == nil {
				w.afterFinish(ctx, t)
			}
		}
	}
	idle := false
	lastWithdraw := time.Now()
	for {
		// A lease can land after the worker that sent it was killed or gave up
		// waiting, with no record here: take such tasks up rather than let them
		// block the job until the lease expires.
		found, err := w.unrecordedTasks(ctx)
		if IsFatal(err) {
			return err
		}
		for _, t := range found {
			start(t)
		}
		// Emission settles per epoch whether or not a task finished lately.
		if time.Since(lastWithdraw) > 30*w.cfg.Poll {
			w.withdraw(ctx)
			lastWithdraw = time.Now()
		}
		for inFlight < w.cfg.MaxInFlight {
			var t *TaskState
			err := w.retry(ctx, "lease a task", func(ctx context.Context) error {
				var err error
				t, err = w.lease(ctx)
				return err
			})
			if err != nil {
				if IsFatal(err) || ctx.Err() != nil {
					return err
				}
				w.report(Event{Kind: "error", Message: "lease: " + err.Error()})
				break
			}
			if t == nil {
				if !idle && inFlight == 0 {
					w.report(Event{Kind: "idle", Message: "no open task; waiting for jobs"})
					idle = true
				}
				break
			}
			idle = false
			start(t)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			inFlight--
			w.setInFlight(inFlight)
		case <-time.After(2 * w.cfg.Poll):
		}
	}
}

func (w *Worker) setInFlight(n int) {
	w.mu.Lock()
	w.stats.InFlight = n
	w.mu.Unlock()
}

// ensureDevice registers the device unless it already is.
func (w *Worker) ensureDevice(ctx context.Context) error {
	res, err := w.cfg.Query.Device(ctx, &types.QueryDeviceRequest{Operator: w.operator})
	if err == nil {
		switch res.Device.Status {
		case types.DEVICE_STATUS_ACTIVE:
			return nil
		case types.DEVICE_STATUS_JAILED:
			return fatal(fmt.Errorf("device %s is jailed after %d invalid proofs; it can only unbond", w.operator, res.Device.Failures))
		case types.DEVICE_STATUS_UNBONDING:
			return fatal(fmt.Errorf("device %s is unbonding (until height %d); register again once it has unbonded", w.operator, res.Device.UnbondingHeight))
		}
	} else if !isNotFound(err) {
		return unavailable(err)
	}
	params, err := w.cfg.Query.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return unavailable(err)
	}
	bond := w.cfg.Bond
	if bond.IsNil() || bond.IsZero() {
		bond = params.Params.MinDeviceBond
	}
	if bond.LT(params.Params.MinDeviceBond) {
		return fatal(fmt.Errorf("bond %sushift is below the chain's minimum of %sushift", bond, params.Params.MinDeviceBond))
	}
	_, err = w.cfg.Client.Submit(ctx, &types.MsgRegisterDevice{Operator: w.operator, Moniker: w.cfg.Moniker, Bond: bond})
	if err != nil {
		if errors.Is(err, txclient.ErrUnavailable) || errors.Is(err, sdkerrors.ErrWrongSequence) {
			return err
		}
		if errors.Is(err, types.ErrDeviceExists) {
			// A registration sent before a restart is pending or has just landed: read the device again.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(w.cfg.Poll):
			}
			return errRetryNow
		}
		return fatal(fmt.Errorf("register device: %w", err))
	}
	w.report(Event{Kind: "registered", Amount: coin.BaseString(bond), Message: "device registered as " + w.cfg.Moniker})
	return nil
}

// lease leases the next open task of the first workable open job, or returns
// nil when there is none.
func (w *Worker) lease(ctx context.Context) (*TaskState, error) {
	var key []byte
	for {
		res, err := w.cfg.Query.Jobs(ctx, &types.QueryJobsRequest{Status: types.JOB_STATUS_OPEN, Pagination: &query.PageRequest{Key: key, Limit: 50}})
		if err != nil {
			return nil, unavailable(err)
		}
		for _, job := range res.Jobs {
			if job.NextTask >= job.NumTasks && job.LiveTasks+job.TasksVerified >= job.NumTasks {
				continue // everything leased
			}
			if _, err := w.cfg.Kinds.Parse(job.Kind, []byte(job.Spec), job.Items); err != nil {
				w.skip(job.Id, fmt.Sprintf("job %d: this worker cannot run it: %v", job.Id, err))
				continue
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
					Message: fmt.Sprintf("%s items %d-%d, claim by height %d", job.Kind, t.FirstItem, t.FirstItem+t.ItemCount-1, t.LeaseExpiry)})
				return t, nil
			case errors.Is(err, types.ErrNoOpenTask), errors.Is(err, types.ErrJobNotOpen):
				continue
			case errors.Is(err, types.ErrTooManyLiveTasks):
				return nil, nil
			case errors.Is(err, types.ErrBondTooSmallForTask):
				w.skip(job.Id, fmt.Sprintf("job %d pays more per task than this device's bond can secure: add bond with `tx compute update-device --add-bond`", job.Id))
				continue
			case errors.Is(err, types.ErrDeviceJailed), errors.Is(err, types.ErrBondTooLow), errors.Is(err, types.ErrDeviceNotActive), errors.Is(err, types.ErrDeviceNotFound):
				return nil, fatal(err)
			default:
				return nil, err
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return nil, nil
		}
		key = res.Pagination.NextKey
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

func (w *Worker) skip(job uint64, why string) {
	w.mu.Lock()
	seen := w.skipped[job]
	w.skipped[job] = true
	w.mu.Unlock()
	if !seen {
		w.report(Event{Kind: "skipped", JobID: job, Message: why})
	}
}

// drive takes one task from its saved stage to the end.
func (w *Worker) drive(ctx context.Context, t *TaskState) {
	for !t.Stage.Finished() && ctx.Err() == nil {
		var err error
		switch t.Stage {
		case StageLeased:
			err = w.compute(ctx, t)
		case StageComputed, StageClaiming:
			err = w.retry(ctx, "claim", func(ctx context.Context) error { return w.claim(ctx, t) })
		case StageClaimed:
			err = w.retry(ctx, "prove", func(ctx context.Context) error { return w.prove(ctx, t) })
		default:
			err = fmt.Errorf("unknown stage %q", t.Stage)
		}
		if err != nil && ctx.Err() == nil {
			w.finish(t, StageAbandoned, err.Error())
		}
	}
	if t.Stage.Finished() {
		w.afterFinish(ctx, t)
	}
}

// afterFinish delivers outputs the requester has not received yet, in the
// background (a result endpoint may start late or be down for a while), then
// drops them.
func (w *Worker) afterFinish(ctx context.Context, t *TaskState) {
	if t.Stage == StageAbandoned || t.ResultURL == "" || t.Uploaded {
		_ = w.cfg.Store.DropOutputs(t)
		return
	}
	go func() {
		w.upload(ctx, t, lateUploadAttempts)
		if t.Uploaded {
			_ = w.cfg.Store.DropOutputs(t)
		}
	}()
}

// lateUploadAttempts of a finished task's outputs span about ten minutes (the
// pause between attempts grows to 15 s); a restart tries again.
const lateUploadAttempts = 45

func (w *Worker) finish(t *TaskState, stage Stage, note string) {
	t.Stage, t.Note = stage, note
	if err := w.cfg.Store.Save(t); err != nil {
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "save worker state: " + err.Error()})
	}
	kind := map[Stage]string{StageDone: "verified", StageFailed: "rejected", StageAbandoned: "abandoned"}[stage]
	w.report(Event{Kind: kind, JobID: t.JobID, TaskIndex: t.TaskIndex, Amount: t.Paid, Message: note})
}

func (w *Worker) spec(t *TaskState) (kinds.Spec, error) {
	return w.cfg.Kinds.Parse(t.Kind, []byte(t.Spec), t.Items)
}

// compute runs the task's items and persists outputs and root before any claim.
func (w *Worker) compute(ctx context.Context, t *TaskState) error {
	spec, err := w.spec(t)
	if err != nil {
		return err
	}
	w.report(Event{Kind: "computing", JobID: t.JobID, TaskIndex: t.TaskIndex, Items: t.ItemCount})
	outputs, tree, err := w.cfg.Pool.Compute(ctx, spec, t.JobID, t.FirstItem, t.ItemCount, nil)
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
	out, err := w.cfg.Client.Submit(ctx, &types.MsgSubmitClaim{Operator: w.operator, JobId: t.JobID, TaskIndex: t.TaskIndex, Root: root})
	switch {
	case err == nil:
		res := out.Responses[0].(*types.MsgSubmitClaimResponse)
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
	out, err := w.cfg.Client.Submit(ctx, &types.MsgSubmitProof{Operator: w.operator, JobId: t.JobID, TaskIndex: t.TaskIndex, Items: items, Nodes: nodes})
	if err != nil {
		if errors.Is(err, types.ErrChallengeNotReady) {
			return errRetryNow
		}
		return err
	}
	res := out.Responses[0].(*types.MsgSubmitProofResponse)
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
	spec, serr := w.spec(t)
	if serr != nil {
		return nil, serr
	}
	outputs, tree, cerr := w.cfg.Pool.Compute(ctx, spec, t.JobID, t.FirstItem, t.ItemCount, nil)
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

// upload sends the outputs to the job's result endpoint, a few attempts at most;
// a rejection is reported and not retried.
func (w *Worker) upload(ctx context.Context, t *TaskState, attempts int) {
	outputs, err := w.cfg.Store.LoadOutputs(t)
	if err != nil {
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "upload: " + err.Error()})
		return
	}
	for i := range attempts {
		err = collector.Send(ctx, w.cfg.HTTP, t.ResultURL, t.JobID, t.TaskIndex, collector.Upload{Device: w.operator, Outputs: outputs})
		if err == nil || errors.Is(err, collector.ErrRejected) {
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
	case errors.Is(err, collector.ErrRejected):
		t.Uploaded = true // the requester refused it; do not retry
		_ = w.cfg.Store.Save(t)
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "result endpoint rejected the outputs: " + err.Error()})
	default:
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "upload failed, will retry: " + err.Error()})
	}
}

// withdraw collects emission from settled epochs when there is any.
func (w *Worker) withdraw(ctx context.Context) {
	res, err := w.cfg.Query.Rewards(ctx, &types.QueryRewardsRequest{Operator: w.operator})
	if err != nil || res.SettledEpochs == 0 {
		return
	}
	out, err := w.cfg.Client.Submit(ctx, &types.MsgWithdrawRewards{Operator: w.operator})
	if err != nil {
		if !errors.Is(err, types.ErrNoRewards) {
			w.report(Event{Kind: "error", Message: "withdraw rewards: " + err.Error()})
		}
		return
	}
	amount := out.Responses[0].(*types.MsgWithdrawRewardsResponse).Amount
	w.mu.Lock()
	w.stats.Earned = w.stats.Earned.Add(amount)
	w.mu.Unlock()
	w.report(Event{Kind: "withdrawn", Amount: coin.BaseString(amount), Message: "emission withdrawn"})
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
