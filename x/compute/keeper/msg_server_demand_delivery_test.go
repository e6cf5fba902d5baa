package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgDemandDelivery(t *testing.T) {
	demand := func(edit func(w *msgWorld, m *types.MsgDemandDelivery)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			m := w.demandMsg(0, 0)
			if edit != nil {
				edit(w, m)
			}
			return sendMsg(w.f, w.f.msgs.DemandDelivery, m)
		}
	}
	verified := func(w *msgWorld) { w.verifyA(false) }
	cases := []msgCase{
		{name: "invalid requester address", prepare: verified, send: demand(func(_ *msgWorld, m *types.MsgDemandDelivery) { m.Requester = badChecksumAddr }), err: types.ErrInvalidAddress},
		{name: "no items", prepare: verified, send: demand(func(_ *msgWorld, m *types.MsgDemandDelivery) { m.Items = nil }), err: types.ErrInvalidDemand},
		{name: "more items than max_demand_items", tweak: func(p *types.Params) { p.MaxDemandItems = 1 }, prepare: verified,
			send: demand(func(_ *msgWorld, m *types.MsgDemandDelivery) { m.Items = []uint64{0, 1} }), err: types.ErrInvalidDemand},
		{name: "item outside the task", prepare: verified, send: demand(func(_ *msgWorld, m *types.MsgDemandDelivery) { m.Items = []uint64{worldPerTask} }), err: types.ErrInvalidDemand},
		{name: "items not ascending", prepare: verified, send: demand(func(_ *msgWorld, m *types.MsgDemandDelivery) { m.Items = []uint64{2, 1} }), err: types.ErrInvalidDemand},
		{name: "repeated item", prepare: verified, send: demand(func(_ *msgWorld, m *types.MsgDemandDelivery) { m.Items = []uint64{1, 1} }), err: types.ErrInvalidDemand},
		{name: "task never leased", send: demand(nil), err: types.ErrTaskNotFound},
		{name: "task only claimed", prepare: func(w *msgWorld) { w.claimA() }, send: demand(nil), err: types.ErrNotDisputable},
		{name: "not the job's requester", prepare: verified, send: demand(func(w *msgWorld, m *types.MsgDemandDelivery) { m.Requester = w.f.str(w.outsider) }), err: types.ErrNotJobRequester},
		{name: "dispute window closed", tweak: func(p *types.Params) { p.DisputeWindowBlocks = 2 }, prepare: func(w *msgWorld) {
			w.verifyA(false)
			w.f.advance(3)
		}, send: demand(nil), err: types.ErrNotDisputable},
		{name: "a demand is already open", prepare: func(w *msgWorld) {
			w.verifyA(false)
			must(w.f, w.f.msgs.DemandDelivery, w.demandMsg(0, 1))
		}, send: demand(nil), err: types.ErrDemandOpen},
		{name: "requester cannot pay the fee", tweak: func(p *types.Params) { p.DemandFeePerItem = math.NewInt(worldFunds) }, prepare: verified, send: demand(nil), err: types.ErrInsufficientFunds},
	}
	runMsgCases(t, cases, disputeParams)

	t.Run("holds the fee and records the demand", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, disputeParams))
		f := w.f
		task, _ := w.verifyA(false)
		p := w.params()
		before, module := f.balance(w.requester), f.balance(w.moduleAddr())
		res, em := mustEvents(f, f.msgs.DemandDelivery, w.demandMsg(task, 0, 2))
		fee := p.DemandFeePerItem.MulRaw(2)
		require.Equal(t, fee.String(), res.Fee.String())
		require.Equal(t, uint64(f.ctx.BlockHeight())+p.DeliveryDeadlineBlocks, res.Deadline)
		requireAmount(t, before.Sub(fee).Int64(), f.balance(w.requester))
		requireAmount(t, module.Add(fee).Int64(), f.balance(w.moduleAddr()), "the fee is held until the demand is settled")
		got := w.task(w.job, task)
		require.Equal(t, []uint64{0, 2}, got.Demand.Items)
		require.Equal(t, res.Deadline, got.Demand.Deadline)
		require.GreaterOrEqual(t, w.device(w.a).DisputesEnd, res.Deadline, "the bond waits for the demand")
		requireEvent(t, em, &types.EventDeliveryDemanded{JobId: w.job, TaskIndex: task, Device: f.str(w.a), Requester: f.str(w.requester),
			Items: []uint64{0, 2}, Deadline: res.Deadline, Fee: fee})
		demands, err := f.q.DeliveryDemands(f.ctx, &types.QueryDeliveryDemandsRequest{Operator: f.str(w.a)})
		require.NoError(t, err)
		require.Len(t, demands.Tasks, 1)
		f.checkInvariant()
	})

	t.Run("the fee is at least the answer's gas at min_gas_price", func(t *testing.T) {
		p := types.DefaultParams()
		p.MinGasPrice = math.LegacyNewDec(1)
		require.Equal(t, int64(3*types.DeliveryGasPerItem), p.DemandFee(3).Int64())
	})
}
