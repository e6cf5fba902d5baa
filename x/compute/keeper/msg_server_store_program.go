package keeper

import (
	"context"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func (s msgServer) StoreProgram(ctx context.Context, msg *types.MsgStoreProgram) (*types.MsgStoreProgramResponse, error) {
	sender, err := s.k.addr("sender", msg.Sender)
	if err != nil {
		return nil, err
	}
	rec, err := s.k.StoreProgram(ctx, sender, msg.Code)
	if err != nil {
		return nil, err
	}
	return &types.MsgStoreProgramResponse{Id: rec.Id, Fee: rec.Fee}, nil
}
