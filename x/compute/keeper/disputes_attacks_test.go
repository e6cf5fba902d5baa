package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestSkippingDeliveryLosesMoreThanDelivering: two devices do the same task;
// the requester demands an item from both. The one that answers ends richer
// by the fee; the one that skips loses at least the task's reward, more than
// an answer costs (the fee covers the answer's gas, TestDeliveryGasIsCoveredByTheFee).
func TestSkippingDeliveryLosesMoreThanDelivering(t *testing.T) {
	run := func(deliver bool) math.Int {
		w := newMsgWorld(newFixture(t, disputeParams))
		f := w.f
		start := f.wealth(w.a)
		task, _ := w.verifyA(false)
		dem := must(f, f.msgs.DemandDelivery, w.demandMsg(task, 0))
		if deliver {
			must(f, f.msgs.DeliverOutputs, w.deliverMsg(task, 0))
		}
		f.advanceTo(dem.Deadline + 1)
		f.checkInvariant()
		return f.wealth(w.a).Sub(start)
	}
	delivered, skipped := run(true), run(false)
	t.Logf("wealth change: delivered %s, skipped %s", delivered, skipped)
	require.True(t, skipped.IsNegative(), "skipping the delivery loses money (%s)", skipped)
	require.True(t, delivered.Sub(skipped).GTE(math.NewInt(worldReward)), "the gap is at least the task's reward")
}

// TestForgerCaughtByFraudProof: a device that forges every unsampled output
// passes its proof and is paid; a fraud proof within the window leaves it
// poorer than an honest device doing the same task, jailed; the requester is
// made whole and the reporter is paid.
func TestForgerCaughtByFraudProof(t *testing.T) {
	honest := newMsgWorld(newFixture(t, disputeParams))
	start := honest.f.wealth(honest.a)
	honest.verifyA(false)
	honestGain := honest.f.wealth(honest.a).Sub(start)

	w := newMsgWorld(newFixture(t, disputeParams))
	f := w.f
	task, forged := w.verifyA(true)
	require.Len(t, forged, worldPerTask-disputeSamples)
	paidRequester := f.balance(w.requester)
	must(f, f.msgs.ReportFraud, w.fraudMsg(task, forged[0]))
	forgerGain := f.wealth(w.a).Sub(start)
	t.Logf("wealth change: honest %s, forger %s", honestGain, forgerGain)
	require.True(t, forgerGain.LT(honestGain))
	require.True(t, forgerGain.IsNegative())
	require.True(t, w.device(w.a).Jailed)
	requireAmount(t, paidRequester.AddRaw(worldReward).Int64(), f.balance(w.requester), "the requester gets the task's payment back")
	require.True(t, f.balance(w.outsider).IsPositive(), "the reporter is paid")
	f.checkInvariant()
}

// TestGriefingDemandsCostTheGriefer: a requester demanding every item of an
// honest device's task again and again pays a fee each time; the device
// answers each and ends richer than without the demands.
func TestGriefingDemandsCostTheGriefer(t *testing.T) {
	w := newMsgWorld(newFixture(t, disputeParams))
	f := w.f
	task, _ := w.verifyA(false)
	device, griefer := f.wealth(w.a), f.balance(w.requester)
	const rounds = 5
	for range rounds {
		must(f, f.msgs.DemandDelivery, w.demandMsg(task, 0, 1, 2, 3))
		must(f, f.msgs.DeliverOutputs, w.deliverMsg(task, 0, 1, 2, 3))
		f.nextBlock()
	}
	fee := w.params().DemandFee(4).MulRaw(rounds)
	requireAmount(t, griefer.Sub(fee).Int64(), f.balance(w.requester), "the griefer paid every fee")
	requireAmount(t, device.Add(fee).Int64(), f.wealth(w.a), "the honest device earned them")
	f.checkInvariant()
}

