package keeper_test

import (
	"encoding/hex"
	"testing"

	"cosmossdk.io/math"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgDeliverOutputs(t *testing.T) {
	demanded := func(w *msgWorld) {
		w.verifyA(false)
		must(w.f, w.f.msgs.DemandDelivery, w.demandMsg(0, 1, 3))
	}
	deliver := func(edit func(w *msgWorld, m *types.MsgDeliverOutputs)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			m := w.deliverMsg(0, 1, 3)
			if edit != nil {
				edit(w, m)
			}
			return sendMsg(w.f, w.f.msgs.DeliverOutputs, m)
		}
	}
	cases := []msgCase{
		{name: "invalid operator address", prepare: demanded, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) { m.Operator = badChecksumAddr }), err: types.ErrInvalidAddress},
		{name: "task never leased", prepare: func(w *msgWorld) { w.verifyA(false) }, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) { m.TaskIndex = 3 }), err: types.ErrTaskNotFound},
		{name: "not the task's device", prepare: demanded, send: deliver(func(w *msgWorld, m *types.MsgDeliverOutputs) { m.Operator = w.f.str(w.b) }), err: types.ErrNotTaskHolder},
		{name: "no open demand", prepare: func(w *msgWorld) { w.verifyA(false) }, send: deliver(nil), err: types.ErrNoDemand},
		{name: "demand already settled by its deadline", prepare: func(w *msgWorld) {
			demanded(w)
			w.f.advance(int(w.params().DeliveryDeadlineBlocks) + 1)
		}, send: deliver(nil), err: types.ErrNoDemand},
		{name: "fewer items than demanded", prepare: demanded, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) { m.Items = m.Items[:1] }), err: types.ErrInvalidDelivery},
		{name: "an item the demand does not name", prepare: demanded, send: deliver(func(w *msgWorld, m *types.MsgDeliverOutputs) {
			a := w.work.answer([]uint64{1, 2})
			m.Items, m.Nodes = a.items, a.nodes
		}), err: types.ErrInvalidDelivery},
		{name: "wrong number of Merkle nodes", prepare: demanded, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) { m.Nodes = m.Nodes[1:] }), err: types.ErrInvalidDelivery},
		{name: "a node that is not 32 bytes", prepare: demanded, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) { m.Nodes[0] = m.Nodes[0][:31] }), err: types.ErrInvalidDelivery},
		{name: "an output the root does not commit to", prepare: demanded, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) {
			m.Items[0].Output = append([]byte{0xff}, m.Items[0].Output[1:]...)
		}), err: types.ErrInvalidMerkleProof},
		{name: "output over 16 KiB", prepare: demanded, send: deliver(func(_ *msgWorld, m *types.MsgDeliverOutputs) {
			m.Items[0].Output = make([]byte, types.MaxOutputSize+1)
		}), err: types.ErrInvalidDelivery},
	}
	runMsgCases(t, cases, disputeParams)

	t.Run("publishes the outputs and pays the fee to the device", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, disputeParams))
		f := w.f
		task, _ := w.verifyA(false)
		dem := must(f, f.msgs.DemandDelivery, w.demandMsg(task, 1, 3))
		before := f.balance(w.a)
		msg := w.deliverMsg(task, 1, 3)
		res, em := mustEvents(f, f.msgs.DeliverOutputs, msg)
		require.Equal(t, dem.Fee.String(), res.Fee.String())
		requireAmount(t, before.Add(dem.Fee).Int64(), f.balance(w.a))
		require.Nil(t, w.task(w.job, task).Demand)
		requireEvent(t, em, &types.EventOutputsDelivered{JobId: w.job, TaskIndex: task, Device: f.str(w.a), Items: msg.Items, Fee: dem.Fee, Root: hex.EncodeToString(w.work.root())})
		demands, err := f.q.DeliveryDemands(f.ctx, &types.QueryDeliveryDemandsRequest{Operator: f.str(w.a)})
		require.NoError(t, err)
		require.Empty(t, demands.Tasks)
		f.checkInvariant()
	})

	t.Run("a demand open at the window's end keeps the dispute until it is answered", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, disputeParams, func(p *types.Params) { p.DisputeWindowBlocks = 3; p.DeliveryDeadlineBlocks = 10 }))
		f := w.f
		task, _ := w.verifyA(false)
		must(f, f.msgs.DemandDelivery, w.demandMsg(task, 0))
		f.advance(5)
		require.NotZero(t, w.task(w.job, task).DisputeUntil, "still disputable while the demand is open")
		must(f, f.msgs.DeliverOutputs, w.deliverMsg(task, 0))
		require.Zero(t, w.task(w.job, task).DisputeUntil)
		require.Zero(t, w.device(w.a).DisputableTasks)
		f.checkInvariant()
	})
}

