package worker

// The worker's view of the market: open jobs ranked for this device, the
// epoch's emission they may earn, and the skipped jobs it tells the
// contributor about (live, and through `status`, which reads market.json).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// marketTTL is how long the epoch's emission and the approved requesters are
// reused: they change once an epoch or by governance, and reading them on
// every look at the jobs would double an idle worker's queries.
const marketTTL = 5 * time.Minute

// maxRankedJobs bounds the open jobs read for one ranking (pages of 100).
const maxRankedJobs = 1000

// rankOpenJobs reads the open jobs and ranks them for this device, reports
// newly skipped jobs and stores the ranking for `status`.
func (w *Worker) rankOpenJobs(ctx context.Context) (Ranking, error) {
	var jobs []types.Job
	var key []byte
	for len(jobs) < maxRankedJobs {
		res, err := w.cfg.Query.Jobs(ctx, &types.QueryJobsRequest{Status: types.JOB_STATUS_OPEN, Pagination: &query.PageRequest{Key: key, Limit: 100}})
		if err != nil {
			return Ranking{}, unavailable(err)
		}
		jobs = append(jobs, res.Jobs...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	// Emission matters only to rank workable jobs: an idle market costs one query.
	m := Market{EpochEmission: math.ZeroInt(), EpochUnits: math.ZeroInt()}
	if anyLeasable(jobs) {
		var err error
		if m, err = w.market(ctx, jobs); err != nil {
			return Ranking{}, err
		}
	}
	in := RankInput{Kinds: w.cfg.Kinds, ItemTime: w.itemTime, Market: m, Operator: w.operator, Filters: w.cfg.Filters}
	if p := w.cfg.Programs; p != nil {
		params, err := p.chainParams(ctx)
		if err != nil {
			return Ranking{}, err
		}
		in.Wasm = func(ws *kinds.WasmSpec) kinds.Spec { return p.rankSpec(ws, params) }
	}
	r := Rank(jobs, in)
	r.At = time.Now().UTC()
	w.noteSkips(&r)
	return r, nil
}

func anyLeasable(jobs []types.Job) bool {
	for i := range jobs {
		if leasable(&jobs[i]) {
			return true
		}
	}
	return false
}

// market returns the emission side of the market, read at most once per
// marketTTL, with the units credited so far by the approved requesters of
// jobs (each read once per marketTTL too).
func (w *Worker) market(ctx context.Context, jobs []types.Job) (Market, error) {
	w.mu.Lock()
	cached, at := w.marketCache, w.marketAt
	w.mu.Unlock()
	stale := at.IsZero() || time.Since(at) >= marketTTL
	if stale {
		var err error
		if cached, err = w.readMarket(ctx); err != nil {
			return Market{}, err
		}
	}
	if err := w.readRequesterUnits(ctx, &cached, jobs); err != nil {
		return Market{}, err
	}
	w.mu.Lock()
	if stale {
		w.marketAt = time.Now()
	}
	w.marketCache = cached
	w.mu.Unlock()
	return cached, nil
}

// readRequesterUnits adds to m the epoch's units of the approved requesters
// of leasable jobs it does not have yet: what their emission cap has left.
func (w *Worker) readRequesterUnits(ctx context.Context, m *Market, jobs []types.Job) error {
	if w.cfg.RequesterUnits == nil || m.RequesterCapBps == 0 || m.RequesterCapBps >= types.BasisPoints {
		return nil
	}
	units := make(map[string]math.Int, len(m.RequesterUnits))
	for r, u := range m.RequesterUnits {
		units[r] = u
	}
	for i := range jobs {
		r := jobs[i].Requester
		if _, have := units[r]; have || !m.Approved[r] || !leasable(&jobs[i]) {
			continue
		}
		u, err := w.cfg.RequesterUnits(ctx, m.Epoch, r)
		if err != nil {
			return unavailable(err)
		}
		units[r] = u
	}
	m.RequesterUnits = units
	return nil
}

// readMarket reads the running epoch, the cap and the approved requesters.
func (w *Worker) readMarket(ctx context.Context) (Market, error) {
	epoch, err := w.cfg.Query.Epoch(ctx, &types.QueryEpochRequest{})
	if err != nil {
		return Market{}, unavailable(err)
	}
	params, err := w.cfg.Query.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return Market{}, unavailable(err)
	}
	m := Market{EpochEmission: epoch.NextEmission, EpochUnits: epoch.Current.WorkUnits, Epoch: epoch.Current.Epoch,
		RequesterCapBps: params.Params.MaxRequesterEmissionBps, Approved: map[string]bool{}}
	var key []byte
	for {
		res, err := w.cfg.Query.Requesters(ctx, &types.QueryRequestersRequest{Pagination: &query.PageRequest{Key: key, Limit: 1000}})
		if err != nil {
			return Market{}, unavailable(err)
		}
		for _, r := range res.Requesters {
			m.Approved[r] = true
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	return m, nil
}

// noteSkips merges the skips found at lease time (which ranking cannot see)
// into r, takes those jobs out of its offers, reports skips not reported
// before, and stores r for `status`.
func (w *Worker) noteSkips(r *Ranking) {
	w.mu.Lock()
	current := map[uint64]Skip{}
	for _, s := range r.Skips {
		current[s.JobID] = s
	}
	offers := r.Offers[:0]
	for _, o := range r.Offers {
		if s, ok := w.leaseSkips[o.JobID]; ok {
			current[o.JobID] = s
			r.Skips = append(r.Skips, s)
			continue
		}
		offers = append(offers, o)
	}
	r.Offers = offers
	var fresh []Skip
	for _, s := range r.Skips {
		if prev, ok := w.skipped[s.JobID]; !ok || prev.Reason != s.Reason {
			fresh = append(fresh, s)
		}
	}
	w.skipped = current
	w.mu.Unlock()
	for _, s := range fresh {
		w.report(Event{Kind: "skipped", JobID: s.JobID, Reason: string(s.Reason), Message: s.Detail})
	}
	if err := w.cfg.Store.SaveRanking(*r); err != nil {
		w.report(Event{Kind: "error", Message: "save market view: " + err.Error()})
	}
}

// skipAtLease records a job refused when leasing (its bond requirement is
// known only to the chain): it is not offered again this session.
func (w *Worker) skipAtLease(s Skip) {
	w.mu.Lock()
	w.leaseSkips[s.JobID] = s
	_, seen := w.skipped[s.JobID]
	w.skipped[s.JobID] = s
	w.mu.Unlock()
	if !seen {
		w.report(Event{Kind: "skipped", JobID: s.JobID, Reason: string(s.Reason), Message: s.Detail})
	}
}

const rankingFile = "market.json"

// SaveRanking stores the worker's last look at the market.
func (s *Store) SaveRanking(r Ranking) error {
	bz, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(s.dir, rankingFile), 0o600, bz)
}

// LoadRanking reads the last stored look at the market; os.ErrNotExist if none.
func (s *Store) LoadRanking() (Ranking, error) {
	var r Ranking
	bz, err := os.ReadFile(filepath.Join(s.dir, rankingFile))
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		return r, fmt.Errorf("%w: %s: %v", ErrCorrupt, rankingFile, err)
	}
	return r, nil
}

// skipNow reports a job passed over for now (a lease it would not finish in
// time): counted until the next look at the market decides again.
func (w *Worker) skipNow(s Skip) {
	w.mu.Lock()
	prev, seen := w.skipped[s.JobID]
	w.skipped[s.JobID] = s
	w.mu.Unlock()
	if !seen || prev.Reason != s.Reason {
		w.report(Event{Kind: "skipped", JobID: s.JobID, Reason: string(s.Reason), Message: s.Detail})
	}
}
