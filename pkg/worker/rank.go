package worker

// Choosing work like a contributor: open jobs ranked by what they pay per
// second of this device's compute, and the jobs it will not take, with why.

import (
	"fmt"
	"sort"
	"time"

	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// SkipReason says, as a stable code for JSON and scripts, why a job was not taken.
type SkipReason string

const (
	SkipUnsupported  SkipReason = "unsupported"       // the kind or spec is one this worker cannot run
	SkipBelowPrice   SkipReason = "below-min-price"   // pays less per item than --min-price
	SkipWorkLimit    SkipReason = "work-over-limit"   // an item may need more work than --max-work-per-item
	SkipBondTooSmall SkipReason = "bond-too-small"    // a task is worth more than the device's bond secures
	SkipLeaseTooLong SkipReason = "lease-too-long"    // a task would not be finished here within a lease
	SkipFuelLimit    SkipReason = "fuel-over-limit"   // a wasm item may take more fuel than --max-fuel
	SkipMemoryLimit  SkipReason = "memory-over-limit" // a wasm item may use more memory than --max-memory-pages
	SkipProgram      SkipReason = "program-refused"   // the program's code could not be fetched or fails its hash
	SkipInputs       SkipReason = "inputs-refused"    // a leased task's inputs were missing or did not match the input root
)

// Skip is a job this device passes over.
type Skip struct {
	JobID  uint64     `json:"job_id"`
	Reason SkipReason `json:"reason"`
	Detail string     `json:"detail"`
}

// JobFilter refuses jobs this device should not take: it returns nil to accept.
// Limits that depend on a kind (fuel and memory for wasm) plug in as filters.
type JobFilter func(job *types.Job, spec kinds.Spec) *Skip

// MinPriceFilter refuses jobs paying less than minPerItem ushift per item.
func MinPriceFilter(minPerItem math.Int) JobFilter {
	return func(job *types.Job, _ kinds.Spec) *Skip {
		if job.PricePerItem.GTE(minPerItem) {
			return nil
		}
		return &Skip{JobID: job.Id, Reason: SkipBelowPrice,
			Detail: fmt.Sprintf("pays %s per item, below --min-price %s", coin.FormatWithBase(job.PricePerItem), coin.FormatWithBase(minPerItem))}
	}
}

// MaxWorkFilter refuses jobs whose per-item work bound exceeds limit units.
func MaxWorkFilter(limit uint64) JobFilter {
	return func(job *types.Job, spec kinds.Spec) *Skip {
		if w := workPerItem(spec); w > limit {
			return &Skip{JobID: job.Id, Reason: SkipWorkLimit,
				Detail: fmt.Sprintf("an item may take %d work units, above --max-work-per-item %d", w, limit)}
		}
		return nil
	}
}

// wasmSpecOf is a wasm job's spec on the worker (wasmJob).
type wasmSpecOf interface{ WasmSpec() *kinds.WasmSpec }

// MaxFuelFilter refuses wasm jobs whose fuel_limit per item exceeds limit
// (--max-fuel): fuel is the work an item may take, so the limit bounds an
// item's time here.
func MaxFuelFilter(limit uint64) JobFilter {
	return func(job *types.Job, spec kinds.Spec) *Skip {
		if w, ok := spec.(wasmSpecOf); ok && w.WasmSpec().FuelLimit > limit {
			return &Skip{JobID: job.Id, Reason: SkipFuelLimit,
				Detail: fmt.Sprintf("an item may take %d fuel, above --max-fuel %d", w.WasmSpec().FuelLimit, limit)}
		}
		return nil
	}
}

// MaxMemoryFilter refuses wasm jobs whose memory cap exceeds pages 64 KiB
// pages (--max-memory-pages): every compute thread may hold that much.
func MaxMemoryFilter(pages uint32) JobFilter {
	return func(job *types.Job, spec kinds.Spec) *Skip {
		if w, ok := spec.(wasmSpecOf); ok && w.WasmSpec().MemoryPages > pages {
			return &Skip{JobID: job.Id, Reason: SkipMemoryLimit,
				Detail: fmt.Sprintf("an item may use %d pages (%d MiB) of memory, above --max-memory-pages %d", w.WasmSpec().MemoryPages, w.WasmSpec().MemoryPages/16, pages)}
		}
		return nil
	}
}

// workPerItem is the work one item of spec may measure: the bound the chain
// charges verification by and weights emission by.
func workPerItem(spec kinds.Spec) uint64 { return spec.MaxWorkPerItem() }

// Market is what work pays beyond a job's price: the running epoch's emission,
// shared pro rata by the work units verified in it, for jobs of approved
// requesters other than the device's own operator.
type Market struct {
	EpochEmission math.Int        // what the running epoch mints if it has verified work
	EpochUnits    math.Int        // emission-earning units verified in it so far
	Approved      map[string]bool // requesters whose jobs earn emission
	Epoch         uint64          // the running epoch's number
	// RequesterCapBps is max_requester_emission_bps: one requester's jobs
	// draw at most that share of the epoch (0: not known, no cap applied).
	RequesterCapBps uint32
	// RequesterUnits are the units each requester's jobs credited in the
	// running epoch so far (W_r); a requester missing counts as 0, which
	// overestimates its share only while it has credited none.
	RequesterUnits map[string]math.Int
}

// Offer is an open job this device can take, with what it expects to earn.
type Offer struct {
	JobID           uint64  `json:"job_id"`
	Kind            string  `json:"kind"`
	PricePerItem    string  `json:"price_per_item"`    // ushift, from the job
	WorkPerItem     uint64  `json:"work_per_item"`     // units: the spec's bound, for wasm the fuel expected here
	EmissionPerItem float64 `json:"emission_per_item"` // expected ushift, from the running epoch
	// EmissionCapped: the requester's emission cap, not the epoch's share,
	// bounds EmissionPerItem (its jobs already drew most of their cap).
	EmissionCapped bool    `json:"emission_capped,omitempty"`
	SecondsPerItem float64 `json:"seconds_per_item"` // on this device, all threads; 0 when not benched
	PerHour        float64 `json:"ushift_per_hour"`  // (price + emission) per hour of compute; 0 when not benched
	job            *types.Job
	spec           kinds.Spec
}

// Ranking is the outcome of one look at the market.
type Ranking struct {
	At     time.Time `json:"at"`
	Offers []Offer   `json:"offers"`
	Skips  []Skip    `json:"skipped"`
}

// RankInput is what ranking needs besides the jobs.
type RankInput struct {
	Kinds *kinds.Registry
	// ItemTime is how long an item takes on this device (from bench); false
	// for a kind never benched.
	ItemTime func(spec kinds.Spec, kind string) (time.Duration, bool)
	Market   Market
	Operator string // the device: its own jobs earn no emission
	Filters  []JobFilter
	// Wasm is a wasm job's spec for ranking (no code is fetched to rank);
	// nil: this worker runs no programs and skips wasm jobs.
	Wasm func(*kinds.WasmSpec) kinds.Spec
}

// parse is the job's spec: a built-in kind's, or a wasm job's via in.Wasm.
func (in RankInput) parse(job *types.Job) (kinds.Spec, error) {
	if job.Kind != kinds.WasmKindName || in.Wasm == nil {
		return in.Kinds.Parse(job.Kind, []byte(job.Spec), job.Items)
	}
	ws, err := kinds.ParseWasmSpec([]byte(job.Spec), job.Items)
	if err != nil {
		return nil, err
	}
	return in.Wasm(ws), nil
}

// Rank orders the open jobs that still have tasks to lease by expected pay
// per second of this device's compute, best first, and lists the rest with
// the reason each is skipped. Jobs of a kind never benched come after the
// ranked ones, by price per work unit.
func Rank(jobs []types.Job, in RankInput) Ranking {
	var r Ranking
	for i := range jobs {
		job := &jobs[i]
		if !leasable(job) {
			continue
		}
		spec, err := in.parse(job)
		if err != nil {
			r.Skips = append(r.Skips, Skip{JobID: job.Id, Reason: SkipUnsupported, Detail: "this worker cannot run it: " + err.Error()})
			continue
		}
		if s := firstRefusal(in.Filters, job, spec); s != nil {
			r.Skips = append(r.Skips, *s)
			continue
		}
		r.Offers = append(r.Offers, offer(job, spec, in))
	}
	sort.SliceStable(r.Offers, func(i, j int) bool {
		a, b := r.Offers[i], r.Offers[j]
		if (a.PerHour > 0) != (b.PerHour > 0) {
			return a.PerHour > 0
		}
		if a.PerHour != b.PerHour {
			return a.PerHour > b.PerHour
		}
		return perUnit(a) > perUnit(b)
	})
	return r
}

func firstRefusal(filters []JobFilter, job *types.Job, spec kinds.Spec) *Skip {
	for _, f := range filters {
		if s := f(job, spec); s != nil {
			return s
		}
	}
	return nil
}

func offer(job *types.Job, spec kinds.Spec, in RankInput) Offer {
	units := workPerItem(spec)
	if j, ok := spec.(*wasmJob); ok {
		// The emission a wasm item earns follows the fuel it takes, which is
		// usually far below its limit: once measured here, expect that.
		units = j.expectedWork()
	}
	o := Offer{JobID: job.Id, Kind: job.Kind, PricePerItem: job.PricePerItem.String(), WorkPerItem: units, job: job, spec: spec}
	o.EmissionPerItem, o.EmissionCapped = in.Market.emissionPerItem(job, units, in.Operator)
	if d, ok := in.itemTime(spec, job.Kind); ok && d > 0 {
		o.SecondsPerItem = d.Seconds()
		o.PerHour = (toFloat(job.PricePerItem) + o.EmissionPerItem) / o.SecondsPerItem * 3600
	}
	return o
}

// emissionPerItem is this device's expected share of the running epoch's
// emission for one item of units: its units over the epoch's units once its
// task is added (a share that shrinks as others verify work), but never more
// than the requester's cap allows: a requester's jobs draw at most
// max_requester_emission_bps of the epoch, shared by their units, so a task
// earns at most types.RequesterEmissionBound, the bound the chain's lease
// check uses. capped reports that the cap is the smaller.
func (m Market) emissionPerItem(job *types.Job, units uint64, operator string) (perItem float64, capped bool) {
	if !m.Approved[job.Requester] || job.Requester == operator || m.EpochEmission.IsNil() || !m.EpochEmission.IsPositive() {
		return 0, false
	}
	items := max(job.ItemsPerTask, 1)
	taskUnits := float64(units) * float64(items)
	epochUnits := 0.0
	if !m.EpochUnits.IsNil() {
		epochUnits = toFloat(m.EpochUnits)
	}
	share := toFloat(m.EpochEmission) * float64(units) / (epochUnits + taskUnits)
	if m.RequesterCapBps == 0 || m.RequesterCapBps >= types.BasisPoints {
		return share, false
	}
	credited, ok := m.RequesterUnits[job.Requester]
	if !ok || credited.IsNil() {
		credited = math.ZeroInt()
	}
	task := math.NewIntFromUint64(units).Mul(math.NewIntFromUint64(items))
	bound := toFloat(types.RequesterEmissionBound(m.EpochEmission, m.RequesterCapBps, credited, task)) / float64(items)
	if bound < share {
		return bound, true
	}
	return share, false
}

// perUnit is price plus emission per work unit, for jobs of kinds never benched.
func perUnit(o Offer) float64 {
	price, _ := math.NewIntFromString(o.PricePerItem)
	return (toFloat(price) + o.EmissionPerItem) / float64(max(o.WorkPerItem, 1))
}

func toFloat(v math.Int) float64 {
	if v.IsNil() {
		return 0
	}
	f, _ := v.ToLegacyDec().Float64()
	return f
}

// payNote is the expected pay rate, for the lease report.
func (o Offer) payNote() string {
	if o.PerHour <= 0 || o.PerHour > 1e18 {
		return ""
	}
	return fmt.Sprintf("; about %s/h of compute here", coin.FormatShort(math.NewInt(int64(o.PerHour))))
}

// leasable reports whether a job may have a task to lease: one never leased,
// or one reopened (lapsed, released, rejected).
func leasable(job *types.Job) bool {
	return job.NextTask < job.NumTasks || job.LiveTasks+job.TasksVerified < job.NumTasks
}

func (in RankInput) itemTime(spec kinds.Spec, kind string) (time.Duration, bool) {
	if in.ItemTime == nil {
		return 0, false
	}
	return in.ItemTime(spec, kind)
}