// TestMissedDelivery: a device that does not answer by the deadline loses at
// least the task's reward; the requester gets the reward and its fee back.
func TestMissedDelivery(t *testing.T) {
	w := newMsgWorld(newFixture(t, disputeParams))
	f := w.f
	task, _ := w.verifyA(false)
	bondBefore := w.device(w.a).Bond
	dem := must(f, f.msgs.DemandDelivery, w.demandMsg(task, 2))
	requesterBefore, supply := f.balance(w.requester), w.supply()
	f.advanceTo(dem.Deadline)
	em := f.ctx.EventManager()
	f.nextBlock() // the end block of the deadline settles it
	missed := eventsOf[*types.EventDeliveryMissed](em)
	require.Len(t, missed, 1)
	dev := w.device(w.a)
	slashed := bondBefore.Sub(dev.Bond)
	require.True(t, slashed.GTE(math.NewInt(worldReward)), "slash %s is at least the reward", slashed)
	requireAmount(t, requesterBefore.Add(dem.Fee).AddRaw(worldReward).Int64(), f.balance(w.requester), "reward and fee back")
	requireAmount(t, supply.Sub(slashed.SubRaw(worldReward)).Int64(), w.supply(), "the rest is burned")
	requireAmount(t, slashed.Int64(), missed[0].Slashed)
	requireAmount(t, worldReward, missed[0].Compensated)
	require.Equal(t, uint32(1), dev.Failures)
	require.Zero(t, dev.DisputableTasks)
	got := w.task(w.job, task)
	require.Nil(t, got.Demand)
	require.Zero(t, got.DisputeUntil, "settled: no further dispute")
}

// TestDeliveryGasIsCoveredByTheFee measures the gas the largest answer costs in
// the handler and bounds the rest of its transaction (10 gas a byte, the
// signature and ante checks): it stays under DeliveryGasPerItem per item.
func TestDeliveryGasIsCoveredByTheFee(t *testing.T) {
	w := newMsgWorld(newFixture(t, disputeParams))
	f := w.f
	task, _ := w.verifyA(false)
	must(f, f.msgs.DemandDelivery, w.demandMsg(task, 0, 1, 2, 3))
	msg := w.deliverMsg(task, 0, 1, 2, 3)
	ctx := f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	_, err := f.msgs.DeliverOutputs(ctx, msg)
	require.NoError(t, err)
	const anteGas, perTxByte, maxTxOverhead = 60_000, 10, 400
	// The bound per item: a maximal output and a full 16-level path of nodes.
	perItemBytes := types.MaxOutputSize + 17*34 + 16
	handler := ctx.GasMeter().GasConsumed()
	total := handler + anteGas + perTxByte*uint64(4*perItemBytes+maxTxOverhead)
	t.Logf("handler gas %d (%d B of real outputs); bound for 4 maximal items %d", handler, msg.Size(), total)
	require.LessOrEqual(t, total, uint64(4*types.DeliveryGasPerItem))
}
