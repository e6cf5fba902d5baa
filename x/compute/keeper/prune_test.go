package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// storeBytes is the size of x/compute's state: every key and value.
func (f *fixture) storeBytes() int {
	it := f.ctx.KVStore(f.storeKey).Iterator(nil, nil)
	defer func() { require.NoError(f.t, it.Close()) }()
	n := 0
	for ; it.Valid(); it.Next() {
		n += len(it.Key()) + len(it.Value())
	}
	return n
}

func (f *fixture) taskCount(jobID uint64) int {
	f.t.Helper()
	n := 0
	require.NoError(f.t, f.k.Tasks.Walk(f.ctx, nil, func(key collectionsTaskKey, _ types.Task) (bool, error) {
		if key.K1() == jobID {
			n++
		}
		return false, nil
	}))
	return n
}

func TestTasksPrunedAfterRetention(t *testing.T) {
	const retention = 5
	f := newFixture(t, func(p *types.Params) {
		p.TaskRetentionBlocks = retention
		p.MaxQueueItemsPerBlock = 2 // 5 records take three blocks
		p.ProofSamples = 2
		p.DisputeWindowBlocks = 1 // closed before the retention ends (TestPruneWaitsForDisputes covers longer)
	})
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)
	a := f.registerDevice("a")
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 20, 4, 10) // 5 tasks
	for range 5 {
		f.runTask(a, job, nil)
	}
	closed := f.jobState(job)
	require.Equal(t, types.JOB_STATUS_COMPLETED, closed.Status)
	require.Equal(t, uint64(f.ctx.BlockHeight()), closed.ClosedHeight)
	require.Equal(t, 5, f.taskCount(job))

	// Kept through the retention: the collector can still read every root.
	f.advanceTo(closed.ClosedHeight + retention - 1)
	f.nextBlock() // EndBlock of closed+retention-1 prunes nothing
	require.Equal(t, 5, f.taskCount(job))
	res, err := f.q.Task(f.ctx, &types.QueryTaskRequest{JobId: job, TaskIndex: 4})
	require.NoError(t, err)
	require.Equal(t, types.TASK_STATUS_VERIFIED, res.Task.Status)

	// Then max_queue_items_per_block records per block.
	f.nextBlock()
	require.Equal(t, 3, f.taskCount(job))
	require.Empty(t, eventsOf[*types.EventJobTasksPruned](f.ctx.EventManager()))
	f.nextBlock()
	require.Equal(t, 1, f.taskCount(job))
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Zero(t, f.taskCount(job))
	requireEvent(t, f.ctx.EventManager(), &types.EventJobTasksPruned{JobId: job, Tasks: 5, Summarized: true})
	require.Empty(t, f.jobState(job).Spec, "the job record shrank to its summary")
	require.Zero(t, countKeys(t, f.ctx, f.k.JobPruneQueue))
	require.NoError(t, f.k.CheckInvariants(f.ctx))

	// The job stays as its summary; its tasks answer with where the roots went.
	after := f.jobState(job)
	require.Equal(t, closed.ClosedHeight+retention, closed.PruneHeight)
	closed.PruneHeight = 0                 // nothing left to prune
	closed.Spec, closed.ResultUrl = "", "" // dropped from the summary
	require.Equal(t, closed, after)
	_, err = f.q.Task(f.ctx, &types.QueryTaskRequest{JobId: job, TaskIndex: 0})
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Contains(t, err.Error(), "pruned")
	_, err = f.q.Task(f.ctx, &types.QueryTaskRequest{JobId: job, TaskIndex: 5})
	require.Contains(t, err.Error(), "never leased")
}

// A cancelled job's live task outlives the retention when windows are long:
// pruning leaves the job's live task alone and comes back later, and the task
// still finishes and pays.
func TestPruneWaitsForLiveTasks(t *testing.T) {
	const retention = 2
	f := newFixture(t, func(p *types.Params) {
		p.TaskRetentionBlocks = retention
		p.ProofSamples = 2
		p.ChallengeDelayBlocks = 5
		p.DisputeWindowBlocks = 1
	})
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)
	a := f.registerDevice("a")
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 12, 4, 10) // 3 tasks
	f.runTask(a, job, nil)
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(a), JobId: job})
	w := f.computeTask(a, job, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(a), JobId: job, TaskIndex: lease.TaskIndex, Root: w.root()})
	must(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(requester), JobId: job})
	closedAt := f.jobState(job).ClosedHeight

	f.advanceTo(closedAt + retention + 1)
	// The verified task's record went, the claimed one stays, and the job is
	// queued again a retention later.
	require.Equal(t, 1, f.taskCount(job))
	require.Equal(t, 1, countKeys(t, f.ctx, f.k.JobPruneQueue))
	require.Equal(t, closedAt+retention+retention, f.jobState(job).PruneHeight)
	require.NoError(t, f.k.CheckReferenceInvariant(f.ctx))

	f.advanceTo(claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.answer(f.challenge(job, lease.TaskIndex)).msg(f.str(a), job, lease.TaskIndex))
	require.True(t, proof.Accepted)
	f.advance(2 * retention)
	require.Zero(t, f.taskCount(job))
	require.Zero(t, countKeys(t, f.ctx, f.k.JobPruneQueue))
	require.Zero(t, f.jobState(job).PruneHeight)
}

