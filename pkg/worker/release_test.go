package worker

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeClock is a chain at a settable height with a fixed block interval.
type fakeClock struct {
	height uint64
	block  time.Duration
}

func (c *fakeClock) Now(context.Context) (uint64, time.Duration, error) {
	return c.height, c.block, nil
}

// releaseRig is a worker (no client: nothing is sent) on a phone in a fake
// sysfs tree, with a policy on an injected clock, a chain clock at 1 s blocks
// and lease_blocks 100, and a speed of 1,000 hashes/s on its one thread.
type releaseRig struct {
	w     *Worker
	fs    *fakeSysfs
	now   time.Time
	chain *fakeClock
	event []Event
}

func newReleaseRig(t *testing.T, resumeAfter time.Duration) *releaseRig {
	r := &releaseRig{fs: newFakeSysfs(t), now: time.Date(2026, 12, 2, 7, 30, 0, 0, time.UTC), chain: &fakeClock{height: 1000, block: time.Second}}
	r.fs.phone(true, "80", "30000")
	policy := &Policy{
		Power: &PowerGate{Rules: PowerRules{When: WhenCharging, ResumeAfter: resumeAfter}, Source: Sysfs{Root: r.fs.root, SkipTemp: true}},
		Now:   func() time.Time { return r.now },
	}
	speed := Speed{Threads: 1, Kinds: map[string]KindPace{"hashcash": {PerCore: 1000, AllCores: 1000}}}
	r.w = &Worker{cfg: Config{
		Pool: &Pool{threads: 1, policy: policy}, Speed: &speed, Clock: r.chain, Poll: time.Millisecond,
		Report: func(e Event) { r.event = append(r.event, e) },
	}}
	r.w.rel.leaseBlocks = 100
	return r
}

// hashcash is a parsed spec whose items take 2^bits hashes: at 1,000 hashes/s,
// bits 10 is 1.024 s an item.
func hashcash(t *testing.T, bits int) kinds.Spec {
	spec, err := kinds.DefaultRegistry().Parse("hashcash", []byte(`{"difficulty_bits":`+strconv.Itoa(bits)+`}`), 1000)
	require.NoError(t, err)
	return spec
}

func TestSpeedItemTime(t *testing.T) {
	s := SpeedOf([]BenchResult{
		{Kind: "hashcash", PerCore: 2, AllCores: 3.5},   // Mhash/s
		{Kind: "mandelbrot", PerCore: 10, AllCores: 15}, // 512×500 rows/s
	}, 2, time.Now())
	require.InDelta(t, 2e6, s.Kinds["hashcash"].PerCore, 1)
	per, ok := s.ItemTime(hashcash(t, 20), "hashcash", 2)
	require.True(t, ok)
	require.InDelta(t, float64(1<<20)/3.5e6, per.Seconds(), 1e-6, "all cores")
	per, _ = s.ItemTime(hashcash(t, 20), "hashcash", 1)
	require.InDelta(t, float64(1<<20)/2e6, per.Seconds(), 1e-6, "one thread runs at the one-core speed")
	mandel, err := kinds.DefaultRegistry().Parse("mandelbrot", []byte(`{"width":256,"height":64,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":1000}`), 64)
	require.NoError(t, err)
	per, ok = s.ItemTime(mandel, "mandelbrot", 2)
	require.True(t, ok)
	require.InDelta(t, 256*1000/(15*512*500.0), per.Seconds(), 1e-6, "a 256-px row of max_iter 1000 is 2/5 of a bench row")
	_, ok = Speed{}.ItemTime(mandel, "mandelbrot", 2)
	require.False(t, ok, "no bench, no estimate")

	path := filepath.Join(t.TempDir(), "worker", "speed.json")
	_, found, err := LoadSpeed(path)
	require.NoError(t, err)
	require.False(t, found)
	require.NoError(t, SaveSpeed(path, s))
	got, found, err := LoadSpeed(path)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, s.Kinds, got.Kinds)
}

// TestPauseLeft: a power pause lasts at least resume-after, counted from when
// the conditions are met again; a schedule pause lasts until the window opens.
func TestPauseLeft(t *testing.T) {
	r := newReleaseRig(t, 5*time.Minute)
	p := r.w.cfg.Pool.policy
	paused, _, _ := p.pauseLeft()
	require.False(t, paused)
	r.fs.phone(false, "80", "30000") // unplugged at breakfast
	paused, why, left := p.pauseLeft()
	require.True(t, paused)
	require.Contains(t, why, "on battery")
	require.Equal(t, 5*time.Minute, left)
	r.now = r.now.Add(time.Minute)
	r.fs.phone(true, "80", "30000")
	_, _, left = p.pauseLeft()
	require.Equal(t, 5*time.Minute, left, "plugged back in: the hold starts now")
	r.now = r.now.Add(2 * time.Minute)
	_, _, left = p.pauseLeft()
	require.Equal(t, 3*time.Minute, left)

	night, err := ParseSchedule("23:00-07:00")
	require.NoError(t, err)
	sched := &Policy{Schedule: night, Now: func() time.Time { return time.Date(2026, 12, 2, 7, 30, 0, 0, time.Local) }}
	paused, why, left = sched.pauseLeft()
	require.True(t, paused)
	require.Equal(t, "outside the schedule", why)
	require.Equal(t, 15*time.Hour+30*time.Minute, left)
}