// TestUnbondingWaitsForDisputes: a device that unbonds right after a paid task
// gets its bond back only after the task's dispute window (and a demand's
// deadline) has closed, so a fraud proof can still reach the bond.
func TestUnbondingWaitsForDisputes(t *testing.T) {
	w := newMsgWorld(newFixture(t, disputeParams, func(p *types.Params) {
		p.DeviceUnbondingBlocks = 2
		p.DisputeWindowBlocks = 20
		p.DeliveryDeadlineBlocks = 10
	}))
	f := w.f
	task, forged := w.verifyA(true)
	until := w.task(w.job, task).DisputeUntil
	res := must(f, f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: f.str(w.a)})
	require.Equal(t, until+1, res.UnbondingHeight, "the unbonding ends after the window, not after device_unbonding_blocks")
	f.advanceTo(until)
	dem := must(f, f.msgs.DemandDelivery, w.demandMsg(task, forged[0])) // at the window's last height
	f.advanceTo(res.UnbondingHeight + 1)
	require.Equal(t, types.DEVICE_STATUS_UNBONDING, w.device(w.a).Status, "a demand still open keeps the bond")
	res2 := must(f, f.msgs.ReportFraud, w.fraudMsg(task, forged[0]))
	require.True(t, res2.Slashed.IsPositive(), "the fraud still reaches the bond")
	f.advanceTo(dem.Deadline + 2)
	require.Equal(t, types.DEVICE_STATUS_UNBONDED, w.device(w.a).Status)
	f.checkInvariant()
}

// TestBondCoverCountsDisputableTasks: a paid task's reward counts against the
// bond's cover until its window closes, so one bond cannot back more verified
// but disputable work than a fraud proof can take back.
func TestBondCoverCountsDisputableTasks(t *testing.T) {
	// 1,000 SHIFT × 1 bps = 100,000 covers one 64,000 task but not two.
	w := newMsgWorld(newFixture(t, disputeParams, func(p *types.Params) {
		p.SlashInvalidBps = 1
		p.DisputeWindowBlocks = 10
	}))
	f := w.f
	job := f.postJob(w.requester, "hashcash", worldSpec, 128, 64, 1000)
	f.runTask(w.a, job, nil)
	require.Equal(t, uint64(1), w.device(w.a).DisputableTasks)
	_, err := exec(f, f.msgs.LeaseTask, w.leaseMsg(w.a, job))
	require.ErrorIs(t, err, types.ErrBondTooSmallForTask)
	f.advance(11)
	require.Zero(t, w.device(w.a).DisputableTasks)
	must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, job))
}

// TestPruneWaitsForDisputes: a completed job's task records outlive the
// retention while a dispute window is open, then are pruned.
func TestPruneWaitsForDisputes(t *testing.T) {
	w := newMsgWorld(newFixture(t, disputeParams, func(p *types.Params) {
		p.TaskRetentionBlocks = 2
		p.DisputeWindowBlocks = 10
	}))
	f := w.f
	job := f.postJob(w.requester, "hashcash", worldSpec, 4, 4, 10)
	f.runTask(w.a, job, nil)
	closed := w.jobState(job)
	require.Equal(t, types.JOB_STATUS_COMPLETED, closed.Status)
	f.advance(5)
	require.Equal(t, 1, f.taskCount(job), "kept past the retention while disputable")
	f.advance(20)
	require.Equal(t, 0, f.taskCount(job))
}

// TestGenesisKeepsDisputes: export → import → export is the identity with an
// open dispute and an open demand, and the imported chain settles them.
func TestGenesisKeepsDisputes(t *testing.T) {
	w := newMsgWorld(newFixture(t, disputeParams))
	f := w.f
	task, _ := w.verifyA(false)
	dem := must(f, f.msgs.DemandDelivery, w.demandMsg(task, 1))
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate(accCodec))
	g := newFixtureWithGenesis(t, gs)
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
	has, err := g.k.DeliveryQueue.Has(g.ctx, collectionsPair(dem.Deadline, collectionsJoin(w.job, task)))
	require.NoError(t, err)
	require.True(t, has, "the demand's deadline is queued again on import")

	broken := *gs
	broken.Devices = append([]types.Device(nil), gs.Devices...)
	for i := range broken.Devices {
		broken.Devices[i].DisputableTasks = 0
	}
	require.ErrorIs(t, broken.Validate(accCodec), types.ErrInvalidGenesis)
}
