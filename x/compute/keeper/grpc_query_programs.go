package keeper

import (
	"context"
	"encoding/hex"

	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// programID decodes a query's hex program id.
func programID(s string) ([]byte, error) {
	id, err := hex.DecodeString(s)
	if err != nil || len(id) != 32 {
		return nil, status.Errorf(codes.InvalidArgument, "program id must be 64 hex digits, got %q", s)
	}
	return id, nil
}

func (q queryServer) Program(ctx context.Context, req *types.QueryProgramRequest) (*types.QueryProgramResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	id, err := programID(req.Id)
	if err != nil {
		return nil, err
	}
	rec, err := q.k.Programs.Get(ctx, id)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "program %s not found", req.Id)
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryProgramResponse{Program: rec}, nil
}

func (q queryServer) Programs(ctx context.Context, req *types.QueryProgramsRequest) (*types.QueryProgramsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	list, page, err := query.CollectionPaginate(ctx, q.k.Programs, req.Pagination,
		func(_ []byte, p types.Program) (types.Program, error) { return p, nil })
	if err != nil {
		return nil, err
	}
	return &types.QueryProgramsResponse{Programs: list, Pagination: page}, nil
}

func (q queryServer) ProgramCode(ctx context.Context, req *types.QueryProgramCodeRequest) (*types.QueryProgramCodeResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	id, err := programID(req.Id)
	if err != nil {
		return nil, err
	}
	code, err := q.k.ProgramCode.Get(ctx, id)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "program %s not found", req.Id)
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryProgramCodeResponse{Code: code}, nil
}
