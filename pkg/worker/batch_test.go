package worker

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	errorsmod "cosmossdk.io/errors"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeBatchChain answers batches of job ids: an odd id is refused with
// ErrNotTaskHolder, and a batch of only odd ids fails whole (as the chain
// fails a batch none of whose elements settles).
type fakeBatchChain struct {
	mu      sync.Mutex
	batches [][]uint64
}

func (c *fakeBatchChain) send(_ context.Context, ids []uint64) ([]uint64, []error, error) {
	c.mu.Lock()
	c.batches = append(c.batches, append([]uint64(nil), ids...))
	c.mu.Unlock()
	res, errs := make([]uint64, len(ids)), make([]error, len(ids))
	settled := 0
	for i, id := range ids {
		if id%2 == 1 {
			errs[i] = batchError(&types.BatchError{Codespace: types.ModuleName, Code: types.ErrNotTaskHolder.ABCICode(), Log: "odd"})
			continue
		}
		res[i], settled = id*10, settled+1
	}
	if settled == 0 {
		return nil, nil, errorsmod.Wrap(errs[0], "no element of the batch settled")
	}
	return res, errs, nil
}

func TestBatcherGathersConcurrentElements(t *testing.T) {
	chain := &fakeBatchChain{}
	b := &batcher[uint64, uint64]{size: 3, window: 200 * time.Millisecond, send: chain.send}
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]uint64, 6)
	errs := make([]error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = b.do(ctx, uint64(i))
		}()
	}
	wg.Wait()
	for i := range 6 {
		if i%2 == 1 {
			require.ErrorIs(t, errs[i], types.ErrNotTaskHolder, "element %d keeps its own registered error", i)
			continue
		}
		require.NoError(t, errs[i])
		require.Equal(t, uint64(i*10), results[i])
	}
	// Six elements, batches of at most three: two transactions (or a few more
	// if a batch of only odd ids was refused whole and re-sent singly).
	total := 0
	for _, batch := range chain.batches {
		require.LessOrEqual(t, len(batch), 3)
		total += len(batch)
	}
	require.GreaterOrEqual(t, total, 6)
	require.Less(t, len(chain.batches), 6, "elements arriving together share transactions")
}

func TestBatcherResendsARefusedBatchElementByElement(t *testing.T) {
	chain := &fakeBatchChain{}
	b := &batcher[uint64, uint64]{size: 2, window: time.Second, send: chain.send}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []uint64{1, 3} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.do(ctx, id)
		}()
	}
	wg.Wait()
	require.Len(t, chain.batches, 3, "the refused pair, then each alone")
	for _, err := range errs {
		require.ErrorIs(t, err, types.ErrNotTaskHolder)
	}
}

func TestBatcherPassesOnATransportError(t *testing.T) {
	down := errors.New("node unreachable")
	calls := 0
	b := &batcher[uint64, uint64]{size: 2, window: 10 * time.Millisecond, send: func(context.Context, []uint64) ([]uint64, []error, error) {
		calls++
		return nil, nil, down
	}}
	_, err := b.do(context.Background(), 2)
	require.ErrorIs(t, err, down)
	require.Equal(t, 1, calls)
}
