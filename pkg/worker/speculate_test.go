package worker

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	errorsmod "cosmossdk.io/errors"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeSpecChain is fakeLeaseChain that also answers Query/Job and Query/Task
// and MsgLeaseAndClaim: the lease gives job's next_task (nextTask), and the
// element is refused with ErrLeaseMismatch when it names another.
type fakeSpecChain struct {
	fakeLeaseChain
	nextTask map[uint64]uint64
	claimed  map[uint64]types.Task // job id: the task its lease+claim settled
	// landed: a refusal whose task the chain holds anyway (an earlier send
	// of the same lease+claim landed).
	landed *types.Task
}

func (c *fakeSpecChain) Job(_ context.Context, req *types.QueryJobRequest, _ ...grpc.CallOption) (*types.QueryJobResponse, error) {
	for _, j := range c.jobs {
		if j.Id == req.JobId {
			return &types.QueryJobResponse{Job: j}, nil
		}
	}
	panic("no such job")
}

func (c *fakeSpecChain) Task(_ context.Context, req *types.QueryTaskRequest, _ ...grpc.CallOption) (*types.QueryTaskResponse, error) {
	if c.landed != nil {
		return &types.QueryTaskResponse{Task: *c.landed}, nil
	}
	return &types.QueryTaskResponse{Task: types.Task{JobId: req.JobId, Index: req.TaskIndex, Device: "nightshift1other", Status: types.TASK_STATUS_LEASED}}, nil
}

func (c *fakeSpecChain) Submit(ctx context.Context, msgs ...gogoproto.Message) (*workerclient.Result, error) {
	m, ok := msgs[0].(*types.MsgLeaseAndClaim)
	if !ok {
		return c.fakeLeaseChain.Submit(ctx, msgs...)
	}
	c.sent = append(c.sent, m)
	e := m.Claims[0]
	if next := c.nextTask[e.JobId]; next != e.TaskIndex {
		// A batch of one none of whose elements settled fails whole.
		return nil, errorsmod.Wrapf(types.ErrLeaseMismatch, "job %d's next lease for this device is task %d", e.JobId, next)
	}
	c.nextTask[e.JobId]++
	task := types.Task{JobId: e.JobId, Index: e.TaskIndex, Device: c.Address(), Status: types.TASK_STATUS_CLAIMED, Root: e.Root,
		LeaseExpiry: 600, ChallengeHeight: 510, ProofDeadline: 560}
	c.claimed[e.JobId] = task
	return &workerclient.Result{Responses: []gogoproto.Message{&types.MsgLeaseAndClaimResponse{Settled: 1, Results: []types.LeaseAndClaimResult{{
		JobId: e.JobId, TaskIndex: e.TaskIndex,
		Lease: &types.MsgLeaseTaskResponse{TaskIndex: e.TaskIndex, LeaseExpiry: 600},
		Claim: &types.MsgSubmitClaimResponse{ChallengeHeight: 510, ProofDeadline: 560},
	}}}}}, nil
}

// specJob is an open hashcash job of 1-bit items whose next task is next,
// with live tasks live and verified tasks verified.
func specJob(id, next, live, verified uint64) types.Job {
	j := leaseJob(id, 10, 4)
	j.Spec = `{"difficulty_bits":1}`
	j.NextTask, j.LiveTasks, j.TasksVerified = next, live, verified
	return j
}

func newSpecWorker(t *testing.T, chain *fakeSpecChain, speculate bool) (*Worker, *[]Event) {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	var events []Event
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pool := NewPool(ctx, 1, &Policy{Now: time.Now, Interval: time.Second})
	w := New(Config{Client: chain, Query: chain, Store: store, Pool: pool, Kinds: kinds.DefaultRegistry(), BatchSize: 8,
		Speculate: speculate, Report: func(e Event) { events = append(events, e) }})
	return w, &events
}

