// Package worker is the contributor's daemon: it registers the device, leases
// tasks, computes them with the kinds package on all cores, commits to the
// outputs, answers the challenge and collects payment and emission. Every step
// is persisted before it is acted on (see Stage), so a worker can be killed at
// any moment and restarted without losing or repeating work.
package worker

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"cosmossdk.io/math"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TxClient sends the device's transactions (a *workerclient.Client; tests fake it).
type TxClient interface {
	Address() string
	Submit(ctx context.Context, msgs ...gogoproto.Message) (*workerclient.Result, error)
}

// Config configures a worker.
type Config struct {
	Client      TxClient
	Query       types.QueryClient
	Store       *Store
	Pool        *Pool
	Kinds       *kinds.Registry
	Programs    *Programs // runs kind wasm; nil: wasm jobs are skipped as unsupported
	Moniker     string
	Bond        math.Int // bond to register with; zero means params.min_device_bond
	MaxInFlight int      // tasks leased at once
	// BatchSize bounds the tasks leased, claimed or proven in one
	// transaction (lease.go, batch.go); 1 sends one message per task, as
	// before batching.
	BatchSize int
	// Speculate lets an idle device compute the job's next task before
	// leasing it and lease and claim it in one MsgLeaseAndClaim where the
	// next task is predictable (speculate.go).
	Speculate bool
	Poll      time.Duration
	Report    func(Event)
	HTTP      *http.Client
	Sweep     *Sweep     // nil: earnings stay in the device's account
	Speed     *Speed     // measured by bench; nil: leases are not sized to it, jobs ranked by price per unit
	Clock     ChainClock // nil: leases are neither sized nor released
	// Filters refuse jobs this device should not take (--min-price, limits).
	Filters []JobFilter
	// Watch, when set, says when the market may have changed (a job was
	// posted, a task reopened): while it is live the worker looks for work on
	// its signal, when a task ends and every SafetyPoll, instead of polling.
	Watch MarketWatch
	// SafetyPoll is how often a watching worker looks anyway, in case an event
	// was missed (default 60 s).
	SafetyPoll time.Duration
	// RequesterUnits reads the units a requester's jobs credited in an epoch
	// (the chain keeps them for its per-requester emission cap), so ranking
	// can apply the cap; nil: the cap is applied as if none were credited.
	RequesterUnits func(ctx context.Context, epoch uint64, requester string) (math.Int, error)
}

// MarketWatch signals possible changes in the market (see Subscription).
type MarketWatch interface {
	Changes() <-chan struct{}
	Settled() <-chan struct{} // an epoch settled: emission may be withdrawn
	Live() bool               // false while disconnected: the worker polls meanwhile
}

// Event is something the worker did, for the progress display or JSON log.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"event"`
	JobID     uint64    `json:"job_id,omitempty"`
	TaskIndex uint64    `json:"task_index,omitempty"`
	Items     uint64    `json:"items,omitempty"`
	Amount    string    `json:"amount,omitempty"`
	Reason    string    `json:"reason,omitempty"` // of a skip: a SkipReason code
	Message   string    `json:"message,omitempty"`
}

// Stats are the worker's running totals.
type Stats struct {
	TasksVerified int
	Earned        math.Int // payments plus emission withdrawn, in ushift
	InFlight      int
	// ItemsLeased counts the items of the tasks taken up this session that
	// still had to be computed; Pool.ItemsDone counts those computed so far.
	ItemsLeased uint64
	// Skipped counts the open jobs passed over at the last look at the market.
	Skipped int
	// TasksReleased counts the leases handed back (MsgReleaseTask).
	TasksReleased int
}

