package worker

// The device's measured speed, from `bench`, kept on disk so the worker can
// tell before leasing whether it will finish a task within the lease.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

// Speed is how much work this device does per second, per kind, as `bench`
// measured it. Work is counted in each kind's own unit of an item's expected
// cost: hashes for hashcash (an item of difficulty D takes 2^D on average),
// iterations for mandelbrot at the bench's view (an item of width W and
// max_iter M costs at most W×M; the bench's rows escape as real rows do), and
// fuel for wasm (an item is expected to take the mean fuel its program's
// items took here, else its fuel_limit).
type Speed struct {
	MeasuredAt time.Time           `json:"measured_at"`
	Threads    int                 `json:"threads"`
	Kinds      map[string]KindPace `json:"kinds"`
}

// KindPace is one kind's work per second on one core and on Speed.Threads.
type KindPace struct {
	PerCore  float64 `json:"per_core"`
	AllCores float64 `json:"all_cores"`
}

// Bench workloads in work units: a mandelbrot bench row is 512 pixels of at
// most 500 iterations.
const benchRowUnits = 512 * 500

// SpeedOf turns bench results into a Speed.
func SpeedOf(results []BenchResult, threads int, at time.Time) Speed {
	s := Speed{MeasuredAt: at, Threads: threads, Kinds: map[string]KindPace{}}
	for _, r := range results {
		scale := 1.0
		switch r.Kind {
		case "hashcash":
			scale = 1e6 // Mhash/s
		case "mandelbrot":
			scale = benchRowUnits // rows/s
		case kinds.WasmKindName:
			scale = 1e6 // Mfuel/s
		}
		s.Kinds[r.Kind] = KindPace{PerCore: r.PerCore * scale, AllCores: r.AllCores * scale}
	}
	return s
}

// rate is the kind's work per second on threads compute threads; 0 if the
// kind was not measured.
func (s Speed) rate(kind string, threads int) float64 {
	p, ok := s.Kinds[kind]
	if !ok || p.PerCore <= 0 {
		return 0
	}
	if threads >= s.Threads && p.AllCores > 0 {
		return p.AllCores
	}
	return min(p.PerCore*float64(max(1, threads)), max(p.AllCores, p.PerCore))
}

// ItemTime is how long one item of the spec takes on threads compute
// threads at the measured speed; false for a kind the bench does not measure
// (the worker then leases without an estimate).
func (s Speed) ItemTime(spec kinds.Spec, kind string, threads int) (time.Duration, bool) {
	units, ok := expectedUnits(spec)
	r := s.rate(kind, threads)
	if !ok || r <= 0 {
		return 0, false
	}
	return time.Duration(float64(units) / r * float64(time.Second)), true
}

// expectedUnits is an item's expected work in its kind's bench unit.
func expectedUnits(spec kinds.Spec) (uint64, bool) {
	switch s := spec.(type) {
	case *kinds.HashcashSpec:
		return uint64(1) << s.DifficultyBits(), true
	case *kinds.MandelbrotSpec:
		return uint64(s.Width()) * uint64(s.MaxIter()), true
	case *wasmJob:
		return s.expectedFuel(), true
	}
	return 0, false
}

// SpeedFile is where `bench` stores the speed under a home directory.
func SpeedFile(home string) string { return filepath.Join(home, "worker", "speed.json") }

// SaveSpeed writes s to path.
func SaveSpeed(path string, s Speed) error {
	bz, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0o600, bz)
}

// LoadSpeed reads the speed at path; found is false if there is none.
func LoadSpeed(path string) (s Speed, found bool, err error) {
	bz, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Speed{}, false, nil
	}
	if err != nil {
		return Speed{}, false, err
	}
	if err := json.Unmarshal(bz, &s); err != nil {
		return Speed{}, false, fmt.Errorf("%s: %w (run `bench` again)", path, err)
	}
	return s, true, nil
}

// MeasureSpeed runs a short bench (d per measurement) and returns its speed.
func MeasureSpeed(ctx context.Context, d time.Duration, threads int) Speed {
	return SpeedOf(Bench(ctx, d, threads), threads, time.Now())
}
