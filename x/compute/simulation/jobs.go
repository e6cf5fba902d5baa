package simulation

import (
	"context"
	"fmt"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/types"
	"github.com/nightshift-network/nightshift/x/simtest"
)

// MsgPostJobFactory posts small hashcash and mandelbrot jobs, and one in five
// times a job with an invalid field, an unknown kind, a spec too costly to
// verify or an escrow the requester cannot pay; one in ten copies the kind and
// spec of a job that holds its replay key (ErrDuplicateJob).
func MsgPostJobFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPostJob, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		params, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		requester := data.AnyAccount(reporter, simsx.WithSpendableBalance())
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		// Cheap jobs, and dear ones whose tasks some bonds cannot cover.
		maxPrice := uint64(1_000)
		if r.Intn(2) == 0 {
			maxPrice = 100_000
		}
		msg := &types.MsgPostJob{
			Requester:      requester.AddressBech32,
			PricePerItem:   math.NewIntFromUint64(between(r.Rand, 1, maxPrice)),
			DeadlineBlocks: between(r.Rand, 1, min(params.MaxDeadlineBlocks, 100)),
		}
		if r.Intn(2) == 0 {
			msg.Kind = "hashcash"
			msg.Items = between(r.Rand, 1, min(params.MaxJobItems, 64))
			msg.Spec = fmt.Sprintf(`{"difficulty_bits":%d}`, between(r.Rand, 1, 6))
		} else {
			msg.Kind = "mandelbrot"
			msg.Items = between(r.Rand, 1, min(params.MaxJobItems, 24))
			msg.Spec = mandelbrotSpec(between(r.Rand, 2, 16), msg.Items, between(r.Rand, 4, 48))
		}
		if r.Intn(10) == 0 {
			copyLiveJob(ctx, k, r, msg) // a duplicate, refused while the job lives
		}
		msg.ItemsPerTask = between(r.Rand, 1, min(params.MaxTaskItems, msg.Items))
		if r.Intn(4) == 0 {
			msg.ResultUrl = "https://results.example/" + r.StringN(6)
		}
		approved, err := k.ApprovedRequesters.Has(ctx, requester.Address)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		var want error
		if params.RequesterAllowlist && !approved {
			want = types.ErrRequesterNotApproved
		} else {
			want = corruptJob(r, params, msg)
		}
		if want == nil {
			dup, err := isDuplicate(ctx, k, msg)
			if err != nil {
				reporter.Skip(err.Error())
				return nil, nil, nil
			}
			if dup {
				want = types.ErrDuplicateJob
			}
		}
		if want == nil && !reserve(k, &requester, msg.PricePerItem.MulRaw(int64(msg.Items)).Add(params.JobPostingFee)) {
			want = types.ErrInsufficientFunds
		}
		next, err := k.NextJobID.Peek(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil, nil
		}
		return []simsx.SimAccount{requester}, msg, simtest.Expect(want, func() error {
			job, err := k.Jobs.Get(ctx, next)
			if err != nil || job.Status != types.JOB_STATUS_OPEN || !job.Escrow.Equal(msg.PricePerItem.MulRaw(int64(msg.Items))) {
				return fmt.Errorf("posted job %d: %v (%v)", next, job, err)
			}
			return nil
		})
	})
}

// copyLiveJob makes msg ask for the outputs of a job that holds its replay key
// (open, or with a live task), if there is one.
func copyLiveJob(ctx context.Context, k *keeper.Keeper, r *simsx.XRand, msg *types.MsgPostJob) {
	id, ok := pick(ctx, r, k.Jobs.Indexes.Replay.Holders, func(uint64) bool { return true })
	if !ok {
		return
	}
	job, err := k.Jobs.Get(ctx, id)
	if err != nil {
		return
	}
	msg.Kind, msg.Spec, msg.Items = job.Kind, job.Spec, job.Items
}

// isDuplicate says a live job computes msg's outputs (the keeper checks it
// after the spec and before the funds, so msg is otherwise valid here).
func isDuplicate(ctx context.Context, k *keeper.Keeper, msg *types.MsgPostJob) (bool, error) {
	key, err := k.Jobs.Indexes.Replay.ReplayKey(msg.Kind, []byte(msg.Spec), msg.Items)
	if err != nil || key == nil {
		return false, err
	}
	_, found, err := k.Jobs.Indexes.Replay.Holder(ctx, key)
	return found, err
}

// corruptJob breaks one field of a valid job one time in five and returns the
// error the keeper must answer with (nil when the job is left valid).
func corruptJob(r *simsx.XRand, params types.Params, msg *types.MsgPostJob) error {
	switch r.Intn(40) {
	case 0:
		msg.Items = 0
		return types.ErrInvalidItems
	case 1:
		msg.Items = params.MaxJobItems + 1
		return types.ErrInvalidItems
	case 2:
		msg.ItemsPerTask = params.MaxTaskItems + 1
		return types.ErrInvalidItems
	case 3:
		msg.PricePerItem = math.ZeroInt()
		return types.ErrInvalidPrice
	case 4:
		msg.DeadlineBlocks = params.MaxDeadlineBlocks + 1
		return types.ErrInvalidDeadline
	case 5:
		msg.ResultUrl = "ftp://results.example/x"
		return types.ErrInvalidResultURL
	case 6:
		msg.Kind = "quicksort"
		return types.ErrUnknownKind
	case 7:
		msg.Kind, msg.Spec = "hashcash", `{"difficulty_bits":0}`
		return types.ErrInvalidSpec
	case 8:
		// Re-verifying one row of 4096 pixels at 65535 iterations can cost
		// some 805M gas, beyond any max_verify_gas_per_item the genesis picks.
		msg.Kind, msg.Spec = "mandelbrot", mandelbrotSpec(4096, msg.Items, 65535)
		return types.ErrVerificationTooCostly
	}
	return nil
}

func mandelbrotSpec(width, height, maxIter uint64) string {
	return fmt.Sprintf(`{"width":%d,"height":%d,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":%d}`, width, height, maxIter)
}

// MsgCancelJobFactory cancels open jobs, and sends cancellations of closed,
// missing or another requester's jobs.
func MsgCancelJobFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return newFactory(func(ctx context.Context, data *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelJob, simsx.SimDeliveryResultHandler) {
		r := data.Rand()
		open := r.Intn(4) != 0
		job, ok := pick(ctx, r, k.Jobs, func(j types.Job) bool { return !open || j.Status == types.JOB_STATUS_OPEN })
		if !ok {
			reporter.Skip("no job")
			return nil, nil, nil
		}
		signer, ok := simtest.Account(data, reporter, job.Requester)
		if !ok {
			return nil, nil, nil
		}
		msg := &types.MsgCancelJob{Requester: signer.AddressBech32, JobId: job.Id}
		var want error
		switch n := r.Intn(10); {
		case n == 0:
			msg.JobId = job.Id + 1_000_000
			want = types.ErrJobNotFound
		case n == 1:
			signer = simtest.OtherAccount(data, reporter, job.Requester)
			msg.Requester = signer.AddressBech32
			want = types.ErrNotJobRequester
		case job.Status != types.JOB_STATUS_OPEN:
			want = types.ErrJobNotOpen
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{signer}, msg, simtest.Expect(want, func() error {
			after, err := k.Jobs.Get(ctx, job.Id)
			if err != nil || after.Status != types.JOB_STATUS_CANCELLED || !after.Escrow.Equal(after.TaskReward(after.LiveItems)) {
				return fmt.Errorf("cancelled job %d: %v (%v)", job.Id, after, err)
			}
			return nil
		})
	})
}
