package keeper_test

import (
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestTotalBurnedReconcilesSupply slashes a cheater (invalid proof) and a
// device that never proves (missed proof) and checks that every burned coin is
// counted in TotalBurned, so that supply = genesis + emitted - burned; the total
// is shown by the Epoch query and survives export and import.
func TestTotalBurnedReconcilesSupply(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.EpochBlocks = 50
		p.ProofSamples = 4
		p.ProofWindowBlocks = 5
		p.InitialEpochEmission = coverableEmission
	})
	requester := addrOf("lab")
	f.fund(requester, 1_000_000_000)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(requester)})
	cheater := f.registerDevice("cheater")
	idle := f.registerDevice("idle")
	honest := f.registerDevice("honest")
	genesisSupply := f.bank.GetSupply(f.ctx, denom).Amount
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":4}`, 16, 4, 5000)
	f.checkAll()

	// Invalid proof: the slash is burned and counted.
	_, proof := f.runTask(cheater, job, func(uint64) bool { return true })
	require.False(t, proof.Accepted)
	require.True(t, proof.Slashed.IsPositive())
	require.Equal(t, proof.Slashed, f.totalBurned())
	f.checkAll()

	// Missed proof: slash_missed_bps of the bond is burned and counted.
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(idle), JobId: job})
	w := f.computeTask(idle, job, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(idle), JobId: job, TaskIndex: lease.TaskIndex, Root: w.root()})
	bondBefore := f.bondOf(idle)
	f.advanceTo(claim.ProofDeadline + 1)
	missed := bondBefore.Sub(f.bondOf(idle))
	require.Equal(t, types.BpsOf(bondBefore, types.DefaultParams().SlashMissedBps), missed)
	require.Equal(t, proof.Slashed.Add(missed), f.totalBurned())
	f.checkAll()

	// Honest work earns emission at the epoch's end; supply moves by exactly
	// emitted - burned.
	for {
		j, err := f.k.Jobs.Get(f.ctx, job)
		require.NoError(t, err)
		if j.Status != types.JOB_STATUS_OPEN {
			break
		}
		_, p := f.runTask(honest, job, nil)
		require.True(t, p.Accepted, p.Reason)
	}
	epoch, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	f.advanceTo(epoch.EndHeight + 1)
	f.checkAll()
	epoch, err = f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.True(t, epoch.TotalEmitted.IsPositive())
	require.Equal(t, f.totalBurned(), epoch.TotalBurned)
	require.Equal(t, genesisSupply.Add(epoch.TotalEmitted).Sub(epoch.TotalBurned), f.bank.GetSupply(f.ctx, denom).Amount)

	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, epoch.TotalBurned, gs.TotalBurned)
	require.NoError(t, gs.Validate(accCodec))
	imported := newFixtureWithGenesis(t, gs)
	require.Equal(t, epoch.TotalBurned, imported.totalBurned())

	gs.TotalBurned = math.NewInt(-1)
	require.ErrorIs(t, gs.Validate(accCodec), types.ErrInvalidGenesis)
}

// TestInvariantsCatchBrokenReferences breaks the state behind the keeper's back
// in ways a bug could, and checks that an invariant reports each.
func TestInvariantsCatchBrokenReferences(t *testing.T) {
	setup := func(t *testing.T) (*fixture, keeper.TaskKey, types.Task) {
		f := newFixture(t)
		requester := addrOf("lab")
		f.fund(requester, 1_000_000_000)
		dev := f.registerDevice("dev")
		job := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 8, 4, 1000)
		lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: job})
		key := collectionsJoin(job, lease.TaskIndex)
		task, err := f.k.Tasks.Get(f.ctx, key)
		require.NoError(t, err)
		f.checkAll()
		return f, key, task
	}
	for _, tc := range []struct {
		name       string
		breakState func(f *fixture, key keeper.TaskKey, task types.Task)
		want       string
	}{
		{"lease of a missing job", func(f *fixture, key keeper.TaskKey, task types.Task) {
			job, err := f.k.Jobs.Get(f.ctx, task.JobId)
			require.NoError(f.t, err)
			require.NoError(f.t, f.k.Jobs.Remove(f.ctx, task.JobId))
			// keep the escrow accounted so only the reference check can fail
			require.NoError(f.t, f.k.Jobs.Set(f.ctx, task.JobId+100, job))
		}, "missing job"},
		{"lease held by a missing device", func(f *fixture, key keeper.TaskKey, task types.Task) {
			task.Device = f.str(addrOf("nobody"))
			require.NoError(f.t, f.k.Tasks.Set(f.ctx, key, task))
		}, "missing device"},
		{"lease missing from the device index", func(f *fixture, key keeper.TaskKey, task types.Task) {
			require.NoError(f.t, f.k.TasksByDevice.Remove(f.ctx, collections.Join([]byte(addrOf("dev")), key)))
		}, "device's index"},
		{"lease not queued", func(f *fixture, key keeper.TaskKey, task types.Task) {
			require.NoError(f.t, f.k.TaskQueue.Remove(f.ctx, collections.Join(task.LeaseExpiry, key)))
		}, "not queued"},
		{"live counter off", func(f *fixture, key keeper.TaskKey, task types.Task) {
			dev, err := f.k.Devices.Get(f.ctx, addrOf("dev"))
			require.NoError(f.t, err)
			dev.LiveTasks++
			require.NoError(f.t, f.k.Devices.Set(f.ctx, addrOf("dev"), dev))
		}, "live tasks"},
		{"task dropped without reopening", func(f *fixture, key keeper.TaskKey, task types.Task) {
			task.Status = types.TASK_STATUS_UNSPECIFIED
			require.NoError(f.t, f.k.Tasks.Set(f.ctx, key, task))
		}, "neither live"},
		{"emission not recorded", func(f *fixture, key keeper.TaskKey, task types.Task) {
			require.NoError(f.t, f.k.TotalEmitted.Set(f.ctx, math.NewInt(5)))
		}, "total emitted"},
		{"emission past the cap", func(f *fixture, key keeper.TaskKey, task types.Task) {
			params, err := f.k.GetParams(f.ctx)
			require.NoError(f.t, err)
			params.EmissionCap = math.ZeroInt()
			require.NoError(f.t, f.k.Params.Set(f.ctx, params))
			require.NoError(f.t, f.k.TotalEmitted.Set(f.ctx, math.NewInt(1)))
		}, "exceeds the emission cap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, key, task := setup(t)
			tc.breakState(f, key, task)
			err := f.k.CheckInvariants(f.ctx)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func (f *fixture) checkAll() {
	f.t.Helper()
	require.NoError(f.t, f.k.CheckInvariants(f.ctx))
}

func (f *fixture) bondOf(op sdk.AccAddress) math.Int {
	f.t.Helper()
	dev, err := f.k.Devices.Get(f.ctx, op)
	require.NoError(f.t, err)
	return dev.Bond
}

func (f *fixture) totalBurned() math.Int {
	f.t.Helper()
	v, err := f.k.TotalBurned.Get(f.ctx)
	require.NoError(f.t, err)
	return v
}
