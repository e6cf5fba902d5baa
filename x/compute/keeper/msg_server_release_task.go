package keeper

import (
	"context"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ReleaseTask hands a leased, unclaimed task back to the market (see Keeper.ReleaseTask).
func (s msgServer) ReleaseTask(ctx context.Context, msg *types.MsgReleaseTask) (*types.MsgReleaseTaskResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	res, err := s.k.ReleaseTask(ctx, operator, msg.JobId, msg.TaskIndex)
	if err != nil {
		return nil, err
	}
	return &types.MsgReleaseTaskResponse{Charged: res.Charged, BarredUntil: res.BarredUntil}, nil
}
