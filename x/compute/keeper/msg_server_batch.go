package keeper

import (
	"context"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// The batch messages (batch.go): each element is the single message's keeper
// call, run by runBatch in its own cache context.

func (s msgServer) LeaseTasks(ctx context.Context, msg *types.MsgLeaseTasks) (*types.MsgLeaseTasksResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	refs := make([]batchRef, len(msg.JobIds))
	results := make([]types.LeaseTasksResult, len(msg.JobIds))
	for i, id := range msg.JobIds {
		refs[i] = batchRef{JobID: id}
		results[i].JobId = id
	}
	report, err := s.k.runBatch(ctx, msg, msg.Operator, refs, func(ctx context.Context, i int) error {
		task, err := s.k.LeaseTask(ctx, operator, msg.JobIds[i])
		if err == nil {
			results[i].Lease = leaseResponse(task)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i].Error = report.Errors[i]
	}
	return &types.MsgLeaseTasksResponse{Results: results, Settled: report.Settled}, nil
}

func (s msgServer) SubmitClaims(ctx context.Context, msg *types.MsgSubmitClaims) (*types.MsgSubmitClaimsResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	refs, results := claimRefs(msg.Claims)
	report, err := s.k.runBatch(ctx, msg, msg.Operator, refs, func(ctx context.Context, i int) error {
		c := msg.Claims[i]
		task, err := s.k.SubmitClaim(ctx, operator, c.JobId, c.TaskIndex, c.Root)
		if err == nil {
			results[i].Claim = claimResponse(task)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i].Error = report.Errors[i]
	}
	return &types.MsgSubmitClaimsResponse{Results: results, Settled: report.Settled}, nil
}

func (s msgServer) SubmitProofs(ctx context.Context, msg *types.MsgSubmitProofs) (*types.MsgSubmitProofsResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	refs := make([]batchRef, len(msg.Proofs))
	results := make([]types.SubmitProofsResult, len(msg.Proofs))
	for i, p := range msg.Proofs {
		refs[i] = batchRef{JobID: p.JobId, TaskIndex: p.TaskIndex, PerTask: true}
		results[i].JobId, results[i].TaskIndex = p.JobId, p.TaskIndex
	}
	report, err := s.k.runBatch(ctx, msg, msg.Operator, refs, func(ctx context.Context, i int) error {
		p := msg.Proofs[i]
		res, err := s.submitProof(ctx, operator, p.JobId, p.TaskIndex, p.Items, p.Nodes, p.InputNodes)
		results[i].Proof = res
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i].Error = report.Errors[i]
	}
	return &types.MsgSubmitProofsResponse{Results: results, Settled: report.Settled}, nil
}

func (s msgServer) LeaseAndClaim(ctx context.Context, msg *types.MsgLeaseAndClaim) (*types.MsgLeaseAndClaimResponse, error) {
	operator, err := s.k.addr("operator", msg.Operator)
	if err != nil {
		return nil, err
	}
	refs, claims := claimRefs(msg.Claims)
	results := make([]types.LeaseAndClaimResult, len(msg.Claims))
	report, err := s.k.runBatch(ctx, msg, msg.Operator, refs, func(ctx context.Context, i int) error {
		c := msg.Claims[i]
		leased, claimed, err := s.k.LeaseAndClaim(ctx, operator, c.JobId, c.TaskIndex, c.Root)
		if err == nil {
			results[i].Lease, results[i].Claim = leaseResponse(leased), claimResponse(claimed)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i].JobId, results[i].TaskIndex, results[i].Error = claims[i].JobId, claims[i].TaskIndex, report.Errors[i]
	}
	return &types.MsgLeaseAndClaimResponse{Results: results, Settled: report.Settled}, nil
}

// claimRefs names each claim's task (a task claimed twice is a duplicate) and
// starts its result.
func claimRefs(claims []types.ClaimElement) ([]batchRef, []types.SubmitClaimsResult) {
	refs := make([]batchRef, len(claims))
	results := make([]types.SubmitClaimsResult, len(claims))
	for i, c := range claims {
		refs[i] = batchRef{JobID: c.JobId, TaskIndex: c.TaskIndex, PerTask: true}
		results[i].JobId, results[i].TaskIndex = c.JobId, c.TaskIndex
	}
	return refs, results
}
