package workercli

// What the worker start, bench and status commands say about sizing leases to
// the measured speed and handing back leases a pause made impossible to finish.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/worker"
)

// quickBench is each measurement of the bench `start` runs when `bench` never ran.
const quickBench = 500 * time.Millisecond

// workerSpeed loads the speed `bench` stored under home, measuring (and
// storing) a quick one first when there is none or it was taken with fewer
// threads than the worker runs. note says which.
func workerSpeed(ctx context.Context, home string, threads int) (speed *worker.Speed, note string, err error) {
	path := worker.SpeedFile(home)
	s, found, err := worker.LoadSpeed(path)
	if err != nil {
		return nil, "", err
	}
	if found && s.Threads >= threads {
		return &s, fmt.Sprintf("leases sized to the speed `bench` measured on %s (%s)", s.MeasuredAt.Format(time.DateOnly), path), nil
	}
	s = worker.MeasureSpeed(ctx, quickBench, threads)
	if err := worker.SaveSpeed(path, s); err != nil {
		return nil, "", fmt.Errorf("store the measured speed: %w", err)
	}
	return &s, fmt.Sprintf("measured this machine's speed in a quick bench (saved to %s; `bench` measures longer)", path), nil
}

// chainClock is the worker's view of the chain's height and block time, or nil
// without a node.
// requesterUnits reads a requester's credited units over the node, for the
// emission cap in ranking; nil without a node.
func requesterUnits(clientCtx chainContext) func(context.Context, uint64, string) (math.Int, error) {
	if clientCtx.Node == nil {
		return nil
	}
	return worker.ChainRequesterUnits(clientCtx.Node)
}

func chainClock(clientCtx chainContext) worker.ChainClock {
	if clientCtx.Node == nil {
		return nil
	}
	return &worker.CometClock{RPC: clientCtx.Node}
}

// releases summarizes the released tasks of the local records for status:
// how many, what they cost, and the latest one's note.
type releases struct {
	Count   int    `json:"count"`
	Charged string `json:"charged_ushift"`
	Last    string `json:"last,omitempty"`
}

func releasesOf(saved []*worker.TaskState) releases {
	r := releases{}
	charged := math.ZeroInt()
	for _, t := range saved {
		if t.Stage != worker.StageReleased {
			continue
		}
		r.Count++
		if amt, ok := math.NewIntFromString(strings.TrimSuffix(t.Charged, coin.Base)); ok {
			charged = charged.Add(amt)
		}
		r.Last = fmt.Sprintf("job %d task %d: %s", t.JobID, t.TaskIndex, t.Note)
	}
	r.Charged = charged.String()
	return r
}

// line is the status line, e.g.
//
//	Released   2 leases handed back, 0.25 SHIFT charged; last: job 1 task 0: on battery ...
func (r releases) line() string {
	charged, _ := math.NewIntFromString(r.Charged)
	s := fmt.Sprintf("Released   %d %s handed back, %s charged", r.Count, plural(r.Count, "lease", "leases"), coin.FormatWithBase(charged))
	if r.Last != "" {
		s += "; last: " + r.Last
	}
	return s
}