func newSpecChain(jobs ...types.Job) *fakeSpecChain {
	c := &fakeSpecChain{fakeLeaseChain: fakeLeaseChain{jobs: jobs}, nextTask: map[uint64]uint64{}, claimed: map[uint64]types.Task{}}
	for _, j := range jobs {
		c.nextTask[j.Id] = j.NextTask
	}
	return c
}

// TestPredictNextOnlyWhereTheLeaseIsKnown: the next task is predicted only
// when every task below next_task is live or verified (no reopened task a
// lease would give first), the job is open with a task left, and speculation
// is on.
func TestPredictNextOnlyWhereTheLeaseIsKnown(t *testing.T) {
	ctx := context.Background()
	chain := newSpecChain(specJob(1, 3, 2, 1), specJob(2, 3, 1, 1), specJob(3, 10, 0, 10))
	w, _ := newSpecWorker(t, chain, true)

	task, err := w.predictNext(ctx, 1)
	require.NoError(t, err)
	require.NotNil(t, task)
	require.Equal(t, StagePredicted, task.Stage)
	require.True(t, task.Predicted)
	require.Equal(t, uint64(3), task.TaskIndex)
	require.Equal(t, uint64(12), task.FirstItem)
	require.Equal(t, uint64(4), task.ItemCount)

	task, err = w.predictNext(ctx, 2)
	require.NoError(t, err)
	require.Nil(t, task, "task 0, 1 or 2 was reopened: a lease gives it before next_task")
	task, _ = w.predictNext(ctx, 3)
	require.Nil(t, task, "no task left")

	w.mispredicted.Store(true)
	task, _ = w.predictNext(ctx, 1)
	require.Nil(t, task, "after a wrong guess, one ordinary lease")
	task, _ = w.predictNext(ctx, 1)
	require.NotNil(t, task, "then predictions again")

	off, _ := newSpecWorker(t, chain, false)
	task, _ = off.predictNext(ctx, 1)
	require.Nil(t, task, "--speculate=false")
}

// TestIdleLeasePredicts: an idle device gets its best job's next task to
// compute before leasing it (no transaction yet); a busy one leases.
func TestIdleLeasePredicts(t *testing.T) {
	ctx := context.Background()
	chain := newSpecChain(specJob(1, 0, 0, 0))
	w, _ := newSpecWorker(t, chain, true)
	tasks, err := w.lease(ctx, 4, true)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	require.Equal(t, StagePredicted, tasks[0].Stage)
	require.Empty(t, chain.sent, "nothing sent before the task is computed")

	// Until its lease+claim is answered no other lease goes out: the chain
	// could answer it with the very task predicted.
	tasks, err = w.lease(ctx, 4, false)
	require.NoError(t, err)
	require.Empty(t, tasks)
	require.Empty(t, chain.sent)

	w.predictionSettled()
	select {
	case <-w.predicted:
	default:
		t.Fatal("a settled prediction wakes the lease loop")
	}
	tasks, err = w.lease(ctx, 4, false)
	require.NoError(t, err)
	require.Len(t, tasks, 4)
	require.IsType(t, &types.MsgLeaseTasks{}, chain.sent[0], "with tasks in flight: an ordinary lease")
}

