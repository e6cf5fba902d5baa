package worker

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
)

// ChainClock tells the worker where the chain is and how fast it moves, so it
// can turn a lease's remaining blocks into time.
type ChainClock interface {
	// Now returns the latest height and the mean interval of recent blocks.
	Now(ctx context.Context) (height uint64, block time.Duration, err error)
}

// CometRPC is what CometClock asks of the node; *cometrpc.Client has it.
type CometRPC interface {
	Status(ctx context.Context) (*cometrpc.Status, error)
	BlockchainInfo(ctx context.Context, minHeight, maxHeight int64) (*cometrpc.Blockchain, error)
}

// CometClock is a ChainClock over the node's CometBFT RPC. It asks the node
// at most once per Refresh and estimates the height in between from the block
// interval, so watching leases costs the node next to nothing.
type CometClock struct {
	RPC     CometRPC
	Refresh time.Duration // 0: 30 s

	mu     sync.Mutex
	height uint64
	at     time.Time // when height was read
	block  time.Duration
}

// blockSample is how many recent blocks the interval is averaged over.
const blockSample = 20

// Now implements ChainClock.
func (c *CometClock) Now(ctx context.Context) (uint64, time.Duration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	refresh := c.Refresh
	if refresh <= 0 {
		refresh = 30 * time.Second
	}
	if since := time.Since(c.at); !c.at.IsZero() && since < refresh {
		return c.height + uint64(since/c.block), c.block, nil
	}
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return 0, 0, unavailable(err)
	}
	h := int64(st.SyncInfo.LatestBlockHeight)
	if h < 1 {
		return 0, 0, fmt.Errorf("the node has no blocks yet")
	}
	info, err := c.RPC.BlockchainInfo(ctx, max(1, h-blockSample), h)
	if err != nil {
		return 0, 0, unavailable(err)
	}
	block := time.Second // a single block says nothing about the interval
	if n := len(info.BlockMetas); n >= 2 {
		newest, oldest := info.BlockMetas[0].Header, info.BlockMetas[n-1].Header
		if span := newest.Time.Sub(oldest.Time); span > 0 && newest.Height > oldest.Height {
			block = span / time.Duration(newest.Height-oldest.Height)
		}
	}
	c.height, c.at, c.block = uint64(h), time.Now(), block
	return c.height, c.block, nil
}
