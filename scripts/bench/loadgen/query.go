package main

import (
	"context"
	"slices"
	"sync"
	"time"

	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/nightshift-network/nightshift/app"
)

// QueryStats are the results of one query-load phase.
type QueryStats struct {
	Phase       string  `json:"phase"`
	Clients     int     `json:"clients"`
	OfferedQPS  float64 `json:"offered_qps"`
	AchievedQPS float64 `json:"achieved_qps"`
	Seconds     float64 `json:"seconds"`
	Completed   int     `json:"completed"`
	Errors      int     `json:"errors"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	// Late is the share of queries sent more than 10 ms after their slot (the
	// clients could not keep the offered rate).
	Late float64 `json:"late_share"`
}

// QueryLoad sends gRPC bank Balance queries for bench accounts to node from
// clients concurrent clients, each on a fixed schedule, totalling rate q/s.
func QueryLoad(ctx context.Context, phase string, node *Node, accs []*Account, clients int, rate float64, dur time.Duration) QueryStats {
	interval := time.Duration(float64(clients) / rate * float64(time.Second))
	start := time.Now().Add(20 * time.Millisecond)
	end := start.Add(dur)
	var mu sync.Mutex
	var lat []time.Duration
	errs, late := 0, 0
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := start.Add(time.Duration(c) * interval / time.Duration(clients))
			for k := c; next.Before(end) && ctx.Err() == nil; k += clients {
				if d := time.Until(next); d > 0 {
					sleep(ctx, d)
				}
				sent := time.Now()
				acc := accs[k%len(accs)]
				qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := node.Bank.Balance(qctx, &banktypes.QueryBalanceRequest{Address: acc.Bech32, Denom: app.BondDenom})
				cancel()
				took := time.Since(sent)
				mu.Lock()
				if err != nil {
					errs++
				} else {
					lat = append(lat, took)
				}
				if sent.Sub(next) > 10*time.Millisecond {
					late++
				}
				mu.Unlock()
				next = next.Add(interval)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	slices.Sort(lat)
	st := QueryStats{Phase: phase, Clients: clients, OfferedQPS: rate, Seconds: elapsed, Completed: len(lat), Errors: errs}
	if elapsed > 0 {
		st.AchievedQPS = float64(len(lat)) / elapsed
	}
	if n := len(lat); n > 0 {
		st.P50Ms = ms(percentile(lat, 0.50))
		st.P99Ms = ms(percentile(lat, 0.99))
		st.MaxMs = ms(lat[n-1])
		st.Late = float64(late) / float64(n+errs)
	}
	return st
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile of sorted values (nearest rank).
func percentile[T any](sorted []T, p float64) T {
	i := int(p*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}
