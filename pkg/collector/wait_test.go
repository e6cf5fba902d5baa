package collector

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// laterChain has no job until its Job method has been called appearAfter times.
type laterChain struct {
	*fakeChain
	calls, appearAfter atomic.Int32
}

func (l *laterChain) Job(ctx context.Context, in *types.QueryJobRequest, opts ...grpc.CallOption) (*types.QueryJobResponse, error) {
	if l.calls.Add(1) <= l.appearAfter.Load() {
		return l.fakeChain.Job(ctx, &types.QueryJobRequest{JobId: in.JobId + 1000}, opts...)
	}
	return l.fakeChain.Job(ctx, in, opts...)
}

func TestWaitForJobBeforeItIsPosted(t *testing.T) {
	f := newFakeChain(3, "hashcash", `{"difficulty_bits":4}`, 8, 4)
	l := &laterChain{fakeChain: f}
	l.appearAfter.Store(3)
	var told []string
	job, err := WaitForJob(context.Background(), l, 3, time.Millisecond, time.Minute, func(r string) { told = append(told, r) })
	if err != nil {
		t.Fatal(err)
	}
	if job.Id != 3 || l.calls.Load() != 4 {
		t.Fatalf("job %d after %d polls", job.Id, l.calls.Load())
	}
	if len(told) != 1 || told[0] != "job 3 does not exist yet" {
		t.Fatalf("waiting messages %q, want one", told)
	}
}

func TestWaitForJobTimesOut(t *testing.T) {
	f := newFakeChain(3, "hashcash", `{"difficulty_bits":4}`, 8, 4)
	_, err := WaitForJob(context.Background(), f, 9, time.Millisecond, 20*time.Millisecond, nil)
	if err == nil || !strings.Contains(err.Error(), "gave up after 20ms: job 9 does not exist yet") {
		t.Fatalf("got %v", err)
	}
}

func TestWaitForJobRefusesAClosedEmptyJob(t *testing.T) {
	for _, st := range []types.JobStatus{types.JOB_STATUS_CANCELLED, types.JOB_STATUS_EXPIRED} {
		f := newFakeChain(3, "hashcash", `{"difficulty_bits":4}`, 8, 4)
		f.setStatus(st)
		if _, err := WaitForJob(context.Background(), f, 3, time.Millisecond, time.Second, nil); !errors.Is(err, ErrNothingToCollect) {
			t.Fatalf("%s job with nothing verified: got %v, want ErrNothingToCollect", st, err)
		}
	}
	// A closed job with verified tasks is collected: its uploads may still come.
	f := newFakeChain(3, "hashcash", `{"difficulty_bits":4}`, 8, 4)
	f.setStatus(types.JOB_STATUS_CANCELLED)
	f.job.TasksVerified = 1
	if _, err := WaitForJob(context.Background(), f, 3, time.Millisecond, time.Second, nil); err != nil {
		t.Fatalf("cancelled job with a verified task: %v", err)
	}
}
