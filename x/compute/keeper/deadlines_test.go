package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMissedProofSlashesAndReopens(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofWindowBlocks = 4 }))
	f := w.f
	p := w.params()
	w.claimA()
	f.advanceTo(w.claim.ProofDeadline)
	require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 0).Status, "the proof may still come in this block")
	module, supply, balance := f.balance(w.moduleAddr()), w.supply(), f.balance(w.a)

	em := f.ctx.EventManager()
	f.nextBlock()
	slash := bond * int64(p.MissedSlashBps()) / 10_000
	require.Equal(t, int64(bond/2), slash, "a missed proof costs what an invalid one does")
	dev := w.device(w.a)
	requireAmount(t, bond-slash, dev.Bond)
	require.Equal(t, uint64(1), dev.MissedProofs)
	require.Zero(t, dev.Failures, "a missed proof is not a failed one")
	require.Zero(t, dev.LiveTasks)
	require.Equal(t, types.DEVICE_STATUS_ACTIVE, dev.Status)
	require.Equal(t, balance.String(), f.balance(w.a).String())
	requireAmount(t, module.Int64()-slash, f.balance(w.moduleAddr()))
	requireAmount(t, supply.Int64()-slash, w.supply())

	task := w.task(w.job, 0)
	require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status)
	key := collectionsJoin(w.job, 0)
	require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
	require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
	job := w.jobState(w.job)
	requireAmount(t, worldItems*worldPrice, job.Escrow)
	require.Zero(t, job.LiveTasks)
	require.Zero(t, job.LiveItems)
	requireEvent(t, em, &types.EventBondSlashed{
		Operator: f.str(w.a), JobId: w.job, TaskIndex: 0, Amount: math.NewInt(slash),
		Reason: keeper.SlashReasonMissedProof, RemainingBond: math.NewInt(bond - slash),
	})
	requireEvent(t, em, &types.EventProofMissed{JobId: w.job, TaskIndex: 0, Device: f.str(w.a)})

	// The task is leased again, first, and can be completed.
	lease, proof := f.runTask(w.b, w.job, nil)
	require.Equal(t, uint64(0), lease.TaskIndex)
	require.True(t, proof.Accepted, proof.Reason)
	require.Equal(t, uint32(1), w.task(w.job, 0).Attempt)
}

// TestLeaseExpirySlashesAndBars: a lapsed lease burns slash_lapsed_bps of the
// bond and bars the device from the task for lease_cooldown_blocks; the task
// reopens for the others.
func TestLeaseExpirySlashesAndBars(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 5 }))
	f := w.f
	w.leaseA()
	f.advanceTo(w.lease.LeaseExpiry)
	require.Equal(t, types.TASK_STATUS_LEASED, w.task(w.job, 0).Status, "a claim may still come in this block")
	module, supply, balance := f.balance(w.moduleAddr()), w.supply(), f.balance(w.a)

	em := f.ctx.EventManager()
	f.nextBlock()
	p := w.params()
	slash := int64(bond) * int64(p.SlashLapsedBps) / 10_000
	require.Equal(t, int64(bond/100), slash)
	dev := w.device(w.a)
	requireAmount(t, bond-slash, dev.Bond)
	require.Zero(t, dev.LiveTasks)
	require.Zero(t, dev.Failures)
	require.Zero(t, dev.MissedProofs)
	require.Equal(t, balance.String(), f.balance(w.a).String())
	requireAmount(t, module.Int64()-slash, f.balance(w.moduleAddr()))
	requireAmount(t, supply.Int64()-slash, w.supply())
	requireEvent(t, em, &types.EventBondSlashed{
		Operator: f.str(w.a), JobId: w.job, TaskIndex: 0, Amount: math.NewInt(slash),
		Reason: keeper.SlashReasonLeaseLapsed, RemainingBond: math.NewInt(bond - slash),
	})
	barredUntil := w.lease.LeaseExpiry + p.LeaseCooldownBlocks
	requireEvent(t, em, &types.EventLeaseExpired{JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Slashed: math.NewInt(slash), BarredUntil: barredUntil})
	require.Equal(t, []types.TaskBar{{Device: f.str(w.a), UntilHeight: barredUntil}}, w.task(w.job, 0).Bars)

	key := collectionsJoin(w.job, 0)
	require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
	require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
	require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
	job := w.jobState(w.job)
	requireAmount(t, worldItems*worldPrice, job.Escrow)
	require.Zero(t, job.LiveTasks)
	require.Equal(t, uint64(1), job.NextTask, "the reopened task is not a new one")

	// Another device leases the same task index, then the next new task.
	again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
	requireProto(t, &types.MsgLeaseTaskResponse{TaskIndex: 0, FirstItem: 0, ItemCount: worldPerTask, LeaseExpiry: uint64(f.ctx.BlockHeight()) + 5}, again)
	task := w.task(w.job, 0)
	require.Equal(t, f.str(w.b), task.Device)
	require.Equal(t, uint32(1), task.Attempt)
	require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
	require.Equal(t, uint64(1), must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)).TaskIndex)

	// b completes the re-leased task; a's old work no longer counts.
	wk := f.computeTask(w.b, w.job, again, nil)
	claim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 0, wk.root()))
	_, err := exec(f, f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
	require.ErrorIs(t, err, types.ErrNotTaskHolder)
	f.advanceTo(claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.b, w.job, 0, wk.answer(f.challenge(w.job, 0))))
	require.True(t, proof.Accepted, proof.Reason)
}
