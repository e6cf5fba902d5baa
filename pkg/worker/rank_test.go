package worker

import (
	"testing"
	"time"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	requester = "night1requester"
	device    = "night1device"
)

// openJob is an open job with tasks left to lease.
func openJob(id uint64, kind, spec string, items uint64, pricePerItem int64) types.Job {
	return types.Job{Id: id, Requester: requester, Kind: kind, Spec: spec, Items: items, ItemsPerTask: 4,
		PricePerItem: math.NewInt(pricePerItem), NumTasks: (items + 3) / 4, Status: types.JOB_STATUS_OPEN}
}

func hashcashJob(id uint64, bits int, price int64) types.Job {
	return openJob(id, "hashcash", `{"difficulty_bits":`+itoa(bits)+`}`, 8, price)
}

func mandelbrotJob(id uint64, maxIter int, price int64) types.Job {
	return openJob(id, "mandelbrot", `{"width":64,"height":8,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":`+itoa(maxIter)+`}`, 8, price)
}

func itoa(n int) string { return math.NewInt(int64(n)).String() }

// paced is the ItemTime of a device doing perSecond units a second of each
// kind (see Speed: hashes for hashcash, iterations for mandelbrot).
func paced(perSecond map[string]float64) func(kinds.Spec, string) (time.Duration, bool) {
	s := Speed{Threads: 1, Kinds: map[string]KindPace{}}
	for k, v := range perSecond {
		s.Kinds[k] = KindPace{PerCore: v, AllCores: v}
	}
	return func(spec kinds.Spec, kind string) (time.Duration, bool) { return s.ItemTime(spec, kind, 1) }
}

func noEmission() Market { return Market{EpochEmission: math.ZeroInt(), EpochUnits: math.ZeroInt()} }

func ids(offers []Offer) []uint64 {
	out := make([]uint64, len(offers))
	for i, o := range offers {
		out[i] = o.JobID
	}
	return out
}

// A contributor compares jobs by what a second of this device earns, not by
// price per item: a cheap item that takes no time beats a dear one that takes long.
func TestRankByPayPerSecondOfThisDevice(t *testing.T) {
	jobs := []types.Job{
		hashcashJob(1, 20, 1000),     // 2^20 hashes for 1000: ~1 ms here at 1e9 hashes/s
		mandelbrotJob(2, 1000, 50),   // 64 px × 1000 iterations for 50: 64 µs here, less per second than job 1
		hashcashJob(3, 24, 4000),     // 2^24 hashes for 4000: pays less per second than job 1
		mandelbrotJob(4, 1000, 5000), // the best: 5000 for 64 µs
	}
	speeds := map[string]float64{"hashcash": 1e9, "mandelbrot": 1e9}
	r := Rank(jobs, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(speeds), Market: noEmission(), Operator: device})
	require.Empty(t, r.Skips)
	require.Equal(t, []uint64{4, 1, 2, 3}, ids(r.Offers))
	require.Equal(t, uint64(192_292), r.Offers[0].WorkPerItem)
	require.InDelta(t, 64e-6, r.Offers[0].SecondsPerItem, 1e-9)
	require.InDelta(t, 5000/64e-6*3600, r.Offers[0].PerHour, 1e3)
	// Hashcash costs the worker 2^D hashes an item, though validators check one.
	require.InDelta(t, float64(1<<20)/1e9, r.Offers[1].SecondsPerItem, 1e-9)

	// The same jobs on a device whose mandelbrot is 1000 times slower: hashcash wins.
	speeds["mandelbrot"] = 1e6
	r = Rank(jobs, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(speeds), Market: noEmission(), Operator: device})
	require.Equal(t, []uint64{1, 3, 4, 2}, ids(r.Offers))
}

