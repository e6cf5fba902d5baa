package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// rewardWork gives an approved requester's job of three 3-item tasks
// (hashcash difficulty 3: 8 units an item) to a (two tasks, 48 units) and b
// (one task, 24 units) in epoch 0, and returns the job.
func (w *msgWorld) rewardWork() uint64 {
	f := w.f
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
	job := must(f, f.msgs.PostJob, &types.MsgPostJob{
		Requester: f.str(w.requester), Kind: "hashcash", Spec: `{"difficulty_bits":3}`, Items: 9, ItemsPerTask: 3,
		PricePerItem: math.NewInt(10), DeadlineBlocks: 100,
	}).JobId
	for _, op := range []sdk.AccAddress{w.a, w.a, w.b} {
		_, proof := f.runTask(op, job, nil)
		require.True(f.t, proof.Accepted, proof.Reason)
	}
	return job
}

// settleEpoch advances past the end of the running epoch.
func (w *msgWorld) settleEpoch() {
	res, err := w.f.q.Epoch(w.f.ctx, &types.QueryEpochRequest{})
	require.NoError(w.f.t, err)
	w.f.advanceTo(res.EndHeight + 1)
}

func TestMsgWithdrawRewards(t *testing.T) {
	const emission = 1_000_000
	epochs := func(p *types.Params) {
		p.EpochBlocks = 30
		p.InitialEpochEmission = math.NewInt(emission)
	}
	withdraw := func(op func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: op(w)})
		}
	}
	a := func(w *msgWorld) string { return w.f.str(w.a) }
	cases := []msgCase{
		{name: "invalid operator address", send: withdraw(func(*msgWorld) string { return otherPrefixAddr }), err: types.ErrInvalidAddress},
		{name: "account that never worked", send: withdraw(func(w *msgWorld) string { return w.f.str(w.outsider) }), err: types.ErrNoRewards},
		{name: "device that never worked", prepare: func(w *msgWorld) { w.settleEpoch() }, send: withdraw(a), err: types.ErrNoRewards},
		{name: "work in the running epoch only", prepare: func(w *msgWorld) { w.rewardWork() }, send: withdraw(a), err: types.ErrNoRewards},
		{
			name: "work for an unapproved requester only",
			prepare: func(w *msgWorld) {
				_, proof := w.f.runTask(w.a, w.job, nil)
				require.True(t, proof.Accepted)
				w.settleEpoch()
			},
			send: withdraw(a), err: types.ErrNoRewards,
		},
		{
			name: "already withdrawn",
			prepare: func(w *msgWorld) {
				w.rewardWork()
				w.settleEpoch()
				must(w.f, w.f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: w.f.str(w.a)})
			},
			send: withdraw(a), err: types.ErrNoRewards,
		},
	}
	runMsgCases(t, cases, epochs)

	t.Run("pays each device its pro-rata share of the epoch's emission", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, epochs))
		f := w.f
		capped := int64(emission) * types.DefaultMaxRequesterEmissionBps / types.BasisPoints
		w.rewardWork()
		w.settleEpoch()
		info, err := f.k.Epochs.Get(f.ctx, 0)
		require.NoError(t, err)
		require.True(t, info.Settled)
		// One requester: its jobs draw max_requester_emission_bps of the epoch,
		// and only that is minted.
		requireAmount(t, capped, info.Emission)
		requireAmount(t, emission, info.ScheduledEmission)
		requireAmount(t, 9*kinds.HashcashWork, info.WorkUnits) // 9 hashcash items, one hash checked each
		total, err := f.k.TotalEmitted.Get(f.ctx)
		require.NoError(t, err)
		requireAmount(t, capped, total)

		for _, c := range []struct {
			op    sdk.AccAddress
			units int64
			want  int64
		}{{w.a, 6 * kinds.HashcashWork, 133_333}, {w.b, 3 * kinds.HashcashWork, 66_666}} {
			require.Equal(t, c.want, capped*c.units/(9*kinds.HashcashWork), "amount = requester's emission x units / requester's units")
			before := f.balance(c.op)
			res, em := mustEvents(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(c.op)})
			requireProto(t, &types.MsgWithdrawRewardsResponse{Amount: math.NewInt(c.want), Epochs: 1, More: false}, res)
			requireAmount(t, before.Int64()+c.want, f.balance(c.op))
			require.False(t, hasKey(t, f.ctx, f.k.DeviceEpochUnits.Has, collectionsPair([]byte(c.op), uint64(0))))
			requireEvent(t, em, &types.EventRewardsWithdrawn{Operator: f.str(c.op), Amount: math.NewInt(c.want), Epochs: 1})
		}
		unclaimed, err := f.k.UnclaimedRewards.Get(f.ctx)
		require.NoError(t, err)
		requireAmount(t, capped-133_333-66_666, unclaimed, "rounding dust stays in the module")
	})
}
