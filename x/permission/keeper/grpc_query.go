package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

type queryServer struct{ k *Keeper }

// NewQueryServer returns the module's Query service.
func NewQueryServer(k *Keeper) types.QueryServer { return queryServer{k: k} }

var _ types.QueryServer = queryServer{}

func (q queryServer) Authority(ctx context.Context, _ *types.QueryAuthorityRequest) (*types.QueryAuthorityResponse, error) {
	a, err := q.k.GetAuthority(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAuthorityResponse{Authority: a}, nil
}

func (q queryServer) ApprovedValidators(ctx context.Context, req *types.QueryApprovedValidatorsRequest) (*types.QueryApprovedValidatorsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	vals, page, err := query.CollectionPaginate(ctx, q.k.Approved, req.Pagination,
		func(_ []byte, v types.ApprovedValidator) (types.ApprovedValidator, error) { return v, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryApprovedValidatorsResponse{Validators: vals, Pagination: page}, nil
}

func (q queryServer) ApprovedValidator(ctx context.Context, req *types.QueryApprovedValidatorRequest) (*types.QueryApprovedValidatorResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	op, err := q.k.addressCodec.StringToBytes(req.Operator)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "operator %q: %v", req.Operator, err)
	}
	v, err := q.k.Approved.Get(ctx, op)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "%s is not approved", req.Operator)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryApprovedValidatorResponse{Validator: v}, nil
}

func (q queryServer) RevealChains(ctx context.Context, req *types.QueryRevealChainsRequest) (*types.QueryRevealChainsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	chains, page, err := query.CollectionPaginate(ctx, q.k.RevealChains, req.Pagination,
		func(_ []byte, c types.RevealChain) (types.RevealChain, error) { return c, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryRevealChainsResponse{RevealChains: chains, Pagination: page}, nil
}

func (q queryServer) BlockSeed(ctx context.Context, req *types.QueryBlockSeedRequest) (*types.QueryBlockSeedResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	seed, err := q.k.BlockSeed.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Error(codes.NotFound, "no block seed recorded yet")
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryBlockSeedResponse{BlockSeed: seed}, nil
}
