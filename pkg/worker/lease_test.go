package worker

import (
	"context"
	"testing"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// leaseJob is an open hashcash job of 10-bit items (1.024 s an item on the
// release rig's 1,000 hashes/s) with numTasks tasks of itemsPerTask items.
func leaseJob(id, numTasks, itemsPerTask uint64) types.Job {
	return types.Job{
		Id: id, Kind: "hashcash", Spec: `{"difficulty_bits":10}`, Items: numTasks * itemsPerTask,
		ItemsPerTask: itemsPerTask, NumTasks: numTasks, PricePerItem: math.NewInt(int64(100 - id)),
		Status: types.JOB_STATUS_OPEN,
	}
}

func planIDs(plan []plannedLease) []uint64 {
	ids := make([]uint64, len(plan))
	for i, p := range plan {
		ids[i] = p.job.Id
	}
	return ids
}

// TestPlanLeasesOnlyWhatALeaseFinishes: a batch asks for the tasks this
// device finishes within a lease at its measured speed, each counted behind
// the ones before it in the batch, not for as many as the batch holds.
func TestPlanLeasesOnlyWhatALeaseFinishes(t *testing.T) {
	r := newReleaseRig(t, 0) // a lease is 97 s of compute; 1.024 s an item
	r.w.skipped = map[uint64]Skip{}
	ctx := context.Background()
	rank := func(jobs ...types.Job) Ranking {
		return Rank(jobs, RankInput{Kinds: kinds.DefaultRegistry(), ItemTime: r.w.itemTime})
	}
	// 20 items: 30.7 s a task with the slack; three fit in 97 s, not four.
	plan, err := r.w.planLeases(ctx, rank(leaseJob(1, 10, 20)), 8)
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 1, 1}, planIDs(plan))
	require.Empty(t, r.w.skipped, "a job whose next task waits for the batch is not skipped")

	// The batch bound, then the job's open tasks (neither live nor verified).
	plan, _ = r.w.planLeases(ctx, rank(leaseJob(1, 10, 20)), 2)
	require.Equal(t, []uint64{1, 1}, planIDs(plan))
	few := leaseJob(1, 5, 2)
	few.NextTask, few.LiveTasks, few.TasksVerified = 5, 2, 2
	plan, _ = r.w.planLeases(ctx, rank(few), 8)
	require.Equal(t, []uint64{1}, planIDs(plan))

	// A job too long alone is skipped with why; the next job fills the batch,
	// behind the tasks already picked.
	plan, _ = r.w.planLeases(ctx, rank(leaseJob(1, 10, 70), leaseJob(2, 10, 20), leaseJob(3, 10, 2)), 8)
	require.Equal(t, SkipLeaseTooLong, r.w.skipped[1].Reason)
	require.Equal(t, []uint64{2, 2, 2, 3}, planIDs(plan), "three tasks of job 2 (92 s), then one 3 s task of job 3")

	// Work in flight counts first.
	per, ok := r.w.itemTime(hashcash(t, 10), "hashcash")
	require.True(t, ok)
	r.w.rel.live = map[string]*pace{"9-0": {items: 60, itemTime: per, known: true}}
	plan, _ = r.w.planLeases(ctx, rank(leaseJob(2, 10, 20)), 8)
	require.Empty(t, plan, "92 s in flight: a 31 s task does not fit")
}

// fakeLeaseChain is a chain that answers MsgLeaseTasks element by element
// with refusals per job, and fails a batch whole when no element settles.
type fakeLeaseChain struct {
	types.QueryClient
	jobs     []types.Job
	refuse   map[uint64]error // job id: its elements' refusal
	sent     []gogoproto.Message
	next     map[uint64]uint64
	maxBatch int // max_batch_size; 0: any
}

func (c *fakeLeaseChain) Address() string { return "nightshift1device" }

func (c *fakeLeaseChain) Jobs(context.Context, *types.QueryJobsRequest, ...grpc.CallOption) (*types.QueryJobsResponse, error) {
	return &types.QueryJobsResponse{Jobs: c.jobs}, nil
}

func (c *fakeLeaseChain) Epoch(context.Context, *types.QueryEpochRequest, ...grpc.CallOption) (*types.QueryEpochResponse, error) {
	return &types.QueryEpochResponse{NextEmission: math.ZeroInt(), Current: types.EpochInfo{WorkUnits: math.ZeroInt()}}, nil
}