// TestMustRelease: a paused lease is released once resuming (resume-after)
// and computing what is left cannot end before the lease, less the claim's
// blocks; not while computing, not for a short pause, not at the lease's end.
func TestMustRelease(t *testing.T) {
	task := &TaskState{JobID: 1, TaskIndex: 0, ItemCount: 20, LeaseExpiry: 1100, Stage: StageLeased}
	pace := func(r *releaseRig, done uint64) *pace {
		per, ok := r.w.itemTime(hashcash(t, 10), "hashcash")
		require.True(t, ok)
		p := &pace{items: task.ItemCount, itemTime: per, known: true}
		p.done.Store(done)
		return p
	}
	ctx := context.Background()

	r := newReleaseRig(t, 5*time.Minute)
	_, ok := r.w.mustRelease(ctx, task, pace(r, 5))
	require.False(t, ok, "computing: nothing to release")
	r.fs.phone(false, "80", "30000")
	why, ok := r.w.mustRelease(ctx, task, pace(r, 5))
	require.True(t, ok, "unplugged with 100 s of lease left and a 5 min resume-after")
	require.Contains(t, why, "on battery")
	require.Contains(t, why, "the lease ends at height 1100, in about 1m38s")

	// A short hysteresis and plenty of lease: the pause is waited out.
	short := newReleaseRig(t, 10*time.Second)
	short.fs.phone(false, "80", "30000")
	_, ok = short.w.mustRelease(ctx, task, pace(short, 5))
	require.False(t, ok, "10 s pause + 15 items × 1.5 s < 98 s")
	// The same pause with most items still to do and less lease left.
	short.chain.height = 1060
	_, ok = short.w.mustRelease(ctx, task, pace(short, 0))
	require.True(t, ok, "10 s + 20 items × 1.5 s > 38 s")

	// At the lease's last blocks a release costs what the lapse does: not sent.
	r.chain.height = 1099
	_, ok = r.w.mustRelease(ctx, task, pace(r, 5))
	require.False(t, ok)

	// Without a chain clock the worker cannot tell: it keeps the lease.
	r.w.cfg.Clock = nil
	r.chain.height = 1000
	_, ok = r.w.mustRelease(ctx, task, pace(r, 5))
	require.False(t, ok)
}

// TestFitsLease: a task is leased only if it is expected to finish within
// the lease at the measured speed, after the work in flight and the pause.
func TestFitsLease(t *testing.T) {
	ctx := context.Background()
	r := newReleaseRig(t, 5*time.Minute)
	job := func(perTask uint64) types.Job {
		return types.Job{Id: 3, Kind: "hashcash", ItemsPerTask: perTask}
	}
	spec := hashcash(t, 10) // 1.024 s an item, 1.536 s with the slack
	ok, why := r.w.fitsLease(ctx, job(60), spec)
	require.True(t, ok, why) // 92 s of a 97 s lease
	ok, why = r.w.fitsLease(ctx, job(70), spec)
	require.False(t, ok)
	require.Contains(t, why, "job 3: a task of 70 items needs about 1m48s at this device's measured speed")

	// Work in flight comes first.
	inFlight := &pace{items: 30, itemTime: 1024 * time.Millisecond, known: true}
	r.w.rel.live = map[string]*pace{"1-0": inFlight}
	ok, _ = r.w.fitsLease(ctx, job(60), spec)
	require.False(t, ok, "46 s in flight + 92 s")
	inFlight.done.Store(30)
	ok, _ = r.w.fitsLease(ctx, job(60), spec)
	require.True(t, ok, "the task in flight is computed")

	// A kind the bench does not measure is leased and watched as it runs.
	ok, _ = r.w.fitsLease(ctx, types.Job{Id: 4, Kind: "wasm", ItemsPerTask: 1 << 20}, nil)
	require.True(t, ok)

	// While unplugged with a 5 min resume-after, no lease could be finished:
	// the worker does not lease at all, and says so once.
	require.True(t, r.w.mayLease(ctx))
	r.fs.phone(false, "80", "30000")
	require.False(t, r.w.mayLease(ctx))
	require.False(t, r.w.mayLease(ctx))
	require.Len(t, r.event, 1)
	require.Equal(t, "waiting", r.event[0].Kind)
	require.Contains(t, r.event[0].Message, "not leasing: paused (on battery (computing only while charging)) for at least 5m0s, longer than a lease lasts (1m37s)")
	// With a short hysteresis it leases what fits after the pause.
	short := newReleaseRig(t, 30*time.Second)
	short.fs.phone(false, "80", "30000")
	require.True(t, short.w.mayLease(ctx))
	ok, _ = short.w.fitsLease(ctx, job(40), spec)
	require.True(t, ok, "30 s + 61 s")
	ok, why = short.w.fitsLease(ctx, job(60), spec)
	require.False(t, ok)
	require.Contains(t, why, "30s of pause")
}

// TestComputeOrReleaseComputesWhilePlugged: a lease the worker can finish is
// computed and its outputs stored, the watcher running beside it, and the
// task leaves the set of leases in flight.
func TestComputeOrReleaseComputesWhilePlugged(t *testing.T) {
	r := newReleaseRig(t, 5*time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	policy := r.w.cfg.Pool.policy
	policy.Interval = time.Millisecond
	r.w.cfg.Pool = NewPool(ctx, 1, policy)
	r.w.cfg.Store, r.w.cfg.Kinds = store, kinds.DefaultRegistry()
	task := &TaskState{JobID: 1, TaskIndex: 0, FirstItem: 0, ItemCount: 8, Kind: "hashcash", Spec: `{"difficulty_bits":4}`, Items: 8, LeaseExpiry: 1100, Stage: StageLeased}
	require.NoError(t, r.w.computeOrRelease(ctx, task))
	require.Equal(t, StageComputed, task.Stage)
	outputs, err := store.LoadOutputs(task)
	require.NoError(t, err)
	require.Len(t, outputs, 8)
	require.Empty(t, r.w.rel.live)
	require.Zero(t, r.w.Stats().TasksReleased)
}