// A job closed before any task was leased has no task records, but its record
// still shrinks to the summary after the retention.
func TestJobWithoutTasksIsSummarized(t *testing.T) {
	f := newFixture(t)
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 8, 4, 10)
	must(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(requester), JobId: job})
	closed := f.jobState(job)
	require.Equal(t, uint64(f.ctx.BlockHeight()), closed.ClosedHeight)
	require.Equal(t, closed.ClosedHeight+types.DefaultParams().TaskRetentionBlocks, closed.PruneHeight)
	require.Equal(t, 1, countKeys(t, f.ctx, f.k.JobPruneQueue))
	require.NoError(t, f.k.CheckReferenceInvariant(f.ctx))
	f.advanceTo(closed.PruneHeight + 1)
	summary := f.jobState(job)
	require.Zero(t, summary.PruneHeight)
	require.Empty(t, summary.Spec)
	require.Zero(t, countKeys(t, f.ctx, f.k.JobPruneQueue))
	require.NoError(t, f.k.CheckReferenceInvariant(f.ctx))
}

// completedJobState runs a job of tasks × items to completion and returns the
// x/compute state size before it was posted, once it completed, and once its
// retention passed. The device and requester exist beforehand, so what grows
// is the job's own state.
func completedJobState(tb testing.TB, tasks, items uint64) (before, completed, pruned int) {
	const retention = 3
	f := newFixture(tb, func(p *types.Params) {
		p.TaskRetentionBlocks = retention
		p.ProofSamples = 2
		p.EpochBlocks = 1_000_000 // no epoch settles inside the measurement
		p.ProofWindowBlocks = 10  // the block-hash ring is full (26 blocks) before measuring
		p.DisputeWindowBlocks = 1 // disputes close before the retention ends
	})
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)
	a := f.registerDevice("a")
	warm := f.postJob(requester, "hashcash", `{"difficulty_bits":1}`, items, items, 1)
	f.runTask(a, warm, nil) // the device's epoch credit exists before measuring
	f.advance(30)
	before = f.storeBytes()
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":1}`, tasks*items, items, 1)
	for range tasks {
		f.runTask(a, job, nil)
	}
	completed = f.storeBytes()
	f.advance(retention + 1)
	require.Zero(tb, f.taskCount(job))
	return before, completed, f.storeBytes()
}

// TestStatePerCompletedTask bounds what a settled task leaves in state: with
// pruning, only the job record's share (here one job of 64 tasks). Sizes are
// deterministic; nothing here depends on speed.
func TestStatePerCompletedTask(t *testing.T) {
	const tasks = 64
	before, completed, pruned := completedJobState(t, tasks, 8)
	perTaskKept := float64(completed-before) / tasks //nolint:forbidigo // test arithmetic
	perTaskPruned := float64(pruned-before) / tasks  //nolint:forbidigo // test arithmetic
	t.Logf("x/compute state per completed task: %.1f B while retained, %.1f B after pruning", perTaskKept, perTaskPruned)
	require.Greater(t, completed, pruned)
	require.LessOrEqual(t, perTaskPruned, 200.0)
}

// BenchmarkStatePerCompletedTask reports the logical state (keys + values) a
// completed task adds to x/compute, while retained and after pruning, for a
// job of 64 tasks. (On-disk growth, with IAVL's overhead, is measured by the
// chain bench.)
func BenchmarkStatePerCompletedTask(b *testing.B) {
	const tasks = 64
	var before, completed, pruned int
	for b.Loop() {
		before, completed, pruned = completedJobState(b, tasks, 8)
	}
	b.ReportMetric(float64(completed-before)/tasks, "B/task-retained") //nolint:forbidigo // a report, not state
	b.ReportMetric(float64(pruned-before)/tasks, "B/task-pruned")      //nolint:forbidigo // a report, not state
}

type collectionsTaskKey = keeper.TaskKey

func (f *fixture) jobState(id uint64) types.Job {
	f.t.Helper()
	job, err := f.k.Jobs.Get(f.ctx, id)
	require.NoError(f.t, err)
	return job
}