// TestPredictedTaskLeasedAndClaimedInOneTx: the predicted task is computed,
// saved as claiming, then leased and claimed by one MsgLeaseAndClaim with
// the root of its outputs.
func TestPredictedTaskLeasedAndClaimedInOneTx(t *testing.T) {
	ctx := context.Background()
	chain := newSpecChain(specJob(1, 2, 1, 1))
	w, _ := newSpecWorker(t, chain, true)
	task, err := w.predictNext(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, w.computePredicted(ctx, task))

	require.Len(t, chain.sent, 1, "one transaction")
	msg := chain.sent[0].(*types.MsgLeaseAndClaim)
	spec, err := kinds.DefaultRegistry().Parse("hashcash", []byte(`{"difficulty_bits":1}`), 40)
	require.NoError(t, err)
	var outputs [][]byte
	for i := range uint64(4) {
		out, _, err := spec.ComputeOutput(kinds.Item{JobID: 1, Index: 8 + i})
		require.NoError(t, err)
		outputs = append(outputs, out)
	}
	tree, err := merkle.TaskTree(1, 8, outputs)
	require.NoError(t, err)
	root := tree.Root()
	require.Equal(t, types.ClaimElement{JobId: 1, TaskIndex: 2, Root: root[:]}, msg.Claims[0], "task 2's root, from the kind's own code")

	require.Equal(t, StageClaimed, task.Stage)
	require.Equal(t, uint64(510), task.ChallengeHeight)
	require.Equal(t, uint64(560), task.ProofDeadline)
	require.Equal(t, uint64(600), task.LeaseExpiry)
	saved, err := w.cfg.Store.Tasks()
	require.NoError(t, err)
	require.Len(t, saved, 1)
	require.Equal(t, StageClaimed, saved[0].Stage, "saved before the proof is due")
}

// TestMispredictedTaskCostsOnlyItsComputation: another device leased the
// task first, so the chain refuses the element; the worker records the task
// as mispredicted (nothing owed, outputs dropped when it ends) and its next
// lease is an ordinary one.
func TestMispredictedTaskCostsOnlyItsComputation(t *testing.T) {
	ctx := context.Background()
	chain := newSpecChain(specJob(1, 2, 1, 1))
	w, events := newSpecWorker(t, chain, true)
	task, err := w.predictNext(ctx, 1)
	require.NoError(t, err)
	chain.nextTask[1] = 3 // another device leased task 2 meanwhile
	w.drive(ctx, task)
	require.Equal(t, StageMispredicted, task.Stage)
	require.Zero(t, w.predicting.Load(), "settled: other leases may go")
	_, err = w.cfg.Store.LoadOutputs(task)
	require.Error(t, err, "its outputs are dropped")
	require.True(t, task.Stage.Finished())
	require.Equal(t, "mispredicted", (*events)[len(*events)-1].Kind)
	require.Empty(t, chain.claimed)

	chain.jobs[0].NextTask, chain.jobs[0].LiveTasks = 3, 2
	tasks, err := w.lease(ctx, 4, true)
	require.NoError(t, err)
	require.NotEmpty(t, tasks)
	require.Equal(t, StageLeased, tasks[0].Stage, "the fallback: lease, then claim")
	require.IsType(t, &types.MsgLeaseTasks{}, chain.sent[len(chain.sent)-1])
}

// TestLeaseAndClaimThatLandedEarlierIsTakenUp: a resent lease+claim (after a
// restart, or a send that timed out) is refused because the first one
// landed; the chain holds the task claimed by this device with this root, so
// the worker takes it up rather than abandon a claim it must prove.
func TestLeaseAndClaimThatLandedEarlierIsTakenUp(t *testing.T) {
	ctx := context.Background()
	chain := newSpecChain(specJob(1, 2, 1, 1))
	w, _ := newSpecWorker(t, chain, true)
	task, err := w.predictNext(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, w.computePredicted(ctx, task))
	first := chain.claimed[1]

	// Resumed in StageClaiming, as a restart finds it.
	task.Stage, task.ChallengeHeight = StageClaiming, 0
	chain.landed = &first
	require.NoError(t, w.leaseAndClaim(ctx, task))
	require.Equal(t, StageClaimed, task.Stage)
	require.Equal(t, uint64(510), task.ChallengeHeight)

	// A task held by this device under another root is not ours to prove.
	task.Stage = StageClaiming
	other := first
	other.Root = make([]byte, 32)
	chain.landed = &other
	require.NoError(t, w.leaseAndClaim(ctx, task))
	require.Equal(t, StageMispredicted, task.Stage)
	require.NotEqual(t, hex.EncodeToString(other.Root), task.Root)
}
