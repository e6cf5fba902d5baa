package worker

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

// fakeSysfs is a sysfs tree in a temporary directory.
type fakeSysfs struct {
	t    *testing.T
	root string
}

func newFakeSysfs(t *testing.T) *fakeSysfs { return &fakeSysfs{t: t, root: t.TempDir()} }

func (f *fakeSysfs) set(rel, value string) {
	f.t.Helper()
	path := filepath.Join(f.root, "sys/class", rel)
	require.NoError(f.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(f.t, os.WriteFile(path, []byte(value+"\n"), 0o644))
}

// phone is a battery with a USB charger and one thermal zone.
func (f *fakeSysfs) phone(plugged bool, capacity string, milliC string) {
	status, online := "Discharging", "0"
	if plugged {
		status, online = "Charging", "1"
	}
	f.set("power_supply/battery/type", "Battery")
	f.set("power_supply/battery/status", status)
	f.set("power_supply/battery/capacity", capacity)
	f.set("power_supply/usb/type", "USB")
	f.set("power_supply/usb/online", online)
	f.set("thermal/thermal_zone0/temp", milliC)
}

func TestSysfsPowerState(t *testing.T) {
	f := newFakeSysfs(t)
	st, err := Sysfs{Root: f.root}.PowerState()
	require.NoError(t, err)
	require.Equal(t, PowerState{OnPower: true, Battery: -1}, st, "no battery: on mains, temperature unknown")
	require.Equal(t, WhenAlways, DefaultWhen(st))

	f.phone(true, "64", "41500")
	f.set("thermal/thermal_zone1/temp", "38000")
	st, err = Sysfs{Root: f.root}.PowerState()
	require.NoError(t, err)
	require.Equal(t, PowerState{HasBattery: true, OnPower: true, Battery: 64, HasTemp: true, Temp: 41.5}, st)
	require.Equal(t, WhenCharging, DefaultWhen(st))

	f.phone(false, "64", "41500")
	st, err = Sysfs{Root: f.root}.PowerState()
	require.NoError(t, err)
	require.False(t, st.OnPower)

	// Held at a charge limit while plugged in counts as on power.
	f.set("power_supply/battery/status", "Not charging")
	f.set("power_supply/usb/online", "1")
	st, err = Sysfs{Root: f.root}.PowerState()
	require.NoError(t, err)
	require.True(t, st.OnPower)

	f.set("power_supply/battery/capacity", "lots")
	_, err = Sysfs{Root: f.root}.PowerState()
	require.ErrorContains(t, err, "power_supply/battery/capacity")
	f.set("power_supply/battery/capacity", "50")
	f.set("thermal/thermal_zone0/temp", "warm")
	_, err = Sysfs{Root: f.root}.PowerState()
	require.ErrorContains(t, err, "thermal_zone0/temp")
}

// TestPowerGate drives the gate over a fake phone with an injected clock:
// plug, unplug, battery below the minimum, heat above the maximum, and
// flapping around a threshold, which resumes only after resume-after.
func TestPowerGate(t *testing.T) {
	f := newFakeSysfs(t)
	f.phone(true, "80", "30000")
	now := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	g := &PowerGate{Rules: PowerRules{When: WhenCharging, MinBattery: 50, MaxTemp: 40, ResumeAfter: 5 * time.Minute}, Source: Sysfs{Root: f.root}}
	check := func(wantOpen bool, wantWhy string) {
		t.Helper()
		open, why := g.Check(now)
		require.Equal(t, wantOpen, open, why)
		require.Contains(t, why, wantWhy)
	}
	check(true, "") // plugged, charged, cool: computes at once
	f.phone(false, "80", "30000")
	check(false, "on battery")
	now = now.Add(time.Minute)
	f.phone(true, "80", "30000")
	check(false, "resuming after 5m0s more")
	now = now.Add(4 * time.Minute)
	check(false, "resuming after 1m0s more")
	now = now.Add(time.Minute)
	check(true, "")

	f.phone(true, "49", "30000")
	check(false, "battery at 49%, below 50%")
	f.phone(true, "50", "30000")
	now = now.Add(5 * time.Minute)
	check(false, "resuming after") // the clock of the hold starts when the condition is met
	now = now.Add(5 * time.Minute)
	check(true, "")

	// Flapping around the heat limit: every crossing restarts the hold.
	for i := 0; i < 4; i++ {
		f.phone(true, "80", "40100")
		check(false, "too hot (40.1°C, above 40°C)")
		now = now.Add(3 * time.Minute)
		f.phone(true, "80", "39900")
		check(false, "resuming after 5m0s more")
		now = now.Add(3 * time.Minute)
	}
	check(false, "resuming after 2m0s more")
	now = now.Add(2 * time.Minute)
	check(true, "")

	// An unreadable value closes the gate with the file named.
	f.set("thermal/thermal_zone0/temp", "?")
	check(false, "thermal_zone0/temp")
}

func TestPowerRulesValidation(t *testing.T) {
	ok := PowerRules{When: WhenCharging, MinBattery: 40, MaxTemp: 45, ResumeAfter: time.Minute}
	require.NoError(t, ok.Validate())
	for _, c := range []struct {
		rules PowerRules
		want  string
	}{
		{PowerRules{When: "sometimes"}, `--when "sometimes": want always or charging`},
		{PowerRules{When: WhenAlways, MinBattery: 150}, "--min-battery 150: want a percentage from 0 to 100"},
		{PowerRules{When: WhenAlways, MaxTemp: -3}, "--max-temp -3: want degrees Celsius from 1 to 150 (0 turns the limit off)"},
		{PowerRules{When: WhenAlways, ResumeAfter: -time.Second}, "--resume-after -1s: must not be negative"},
	} {
		require.EqualError(t, c.rules.Validate(), c.want)
	}
	noBattery := PowerState{OnPower: true, Battery: -1}
	_, err := PowerRules{When: WhenCharging}.CheckMachine(noBattery)
	require.ErrorContains(t, err, "--when charging: this machine reports no battery")
	notices, err := PowerRules{When: WhenAlways, MaxTemp: 45}.CheckMachine(noBattery)
	require.NoError(t, err)
	require.Len(t, notices, 1)
	require.Contains(t, notices[0], "no temperature sensor")
}

// TestComputeNowIgnoresPause: recomputing a claim's outputs for its proof
// goes ahead while the policy pauses computing and every pool goroutine waits.
func TestComputeNowIgnoresPause(t *testing.T) {
	f := newFakeSysfs(t)
	f.phone(false, "80", "30000")
	policy := &Policy{Power: &PowerGate{Rules: PowerRules{When: WhenCharging}, Source: Sysfs{Root: f.root}}, Now: time.Now, Interval: time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool := NewPool(ctx, 1, policy)
	spec, err := kinds.DefaultRegistry().Parse("hashcash", []byte(`{"difficulty_bits":4}`), 40)
	require.NoError(t, err)
	paused := make(chan struct{})
	pool.OnPause = func(string) { close(paused) }
	go func() { _, _, _ = pool.Compute(ctx, spec, 1, 0, 16, nil) }()
	<-paused
	outputs, _, err := pool.ComputeNow(ctx, spec, 1, 16, 24)
	require.NoError(t, err)
	require.Len(t, outputs, 24)
	require.Zero(t, pool.ItemsDone()-24, "the paused task computed nothing")
}

// TestPoolPausesOnBattery: the power gate pauses the pool between chunks as
// the idle gate does, and once the charger is back and resume-after has passed
// (on the injected clock) the task completes with the kind's own outputs.
func TestPoolPausesOnBattery(t *testing.T) {
	f := newFakeSysfs(t)
	f.phone(false, "80", "30000")
	clock := newStepClock(time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC))
	policy := &Policy{Power: &PowerGate{Rules: PowerRules{When: WhenCharging, ResumeAfter: time.Minute}, Source: Sysfs{Root: f.root}}, Now: clock.Now, Interval: time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool := NewPool(ctx, 2, policy)
	paused, resumed := make(chan string, 1), make(chan struct{}, 1)
	pool.OnPause = func(why string) { paused <- why }
	pool.OnResume = func() { resumed <- struct{}{} }
	spec, err := kinds.DefaultRegistry().Parse("hashcash", []byte(`{"difficulty_bits":4}`), 40)
	require.NoError(t, err)
	type result struct {
		outputs [][]byte
		err     error
	}
	done := make(chan result, 1)
	go func() {
		outputs, _, err := pool.Compute(ctx, spec, 3, 0, 20, nil)
		done <- result{outputs, err}
	}()
	// Bounded waits on events, generous for a loaded CI machine: nothing here
	// depends on how fast the goroutines run, only on what they have seen.
	const patience = 30 * time.Second
	select {
	case why := <-paused:
		require.Equal(t, "on battery (computing only while charging)", why)
	case <-time.After(patience):
		t.Fatal("no pause on battery")
	}
	require.Zero(t, pool.ItemsDone())
	// advance moves the clock and returns once the policy has read the new
	// time, so the gate has judged the power state at that instant (Open reads
	// the clock and checks the gate under one lock) before the next step.
	advance := func(d time.Duration) {
		t.Helper()
		select {
		case <-clock.Advance(d):
		case <-time.After(patience):
			t.Fatalf("the gate never looked at the clock after advancing %s", d)
		}
	}
	f.phone(true, "80", "30000")
	advance(time.Second) // the gate sees the charger; the hold starts
	advance(time.Minute - time.Millisecond)
	require.Zero(t, pool.ItemsDone(), "resume-after has not passed")
	select {
	case <-resumed:
		t.Fatal("resumed before resume-after passed")
	default:
	}
	advance(time.Millisecond)
	select {
	case <-resumed:
	case <-time.After(patience):
		t.Fatal("no resume")
	}
	r := <-done
	require.NoError(t, r.err)
	for i, o := range r.outputs {
		want, _, err := spec.ComputeOutput(kinds.Item{JobID: 3, Index: uint64(i)})
		require.NoError(t, err)
		require.Equal(t, want, o)
	}
}

// stepClock is a test clock that moves only when told, and tells when the
// code under test has read the time it moved to.
type stepClock struct {
	mu   sync.Mutex
	now  time.Time
	seen chan struct{} // closed by the first Now after Advance
}

func newStepClock(t time.Time) *stepClock { return &stepClock{now: t} }

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen != nil {
		close(c.seen)
		c.seen = nil
	}
	return c.now
}

// Advance moves the clock by d; the returned channel closes once Now has
// returned the new time.
func (c *stepClock) Advance(d time.Duration) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.seen = make(chan struct{})
	return c.seen
}
