package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

func (s msgServer) DemandDelivery(ctx context.Context, msg *types.MsgDemandDelivery) (*types.MsgDemandDeliveryResponse, error) {
	requester, err := s.k.addr("requester", msg.Requester)
	if err != nil {
		return nil, err
	}
	if len(msg.Items) == 0 || len(msg.Items) > types.MaxDemandItemsLimit {
		return nil, errorsmod.Wrapf(types.ErrInvalidDemand, "%d items, want 1 to %d", len(msg.Items), types.MaxDemandItemsLimit)
	}
	demand, err := s.k.DemandDelivery(ctx, requester, msg.JobId, msg.TaskIndex, msg.Items)
	if err != nil {
		return nil, err
	}
	return &types.MsgDemandDeliveryResponse{Deadline: demand.Deadline, Fee: demand.Fee}, nil
}

func (s msgServer) DeliverOutputs(ctx context.Context, msg *types.MsgDeliverOutputs) (*types.MsgDeliverOutputsResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	if len(msg.Items) > types.MaxDemandItemsLimit {
		return nil, errorsmod.Wrapf(types.ErrInvalidDelivery, "%d items, at most %d", len(msg.Items), types.MaxDemandItemsLimit)
	}
	if limit := types.MaxDemandItemsLimit * merkle.MaxProofLength; len(msg.Nodes) > limit {
		return nil, errorsmod.Wrapf(types.ErrInvalidDelivery, "%d Merkle nodes, at most %d", len(msg.Nodes), limit)
	}
	fee, err := s.k.DeliverOutputs(ctx, operator, msg.JobId, msg.TaskIndex, msg.Items, msg.Nodes)
	if err != nil {
		return nil, err
	}
	return &types.MsgDeliverOutputsResponse{Fee: fee}, nil
}

func (s msgServer) ReportFraud(ctx context.Context, msg *types.MsgReportFraud) (*types.MsgReportFraudResponse, error) {
	reporter, err := s.k.addr("reporter", msg.Reporter)
	if err != nil {
		return nil, err
	}
	if len(msg.Proof) > merkle.MaxProofLength {
		return nil, errorsmod.Wrapf(types.ErrInvalidFraudProof, "%d Merkle nodes, at most %d", len(msg.Proof), merkle.MaxProofLength)
	}
	res, err := s.k.ReportFraud(ctx, reporter, msg.JobId, msg.TaskIndex, FraudItem{Index: msg.Item, Output: msg.Output, Proof: msg.Proof, Input: msg.Input, InputProof: msg.InputProof})
	if err != nil {
		return nil, err
	}
	return &types.MsgReportFraudResponse{Slashed: res.Loss.Slashed, ReporterReward: res.Loss.BeneficiaryShare, Refunded: res.Loss.Refunded}, nil
}
