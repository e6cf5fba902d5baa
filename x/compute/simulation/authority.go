package simulation

import (
	"context"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgApproveRequesterFactory approves requesters as the authority, and sends
// approvals of approved requesters or signed by another account.
func MsgApproveRequesterFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgApproveRequester, simsx.SimDeliveryResultHandler) {
		signer, want := simtest.AuthoritySigner(ctx, k.GetAuthority, types.ErrUnauthorized, data, reporter)
		requester := data.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		if approved, _ := k.ApprovedRequesters.Has(ctx, requester.Address); want == nil && approved {
			want = types.ErrRequesterApproved
		}
		return []simsx.SimAccount{signer}, &types.MsgApproveRequester{Authority: signer.AddressBech32, Requester: requester.AddressBech32}, simtest.Expect(want, nil)
	})
}

// MsgRevokeRequesterFactory revokes approved requesters as the authority, and
// sends revocations of unapproved requesters or signed by another account.
func MsgRevokeRequesterFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRevokeRequester, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		signer, want := simtest.AuthoritySigner(ctx, k.GetAuthority, types.ErrUnauthorized, data, reporter)
		var requester string
		var approved []string
		_ = k.ApprovedRequesters.Walk(ctx, nil, func(addr []byte) (bool, error) {
			s, err := data.AddressCodec().BytesToString(addr)
			approved = append(approved, s)
			return false, err
		})
		if len(approved) > 0 && r.Intn(5) != 0 {
			requester = approved[r.Intn(len(approved))]
		} else {
			requester = data.AnyAccount(reporter).AddressBech32
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		acc, err := data.AddressCodec().StringToBytes(requester)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		if has, _ := k.ApprovedRequesters.Has(ctx, acc); want == nil && !has {
			want = types.ErrRequesterNotApproved
		}
		return []simsx.SimAccount{signer}, &types.MsgRevokeRequester{Authority: signer.AddressBech32, Requester: requester}, simtest.Expect(want, nil)
	})
}

// MsgUpdateParamsFactory replaces the params as the authority with random
// valid ones (the emission cap never below what is already minted), and sends
// invalid params or params signed by another account.
func MsgUpdateParamsFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		signer, want := simtest.AuthoritySigner(ctx, k.GetAuthority, types.ErrUnauthorized, data, reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		emitted, err := k.TotalEmitted.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		params := RandomParams(r.Rand, emitted)
		if want == nil {
			switch r.Intn(8) {
			case 0:
				params.ProofSamples = types.MaxProofSamples + 1
				want = types.ErrInvalidParams
			case 1:
				params.EpochBlocks = 0
				want = types.ErrInvalidParams
			case 2:
				params.SlashMissedBps = types.BasisPoints + 1
				want = types.ErrInvalidParams
			}
		}
		return []simsx.SimAccount{signer}, &types.MsgUpdateParams{Authority: signer.AddressBech32, Params: params}, simtest.Expect(want, nil)
	})
}
