package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

type msgServer struct{ k *Keeper }

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the module's Msg service.
func NewMsgServerImpl(k *Keeper) types.MsgServer { return msgServer{k: k} }

func (s msgServer) RegisterDevice(ctx context.Context, msg *types.MsgRegisterDevice) (*types.MsgRegisterDeviceResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	return &types.MsgRegisterDeviceResponse{}, s.k.RegisterDevice(ctx, operator, msg.Moniker, msg.Bond)
}

func (s msgServer) UpdateDevice(ctx context.Context, msg *types.MsgUpdateDevice) (*types.MsgUpdateDeviceResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	return &types.MsgUpdateDeviceResponse{}, s.k.UpdateDevice(ctx, operator, msg.Moniker, msg.AddBond)
}

func (s msgServer) UnbondDevice(ctx context.Context, msg *types.MsgUnbondDevice) (*types.MsgUnbondDeviceResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	at, err := s.k.UnbondDevice(ctx, operator)
	if err != nil {
		return nil, err
	}
	return &types.MsgUnbondDeviceResponse{UnbondingHeight: at}, nil
}

func (s msgServer) PostJob(ctx context.Context, msg *types.MsgPostJob) (*types.MsgPostJobResponse, error) {
	requester, err := s.k.addr("requester", msg.Requester)
	if err != nil {
		return nil, err
	}
	id, err := s.k.PostJob(ctx, requester, msg)
	if err != nil {
		return nil, err
	}
	return &types.MsgPostJobResponse{JobId: id}, nil
}

func (s msgServer) CancelJob(ctx context.Context, msg *types.MsgCancelJob) (*types.MsgCancelJobResponse, error) {
	requester, err := s.k.addr("requester", msg.Requester)
	if err != nil {
		return nil, err
	}
	refunded, err := s.k.CancelJob(ctx, requester, msg.JobId)
	if err != nil {
		return nil, err
	}
	return &types.MsgCancelJobResponse{Refunded: refunded}, nil
}

func (s msgServer) LeaseTask(ctx context.Context, msg *types.MsgLeaseTask) (*types.MsgLeaseTaskResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	task, err := s.k.LeaseTask(ctx, operator, msg.JobId)
	if err != nil {
		return nil, err
	}
	return leaseResponse(task), nil
}

func leaseResponse(task types.Task) *types.MsgLeaseTaskResponse {
	return &types.MsgLeaseTaskResponse{TaskIndex: task.Index, FirstItem: task.FirstItem, ItemCount: task.ItemCount, LeaseExpiry: task.LeaseExpiry}
}

func (s msgServer) SubmitClaim(ctx context.Context, msg *types.MsgSubmitClaim) (*types.MsgSubmitClaimResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	task, err := s.k.SubmitClaim(ctx, operator, msg.JobId, msg.TaskIndex, msg.Root)
	if err != nil {
		return nil, err
	}
	return claimResponse(task), nil
}

func claimResponse(task types.Task) *types.MsgSubmitClaimResponse {
	return &types.MsgSubmitClaimResponse{ChallengeHeight: task.ChallengeHeight, ProofDeadline: task.ProofDeadline}
}

func (s msgServer) SubmitProof(ctx context.Context, msg *types.MsgSubmitProof) (*types.MsgSubmitProofResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	return s.submitProof(ctx, operator, msg.JobId, msg.TaskIndex, msg.Items, msg.Nodes, msg.InputNodes)
}

// submitProof is Msg/SubmitProof after the signer's address, also run for
// each element of Msg/SubmitProofs.
func (s msgServer) submitProof(ctx context.Context, operator sdk.AccAddress, jobID, index uint64, items []types.ChallengeItem, nodes, inputNodes [][]byte) (*types.MsgSubmitProofResponse, error) {
	if len(items) > types.MaxProofSamples {
		return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "%d items, at most %d", len(items), types.MaxProofSamples)
	}
	if limit := types.MaxProofSamples * merkle.MaxProofLength; len(nodes) > limit {
		return nil, errorsmod.Wrapf(types.ErrInvalidChallengeAnswer, "%d Merkle nodes, at most %d", len(nodes), limit)
	}
	res, err := s.k.SubmitProof(ctx, operator, jobID, index, items, nodes, inputNodes)
	if err != nil {
		return nil, err
	}
	return &types.MsgSubmitProofResponse{Accepted: res.Accepted, Paid: res.Paid, Slashed: res.Slashed, Reason: res.Reason}, nil
}

func (s msgServer) WithdrawRewards(ctx context.Context, msg *types.MsgWithdrawRewards) (*types.MsgWithdrawRewardsResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	amount, epochs, more, err := s.k.WithdrawRewards(ctx, operator)
	if err != nil {
		return nil, err
	}
	return &types.MsgWithdrawRewardsResponse{Amount: amount, Epochs: epochs, More: more}, nil
}

func (s msgServer) ApproveRequester(ctx context.Context, msg *types.MsgApproveRequester) (*types.MsgApproveRequesterResponse, error) {
	if err := s.checkAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	requester, err := s.k.addr("requester", msg.Requester)
	if err != nil {
		return nil, err
	}
	has, err := s.k.ApprovedRequesters.Has(ctx, requester)
	if err != nil {
		return nil, err
	}
	if has {
		return nil, errorsmod.Wrap(types.ErrRequesterApproved, msg.Requester)
	}
	if err := s.k.ApprovedRequesters.Set(ctx, requester); err != nil {
		return nil, err
	}
	return &types.MsgApproveRequesterResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRequesterApproved{Requester: msg.Requester})
}

func (s msgServer) RevokeRequester(ctx context.Context, msg *types.MsgRevokeRequester) (*types.MsgRevokeRequesterResponse, error) {
	if err := s.checkAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	requester, err := s.k.addr("requester", msg.Requester)
	if err != nil {
		return nil, err
	}
	has, err := s.k.ApprovedRequesters.Has(ctx, requester)
	if err != nil {
		return nil, err
	}
	if !has {
		return nil, errorsmod.Wrap(types.ErrRequesterNotApproved, msg.Requester)
	}
	if err := s.k.ApprovedRequesters.Remove(ctx, requester); err != nil {
		return nil, err
	}
	return &types.MsgRevokeRequesterResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRequesterRevoked{Requester: msg.Requester})
}

func (s msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := s.checkAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := s.k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: msg.Authority})
}

func (s msgServer) checkAuthority(ctx context.Context, signer string) error {
	if _, err := s.k.addr("authority", signer); err != nil {
		return err
	}
	authority, err := s.k.GetAuthority(ctx)
	if err != nil {
		return err
	}
	if signer != authority {
		return errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", authority, signer)
	}
	return nil
}