// Emission counts for jobs of approved requesters other than the device itself,
// as this device's share of the running epoch once its task is added.
func TestRankCountsExpectedEmission(t *testing.T) {
	own := hashcashJob(1, 20, 100)
	own.Requester = device // self-dealing earns no emission
	unapproved := hashcashJob(2, 20, 100)
	unapproved.Requester = "night1stranger"
	approved := hashcashJob(3, 20, 100)
	m := Market{EpochEmission: math.NewInt(1_000_000_000), EpochUnits: math.NewInt(3 * 256), Approved: map[string]bool{requester: true}}
	r := Rank([]types.Job{own, unapproved, approved}, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(map[string]float64{"hashcash": 1e9}), Market: m, Operator: device})
	require.Equal(t, uint64(3), r.Offers[0].JobID, "emission puts the approved job first")
	// An item weighs HashcashWork (64) units; with the task's 4 items added to 768 in the epoch: 1e9 × 64 / 1024.
	require.Equal(t, uint64(kinds.HashcashWork), r.Offers[0].WorkPerItem)
	require.InDelta(t, 1e9/16, r.Offers[0].EmissionPerItem, 1)
	for _, o := range r.Offers[1:] {
		require.Zero(t, o.EmissionPerItem, "job %d", o.JobID)
	}

	// With the cap reached (nothing left to mint) the approved job pays its price only.
	m.EpochEmission = math.ZeroInt()
	r = Rank([]types.Job{approved}, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(map[string]float64{"hashcash": 1e9}), Market: m, Operator: device})
	require.Zero(t, r.Offers[0].EmissionPerItem)
}

// A requester's jobs draw at most max_requester_emission_bps of the epoch: a
// requester whose jobs already credited most of the epoch's units (its cap is
// used up) pays little emission more, so a better-priced job of it ranks below
// a fresh requester's; the bound is the chain's own (RequesterEmissionBound).
func TestRankHonoursRequesterCap(t *testing.T) {
	const fresh = "night1fresh"
	farmed := hashcashJob(1, 20, 20_000) // pays more per item, but its requester's cap is drawn
	other := hashcashJob(2, 20, 100)
	other.Requester = fresh
	m := Market{
		EpochEmission: math.NewInt(1_000_000_000), EpochUnits: math.NewInt(1_000_000),
		Approved:        map[string]bool{requester: true, fresh: true},
		RequesterCapBps: 2000, // C = 2e8
		RequesterUnits:  map[string]math.Int{requester: math.NewInt(1_000_000)},
	}
	in := RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(map[string]float64{"hashcash": 1e9}), Market: m, Operator: device}
	r := Rank([]types.Job{farmed, other}, in)
	require.Equal(t, []uint64{2, 1}, ids(r.Offers), "the capped requester's job ranks last")
	// The task's 4 items of 64 units: ⌈2e8 × 256 / (1e6 + 256)⌉ / 4 per item,
	// below the epoch share 1e9 × 64 / (1e6 + 256).
	capped := r.Offers[1]
	want := types.RequesterEmissionBound(m.EpochEmission, 2000, math.NewInt(1_000_000), math.NewInt(256))
	require.InDelta(t, toFloat(want)/4, capped.EmissionPerItem, 1e-9)
	require.InDelta(t, 2e8*256/(1e6+256)/4, capped.EmissionPerItem, 1)
	require.True(t, capped.EmissionCapped)
	// The fresh requester has drawn nothing: its cap (5e7 per item) is above
	// its epoch share, which stands.
	require.InDelta(t, 1e9*64/(1e6+256), r.Offers[0].EmissionPerItem, 1)
	require.False(t, r.Offers[0].EmissionCapped)

	// With the cap off (10000 bps, or unknown) the share alone counts, as before.
	for _, bps := range []uint32{types.BasisPoints, 0} {
		in.Market.RequesterCapBps = bps
		r = Rank([]types.Job{farmed, other}, in)
		require.Equal(t, []uint64{1, 2}, ids(r.Offers), "bps %d", bps)
		require.False(t, r.Offers[0].EmissionCapped)
	}
}

