package worker

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Schedule is a daily window of local time, e.g. 23:00-07:00 (may wrap midnight).
type Schedule struct {
	From, To time.Duration // since midnight
}

// ParseSchedule parses "HH:MM-HH:MM".
func ParseSchedule(s string) (*Schedule, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return nil, fmt.Errorf("schedule %q: want HH:MM-HH:MM", s)
	}
	f, err := parseClock(from)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", s, err)
	}
	t, err := parseClock(to)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", s, err)
	}
	if f == t {
		return nil, fmt.Errorf("schedule %q: empty window", s)
	}
	return &Schedule{From: f, To: t}, nil
}

func parseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a HH:MM time", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// String writes the window back as HH:MM-HH:MM.
func (s *Schedule) String() string {
	clock := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return clock(s.From) + "-" + clock(s.To)
}

// Contains reports whether t's local time of day is inside the window.
func (s *Schedule) Contains(t time.Time) bool {
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	if s.From < s.To {
		return d >= s.From && d < s.To
	}
	return d >= s.From || d < s.To
}

// CPUSampler reports how busy the machine's CPUs were with other processes'
// work since the last call, as a fraction in [0, 1].
type CPUSampler interface {
	OthersBusy() (float64, error)
}

// Policy pauses computation while the machine is not idle, outside the
// schedule, or its power gate is closed (on battery, battery low, too hot).
// Compute goroutines call Wait between chunks of items, so a pause never loses
// work: the items in hand finish and the rest wait. Proofs never wait on it.
type Policy struct {
	IdleOnly  bool
	Threshold float64 // pause when others use more than this share of the CPUs
	Schedule  *Schedule
	Sampler   CPUSampler
	Power     *PowerGate // nil: no power or heat conditions
	Now       func() time.Time
	Interval  time.Duration

	mu     sync.Mutex
	open   bool
	reason string
	last   time.Time
}

// Open reports whether computing is allowed now, and why not.
func (p *Policy) Open() (bool, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.Now()
	if !p.last.IsZero() && now.Sub(p.last) < p.Interval {
		return p.open, p.reason
	}
	p.last = now
	p.open, p.reason = true, ""
	if p.Schedule != nil && !p.Schedule.Contains(now) {
		p.open, p.reason = false, "outside the schedule"
		return p.open, p.reason
	}
	if p.IdleOnly && p.Sampler != nil {
		busy, err := p.Sampler.OthersBusy()
		if err == nil && busy > p.Threshold {
			p.open, p.reason = false, fmt.Sprintf("machine busy (%.0f%% CPU used by other programs)", busy*100)
			return p.open, p.reason
		}
	}
	if p.Power != nil {
		p.open, p.reason = p.Power.Check(now)
	}
	return p.open, p.reason
}

// String describes the policy in a line, as `worker status` shows it.
func (p *Policy) String() string {
	var parts []string
	if p.IdleOnly {
		parts = append(parts, fmt.Sprintf("idle only (others below %.0f%% CPU)", p.Threshold*100))
	}
	if p.Schedule != nil {
		parts = append(parts, fmt.Sprintf("inside %s", p.Schedule))
	}
	if p.Power != nil {
		parts = append(parts, p.Power.Rules.String())
	}
	if len(parts) == 0 {
		return "always compute"
	}
	return strings.Join(parts, "; ")
}

// Wait blocks until the policy is open or ctx ends. onPause is called once when
// a pause starts (with the reason) and onResume when it ends.
func (p *Policy) Wait(ctx context.Context, onPause func(string), onResume func()) error {
	paused := false
	for {
		ok, why := p.Open()
		if ok {
			if paused && onResume != nil {
				onResume()
			}
			return nil
		}
		if !paused && onPause != nil {
			onPause(why)
		}
		paused = true
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.Interval):
		}
	}
}

// procSampler reads /proc/stat and /proc/self/stat (Linux); elsewhere idle-only
// falls back to the schedule.
type procSampler struct {
	lastTotal, lastBusy, lastSelf uint64
}

// NewProcSampler returns a sampler of Linux CPU counters, or nil if /proc is missing.
func NewProcSampler() CPUSampler {
	s := &procSampler{}
	if _, err := s.OthersBusy(); err != nil {
		return nil
	}
	return s
}

func (s *procSampler) OthersBusy() (float64, error) {
	total, busy, err := readProcStat()
	if err != nil {
		return 0, err
	}
	self, err := readSelfTicks()
	if err != nil {
		return 0, err
	}
	dTotal, dBusy, dSelf := total-s.lastTotal, busy-s.lastBusy, self-s.lastSelf
	s.lastTotal, s.lastBusy, s.lastSelf = total, busy, self
	if dTotal == 0 || dBusy < dSelf {
		return 0, nil
	}
	return float64(dBusy-dSelf) / float64(dTotal), nil
}

func readProcStat() (total, busy uint64, err error) {
	bz, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(bz), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("unexpected /proc/stat")
	}
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return total, busy, nil
}

func readSelfTicks() (uint64, error) {
	bz, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may contain spaces) start after ')'.
	s := string(bz)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/self/stat")
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc/self/stat")
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/self/stat")
	}
	return utime + stime, nil
}