func (c *fakeLeaseChain) Params(context.Context, *types.QueryParamsRequest, ...grpc.CallOption) (*types.QueryParamsResponse, error) {
	return &types.QueryParamsResponse{Params: types.DefaultParams()}, nil
}

func (c *fakeLeaseChain) Requesters(context.Context, *types.QueryRequestersRequest, ...grpc.CallOption) (*types.QueryRequestersResponse, error) {
	return &types.QueryRequestersResponse{}, nil
}

func (c *fakeLeaseChain) lease(jobID uint64) *types.MsgLeaseTaskResponse {
	if c.next == nil {
		c.next = map[uint64]uint64{}
	}
	i := c.next[jobID]
	c.next[jobID]++
	return &types.MsgLeaseTaskResponse{TaskIndex: i, FirstItem: i * 20, ItemCount: 20, LeaseExpiry: 500}
}

func (c *fakeLeaseChain) Submit(_ context.Context, msgs ...gogoproto.Message) (*workerclient.Result, error) {
	c.sent = append(c.sent, msgs[0])
	switch m := msgs[0].(type) {
	case *types.MsgLeaseTask:
		if err := c.refuse[m.JobId]; err != nil {
			return nil, err
		}
		return &workerclient.Result{Responses: []gogoproto.Message{c.lease(m.JobId)}}, nil
	case *types.MsgLeaseTasks:
		if c.maxBatch > 0 && len(m.JobIds) > c.maxBatch {
			return nil, errorsmod.Wrapf(types.ErrBatchSize, "%d elements, want 1 to %d", len(m.JobIds), c.maxBatch)
		}
		res := &types.MsgLeaseTasksResponse{}
		var first error
		for _, id := range m.JobIds {
			if err := c.refuse[id]; err != nil {
				first = cmpFirst(first, err)
				codespace, code, log := errorsmod.ABCIInfo(err, false)
				res.Results = append(res.Results, types.LeaseTasksResult{JobId: id, Error: &types.BatchError{Codespace: codespace, Code: code, Log: log}})
				continue
			}
			res.Settled++
			res.Results = append(res.Results, types.LeaseTasksResult{JobId: id, Lease: c.lease(id)})
		}
		if res.Settled == 0 {
			return nil, errorsmod.Wrap(first, "no element of the batch settled")
		}
		return &workerclient.Result{Responses: []gogoproto.Message{res}}, nil
	}
	panic("unexpected message")
}

