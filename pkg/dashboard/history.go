package dashboard

import (
	"sync"
	"time"

	"cosmossdk.io/math"
	"github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// History limits: what the dashboard keeps of the events it saw.
const (
	maxRecentProofs  = 30
	maxSeriesPoints  = 2000
	outcomeAccepted  = "accepted"
	outcomeRejected  = "rejected"
	outcomeMissed    = "missed"
	outcomeSlashed   = "slashed"
	outcomeWithdrawn = "withdrawn"
)

// proofRecord is one verdict or slash seen in a block.
type proofRecord struct {
	Height    int64
	Time      time.Time
	Outcome   string
	JobID     uint64
	TaskIndex uint64
	Device    string
	Amount    math.Int // paid, or slashed
	Detail    string   // rejection or slash reason
}

// earningPoint is a device's running totals after a block that paid it.
type earningPoint struct {
	Time     time.Time
	Height   int64
	Paid     math.Int // task payments from escrow
	Emission math.Int // emission withdrawn
}

// emissionPoint is the total emitted at a height.
type emissionPoint struct {
	Time    time.Time
	Height  int64
	Emitted math.Int
	Cap     math.Int
}

// history is what the dashboard derived from the blocks it saw since it
// started: the chain's queries give current state, not its past.
type history struct {
	mu       sync.Mutex
	started  time.Time
	proofs   []proofRecord // newest first
	earnings map[string][]earningPoint
	emission []emissionPoint
}

func newHistory(started time.Time) *history {
	return &history{started: started, earnings: make(map[string][]earningPoint)}
}

// record notes a compute event of the block at height h.
func (hs *history) record(h int64, at time.Time, msg proto.Message) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	switch e := msg.(type) {
	case *types.EventProofAccepted:
		hs.addProof(proofRecord{Height: h, Time: at, Outcome: outcomeAccepted, JobID: e.JobId, TaskIndex: e.TaskIndex, Device: e.Device, Amount: e.Paid})
		hs.addEarning(e.Device, h, at, e.Paid, math.ZeroInt())
	case *types.EventProofRejected:
		hs.addProof(proofRecord{Height: h, Time: at, Outcome: outcomeRejected, JobID: e.JobId, TaskIndex: e.TaskIndex, Device: e.Device, Amount: math.ZeroInt(), Detail: e.Reason})
	case *types.EventProofMissed:
		hs.addProof(proofRecord{Height: h, Time: at, Outcome: outcomeMissed, JobID: e.JobId, TaskIndex: e.TaskIndex, Device: e.Device, Amount: math.ZeroInt()})
	case *types.EventBondSlashed:
		hs.addProof(proofRecord{Height: h, Time: at, Outcome: outcomeSlashed, JobID: e.JobId, TaskIndex: e.TaskIndex, Device: e.Operator, Amount: e.Amount, Detail: e.Reason})
	case *types.EventRewardsWithdrawn:
		hs.addProof(proofRecord{Height: h, Time: at, Outcome: outcomeWithdrawn, Device: e.Operator, Amount: e.Amount})
		hs.addEarning(e.Operator, h, at, math.ZeroInt(), e.Amount)
	}
}

func (hs *history) addProof(r proofRecord) {
	hs.proofs = append([]proofRecord{r}, hs.proofs...)
	if len(hs.proofs) > maxRecentProofs {
		hs.proofs = hs.proofs[:maxRecentProofs]
	}
}

func (hs *history) addEarning(device string, h int64, at time.Time, paid, emission math.Int) {
	pts := hs.earnings[device]
	last := earningPoint{Paid: math.ZeroInt(), Emission: math.ZeroInt()}
	if len(pts) > 0 {
		last = pts[len(pts)-1]
	}
	next := earningPoint{Time: at, Height: h, Paid: last.Paid.Add(paid), Emission: last.Emission.Add(emission)}
	if len(pts) > 0 && last.Height == h {
		pts[len(pts)-1] = next
	} else {
		pts = append(pts, next)
	}
	if len(pts) > maxSeriesPoints {
		pts = pts[len(pts)-maxSeriesPoints:]
	}
	hs.earnings[device] = pts
}

func (hs *history) sampleEmission(h int64, at time.Time, emitted, emissionCap math.Int) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if n := len(hs.emission); n > 0 && hs.emission[n-1].Height >= h {
		return
	}
	hs.emission = append(hs.emission, emissionPoint{Time: at, Height: h, Emitted: emitted, Cap: emissionCap})
	if len(hs.emission) > maxSeriesPoints {
		hs.emission = hs.emission[len(hs.emission)-maxSeriesPoints:]
	}
}

// recentProofs returns up to n records, newest first; jobID 0 means any job.
func (hs *history) recentProofs(jobID uint64, n int) []proofRecord {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	var out []proofRecord
	for _, r := range hs.proofs {
		if (jobID == 0 || r.JobID == jobID) && len(out) < n {
			out = append(out, r)
		}
	}
	return out
}

func (hs *history) deviceEarnings(device string) []earningPoint {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]earningPoint(nil), hs.earnings[device]...)
}

func (hs *history) emissionSeries() []emissionPoint {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]emissionPoint(nil), hs.emission...)
}
