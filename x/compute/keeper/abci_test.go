package keeper_test

import (
	"context"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func countKeys[K any](t *testing.T, ctx context.Context, ks collections.KeySet[K]) int {
	t.Helper()
	n := 0
	require.NoError(t, ks.Walk(ctx, nil, func(K) (bool, error) { n++; return false, nil }))
	return n
}

// TestQueuesDrainInBoundedBatches fills the lease-expiry, job-deadline and
// unbonding queues beyond max_queue_items_per_block at one height and shows
// each end-block handles at most the cap, the backlog draining over later blocks.
func TestQueuesDrainInBoundedBatches(t *testing.T) {
	const limit = 3
	f := newFixture(t, func(p *types.Params) {
		p.SlashLapsedBps = 0 // the lapses here measure the queues, not the bond
		p.MaxQueueItemsPerBlock = limit
		p.LeaseBlocks = 5
		p.DeviceUnbondingBlocks = 5
	})
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)

	// 10 leases expiring at the same height.
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":1}`, 10, 1, 100)
	dev := f.registerDevice("dev")
	for range 10 {
		must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: job})
	}
	// 7 jobs whose deadline is the same height.
	for range 7 {
		must(f, f.msgs.PostJob, &types.MsgPostJob{Requester: f.str(requester), Kind: "hashcash", Spec: `{"difficulty_bits":1}`,
			Items: 2, ItemsPerTask: 1, PricePerItem: math.NewInt(100), DeadlineBlocks: 5})
	}
	// 5 devices unbonding at the same height.
	var unbonding []sdk.AccAddress
	for i := range 5 {
		d := f.registerDevice(string(rune('p' + i)))
		must(f, f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: f.str(d)})
		unbonding = append(unbonding, d)
	}
	require.Equal(t, 10, countKeys(t, f.ctx, f.k.TaskQueue))
	require.Equal(t, 8, countKeys(t, f.ctx, f.k.JobDeadlineQueue))
	require.Equal(t, 5, countKeys(t, f.ctx, f.k.UnbondingQueue))

	f.advanceTo(6) // all of them fall due at height 6
	tasks, jobs, unbonds := 10, 7, 5
	for tasks+jobs+unbonds > 0 {
		f.nextBlock()
		tasks, jobs, unbonds = max(tasks-limit, 0), max(jobs-limit, 0), max(unbonds-limit, 0)
		require.Equal(t, tasks, countKeys(t, f.ctx, f.k.TaskQueue))
		require.Equal(t, 10-tasks, countKeys(t, f.ctx, f.k.ReopenedTasks))
		require.Equal(t, jobs+1, countKeys(t, f.ctx, f.k.JobDeadlineQueue), "the first job's deadline is later")
		require.Equal(t, unbonds, countKeys(t, f.ctx, f.k.UnbondingQueue))
	}
	for _, d := range unbonding {
		dv, err := f.k.Devices.Get(f.ctx, d)
		require.NoError(t, err)
		require.Equal(t, types.DEVICE_STATUS_UNBONDED, dv.Status)
		require.Equal(t, math.NewInt(10*bond), f.balance(d), "bond returned in full")
	}
	res, err := f.q.Jobs(f.ctx, &types.QueryJobsRequest{Status: types.JOB_STATUS_EXPIRED})
	require.NoError(t, err)
	require.Len(t, res.Jobs, 7)
	d, err := f.k.Devices.Get(f.ctx, dev)
	require.NoError(t, err)
	require.Zero(t, d.LiveTasks)
	require.Equal(t, math.NewInt(bond), d.Bond, "with slash_lapsed_bps 0 an expired lease costs no bond")
}

// TestBlockHashRingIsBounded: the keeper keeps only the hashes an open claim can
// still need, pruning a bounded number per block.
func TestBlockHashRingIsBounded(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.ProofWindowBlocks = 10 })
	f.advance(100)
	n := 0
	require.NoError(t, f.k.BlockHashes.Walk(f.ctx, nil, func(uint64, []byte) (bool, error) { n++; return false, nil }))
	require.LessOrEqual(t, n, 10+16+1)
	// The hash of a recent block is the one the header carried.
	h, err := f.k.BlockHashes.Get(f.ctx, uint64(f.ctx.BlockHeight()-3))
	require.NoError(t, err)
	require.Equal(t, blockHash(f.ctx.BlockHeight()-3), h)
}

// TestChallengeDependsOnLaterBlock: the challenge is not known at claim time and
// is fixed by the hash of block claim_height + challenge_delay_blocks.
func TestChallengeDependsOnLaterBlock(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.ProofSamples = 4 })
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)
	dev := f.registerDevice("dev")
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":1}`, 64, 64, 10)
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: job})
	w := f.computeTask(dev, job, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev), JobId: job, TaskIndex: 0, Root: w.root()})
	res, err := f.q.Task(f.ctx, &types.QueryTaskRequest{JobId: job, TaskIndex: 0})
	require.NoError(t, err)
	require.False(t, res.ChallengeReady)
	require.Empty(t, res.ChallengeIndices)
	f.advanceTo(claim.ChallengeHeight)
	got := f.challenge(job, 0)
	require.Len(t, got, 4)
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1], got[i], "ascending and distinct")
	}
	// A different hash at the challenge height gives a different sample.
	task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(job, 0))
	require.NoError(t, err)
	require.NoError(t, f.k.BlockHashes.Set(f.ctx, claim.ChallengeHeight, blockHash(999)))
	other, ready, err := f.k.ChallengeIndices(f.ctx, task)
	require.NoError(t, err)
	require.True(t, ready)
	require.NotEqual(t, got, other)
}
