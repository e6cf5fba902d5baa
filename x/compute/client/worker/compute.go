package worker

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

// Pool computes items on a fixed number of goroutines shared by every task in
// flight, so several tasks never oversubscribe the cores.
type Pool struct {
	work  chan func()
	gate  *Gate
	items atomic.Uint64 // items computed, for items/s

	OnPause  func(reason string)
	OnResume func()
}

// NewPool starts threads compute goroutines; they stop when ctx ends.
func NewPool(ctx context.Context, threads int, gate *Gate) *Pool {
	p := &Pool{work: make(chan func()), gate: gate}
	for range threads {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case fn := <-p.work:
					fn()
				}
			}
		}()
	}
	return p
}

// ItemsDone is the number of items computed so far.
func (p *Pool) ItemsDone() uint64 { return p.items.Load() }

// Compute returns the outputs of items [first, first+count) of a job and their
// Merkle tree, computed with the kind's own code: the very function validators
// verify with. progress is called after each item.
func (p *Pool) Compute(ctx context.Context, spec kinds.Spec, jobID, first, count uint64, progress func()) ([][]byte, *merkle.Tree, error) {
	outputs := make([][]byte, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	for i := range count {
		if err := p.gate.Wait(ctx, p.OnPause, p.OnResume); err != nil {
			wg.Wait()
			return nil, nil, err
		}
		wg.Add(1)
		fn := func() {
			defer wg.Done()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			outputs[i], errs[i] = spec.ComputeOutput(jobID, first+i)
			p.items.Add(1)
			if progress != nil {
				progress()
			}
		}
		select {
		case p.work <- fn:
		case <-ctx.Done():
			wg.Done()
			wg.Wait()
			return nil, nil, ctx.Err()
		}
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("item %d: %w", first+uint64(i), err)
		}
	}
	tree, err := BuildTree(jobID, first, outputs)
	return outputs, tree, err
}

// BuildTree builds the Merkle tree of a task's outputs.
func BuildTree(jobID, first uint64, outputs [][]byte) (*merkle.Tree, error) {
	leaves := make([][32]byte, len(outputs))
	for i, o := range outputs {
		leaves[i] = merkle.LeafHash(jobID, first+uint64(i), o)
	}
	return merkle.NewTree(leaves)
}