// Worker runs the lease → compute → claim → prove loop.
type Worker struct {
	cfg      Config
	operator string

	mu         sync.Mutex
	stats      Stats
	skipped    map[uint64]Skip // jobs passed over at the last look at the market
	leaseSkips map[uint64]Skip // of those, the jobs the chain refused to lease to this device

	marketCache Market
	marketAt    time.Time

	sweepMu sync.Mutex // one sweep at a time: each reads the balance the last left

	rel   releaseState
	batch batches
	// mispredicted: the last predicted task was refused, so the next lease
	// is an ordinary one (speculate.go).
	mispredicted atomic.Bool
	// predicting counts predicted tasks not yet leased and claimed (or given
	// up): while one is, the worker sends no other lease, which the chain
	// could answer with the very task predicted (speculate.go). predicted
	// wakes the lease loop when one is settled.
	predicting atomic.Int32
	predicted  chan struct{}
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
	if cfg.SafetyPoll <= 0 {
		cfg.SafetyPoll = 60 * time.Second
	}
	if cfg.Report == nil {
		cfg.Report = func(Event) {}
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	w := &Worker{cfg: cfg, operator: cfg.Client.Address(), stats: Stats{Earned: math.ZeroInt()}, skipped: map[uint64]Skip{}, leaseSkips: map[uint64]Skip{}}
	w.batch = w.newBatches()
	w.predicted = make(chan struct{}, 1)
	return w
}

// Stats returns a copy of the running totals.
func (w *Worker) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Skipped = len(w.skipped)
	return s
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
		if t.Stage == StageLeased || t.Stage == StagePredicted {
			w.mu.Lock()
			w.stats.ItemsLeased += t.ItemCount
			w.mu.Unlock()
		}
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
			if t.unsettledPrediction() {
				w.predicting.Add(1)
			}
			start(t)
		case t.Stage != StageAbandoned && t.ResultURL != "" && !t.Uploaded:
			if _, err := w.cfg.Store.LoadOutputs(t); err == nil {
				w.afterFinish(ctx, t)
			}
		}
	}
	idle, settled := false, false
	// settledOnly: the last wake was an epoch settling and nothing else, which
	// calls for a withdrawal, not a look at the market (an idle device would
	// otherwise pay four queries per epoch; docs/benchmarks.md).
	settledOnly := false
	lastWithdraw := time.Now()
	for {
		if !settledOnly {
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
		}
		// Emission settles per epoch whether or not a task finished lately:
		// a watching worker withdraws when told an epoch settled (and every
		// withdrawFallback in case it missed that), a polling one every 30 polls.
		if settled || time.Since(lastWithdraw) > w.withdrawEvery() {
			w.withdraw(ctx)
			w.dropSettledOutputs(ctx)
			lastWithdraw, settled = time.Now(), false
		}
		if settledOnly {
			settledOnly = false
			goto await
		}
		w.answerDemands(ctx)
		// Leases go in batches of up to --batch-size: one transaction for
		// the tasks a look at the market finds room for.
		for inFlight < w.cfg.MaxInFlight {
			var tasks []*TaskState
			room := w.cfg.MaxInFlight - inFlight
			err := w.retry(ctx, "lease tasks", func(ctx context.Context) error {
				var err error
				tasks, err = w.lease(ctx, room, inFlight == 0)
				return err
			})
			for _, t := range tasks {
				start(t)
			}
			if err != nil {
				if IsFatal(err) || ctx.Err() != nil {
					return err
				}
				w.report(Event{Kind: "error", Message: "lease: " + err.Error()})
				break
			}
			if len(tasks) == 0 {
				if !idle && inFlight == 0 {
					w.report(Event{Kind: "idle", Message: "no open task; waiting for jobs"})
					idle = true
				}
				break
			}
			idle = false
			if len(tasks) < min(room, w.cfg.BatchSize) {
				// Fewer than asked for: no more work that fits now (the tasks
				// just leased are not yet in the backlog a new look would
				// size against); look again at the next wake.
				break
			}
		}
	await:
		// Without a subscription the market is polled; with one, the worker
		// looks again when it signals a change, when a task ends, and at the
		// slow safety poll in case an event was missed.
		wait := 2 * w.cfg.Poll
		var changes, settledCh <-chan struct{}
		if w.cfg.Watch != nil {
			changes, settledCh = w.cfg.Watch.Changes(), w.cfg.Watch.Settled()
			if w.cfg.Watch.Live() {
				wait = w.cfg.SafetyPoll
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			inFlight--
			w.setInFlight(inFlight)
		case <-w.predicted:
		case <-changes:
		case <-settledCh:
			settled, settledOnly = true, true
		case <-time.After(wait):
		}
	}
}

func (w *Worker) setInFlight(n int) {
	w.mu.Lock()
	w.stats.InFlight = n
	w.mu.Unlock()
}

// drive takes one task from its saved stage to the end.
func (w *Worker) drive(ctx context.Context, t *TaskState) {
	unsettled := t.unsettledPrediction()
	for !t.Stage.Finished() && ctx.Err() == nil {
		if unsettled && !t.unsettledPrediction() {
			w.predictionSettled()
			unsettled = false
		}
		var err error
		switch t.Stage {
		case StageLeased:
			err = w.computeOrRelease(ctx, t)
		case StagePredicted:
			err = w.computePredicted(ctx, t)
		case StageClaiming:
			if t.Predicted {
				err = w.retry(ctx, "lease and claim", func(ctx context.Context) error { return w.leaseAndClaim(ctx, t) })
				break
			}
			err = w.retry(ctx, "claim", func(ctx context.Context) error { return w.claim(ctx, t) })
		case StageComputed:
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
	if unsettled && !t.unsettledPrediction() {
		w.predictionSettled()
	}
	if t.Stage.Finished() {
		w.afterFinish(ctx, t)
	}
}

// afterFinish delivers outputs the requester has not received yet, in the
// background (a result endpoint may start late or be down for a while).
func (w *Worker) afterFinish(ctx context.Context, t *TaskState) {
	// A paid task's outputs stay until its dispute closes: the requester may
	// demand them on chain (deliver.go, dropSettledOutputs).
	if t.Stage != StageDone {
		_ = w.cfg.Store.DropOutputs(t)
		return
	}
	if t.ResultURL == "" || t.Uploaded {
		return
	}
	go w.upload(ctx, t, lateUploadAttempts)
}

// lateUploadAttempts of a finished task's outputs span about ten minutes (the
// pause between attempts grows to 15 s); a restart tries again.
const lateUploadAttempts = 45

func (w *Worker) finish(t *TaskState, stage Stage, note string) {
	t.Stage, t.Note = stage, note
	if err := w.cfg.Store.Save(t); err != nil {
		w.report(Event{Kind: "error", JobID: t.JobID, TaskIndex: t.TaskIndex, Message: "save worker state: " + err.Error()})
	}
	kind := map[Stage]string{StageDone: "verified", StageFailed: "rejected", StageAbandoned: "abandoned", StageMispredicted: "mispredicted"}[stage]
	w.report(Event{Kind: kind, JobID: t.JobID, TaskIndex: t.TaskIndex, Amount: t.Paid, Message: note})
}

// Watch makes the worker look for work when watch signals instead of polling
// (set before Run).
func (w *Worker) Watch(watch MarketWatch) { w.cfg.Watch = watch }

// withdrawFallback is how often a worker hearing of settled epochs checks for
// emission anyway.
const withdrawFallback = 10 * time.Minute

func (w *Worker) withdrawEvery() time.Duration {
	if w.cfg.Watch != nil && w.cfg.Watch.Live() {
		return withdrawFallback
	}
	return 30 * w.cfg.Poll
}
