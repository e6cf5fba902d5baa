package dashboard

import (
	"net/http"
	"time"

	"cosmossdk.io/math"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// maxHalvings is the most halving periods the schedule lists.
const maxHalvings = 12

// halvingPeriod is one row of the halving schedule: epochs [FirstEpoch,
// FirstEpoch+halving_epochs) each mint at most PerEpoch.
type halvingPeriod struct {
	Index        int
	FirstEpoch   uint64
	FirstHeight  uint64 // first block, counting from height 1 with epoch 0
	PerEpoch     math.Int
	CumulativeAt math.Int // the most emitted by the period's end, capped
	Current      bool
}

// emissionPage is the emission schedule and what has been minted.
type emissionPage struct {
	page
	Epoch    *types.QueryEpochResponse
	Params   types.Params
	Percent  int
	Schedule []halvingPeriod
	Emitted  chart
	Projects chart
	Points   int
}

func (s *Server) serveEmission(w http.ResponseWriter, r *http.Request) {
	ep, err := s.cfg.Query.Epoch(r.Context(), &types.QueryEpochRequest{})
	if err != nil {
		s.chainError(w, r, "the epoch", err)
		return
	}
	params, err := s.cfg.Query.Params(r.Context(), &types.QueryParamsRequest{})
	if err != nil {
		s.chainError(w, r, "the market params", err)
		return
	}
	p := emissionPage{page: s.page("Emission", "emission"), Epoch: ep, Params: params.Params}
	if !ep.EmissionCap.IsZero() {
		p.Percent = int(ep.TotalEmitted.MulRaw(100).Quo(ep.EmissionCap).Int64())
	}
	p.Schedule = halvingSchedule(params.Params, ep.Current.Epoch)
	series := s.history.emissionSeries()
	p.Points = len(series)
	p.Emitted = emittedChart(series, ep, time.Now())
	p.Projects = scheduleChart(p.Schedule, params.Params)
	s.render(w, r, http.StatusOK, "emission", p)
}

// halvingSchedule lists the periods until emission per epoch reaches zero or
// the cap is reached (x/compute README, Money: initial >> ⌊e / halving_epochs⌋,
// never past emission_cap).
func halvingSchedule(p types.Params, current uint64) []halvingPeriod {
	var out []halvingPeriod
	total := math.ZeroInt()
	if p.HalvingEpochs == 0 {
		return nil
	}
	for k := 0; k < maxHalvings; k++ {
		per := p.InitialEpochEmission.Quo(math.NewInt(1 << k))
		if per.IsZero() || total.GTE(p.EmissionCap) {
			break
		}
		first := uint64(k) * p.HalvingEpochs
		total = math.MinInt(total.Add(per.MulRaw(int64(p.HalvingEpochs))), p.EmissionCap)
		out = append(out, halvingPeriod{
			Index: k, FirstEpoch: first, FirstHeight: first*p.EpochBlocks + 1, PerEpoch: per, CumulativeAt: total,
			Current: current >= first && current < first+p.HalvingEpochs,
		})
	}
	return out
}

// emittedChart plots the total emitted at each sample against the cap, up to now.
func emittedChart(series []emissionPoint, ep *types.QueryEpochResponse, now time.Time) chart {
	c := chart{Title: "Emitted vs cap since the dashboard started (SHIFT)", XTime: true, Series: []string{"emitted", "cap"}, Data: make([][]float64, 3)}
	add := func(t time.Time, emitted, emissionCap math.Int) {
		c.Data[0] = append(c.Data[0], float64(t.Unix()))
		c.Data[1] = append(c.Data[1], shiftFloat(emitted))
		c.Data[2] = append(c.Data[2], shiftFloat(emissionCap))
	}
	for _, pt := range series {
		add(pt.Time, pt.Emitted, pt.Cap)
	}
	if n := len(series); n == 0 || now.Sub(series[n-1].Time) > time.Second {
		add(now, ep.TotalEmitted, ep.EmissionCap)
	}
	return c
}

// scheduleChart plots the most that can have been emitted by each halving.
func scheduleChart(periods []halvingPeriod, p types.Params) chart {
	c := chart{Title: "Halving schedule: the most emitted by each halving (SHIFT)", XLabel: "epoch", Series: []string{"emitted at most", "cap"}, Data: make([][]float64, 3)}
	c.Data[0], c.Data[1], c.Data[2] = []float64{0}, []float64{0}, []float64{shiftFloat(p.EmissionCap)}
	for _, h := range periods {
		c.Data[0] = append(c.Data[0], float64(h.FirstEpoch+p.HalvingEpochs))
		c.Data[1] = append(c.Data[1], shiftFloat(h.CumulativeAt))
		c.Data[2] = append(c.Data[2], shiftFloat(p.EmissionCap))
	}
	return c
}