// Each reason a job is passed over is reported with its code; a fully leased
// job is neither offered nor skipped.
func TestRankSkipReasons(t *testing.T) {
	full := hashcashJob(5, 20, 1000)
	full.NextTask, full.LiveTasks = full.NumTasks, full.NumTasks
	jobs := []types.Job{
		openJob(1, "wasm", `{}`, 8, 1000),          // a kind this worker does not know
		openJob(2, "hashcash", `{"x":1}`, 8, 1000), // a spec it cannot parse
		hashcashJob(3, 20, 99),                     // below --min-price 100
		mandelbrotJob(4, 60_000, 1000),             // 11.5M units per item, above --max-work-per-item
		full,
		hashcashJob(6, 20, 100), // fits every limit
	}
	r := Rank(jobs, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(map[string]float64{"hashcash": 1e9}), Market: noEmission(), Operator: device,
		Filters: []JobFilter{MinPriceFilter(math.NewInt(100)), MaxWorkFilter(1 << 21)}})
	require.Equal(t, []uint64{6}, ids(r.Offers))
	reasons := map[uint64]SkipReason{}
	for _, s := range r.Skips {
		reasons[s.JobID] = s.Reason
		require.NotEmpty(t, s.Detail)
	}
	require.Equal(t, map[uint64]SkipReason{1: SkipUnsupported, 2: SkipUnsupported, 3: SkipBelowPrice, 4: SkipWorkLimit}, reasons)
	require.Contains(t, r.Skips[3].Detail, "11520292 work units")
}

// A kind never benched is still offered, after the benched ones, by pay per unit.
func TestRankUnbenchedKindsLast(t *testing.T) {
	jobs := []types.Job{mandelbrotJob(1, 1000, 5000), hashcashJob(2, 20, 10), mandelbrotJob(3, 1000, 50)}
	r := Rank(jobs, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(map[string]float64{"hashcash": 1e9}), Market: noEmission(), Operator: device})
	require.Equal(t, []uint64{2, 1, 3}, ids(r.Offers))
	require.Zero(t, r.Offers[1].PerHour)
}

// A job the chain refused to lease for want of bond stays skipped, reported
// once, and the stored view that `status` reads says why.
func TestLeaseSkipsAreKeptReportedOnceAndStored(t *testing.T) {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	var events []Event
	w := &Worker{cfg: Config{Store: store, Report: func(e Event) { events = append(events, e) }}, skipped: map[uint64]Skip{}, leaseSkips: map[uint64]Skip{}}
	in := RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: paced(map[string]float64{"hashcash": 1e9}), Market: noEmission(), Operator: device,
		Filters: []JobFilter{MinPriceFilter(math.NewInt(100))}}
	jobs := []types.Job{hashcashJob(1, 20, 500), hashcashJob(2, 20, 5)}

	r := Rank(jobs, in)
	w.noteSkips(&r)
	require.Equal(t, []uint64{1}, ids(r.Offers))
	w.skipAtLease(Skip{JobID: 1, Reason: SkipBondTooSmall, Detail: "bond"})
	for range 2 {
		r = Rank(jobs, in)
		w.noteSkips(&r)
		require.Empty(t, r.Offers, "job 1 is not offered again")
	}
	var reported []string
	for _, e := range events {
		require.Equal(t, "skipped", e.Kind)
		reported = append(reported, e.Reason)
	}
	require.Equal(t, []string{string(SkipBelowPrice), string(SkipBondTooSmall)}, reported, "each skip reported once")
	require.Equal(t, 2, w.Stats().Skipped)

	stored, err := store.LoadRanking()
	require.NoError(t, err)
	require.Len(t, stored.Skips, 2)
	require.ElementsMatch(t, []SkipReason{SkipBelowPrice, SkipBondTooSmall}, []SkipReason{stored.Skips[0].Reason, stored.Skips[1].Reason})

	// A job that closes drops out of the skipped count.
	r = Rank(jobs[:1], in)
	w.noteSkips(&r)
	require.Equal(t, 1, w.Stats().Skipped)
}
