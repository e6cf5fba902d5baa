package worker

// The device's measured speed per kind, kept from `bench` so the worker can
// tell how long an item of a job takes here without measuring again.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
)

// Speeds are compute units per second on all the worker's threads, by kind:
// hashes for hashcash, work units for kinds validators re-execute (see computeCost).
type Speeds map[string]float64

// BenchRecord is what `bench` stores: the speeds and how they were measured.
type BenchRecord struct {
	MeasuredAt time.Time `json:"measured_at"`
	Threads    int       `json:"threads"`
	Speeds     Speeds    `json:"compute_units_per_second"`
}

// SpeedsOf turns bench results into speeds.
func SpeedsOf(results []BenchResult) Speeds {
	s := Speeds{}
	for _, r := range results {
		if v := r.ComputeUnitsPerSecond(); v > 0 {
			s[r.Kind] = v
		}
	}
	return s
}

// SaveBench writes a bench record to path atomically.
func SaveBench(path string, rec BenchRecord) error {
	bz, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0o600, bz)
}

// LoadBench reads a bench record; os.ErrNotExist when there is none.
func LoadBench(path string) (BenchRecord, error) {
	var rec BenchRecord
	bz, err := os.ReadFile(path)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(bz, &rec); err != nil {
		return rec, fmt.Errorf("bench record %s: %w", path, err)
	}
	return rec, nil
}

// quickBench is how long start measures each kind when no bench is stored.
const quickBench = 500 * time.Millisecond

// DeviceSpeeds returns the speeds stored at path if they were measured with
// threads threads; otherwise it measures them briefly and stores them. The
// note says which, for the start-up log.
func DeviceSpeeds(ctx context.Context, path string, threads int) (Speeds, string, error) {
	rec, err := LoadBench(path)
	switch {
	case err == nil && rec.Threads == threads && len(rec.Speeds) > 0:
		return rec.Speeds, fmt.Sprintf("speeds from bench of %s (%s)", rec.MeasuredAt.Format(time.DateOnly), path), nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, "", err
	}
	rec = BenchRecord{MeasuredAt: time.Now().UTC(), Threads: threads, Speeds: SpeedsOf(Bench(ctx, quickBench, threads))}
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
	}
	if err := SaveBench(path, rec); err != nil {
		return nil, "", fmt.Errorf("store bench in %s: %w", path, err)
	}
	return rec.Speeds, fmt.Sprintf("measured speeds for %d threads in %s; `bench` measures longer", threads, 2*quickBench), nil
}
