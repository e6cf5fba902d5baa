package dashboard

import (
	"net/http"
	"sort"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// maxGridTasks is the most task cells a job page draws.
const maxGridTasks = 4096

// taskCell is one task in a job's status grid.
type taskCell struct {
	Index  uint64
	State  string // open, leased, claimed, verified
	Device string
	Title  string
}

// jobDevice is a device's share of a job.
type jobDevice struct {
	Device   string
	Verified uint64
	Live     uint64
	Paid     math.Int // payments for its verified tasks, fee deducted
}

// jobPage is one job.
type jobPage struct {
	page
	Job       jobRow
	Tasks     []taskCell
	Truncated bool
	Counts    map[string]int
	Devices   []jobDevice
	Paid      math.Int
	Fees      math.Int
	Proofs    []proofRecord
	Preview   bool
	Collector bool
}

func (s *Server) serveJob(w http.ResponseWriter, r *http.Request) {
	job, ok := s.lookupJob(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	tasks, err := s.cfg.Query.JobTasks(ctx, &types.QueryJobTasksRequest{JobId: job.Id, Pagination: &query.PageRequest{Limit: maxGridTasks}})
	if err != nil {
		s.chainError(w, r, "the job's tasks", err)
		return
	}
	params, err := s.cfg.Query.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		s.chainError(w, r, "the market params", err)
		return
	}
	p := jobPage{page: s.page("Job "+jobTitle(job), "market"), Job: s.jobRow(job), Counts: map[string]int{},
		Paid: math.ZeroInt(), Fees: math.ZeroInt(), Proofs: s.history.recentProofs(job.Id, 15),
		Preview: s.previewable(job), Collector: len(s.cfg.CollectorDirs) > 0}

	cells := min(job.NumTasks, maxGridTasks)
	p.Truncated = job.NumTasks > cells
	p.Tasks = make([]taskCell, cells)
	for i := range p.Tasks {
		p.Tasks[i] = taskCell{Index: uint64(i), State: "open", Title: "not leased"}
	}
	byDevice := map[string]*jobDevice{}
	for _, t := range tasks.Tasks {
		if t.Index >= cells {
			continue
		}
		c := &p.Tasks[t.Index]
		c.Device = t.Device
		d := byDevice[t.Device]
		if d == nil {
			d = &jobDevice{Device: t.Device, Paid: math.ZeroInt()}
			byDevice[t.Device] = d
		}
		switch t.Status {
		case types.TASK_STATUS_LEASED:
			c.State, c.Title = "leased", "leased by "+t.Device
			d.Live++
		case types.TASK_STATUS_CLAIMED:
			c.State, c.Title = "claimed", "claimed by "+t.Device+", waiting for its proof"
			d.Live++
		case types.TASK_STATUS_VERIFIED:
			c.State, c.Title = "verified", "verified, computed by "+t.Device
			d.Verified++
			// What the keeper paid: reward less the protocol fee (x/compute README, Money).
			reward := job.PricePerItem.MulRaw(int64(t.ItemCount))
			fee := reward.MulRaw(int64(params.Params.ProtocolFeeBps)).QuoRaw(types.BasisPoints)
			d.Paid = d.Paid.Add(reward.Sub(fee))
			p.Paid, p.Fees = p.Paid.Add(reward.Sub(fee)), p.Fees.Add(fee)
		default:
			c.State, c.Title = "open", "reopened, waiting for a device"
		}
	}
	for _, c := range p.Tasks {
		p.Counts[c.State]++
	}
	for _, d := range byDevice {
		p.Devices = append(p.Devices, *d)
	}
	sort.Slice(p.Devices, func(i, j int) bool { return p.Devices[i].Device < p.Devices[j].Device })
	s.render(w, r, http.StatusOK, "job", p)
}

func jobTitle(j types.Job) string { return "#" + uintString(j.Id) }
