package worker

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

func TestStoreRoundTripAndCorruption(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	task := &TaskState{JobID: 7, TaskIndex: 2, FirstItem: 8, ItemCount: 3, Stage: StageLeased}
	outputs := [][]byte{{1, 2}, {}, {3, 4, 5}}
	sum, err := s.SaveOutputs(task, outputs)
	require.NoError(t, err)
	task.OutputsSHA256, task.Stage = sum, StageComputed
	require.NoError(t, s.Save(task))

	got, err := s.LoadOutputs(task)
	require.NoError(t, err)
	require.Equal(t, outputs, got)
	tasks, err := s.Tasks()
	require.NoError(t, err)
	require.Equal(t, []*TaskState{task}, tasks)

	// Flip one byte: the checksum catches it.
	path := s.path(task, ".out")
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	bz[len(bz)-1] ^= 1
	require.NoError(t, os.WriteFile(path, bz, 0o600))
	_, err = s.LoadOutputs(task)
	require.ErrorIs(t, err, ErrCorrupt)

	// A record that is not JSON is reported, not skipped.
	require.NoError(t, os.WriteFile(s.path(&TaskState{JobID: 9}, ".json"), []byte("{"), 0o600))
	_, err = s.Tasks()
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestSchedule(t *testing.T) {
	night, err := ParseSchedule("23:00-07:00")
	require.NoError(t, err)
	at := func(h, m int) time.Time { return time.Date(2026, 1, 1, h, m, 0, 0, time.Local) }
	require.True(t, night.Contains(at(23, 30)))
	require.True(t, night.Contains(at(3, 0)))
	require.False(t, night.Contains(at(7, 0)))
	require.False(t, night.Contains(at(12, 0)))
	day, err := ParseSchedule("09:15-17:00")
	require.NoError(t, err)
	require.True(t, day.Contains(at(9, 15)))
	require.False(t, day.Contains(at(17, 0)))
	for _, bad := range []string{"", "23:00", "25:00-01:00", "10:00-10:00", "a:b-c:d"} {
		_, err := ParseSchedule(bad)
		require.Error(t, err, bad)
	}
}

type fakeSampler struct{ busy []float64 }

func (f *fakeSampler) OthersBusy() (float64, error) {
	v := f.busy[0]
	if len(f.busy) > 1 {
		f.busy = f.busy[1:]
	}
	return v, nil
}

// TestPoolPausesWhileBusy: with idle-only, computing stops while other programs
// are busy and resumes afterwards; the outputs equal the kind's own.
func TestPoolPausesWhileBusy(t *testing.T) {
	sampler := &fakeSampler{busy: []float64{0.9, 0.9, 0.9, 0.0}}
	policy := &Policy{IdleOnly: true, Threshold: 0.25, Sampler: sampler, Now: time.Now, Interval: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := NewPool(ctx, 2, policy)
	var pauses, resumes int
	pool.OnPause = func(string) { pauses++ }
	pool.OnResume = func() { resumes++ }
	spec, err := kinds.DefaultRegistry().Parse("hashcash", []byte(`{"difficulty_bits":4}`), 10)
	require.NoError(t, err)
	outputs, tree, err := pool.Compute(ctx, spec, 1, 2, 5, nil)
	require.NoError(t, err)
	require.Equal(t, 1, pauses)
	require.Equal(t, 1, resumes)
	for i, o := range outputs {
		want, _, err := spec.ComputeOutput(kinds.Item{JobID: 1, Index: 2 + uint64(i)})
		require.NoError(t, err)
		require.Equal(t, want, o)
	}
	again, err := merkle.TaskTree(1, 2, outputs)
	require.NoError(t, err)
	require.Equal(t, again.Root(), tree.Root())

	// A cancelled context stops a paused computation.
	policy2 := &Policy{IdleOnly: true, Threshold: 0.25, Sampler: &fakeSampler{busy: []float64{1}}, Now: time.Now, Interval: time.Millisecond}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	_, _, err = NewPool(ctx2, 1, policy2).Compute(ctx2, spec, 1, 0, 3, nil)
	require.True(t, errors.Is(err, context.DeadlineExceeded))
}
