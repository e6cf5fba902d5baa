package worker

// The power and heat gate: compute only on external power, above a battery
// level and below a temperature, read from Linux/Android sysfs.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// When says on what power the worker computes.
const (
	WhenAlways   = "always"
	WhenCharging = "charging"
)

// PowerRules are the power and heat conditions under which computing is allowed.
type PowerRules struct {
	When        string        // WhenAlways or WhenCharging
	MinBattery  int           // percent; 0: no minimum
	MaxTemp     float64       // °C; 0: no maximum
	ResumeAfter time.Duration // how long the conditions must hold again before computing resumes
}

// Validate checks the rules alone (the machine is checked by CheckMachine).
func (r PowerRules) Validate() error {
	if r.When != WhenAlways && r.When != WhenCharging {
		return fmt.Errorf("--when %q: want %s or %s", r.When, WhenAlways, WhenCharging)
	}
	if r.MinBattery < 0 || r.MinBattery > 100 {
		return fmt.Errorf("--min-battery %d: want a percentage from 0 to 100", r.MinBattery)
	}
	if r.MaxTemp < 0 || r.MaxTemp > 150 {
		return fmt.Errorf("--max-temp %g: want degrees Celsius from 1 to 150 (0 turns the limit off)", r.MaxTemp)
	}
	if r.ResumeAfter < 0 {
		return fmt.Errorf("--resume-after %s: must not be negative", r.ResumeAfter)
	}
	return nil
}

// String describes the rules in a line, as `worker status` shows them.
func (r PowerRules) String() string {
	parts := []string{"when " + r.When}
	if r.MinBattery > 0 {
		parts = append(parts, fmt.Sprintf("battery at least %d%%", r.MinBattery))
	}
	if r.MaxTemp > 0 {
		parts = append(parts, fmt.Sprintf("at most %g°C", r.MaxTemp))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; resume after %s", r.ResumeAfter)
}

// PowerState is what the machine reports about its power and heat.
type PowerState struct {
	HasBattery bool
	OnPower    bool // on mains, USB or wireless power (true without a battery)
	Battery    int  // percent; -1 if the battery does not say
	HasTemp    bool
	Temp       float64 // °C, the hottest thermal zone
}

// PowerSource reads the machine's power state.
type PowerSource interface {
	PowerState() (PowerState, error)
}

// Sysfs reads /sys/class/power_supply and /sys/class/thermal under Root ("/"
// on a real machine; tests point it at a fake tree). SkipTemp leaves the
// thermal zones alone when no heat limit is set, so a broken sensor cannot
// stop a worker that does not need it.
type Sysfs struct {
	Root     string
	SkipTemp bool
}

// PowerState reads every power supply and thermal zone. A machine that lists
// no battery is on mains; a file that exists but cannot be read or parsed is
// an error naming it.
func (s Sysfs) PowerState() (PowerState, error) {
	st := PowerState{Battery: -1}
	supplies, err := s.dirs("sys/class/power_supply/*")
	if err != nil {
		return st, err
	}
	externalListed, externalOnline, batteryCharging := false, false, false
	for _, dir := range supplies {
		typ, err := s.read(dir, "type")
		if err != nil {
			return st, err
		}
		if typ == "" {
			continue // no type file: not a supply we know
		}
		if typ != "Battery" {
			externalListed = true
			online, err := s.read(dir, "online")
			if err != nil {
				return st, err
			}
			externalOnline = externalOnline || online == "1"
			continue
		}
		st.HasBattery = true
		status, err := s.read(dir, "status")
		if err != nil {
			return st, err
		}
		// "Not charging": plugged in but held at a charge limit.
		batteryCharging = batteryCharging || status == "Charging" || status == "Full" || status == "Not charging"
		capacity, err := s.read(dir, "capacity")
		if err != nil {
			return st, err
		}
		if capacity != "" {
			pct, err := strconv.Atoi(capacity)
			if err != nil || pct < 0 || pct > 100 {
				return st, fmt.Errorf("%s: %q is not a battery percentage", filepath.Join(dir, "capacity"), capacity)
			}
			if st.Battery < 0 || pct < st.Battery {
				st.Battery = pct
			}
		}
	}
	switch {
	case !st.HasBattery:
		st.OnPower = true
	case externalListed:
		st.OnPower = externalOnline || batteryCharging
	default:
		st.OnPower = batteryCharging
	}
	if s.SkipTemp {
		return st, nil
	}
	zones, err := s.dirs("sys/class/thermal/thermal_zone*")
	if err != nil {
		return st, err
	}
	for _, dir := range zones {
		v, err := s.read(dir, "temp")
		if err != nil {
			return st, err
		}
		if v == "" {
			continue
		}
		milli, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return st, fmt.Errorf("%s: %q is not a temperature in milli-°C", filepath.Join(dir, "temp"), v)
		}
		if c := float64(milli) / 1000; !st.HasTemp || c > st.Temp {
			st.HasTemp, st.Temp = true, c
		}
	}
	return st, nil
}

