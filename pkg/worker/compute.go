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
	work    chan func()
	threads int
	policy  *Policy
	items   atomic.Uint64 // items computed, for items/s
	paused  atomic.Bool   // one pause/resume report however many goroutines wait

	OnPause  func(reason string)
	OnResume func()
}

// NewPool starts threads compute goroutines; they stop when ctx ends.
func NewPool(ctx context.Context, threads int, policy *Policy) *Pool {
	p := &Pool{work: make(chan func()), threads: max(1, threads), policy: policy}
	for range p.threads {
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

// chunkItems is how many consecutive items a pool goroutine takes at a time,
// checking the policy before each chunk (a few ms of work).
const chunkItems = 8

// Compute returns the outputs of items [first, first+count) of a job and their
// Merkle tree, computed with the kind's own code: the very function validators
// verify with. progress is called after each item.
//
// The task is handed to the pool once per goroutine, and each goroutine then
// takes chunks from a shared counter until none is left. Handing over every
// item through the channel instead cost the 1-thread pool 17-26 % against a
// bare loop and kept 2 threads at 1.2× it (BenchmarkTaskPool): each hand-off
// woke a goroutine on the other core, whose scheduler spinning slowed the
// hashing one.
func (p *Pool) Compute(ctx context.Context, spec kinds.Spec, jobID, first, count uint64, progress func()) ([][]byte, *merkle.Tree, error) {
	return p.compute(ctx, true, spec, jobID, first, count, progress)
}

// ComputeNow is Compute without waiting on the policy, on goroutines of its
// own, for recomputing the outputs of a claim whose proof is due: a paused
// worker still proves, since a missed proof is slashed.
func (p *Pool) ComputeNow(ctx context.Context, spec kinds.Spec, jobID, first, count uint64) ([][]byte, *merkle.Tree, error) {
	return p.compute(ctx, false, spec, jobID, first, count, nil)
}

func (p *Pool) compute(ctx context.Context, gated bool, spec kinds.Spec, jobID, first, count uint64, progress func()) ([][]byte, *merkle.Tree, error) {
	outputs := make([][]byte, count)
	errs := make([]error, count)
	chunks := (count + chunkItems - 1) / chunkItems
	var next atomic.Uint64
	var wg sync.WaitGroup
	pull := func() {
		defer wg.Done()
		for {
			c := next.Add(1) - 1
			if c >= chunks {
				return
			}
			if gated {
				if err := p.policy.Wait(ctx, p.pause, p.resume); err != nil {
					return // ctx ended; reported below
				}
			}
			for i := c * chunkItems; i < min((c+1)*chunkItems, count); i++ {
				if ctx.Err() != nil {
					return
				}
				outputs[i], _, errs[i] = spec.ComputeOutput(kinds.Item{JobID: jobID, Index: first + i})
				p.items.Add(1)
				if progress != nil {
					progress()
				}
			}
		}
	}
	for range min(uint64(p.threads), chunks) {
		wg.Add(1)
		if !gated {
			// Not through the pool: its goroutines may all be waiting on a pause.
			go pull()
			continue
		}
		select {
		case p.work <- pull:
		case <-ctx.Done():
			wg.Done()
			wg.Wait()
			return nil, nil, ctx.Err()
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("item %d: %w", first+uint64(i), err)
		}
	}
	tree, err := merkle.TaskTree(jobID, first, outputs)
	return outputs, tree, err
}

func (p *Pool) pause(why string) {
	if p.paused.CompareAndSwap(false, true) && p.OnPause != nil {
		p.OnPause(why)
	}
}

func (p *Pool) resume() {
	if p.paused.CompareAndSwap(true, false) && p.OnResume != nil {
		p.OnResume()
	}
}
