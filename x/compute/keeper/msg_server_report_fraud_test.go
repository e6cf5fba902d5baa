package keeper_test

import (
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgReportFraud(t *testing.T) {
	// forged holds the forged items of the case's world (set by prepare).
	var forged []uint64
	forgedA := func(w *msgWorld) { _, forged = w.verifyA(true) }
	report := func(edit func(w *msgWorld, m *types.MsgReportFraud)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			m := w.fraudMsg(0, forged[0])
			if edit != nil {
				edit(w, m)
			}
			return sendMsg(w.f, w.f.msgs.ReportFraud, m)
		}
	}
	cases := []msgCase{
		{name: "invalid reporter address", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.Reporter = badChecksumAddr }), err: types.ErrInvalidAddress},
		{name: "task never leased", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.TaskIndex = 3 }), err: types.ErrTaskNotFound},
		{name: "dispute window closed", tweak: func(p *types.Params) { p.DisputeWindowBlocks = 2 }, prepare: func(w *msgWorld) {
			forgedA(w)
			w.f.advance(3)
		}, send: report(nil), err: types.ErrNotDisputable},
		{name: "item outside the task", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.Item = worldPerTask }), err: types.ErrInvalidFraudProof},
		{name: "wrong number of Merkle nodes", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.Proof = m.Proof[1:] }), err: types.ErrInvalidFraudProof},
		{name: "a node that is not 32 bytes", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.Proof[0] = m.Proof[0][:31] }), err: types.ErrInvalidFraudProof},
		{name: "output over 16 KiB", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.Output = make([]byte, types.MaxOutputSize+1) }), err: types.ErrInvalidFraudProof},
		{name: "an output the device did not commit to", prepare: forgedA, send: report(func(_ *msgWorld, m *types.MsgReportFraud) { m.Output = []byte("not it") }), err: types.ErrInvalidMerkleProof},
		{name: "an item whose output is correct", prepare: func(w *msgWorld) { w.verifyA(false); forged = []uint64{1} }, send: report(nil), err: types.ErrFraudNotProven},
	}
	runMsgCases(t, cases, disputeParams)

	t.Run("a correct item costs the reporter the verification gas", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, disputeParams))
		w.verifyA(false)
		ctx := w.f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		_, err := w.f.msgs.ReportFraud(ctx, w.fraudMsg(0, 1))
		require.ErrorIs(t, err, types.ErrFraudNotProven)
		require.Greater(t, ctx.GasMeter().GasConsumed(), uint64(1000), "the kind's verify gas was charged")
	})

	t.Run("slashes and jails the device, refunds the requester, pays the reporter", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, disputeParams, func(p *types.Params) { p.InitialEpochEmission = coverableEmission }))
		f := w.f
		must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
		task, forged := w.verifyA(true)
		p := w.params()
		epoch, err := f.k.CurrentEpoch.Get(f.ctx)
		require.NoError(t, err)
		unitsBefore, err := f.k.DeviceEpochUnits.Get(f.ctx, collections.Join([]byte(w.a), epoch))
		require.NoError(t, err)
		require.True(t, unitsBefore.IsPositive())
		requesterBefore, supply := f.balance(w.requester), w.supply()
		bondBefore := w.device(w.a).Bond

		res, em := mustEvents(f, f.msgs.ReportFraud, w.fraudMsg(task, forged[0]))
		slash := types.BpsOf(bondBefore, p.SlashInvalidBps)
		requireAmount(t, slash.Int64(), res.Slashed)
		requireAmount(t, worldReward, res.Refunded)
		reporter := types.BpsOf(slash.SubRaw(worldReward), p.FraudReporterBps)
		requireAmount(t, reporter.Int64(), res.ReporterReward)
		requireAmount(t, reporter.Int64(), f.balance(w.outsider))
		requireAmount(t, requesterBefore.AddRaw(worldReward).Int64(), f.balance(w.requester))
		requireAmount(t, supply.Sub(slash).AddRaw(worldReward).Add(reporter).Int64(), w.supply(), "the rest is burned")
		dev := w.device(w.a)
		require.True(t, dev.Jailed)
		require.Equal(t, types.DEVICE_STATUS_JAILED, dev.Status)
		requireAmount(t, bondBefore.Sub(slash).Int64(), dev.Bond)
		_, err = f.k.DeviceEpochUnits.Get(f.ctx, collections.Join([]byte(w.a), epoch))
		require.ErrorIs(t, err, collections.ErrNotFound, "the task's emission credit is struck from the running epoch")
		ev := eventsOf[*types.EventFraudProven](em)
		require.Len(t, ev, 1)
		requireAmount(t, unitsBefore.Int64(), ev[0].UnitsRemoved)
		require.Zero(t, w.task(w.job, task).DisputeUntil)
		_, err = exec(f, f.msgs.ReportFraud, w.fraudMsg(task, forged[0]))
		require.ErrorIs(t, err, types.ErrNotDisputable, "one fraud settles the task")
		f.checkInvariant()
	})

	t.Run("after the epoch settled the emission is clawed back from the bond", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, disputeParams, func(p *types.Params) {
			p.EpochBlocks = 5
			p.InitialEpochEmission = math.NewInt(50_000_000)
		}))
		f := w.f
		must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
		task, forged := w.verifyA(true)
		// Governance lowers the slash after the lease (the bond cover checked
		// the old one), so the floor decides: reward + emission value.
		w.setParams(func(p *types.Params) { p.SlashInvalidBps = 1 })
		credited := w.task(w.job, task)
		f.advance(6) // the epoch settles; a is its only worker and earns its one requester's capped share
		info, err := f.k.Epochs.Get(f.ctx, credited.CreditedEpoch)
		require.NoError(t, err)
		require.True(t, info.Settled)
		res := must(f, f.msgs.ReportFraud, w.fraudMsg(task, forged[0]))
		value := info.Emission.Mul(credited.CreditedUnits).Quo(info.WorkUnits)
		requireAmount(t, value.AddRaw(worldReward).Int64(), res.Slashed, "reward plus the emission the task earned")
		f.checkInvariant()
	})
}