func cmpFirst(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func newLeaseWorker(t *testing.T, chain *fakeLeaseChain, batchSize int) *Worker {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	return New(Config{Client: chain, Query: chain, Store: store, Kinds: kinds.DefaultRegistry(), BatchSize: batchSize})
}

// TestLeaseBatches: the worker leases the tasks it has room for in one
// MsgLeaseTasks, best-paying job first; an element the chain refuses is
// handled as a refused single lease, and the rest settle and are saved.
func TestLeaseBatches(t *testing.T) {
	ctx := context.Background()
	chain := &fakeLeaseChain{jobs: []types.Job{leaseJob(2, 2, 20), leaseJob(1, 1, 20), leaseJob(3, 5, 20)}}
	w := newLeaseWorker(t, chain, 8)
	tasks, err := w.lease(ctx, 4, false)
	require.NoError(t, err)
	require.Len(t, chain.sent, 1, "one transaction")
	require.Equal(t, []uint64{1, 2, 2, 3}, chain.sent[0].(*types.MsgLeaseTasks).JobIds, "by pay, each job's open tasks")
	require.Len(t, tasks, 4)
	for _, task := range tasks {
		require.True(t, w.cfg.Store.Has(task.JobID, task.TaskIndex), "saved before it is driven")
		require.Equal(t, StageLeased, task.Stage)
	}
	require.Equal(t, uint64(1), tasks[2].TaskIndex, "job 2's second task")

	// Never more than the batch size, whatever room there is.
	chain = &fakeLeaseChain{jobs: []types.Job{leaseJob(3, 50, 20)}}
	w = newLeaseWorker(t, chain, 8)
	tasks, err = w.lease(ctx, 20, false)
	require.NoError(t, err)
	require.Len(t, tasks, 8)
	require.Len(t, chain.sent[0].(*types.MsgLeaseTasks).JobIds, 8)

	// A refused element: the others settle; a bond refusal skips its job.
	chain = &fakeLeaseChain{jobs: []types.Job{leaseJob(1, 1, 20), leaseJob(2, 2, 20)},
		refuse: map[uint64]error{1: types.ErrBondTooSmallForTask}}
	w = newLeaseWorker(t, chain, 8)
	tasks, err = w.lease(ctx, 3, false)
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	require.Equal(t, uint64(2), tasks[0].JobID)
	require.Equal(t, SkipBondTooSmall, w.leaseSkips[1].Reason)
}

// TestLeaseBatchRefusedWhole: a batch none of whose elements settles fails
// with the first element's error; the worker drops that job and asks for the
// others, and stops at a refusal that holds for every job.
func TestLeaseBatchRefusedWhole(t *testing.T) {
	ctx := context.Background()
	chain := &fakeLeaseChain{jobs: []types.Job{leaseJob(1, 2, 20), leaseJob(2, 2, 20)},
		refuse: map[uint64]error{1: types.ErrNoOpenTask}}
	// Job 1's elements first and refused, job 2's settle: one transaction.
	w := newLeaseWorker(t, chain, 8)
	tasks, err := w.lease(ctx, 4, false)
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	require.Len(t, chain.sent, 1)

	chain.refuse[2], chain.next = types.ErrJobNotOpen, nil
	chain.sent = nil
	tasks, err = w.lease(ctx, 4, false)
	require.NoError(t, err)
	require.Empty(t, tasks)
	require.Len(t, chain.sent, 2, "refused whole: again without job 1, then nothing is left")
	require.Equal(t, []uint64{2, 2}, chain.sent[1].(*types.MsgLeaseTasks).JobIds)

	chain.refuse = map[uint64]error{1: types.ErrTooManyLiveTasks, 2: types.ErrTooManyLiveTasks}
	chain.sent = nil
	tasks, err = w.lease(ctx, 4, false)
	require.NoError(t, err)
	require.Empty(t, tasks)
	require.Len(t, chain.sent, 1, "the device's live-task limit holds for every job: stop")

	chain.refuse = map[uint64]error{1: types.ErrDeviceJailed}
	_, err = w.lease(ctx, 4, false)
	require.True(t, IsFatal(err), "a jailed device stops the worker")
}

// TestLeaseBatchSavesSettledBeforeAFatalRefusal: leases that settled in the
// same batch as a fatal refusal are saved, so a restart takes them up.
func TestLeaseBatchSavesSettledBeforeAFatalRefusal(t *testing.T) {
	chain := &fakeLeaseChain{jobs: []types.Job{leaseJob(1, 1, 20), leaseJob(2, 1, 20)},
		refuse: map[uint64]error{2: types.ErrBondTooLow}}
	w := newLeaseWorker(t, chain, 8)
	tasks, err := w.lease(context.Background(), 2, false)
	require.True(t, IsFatal(err))
	require.Len(t, tasks, 1)
	require.True(t, w.cfg.Store.Has(1, 0))
}

// TestLeaseBatchSizeOne: --batch-size 1 sends one MsgLeaseTask per task, as
// before batching.
func TestLeaseBatchSizeOne(t *testing.T) {
	chain := &fakeLeaseChain{jobs: []types.Job{leaseJob(1, 5, 20)}}
	w := newLeaseWorker(t, chain, 1)
	tasks, err := w.lease(context.Background(), 3, false)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	require.IsType(t, &types.MsgLeaseTask{}, chain.sent[0])
}

// TestLeaseBatchOverTheChainsMaxBatchSize: a chain whose max_batch_size is
// below --batch-size refuses the batch whole; the worker leases one task.
func TestLeaseBatchOverTheChainsMaxBatchSize(t *testing.T) {
	chain := &fakeLeaseChain{jobs: []types.Job{leaseJob(1, 5, 20)}, maxBatch: 1}
	w := newLeaseWorker(t, chain, 8)
	tasks, err := w.lease(context.Background(), 3, false)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	require.Len(t, chain.sent, 2, "the batch of three, refused; then one")
	require.Equal(t, []uint64{1}, chain.sent[1].(*types.MsgLeaseTasks).JobIds)
}
