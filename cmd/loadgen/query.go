package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
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

// queryCmd runs one query phase and prints its QueryStats as JSON. `run`
// starts it as a child process so that the query clients are scheduled like an
// exchange's, not among the load generator's thousands of goroutines (whose
// wake-ups would otherwise count as query latency).
func queryCmd(args []string) error {
	fs := flag.NewFlagSet("query", flag.ExitOnError)
	rpc := fs.String("rpc", "http://127.0.0.1:26657", "node's CometBFT RPC URL")
	grpcAddr := fs.String("grpc", "127.0.0.1:9090", "node's gRPC address")
	seed := fs.String("seed", "bench", "key derivation seed (as given to genesis)")
	accounts := fs.Int("accounts", 1300, "bench accounts (as given to genesis)")
	first := fs.Int("first", 0, "first account whose balance is queried")
	phase := fs.String("phase", "idle", "label of the phase")
	clients := fs.Int("clients", 8, "concurrent clients")
	rate := fs.Float64("rate", 200, "offered queries per second (all clients)")
	dur := fs.Duration("duration", 10*time.Second, "length of the phase")
	_ = fs.Parse(args)
	accs := DeriveAccounts(*seed, *accounts)
	if *first < 0 || *first >= len(accs) {
		return fmt.Errorf("--first %d outside the %d accounts", *first, len(accs))
	}
	codecs, err := NewCodecs()
	if err != nil {
		return err
	}
	node, err := DialNode(0, *rpc, *grpcAddr, codecs.Codec)
	if err != nil {
		return err
	}
	defer node.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	st := QueryLoad(ctx, *phase, node, accs[*first:], *clients, *rate, *dur)
	return json.NewEncoder(os.Stdout).Encode(st)
}

// QueryProcess runs one query phase in a child `loadgen query` process.
func QueryProcess(ctx context.Context, cfg RunConfig, rpc, grpcAddr, phase string, first int) (QueryStats, error) {
	self, err := os.Executable()
	if err != nil {
		return QueryStats{}, err
	}
	cmd := exec.CommandContext(ctx, self, "query", "--rpc", rpc, "--grpc", grpcAddr,
		"--seed", cfg.Seed, "--accounts", strconv.Itoa(cfg.Accounts), "--first", strconv.Itoa(first), "--phase", phase,
		"--clients", strconv.Itoa(cfg.QueryClients), "--rate", strconv.FormatFloat(cfg.QueryRate, 'f', -1, 64),
		"--duration", cfg.QueryDur.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return QueryStats{}, fmt.Errorf("query process (%s): %w", phase, err)
	}
	var st QueryStats
	if err := json.Unmarshal(out, &st); err != nil {
		return QueryStats{}, fmt.Errorf("query process (%s) output: %w", phase, err)
	}
	return st, nil
}
