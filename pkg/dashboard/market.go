package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// maxListed bounds every list the dashboard reads in one query.
const maxListed = 200

// jobRow is a job as the market lists it.
type jobRow struct {
	types.Job
	Program    string
	Status     string
	Percent    int
	BlocksLeft int64
}

func (s *Server) jobRow(j types.Job) jobRow {
	left := int64(j.DeadlineHeight) - s.Conn().Height
	if left < 0 {
		left = 0
	}
	return jobRow{Job: j, Program: program(j), Status: jobStatus(j.Status), Percent: percent(j.TasksVerified, j.NumTasks), BlocksLeft: left}
}

// program describes what a job computes, from its kind and spec.
func program(j types.Job) string {
	switch j.Kind {
	case kinds.Mandelbrot{}.Name():
		var s struct {
			Width    int    `json:"width"`
			Height   int    `json:"height"`
			MaxIter  int    `json:"max_iter"`
			CenterRe string `json:"center_re"`
			CenterIm string `json:"center_im"`
		}
		if json.Unmarshal([]byte(j.Spec), &s) == nil {
			return fmt.Sprintf("Mandelbrot render %d×%d, %d iterations", s.Width, s.Height, s.MaxIter)
		}
	case kinds.Hashcash{}.Name():
		var s struct {
			Bits int `json:"difficulty_bits"`
		}
		if json.Unmarshal([]byte(j.Spec), &s) == nil {
			return fmt.Sprintf("hashcash, %d-bit difficulty", s.Bits)
		}
	}
	return j.Spec
}

func jobStatus(s types.JobStatus) string {
	switch s {
	case types.JOB_STATUS_OPEN:
		return "open"
	case types.JOB_STATUS_COMPLETED:
		return "completed"
	case types.JOB_STATUS_CANCELLED:
		return "cancelled"
	case types.JOB_STATUS_EXPIRED:
		return "expired"
	}
	return "unknown"
}

// marketPage is the front page.
type marketPage struct {
	page
	Open       []jobRow
	Recent     []jobRow // the latest jobs that are not open
	Proofs     []proofRecord
	OpenEscrow math.Int
}

func (s *Server) serveMarket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	open, err := s.cfg.Query.Jobs(ctx, &types.QueryJobsRequest{Status: types.JOB_STATUS_OPEN, Pagination: &query.PageRequest{Limit: maxListed}})
	if err != nil {
		s.chainError(w, r, "the open jobs", err)
		return
	}
	latest, err := s.cfg.Query.Jobs(ctx, &types.QueryJobsRequest{Pagination: &query.PageRequest{Limit: 10, Reverse: true}})
	if err != nil {
		s.chainError(w, r, "the latest jobs", err)
		return
	}
	p := marketPage{page: s.page("Market", "market"), Proofs: s.history.recentProofs(0, 15), OpenEscrow: math.ZeroInt()}
	for _, j := range open.Jobs {
		p.Open = append(p.Open, s.jobRow(j))
		p.OpenEscrow = p.OpenEscrow.Add(j.Escrow)
	}
	for _, j := range latest.Jobs {
		if j.Status != types.JOB_STATUS_OPEN {
			p.Recent = append(p.Recent, s.jobRow(j))
		}
	}
	s.render(w, r, http.StatusOK, "market", p)
}

// lookupJob reads the job named by the path's {id}, answering 404 itself for
// an id that is not a number or not a job.
func (s *Server) lookupJob(w http.ResponseWriter, r *http.Request) (types.Job, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		s.notFound(w, r, "%q is not a job id: job ids are whole numbers from 1.", r.PathValue("id"))
		return types.Job{}, false
	}
	res, err := s.cfg.Query.Job(r.Context(), &types.QueryJobRequest{JobId: id})
	if err != nil {
		s.chainError(w, r, fmt.Sprintf("job %d", id), err)
		return types.Job{}, false
	}
	return res.Job, true
}
