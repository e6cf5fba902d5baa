package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

type queryServer struct{ k *Keeper }

var _ types.QueryServer = queryServer{}

// NewQueryServer returns the module's Query service.
func NewQueryServer(k *Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Job(ctx context.Context, req *types.QueryJobRequest) (*types.QueryJobResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	job, err := q.k.Jobs.Get(ctx, req.JobId)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "job %d not found", req.JobId)
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryJobResponse{Job: job}, nil
}

func (q queryServer) Jobs(ctx context.Context, req *types.QueryJobsRequest) (*types.QueryJobsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	toJob := func(id uint64) (types.Job, error) { return q.k.Jobs.Get(ctx, id) }
	var (
		jobs []types.Job
		page *query.PageResponse
		err  error
	)
	switch {
	case req.Requester != "":
		requester, aerr := q.k.addr("requester", req.Requester)
		if aerr != nil {
			return nil, status.Error(codes.InvalidArgument, aerr.Error())
		}
		jobs, page, err = query.CollectionFilteredPaginate(ctx, q.k.Jobs.Indexes.Requester, req.Pagination,
			func(key collections.Pair[[]byte, uint64], _ collections.NoValue) (bool, error) {
				if req.Status == types.JOB_STATUS_UNSPECIFIED {
					return true, nil
				}
				job, err := toJob(key.K2())
				return err == nil && job.Status == req.Status, err
			},
			func(key collections.Pair[[]byte, uint64], _ collections.NoValue) (types.Job, error) {
				return toJob(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[[]byte, uint64](requester))
	case req.Status != types.JOB_STATUS_UNSPECIFIED:
		jobs, page, err = query.CollectionPaginate(ctx, q.k.Jobs.Indexes.Status, req.Pagination,
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Job, error) {
				return toJob(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.Status)))
	default:
		jobs, page, err = query.CollectionPaginate(ctx, q.k.Jobs, req.Pagination,
			func(_ uint64, job types.Job) (types.Job, error) { return job, nil })
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryJobsResponse{Jobs: jobs, Pagination: page}, nil
}

func (q queryServer) Device(ctx context.Context, req *types.QueryDeviceRequest) (*types.QueryDeviceResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addr("operator", req.Operator)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	dev, err := q.k.Devices.Get(ctx, operator)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "no device registered by %s", req.Operator)
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryDeviceResponse{Device: dev}, nil
}

func (q queryServer) Devices(ctx context.Context, req *types.QueryDevicesRequest) (*types.QueryDevicesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	devs, page, err := query.CollectionPaginate(ctx, q.k.Devices, req.Pagination,
		func(_ []byte, d types.Device) (types.Device, error) { return d, nil })
	if err != nil {
		return nil, err
	}
	return &types.QueryDevicesResponse{Devices: devs, Pagination: page}, nil
}

func (q queryServer) DeviceTasks(ctx context.Context, req *types.QueryDeviceTasksRequest) (*types.QueryDeviceTasksResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addr("operator", req.Operator)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	tasks, page, err := query.CollectionPaginate(ctx, q.k.TasksByDevice, req.Pagination,
		func(key collections.Pair[[]byte, TaskKey], _ collections.NoValue) (types.Task, error) {
			return q.k.Tasks.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[[]byte, TaskKey](operator))
	if err != nil {
		return nil, err
	}
	return &types.QueryDeviceTasksResponse{Tasks: tasks, Pagination: page}, nil
}

func (q queryServer) JobTasks(ctx context.Context, req *types.QueryJobTasksRequest) (*types.QueryJobTasksResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	tasks, page, err := query.CollectionPaginate(ctx, q.k.Tasks, req.Pagination,
		func(_ TaskKey, t types.Task) (types.Task, error) { return t, nil },
		query.WithCollectionPaginationPairPrefix[uint64, uint64](req.JobId))
	if err != nil {
		return nil, err
	}
	return &types.QueryJobTasksResponse{Tasks: tasks, Pagination: page}, nil
}

func (q queryServer) Task(ctx context.Context, req *types.QueryTaskRequest) (*types.QueryTaskResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	task, err := q.k.Tasks.Get(ctx, taskKey(req.JobId, req.TaskIndex))
	if isNotFound(err) {
		if job, jerr := q.k.Jobs.Get(ctx, req.JobId); jerr == nil && job.Status != types.JOB_STATUS_OPEN && req.TaskIndex < job.NextTask {
			return nil, status.Errorf(codes.NotFound, "task %d/%d was pruned after job %d closed at height %d; its root is in the EventProofAccepted and EventClaimSubmitted events",
				req.JobId, req.TaskIndex, req.JobId, job.ClosedHeight)
		}
		return nil, status.Errorf(codes.NotFound, "task %d/%d was never leased", req.JobId, req.TaskIndex)
	}
	if err != nil {
		return nil, err
	}
	indices, ready, err := q.k.ChallengeIndices(ctx, task)
	if err != nil {
		return nil, err
	}
	return &types.QueryTaskResponse{Task: task, ChallengeReady: ready, ChallengeIndices: indices}, nil
}

func (q queryServer) Rewards(ctx context.Context, req *types.QueryRewardsRequest) (*types.QueryRewardsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addr("operator", req.Operator)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	// Withdrawable is the capped value (emission_cap.go), what a withdrawal pays.
	amount, _, epochs, _, err := q.k.pendingRewards(ctx, operator)
	if err != nil {
		return nil, err
	}
	current, err := q.k.CurrentEpoch.Get(ctx)
	if err != nil {
		return nil, err
	}
	units, err := q.k.DeviceEpochUnits.Get(ctx, collections.Join([]byte(operator), current))
	if isNotFound(err) {
		units, err = math.ZeroInt(), nil
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryRewardsResponse{Withdrawable: amount, SettledEpochs: epochs, CurrentEpochUnits: units}, nil
}

func (q queryServer) Epoch(ctx context.Context, _ *types.QueryEpochRequest) (*types.QueryEpochResponse, error) {
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	n, err := q.k.CurrentEpoch.Get(ctx)
	if err != nil {
		return nil, err
	}
	info, err := q.k.Epochs.Get(ctx, n)
	if err != nil {
		return nil, err
	}
	total, err := q.k.loadInt(ctx, q.k.TotalEmitted)
	if err != nil {
		return nil, err
	}
	unclaimed, err := q.k.loadInt(ctx, q.k.UnclaimedRewards)
	if err != nil {
		return nil, err
	}
	burned, err := q.k.loadInt(ctx, q.k.TotalBurned)
	if err != nil {
		return nil, err
	}
	next := math.MaxInt(math.ZeroInt(), math.MinInt(params.EpochEmission(n), params.EmissionCap.Sub(total)))
	return &types.QueryEpochResponse{
		Current: info, EndHeight: info.StartHeight + params.EpochBlocks - 1, NextEmission: next,
		TotalEmitted: total, EmissionCap: params.EmissionCap, UnclaimedRewards: unclaimed, TotalBurned: burned,
	}, nil
}

func (q queryServer) Requesters(ctx context.Context, req *types.QueryRequestersRequest) (*types.QueryRequestersResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	list, page, err := query.CollectionPaginate(ctx, q.k.ApprovedRequesters, req.Pagination,
		func(addr []byte, _ collections.NoValue) (string, error) { return q.k.addrString(addr), nil })
	if err != nil {
		return nil, err
	}
	return &types.QueryRequestersResponse{Requesters: list, Pagination: page}, nil
}
