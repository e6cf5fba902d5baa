package main

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"time"
)

// watch logs progress every 10 s and gives up when no block has been read for
// two minutes (a stalled node or load generator must not hang make bench).
func (g *Gen) watch(ctx context.Context, stall context.CancelCauseFunc) {
	last, since := int64(-1), time.Now()
	for ctx.Err() == nil {
		sleep(ctx, 10*time.Second)
		h := g.Tracker.Height()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		log.Printf("progress: height %d, %d txs pending, %d goroutines, heap %d MiB", h, g.Tracker.Pending(), runtime.NumGoroutine(), ms.HeapAlloc>>20)
		if h != last {
			last, since = h, time.Now()
			continue
		}
		if time.Since(since) > 2*time.Minute {
			buf := make([]byte, 1<<20)
			log.Printf("no new block read for 2 minutes; goroutines:\n%s", buf[:runtime.Stack(buf, true)])
			stall(fmt.Errorf("no new block read since height %d for 2 minutes", h))
			return
		}
	}
}

// drain waits until nothing the load generator sent is outstanding.
func (g *Gen) drain(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for g.Tracker.Pending() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		sleep(ctx, 200*time.Millisecond)
	}
}
