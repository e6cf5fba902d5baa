package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// DeliveryDemands lists the tasks of a device with an open delivery demand,
// which its worker must answer before each demand's deadline.
func (q queryServer) DeliveryDemands(ctx context.Context, req *types.QueryDeliveryDemandsRequest) (*types.QueryDeliveryDemandsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addr("operator", req.Operator)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	tasks, page, err := query.CollectionPaginate(ctx, q.k.DemandsByDevice, req.Pagination,
		func(key collections.Pair[[]byte, TaskKey], _ collections.NoValue) (types.Task, error) {
			return q.k.Tasks.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[[]byte, TaskKey](operator))
	if err != nil {
		return nil, err
	}
	return &types.QueryDeliveryDemandsResponse{Tasks: tasks, Pagination: page}, nil
}
