package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestMsgAuthority(t *testing.T) {
	approve := func(authority, requester func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: authority(w), Requester: requester(w)})
		}
	}
	revoke := func(authority, requester func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: authority(w), Requester: requester(w)})
		}
	}
	updateParams := func(authority func(w *msgWorld) string, edit func(*types.Params)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			p := w.params()
			if edit != nil {
				edit(&p)
			}
			return sendMsg(w.f, w.f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: authority(w), Params: p})
		}
	}
	gov := func(w *msgWorld) string { return w.f.authority }
	stranger := func(w *msgWorld) string { return w.f.str(w.outsider) }
	invalid := func(*msgWorld) string { return badChecksumAddr }
	requester := func(w *msgWorld) string { return w.f.str(w.requester) }
	approved := func(w *msgWorld) {
		must(w.f, w.f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: w.f.authority, Requester: w.f.str(w.requester)})
	}
	badParams := func(name string, edit func(*types.Params)) msgCase {
		return msgCase{name: "UpdateParams: " + name, send: updateParams(gov, edit), err: types.ErrInvalidParams}
	}
	cases := []msgCase{
		{name: "ApproveRequester: signer is not the authority", send: approve(stranger, requester), err: types.ErrUnauthorized},
		{name: "ApproveRequester: a device operator signs", send: approve(func(w *msgWorld) string { return w.f.str(w.a) }, requester), err: types.ErrUnauthorized},
		{name: "ApproveRequester: invalid authority address", send: approve(invalid, requester), err: types.ErrInvalidAddress},
		{name: "ApproveRequester: invalid requester address", send: approve(gov, invalid), err: types.ErrInvalidAddress},
		{name: "ApproveRequester: empty requester", send: approve(gov, func(*msgWorld) string { return "" }), err: types.ErrInvalidAddress},
		{name: "ApproveRequester: approved twice", prepare: approved, send: approve(gov, requester), err: types.ErrRequesterApproved},
		{name: "RevokeRequester: signer is not the authority", prepare: approved, send: revoke(stranger, requester), err: types.ErrUnauthorized},
		{name: "RevokeRequester: invalid authority address", prepare: approved, send: revoke(invalid, requester), err: types.ErrInvalidAddress},
		{name: "RevokeRequester: invalid requester address", send: revoke(gov, invalid), err: types.ErrInvalidAddress},
		{name: "RevokeRequester: never approved", send: revoke(gov, requester), err: types.ErrRequesterNotApproved},
		{
			name: "RevokeRequester: revoked twice",
			prepare: func(w *msgWorld) {
				approved(w)
				must(w.f, w.f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: w.f.authority, Requester: w.f.str(w.requester)})
			},
			send: revoke(gov, requester), err: types.ErrRequesterNotApproved,
		},
		{name: "UpdateParams: signer is not the authority", send: updateParams(stranger, func(p *types.Params) { p.LeaseBlocks = 7 }), err: types.ErrUnauthorized},
		{name: "UpdateParams: invalid authority address", send: updateParams(invalid, func(p *types.Params) { p.LeaseBlocks = 7 }), err: types.ErrInvalidAddress},
		badParams("zero lease_blocks", func(p *types.Params) { p.LeaseBlocks = 0 }),
		badParams("zero proof_window_blocks", func(p *types.Params) { p.ProofWindowBlocks = 0 }),
		badParams("slash_invalid_bps above 10000", func(p *types.Params) { p.SlashInvalidBps = 10_001 }),
		badParams("zero slash_invalid_bps", func(p *types.Params) { p.SlashInvalidBps = 0 }),
		badParams("slash_missed_bps above 10000", func(p *types.Params) { p.SlashMissedBps = 10_001 }),
		badParams("protocol_fee_bps above 10000", func(p *types.Params) { p.ProtocolFeeBps = 10_001 }),
		badParams("proof_samples 0", func(p *types.Params) { p.ProofSamples = 0 }),
		badParams("proof_samples 65", func(p *types.Params) { p.ProofSamples = types.MaxProofSamples + 1 }),
		badParams("zero min_device_bond", func(p *types.Params) { p.MinDeviceBond = math.ZeroInt() }),
		badParams("nil min_device_bond", func(p *types.Params) { p.MinDeviceBond = math.Int{} }),
		badParams("negative emission_cap", func(p *types.Params) { p.EmissionCap = math.NewInt(-1) }),
		badParams("max_task_items above max_job_items", func(p *types.Params) { p.MaxJobItems, p.MaxTaskItems = 10, 11 }),
		badParams("max_task_items above 2^16", func(p *types.Params) { p.MaxTaskItems = types.MaxTaskItemsLimit + 1 }),
		badParams("max_verify_gas_per_block below one proof at the bound", func(p *types.Params) {
			p.MaxVerifyGasPerBlock = uint64(p.ProofSamples)*(p.MaxVerifyGasPerItem+types.VerifyHashReservePerItem) - 1
		}),
		badParams("zero max_verify_gas_per_block", func(p *types.Params) { p.MaxVerifyGasPerBlock = 0 }),
		badParams("max_verify_gas_per_item above 2^40", func(p *types.Params) { p.MaxVerifyGasPerItem, p.MaxVerifyGasPerBlock = 1<<40+1, 1<<63 }),
		badParams("zero max_queue_items_per_block", func(p *types.Params) { p.MaxQueueItemsPerBlock = 0 }),
		badParams("a window of 2^40+1 blocks", func(p *types.Params) { p.DeviceUnbondingBlocks = 1<<40 + 1 }),
		badParams("zero task_retention_blocks", func(p *types.Params) { p.TaskRetentionBlocks = 0 }),
		badParams("task_retention_blocks of 2^40+1", func(p *types.Params) { p.TaskRetentionBlocks = 1<<40 + 1 }),
		badParams("slash_lapsed_bps above 10000", func(p *types.Params) { p.SlashLapsedBps = 10_001 }),
		badParams("zero lease_cooldown_blocks", func(p *types.Params) { p.LeaseCooldownBlocks = 0 }),
		badParams("lease_cooldown_blocks of 2^40+1", func(p *types.Params) { p.LeaseCooldownBlocks = 1<<40 + 1 }),
		badParams("negative job_posting_fee", func(p *types.Params) { p.JobPostingFee = math.NewInt(-1) }),
		badParams("nil job_posting_fee", func(p *types.Params) { p.JobPostingFee = math.Int{} }),
		badParams("negative min_gas_price", func(p *types.Params) { p.MinGasPrice = math.LegacyNewDec(-1) }),
		badParams("nil min_gas_price", func(p *types.Params) { p.MinGasPrice = math.LegacyDec{} }),
		badParams("min_gas_price above 10^6", func(p *types.Params) { p.MinGasPrice = math.LegacyNewDec(types.MaxMinGasPrice + 1) }),
	}
	runMsgCases(t, cases)

	t.Run("approves and revokes a requester", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		_, em := mustEvents(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
		require.True(t, hasKey(t, f.ctx, f.k.ApprovedRequesters.Has, []byte(w.requester)))
		require.Equal(t, "nightshift.compute.v1.EventRequesterApproved", em.Events()[0].Type)
		requireEvent(t, em, &types.EventRequesterApproved{Requester: f.str(w.requester)})
		res, err := f.q.Params(f.ctx, &types.QueryParamsRequest{})
		require.NoError(t, err)
		require.False(t, res.Params.RequesterAllowlist)

		_, em = mustEvents(f, f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: f.authority, Requester: f.str(w.requester)})
		require.False(t, hasKey(t, f.ctx, f.k.ApprovedRequesters.Has, []byte(w.requester)))
		require.Equal(t, "nightshift.compute.v1.EventRequesterRevoked", em.Events()[0].Type)
		requireEvent(t, em, &types.EventRequesterRevoked{Requester: f.str(w.requester)})
	})

	t.Run("replaces the params, which take effect at once", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		p := w.params()
		p.LeaseBlocks = 7
		p.SlashInvalidBps = 10_000
		p.ProofSamples = types.MaxProofSamples
		// 64 samples at the bound must still fit max_verify_gas_per_block.
		p.MaxVerifyGasPerItem = 1_000_000
		p.MinDeviceBond = math.NewInt(42)
		_, em := mustEvents(f, f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: f.authority, Params: p})
		requireProto(t, &p, pointerTo(w.params()))
		require.Equal(t, "nightshift.compute.v1.EventParamsUpdated", em.Events()[0].Type)
		requireEvent(t, em, &types.EventParamsUpdated{Authority: f.authority})
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1+7), lease.LeaseExpiry)
	})
}