func (s Sysfs) dirs(pattern string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(s.Root, pattern))
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	return dirs, nil
}

// read returns a sysfs attribute's trimmed value, "" if it does not exist.
func (s Sysfs) read(dir, name string) (string, error) {
	bz, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", filepath.Join(dir, name), err)
	}
	return strings.TrimSpace(string(bz)), nil
}

// DefaultWhen is the --when a machine gets unless told: charging on a machine
// with a battery, always otherwise.
func DefaultWhen(st PowerState) string {
	if st.HasBattery {
		return WhenCharging
	}
	return WhenAlways
}

// CheckMachine refuses rules this machine cannot follow, and returns notices
// for rules it follows only in part.
func (r PowerRules) CheckMachine(st PowerState) (notices []string, err error) {
	if r.When == WhenCharging && !st.HasBattery {
		return nil, fmt.Errorf("--when charging: this machine reports no battery (no power_supply of type Battery), so it cannot tell charging from not; use --when always")
	}
	if r.MinBattery > 0 && !st.HasBattery {
		notices = append(notices, "no battery: --min-battery has no effect")
	} else if r.MinBattery > 0 && st.Battery < 0 {
		return nil, fmt.Errorf("--min-battery %d: the battery does not report its charge (no capacity)", r.MinBattery)
	}
	if r.MaxTemp > 0 && !st.HasTemp {
		// No sensor means unknown, not cold: said once, and the worker computes.
		notices = append(notices, fmt.Sprintf("no temperature sensor (no thermal_zone*/temp): --max-temp %g cannot be checked; computing without the heat limit", r.MaxTemp))
	}
	return notices, nil
}

// PowerGate applies PowerRules with hysteresis: it closes as soon as a
// condition fails, and opens again only once every condition has held for
// ResumeAfter, so a phone near a threshold does not flap.
type PowerGate struct {
	Rules  PowerRules
	Source PowerSource

	closed  bool
	okSince time.Time
	reason  string
}

// Check returns whether computing is allowed at now, and why not. It is not
// safe for concurrent use (Policy serializes it).
func (g *PowerGate) Check(now time.Time) (bool, string) {
	st, err := g.Source.PowerState()
	if err != nil {
		g.closed, g.okSince = true, time.Time{}
		g.reason = "power state unreadable: " + err.Error()
		return false, g.reason
	}
	if why := g.Rules.violated(st); why != "" {
		g.closed, g.okSince, g.reason = true, time.Time{}, why
		return false, why
	}
	if !g.closed {
		return true, ""
	}
	if g.okSince.IsZero() {
		g.okSince = now
	}
	if held := now.Sub(g.okSince); held < g.Rules.ResumeAfter {
		return false, fmt.Sprintf("%s; conditions met again, resuming after %s more", g.reason, (g.Rules.ResumeAfter - held).Round(time.Second))
	}
	g.closed, g.reason = false, ""
	return true, ""
}

// violated names the first failed condition, or "".
func (r PowerRules) violated(st PowerState) string {
	if r.When == WhenCharging && st.HasBattery && !st.OnPower {
		return "on battery (computing only while charging)"
	}
	if r.MinBattery > 0 && st.HasBattery && st.Battery >= 0 && st.Battery < r.MinBattery {
		return fmt.Sprintf("battery at %d%%, below %d%%", st.Battery, r.MinBattery)
	}
	if r.MaxTemp > 0 && st.HasTemp && st.Temp > r.MaxTemp {
		return fmt.Sprintf("too hot (%.1f°C, above %g°C)", st.Temp, r.MaxTemp)
	}
	return ""
}
