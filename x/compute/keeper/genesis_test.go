package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestGenesisRoundTrip exports a market mid-flight (open and completed jobs, a
// live lease, an open claim, a reopened task, an unbonding device, unwithdrawn
// emission), imports it into a fresh chain and checks the export is identical
// and the queues were rebuilt: the claim can still be proved and the lease
// still expires.
func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.EpochBlocks = 20
		p.ProofSamples = 2
		p.InitialEpochEmission = coverableEmission
	})
	requester := addrOf("requester")
	f.fund(requester, 1_000_000_000)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(requester)})
	a, b, c := f.registerDevice("a"), f.registerDevice("b"), f.registerDevice("c")
	done := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 4, 4, 10)
	f.runTask(a, done, nil)
	f.advance(20) // settle epoch 0 with a's work
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 16, 4, 10)
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(a), JobId: job})
	w := f.computeTask(a, job, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(a), JobId: job, TaskIndex: lease.TaskIndex, Root: w.root()})
	leased := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(a), JobId: job})
	f.runTask(b, job, func(uint64) bool { return true }) // rejected: its task reopens
	must(f, f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: f.str(c)})

	exported, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate(accCodec))
	require.NotEmpty(t, exported.ReopenedTasks)
	require.NotEmpty(t, exported.DeviceEpochUnits)

	g := newFixtureWithGenesis(t, exported)
	g.ctx = g.ctx.WithBlockHeight(f.ctx.BlockHeight()).WithHeaderHash(f.ctx.HeaderHash())
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	// The queues were rebuilt from the objects.
	require.Equal(t, 1, countKeys(t, f.ctx, f.k.JobPruneQueue), "the completed job waits for pruning")
	for _, name := range []string{"task", "deadline", "unbonding", "prune"} {
		var want, got int
		switch name {
		case "prune":
			want, got = countKeys(t, f.ctx, f.k.JobPruneQueue), countKeys(t, g.ctx, g.k.JobPruneQueue)
		case "task":
			want, got = countKeys(t, f.ctx, f.k.TaskQueue), countKeys(t, g.ctx, g.k.TaskQueue)
		case "deadline":
			want, got = countKeys(t, f.ctx, f.k.JobDeadlineQueue), countKeys(t, g.ctx, g.k.JobDeadlineQueue)
		default:
			want, got = countKeys(t, f.ctx, f.k.UnbondingQueue), countKeys(t, g.ctx, g.k.UnbondingQueue)
		}
		require.Equal(t, want, got, name)
	}
	require.Equal(t, countKeys(t, f.ctx, f.k.TasksByDevice), countKeys(t, g.ctx, g.k.TasksByDevice))

	// The imported claim verifies on the imported chain (same hashes, same challenge).
	f.advanceTo(claim.ChallengeHeight)
	indices := f.challenge(job, lease.TaskIndex)
	task, err := g.k.Tasks.Get(g.ctx.WithBlockHeight(int64(claim.ChallengeHeight)), collectionsJoin(job, lease.TaskIndex))
	require.NoError(t, err)
	// g has no bank balances for the module, so check the challenge, not the payment.
	require.NoError(t, g.k.BlockHashes.Set(g.ctx, claim.ChallengeHeight, blockHash(int64(claim.ChallengeHeight))))
	gIndices, ready, err := g.k.ChallengeIndices(g.ctx.WithBlockHeight(int64(claim.ChallengeHeight)), task)
	require.NoError(t, err)
	require.True(t, ready)
	require.Equal(t, indices, gIndices)
	_ = leased

	// Defaults validate; broken genesis does not.
	require.NoError(t, types.DefaultGenesis().Validate(accCodec))
	bad := *exported
	bad.Tasks = append([]types.Task{}, exported.Tasks...)
	bad.Tasks = append(bad.Tasks, bad.Tasks[0])
	require.ErrorIs(t, bad.Validate(accCodec), types.ErrInvalidGenesis)
	bad = *exported
	bad.Jobs = append([]types.Job{}, exported.Jobs...)
	bad.Jobs[0].Escrow = math.NewInt(-1)
	require.ErrorIs(t, bad.Validate(accCodec), types.ErrInvalidGenesis)
	bad = *exported
	bad.Jobs = append([]types.Job{}, exported.Jobs...)
	bad.Jobs[0].ClosedHeight = 0 // job "done" is completed
	require.Equal(t, types.JOB_STATUS_COMPLETED, bad.Jobs[0].Status)
	require.ErrorIs(t, bad.Validate(accCodec), types.ErrInvalidGenesis)
	bad = *exported
	bad.Devices = append([]types.Device{}, exported.Devices...)
	bad.Devices[0].Status, bad.Devices[0].Jailed = types.DEVICE_STATUS_JAILED, false
	require.ErrorIs(t, bad.Validate(accCodec), types.ErrInvalidGenesis, "jailed status without the jailed record")
	bad = *exported
	bad.Params.LeaseBlocks = 0
	require.ErrorIs(t, bad.Validate(accCodec), types.ErrInvalidParams)
}

func TestSampleIndices(t *testing.T) {
	seed := [32]byte{1, 2, 3}
	require.Equal(t, []uint64{10, 11, 12}, keeper.SampleIndices(seed, 10, 3, 16), "small task: every item")
	got := keeper.SampleIndices(seed, 100, 4096, 16)
	require.Len(t, got, 16)
	for i, v := range got {
		require.GreaterOrEqual(t, v, uint64(100))
		require.Less(t, v, uint64(4196))
		if i > 0 {
			require.Less(t, got[i-1], v)
		}
	}
	require.Equal(t, got, keeper.SampleIndices(seed, 100, 4096, 16), "deterministic")
	require.NotEqual(t, got, keeper.SampleIndices([32]byte{9}, 100, 4096, 16))
	// k = n-1 exercises Floyd's collision branch.
	require.Len(t, keeper.SampleIndices(seed, 0, 17, 16), 16)
}
