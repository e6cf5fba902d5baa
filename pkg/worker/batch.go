package worker

// Batching: claims and proofs that become ready together go to the chain in
// one transaction (MsgSubmitClaims, MsgSubmitProofs), sharing its signature,
// fee and per-transaction costs; each task keeps its own result.

import (
	"context"
	"errors"
	"sync"
	"time"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// DefaultBatchSize is the worker's default --batch-size: tasks leased, claimed
// or proven in one transaction at most (the chain's max_batch_size bounds it
// too: a lease batch it refuses as too large is sent one task at a time).
const DefaultBatchSize = 8

// batchWindow is how long the first element of a batch waits for others:
// tasks claimed in one block reach their challenge in one block, and their
// drivers poll within a poll interval of each other.
func (w *Worker) batchWindow() time.Duration {
	return min(max(w.cfg.Poll, 100*time.Millisecond), time.Second)
}

// batcher gathers the elements concurrent task drivers submit within a
// window, or until size are waiting, into one batch transaction.
type batcher[E, R any] struct {
	size   int
	window time.Duration
	// send submits elems as one batch: per element a result or an error, or
	// an error for the whole transaction.
	send func(ctx context.Context, elems []E) ([]R, []error, error)

	mu      sync.Mutex
	pending []*batchCall[E, R]
	timer   *time.Timer
}

type batchCall[E, R any] struct {
	elem E
	done chan struct{}
	res  R
	err  error
}

// do submits e with whatever else arrives within the window and returns its
// own result.
func (b *batcher[E, R]) do(ctx context.Context, e E) (R, error) {
	c := &batchCall[E, R]{elem: e, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	var full []*batchCall[E, R]
	switch {
	case len(b.pending) >= b.size:
		full = b.take()
	case len(b.pending) == 1:
		b.timer = time.AfterFunc(b.window, func() {
			b.mu.Lock()
			calls := b.take()
			b.mu.Unlock()
			b.run(ctx, calls)
		})
	}
	b.mu.Unlock()
	if full != nil {
		b.run(ctx, full)
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

// take empties the queue (b.mu held).
func (b *batcher[E, R]) take() []*batchCall[E, R] {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	calls := b.pending
	b.pending = nil
	return calls
}

// run sends calls as one batch. A batch the chain refused whole (no element
// settled: the error is the first element's) is sent again element by
// element, so that each learns its own error.
func (b *batcher[E, R]) run(ctx context.Context, calls []*batchCall[E, R]) {
	if len(calls) == 0 {
		return
	}
	elems := make([]E, len(calls))
	for i, c := range calls {
		elems[i] = c.elem
	}
	res, errs, err := b.send(ctx, elems)
	var refused *errorsmod.Error
	if err != nil && len(calls) > 1 && errors.As(err, &refused) && refused.Codespace() == types.ModuleName {
		for _, c := range calls {
			b.run(ctx, []*batchCall[E, R]{c})
		}
		return
	}
	for i, c := range calls {
		switch {
		case err != nil:
			c.err = err
		case errs[i] != nil:
			c.err = errs[i]
		default:
			c.res = res[i]
		}
		close(c.done)
	}
}

// batchError is a batch element's refusal as the registered error it names,
// so callers match it with errors.Is as they match a single message's.
func batchError(e *types.BatchError) error {
	if e == nil {
		return nil
	}
	return errorsmod.ABCIError(e.Codespace, e.Code, e.Log)
}

// batches are the worker's claim and proof batchers (nil with --batch-size 1:
// the single messages are sent, as before batching).
type batches struct {
	claims *batcher[types.ClaimElement, *types.MsgSubmitClaimResponse]
	proofs *batcher[types.ProofElement, *types.MsgSubmitProofResponse]
}

func (w *Worker) newBatches() batches {
	if w.cfg.BatchSize <= 1 {
		return batches{}
	}
	return batches{
		claims: &batcher[types.ClaimElement, *types.MsgSubmitClaimResponse]{size: w.cfg.BatchSize, window: w.batchWindow(), send: w.sendClaims},
		proofs: &batcher[types.ProofElement, *types.MsgSubmitProofResponse]{size: w.cfg.BatchSize, window: w.batchWindow(), send: w.sendProofs},
	}
}

// submitClaim claims one task, in a batch when batching is on.
func (w *Worker) submitClaim(ctx context.Context, e types.ClaimElement) (*types.MsgSubmitClaimResponse, error) {
	if w.batch.claims != nil {
		return w.batch.claims.do(ctx, e)
	}
	out, err := w.cfg.Client.Submit(ctx, &types.MsgSubmitClaim{Operator: w.operator, JobId: e.JobId, TaskIndex: e.TaskIndex, Root: e.Root})
	if err != nil {
		return nil, err
	}
	return out.Responses[0].(*types.MsgSubmitClaimResponse), nil
}

// submitProof proves one task, in a batch when batching is on.
func (w *Worker) submitProof(ctx context.Context, e types.ProofElement) (*types.MsgSubmitProofResponse, error) {
	if w.batch.proofs != nil {
		return w.batch.proofs.do(ctx, e)
	}
	out, err := w.cfg.Client.Submit(ctx, &types.MsgSubmitProof{Operator: w.operator, JobId: e.JobId, TaskIndex: e.TaskIndex, Items: e.Items, Nodes: e.Nodes, InputNodes: e.InputNodes})
	if err != nil {
		return nil, err
	}
	return out.Responses[0].(*types.MsgSubmitProofResponse), nil
}

func (w *Worker) sendClaims(ctx context.Context, elems []types.ClaimElement) ([]*types.MsgSubmitClaimResponse, []error, error) {
	out, err := w.cfg.Client.Submit(ctx, &types.MsgSubmitClaims{Operator: w.operator, Claims: elems})
	if err != nil {
		return nil, nil, err
	}
	batch := out.Responses[0].(*types.MsgSubmitClaimsResponse)
	res, errs := make([]*types.MsgSubmitClaimResponse, len(elems)), make([]error, len(elems))
	for i, r := range batch.Results {
		res[i], errs[i] = r.Claim, batchError(r.Error)
	}
	return res, errs, nil
}

func (w *Worker) sendProofs(ctx context.Context, elems []types.ProofElement) ([]*types.MsgSubmitProofResponse, []error, error) {
	out, err := w.cfg.Client.Submit(ctx, &types.MsgSubmitProofs{Operator: w.operator, Proofs: elems})
	if err != nil {
		return nil, nil, err
	}
	batch := out.Responses[0].(*types.MsgSubmitProofsResponse)
	res, errs := make([]*types.MsgSubmitProofResponse, len(elems)), make([]error, len(elems))
	for i, r := range batch.Results {
		res[i], errs[i] = r.Proof, batchError(r.Error)
	}
	return res, errs, nil
}
