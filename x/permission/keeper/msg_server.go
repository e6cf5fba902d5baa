package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

type msgServer struct{ k *Keeper }

// NewMsgServerImpl returns the module's Msg service.
func NewMsgServerImpl(k *Keeper) types.MsgServer { return msgServer{k: k} }

var _ types.MsgServer = msgServer{}

func (m msgServer) ApproveValidator(ctx context.Context, msg *types.MsgApproveValidator) (*types.MsgApproveValidatorResponse, error) {
	operator, err := m.k.addressCodec.StringToBytes(msg.Operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", msg.Operator, err)
	}
	if err := m.k.checkAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	if err := m.k.ApproveValidator(ctx, operator); err != nil {
		return nil, err
	}
	return &types.MsgApproveValidatorResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventValidatorApproved{
		Operator:  msg.Operator,
		Authority: msg.Authority,
	})
}

func (m msgServer) RemoveValidator(ctx context.Context, msg *types.MsgRemoveValidator) (*types.MsgRemoveValidatorResponse, error) {
	operator, err := m.k.addressCodec.StringToBytes(msg.Operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", msg.Operator, err)
	}
	if err := m.k.checkAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	jailed, warning, err := m.k.RemoveValidator(ctx, operator)
	if err != nil {
		return nil, err
	}
	return &types.MsgRemoveValidatorResponse{Jailed: jailed}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventValidatorRemoved{
		Operator:  msg.Operator,
		Authority: msg.Authority,
		Jailed:    jailed,
		Warning:   warning,
	})
}

func (m msgServer) UpdateAuthority(ctx context.Context, msg *types.MsgUpdateAuthority) (*types.MsgUpdateAuthorityResponse, error) {
	if _, err := m.k.addressCodec.StringToBytes(msg.NewAuthority); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "new authority %q: %v", msg.NewAuthority, err)
	}
	if err := m.k.checkAuthority(ctx, msg.Authority); err != nil {
		return nil, err
	}
	if err := m.k.Authority.Set(ctx, msg.NewAuthority); err != nil {
		return nil, err
	}
	return &types.MsgUpdateAuthorityResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventAuthorityUpdated{
		OldAuthority: msg.Authority,
		NewAuthority: msg.NewAuthority,
	})
}

func (m msgServer) CommitRevealChain(ctx context.Context, msg *types.MsgCommitRevealChain) (*types.MsgCommitRevealChainResponse, error) {
	operator, err := m.k.addressCodec.StringToBytes(msg.Operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", msg.Operator, err)
	}
	chain, err := m.k.CommitRevealChain(ctx, operator, msg.Tip, msg.Length)
	if err != nil {
		return nil, err
	}
	return &types.MsgCommitRevealChainResponse{ConsAddress: chain.ConsAddress, StartHeight: chain.StartHeight}, nil
}
