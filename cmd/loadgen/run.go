package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/nightshift-network/nightshift/app"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// RunConfig is everything `loadgen run` needs.
type RunConfig struct {
	Topology     string
	ChainID      string
	RPC, GRPC    []string
	PIDs         []int
	Home0        string // node0's home: data dir size, app.toml
	Seed         string
	Accounts     int
	Requester    int
	Devices      int
	Live         int
	Jobs         int
	ItemsPerTask uint64
	Difficulty   uint
	LargeTasks   int
	LargeItems   uint64

	BankPerSender int
	Outstanding   int // txs kept accepted but not yet in a block
	BankWarmup    time.Duration
	BankWindow    time.Duration
	ComputeWarmup time.Duration
	ComputeWindow time.Duration
	Drain         time.Duration

	QueryClients int
	QueryRate    float64
	QueryDur     time.Duration
	QueryAt      time.Duration // into the compute window

	PprofURL string
	TraceOut string
	// QueryRPC and QueryGRPC are a non-validating full node that serves
	// queries, as an exchange runs one; empty: queries go to node0 only.
	QueryRPC, QueryGRPC string
	PprofAt             time.Duration
	PprofSeconds        int
	Binary              string // nightshiftd, for pprof symbols
	ProfileOut          string
	ProfileRaw          string // keep the raw profile here

	Fee            int64
	Out            string // writes Out.json and Out.md
	Command        string
	GenesisChanges []string
}

// Run runs the whole chain bench on running nodes and writes the results.
func Run(ctx context.Context, cfg RunConfig) error {
	started := time.Now()
	codecs, err := NewCodecs()
	if err != nil {
		return err
	}
	g := &Gen{Codecs: codecs, Signer: &Signer{TxConfig: codecs.TxConfig, ChainID: cfg.ChainID, FeeDenom: app.BondDenom, Fee: cfg.Fee}}
	for i := range cfg.RPC {
		n, err := DialNode(i, cfg.RPC[i], cfg.GRPC[i], codecs.Codec)
		if err != nil {
			return err
		}
		defer n.Close()
		g.Nodes = append(g.Nodes, n)
	}
	st, err := g.Nodes[0].RPC.Status(ctx)
	if err != nil {
		return fmt.Errorf("node0 status: %w", err)
	}
	g.Tracker = NewTracker(g.Nodes[0])
	trackCtx, stopTracker := context.WithCancel(ctx)
	defer stopTracker()
	go g.Tracker.Run(trackCtx, st.SyncInfo.LatestBlockHeight+1)
	ctx, stall := context.WithCancelCause(ctx)
	defer stall(nil)
	go g.watch(trackCtx, stall)

	res := &Results{Topology: cfg.Topology, Validators: len(cfg.RPC), Command: cfg.Command, Date: time.Now().UTC().Format(time.RFC3339),
		Machine: machine(), GenesisChanges: cfg.GenesisChanges}
	res.Config = configOf(cfg)
	res.Config.NodeConfig = nodeConfig(cfg.Home0)

	g.Accounts = DeriveAccounts(cfg.Seed, cfg.Accounts)
	if err := g.LoadAccountNumbers(ctx, g.Accounts); err != nil {
		return err
	}
	requester := g.Accounts[cfg.Requester]
	var devices, senders []*Account
	for _, a := range g.Accounts {
		switch {
		case a.Index == cfg.Requester:
		case len(devices) < cfg.Devices:
			devices = append(devices, a)
		default:
			senders = append(senders, a)
		}
	}
	if len(devices) < max(cfg.Devices, cfg.LargeTasks) || len(senders) == 0 {
		return fmt.Errorf("%d accounts are too few for %d devices and some bank senders", cfg.Accounts, cfg.Devices)
	}

	// Setup: devices, jobs, pre-signed sends.
	params, err := g.Nodes[0].Compute.Params(ctx, &computetypes.QueryParamsRequest{})
	if err != nil {
		return err
	}
	res.ComputeParams = params.Params
	log.Printf("setup: registering %d devices, posting %d jobs of %d-item tasks and large jobs", len(devices), cfg.Jobs, cfg.ItemsPerTask)
	if err := g.RegisterDevices(ctx, devices, params.Params.MinDeviceBond.MulRaw(2)); err != nil {
		return err
	}
	jobItems := params.Params.MaxJobItems / cfg.ItemsPerTask * cfg.ItemsPerTask
	jobs, err := g.PostJobs(ctx, requester, cfg.Jobs, jobItems, cfg.ItemsPerTask, cfg.Difficulty)
	if err != nil {
		return err
	}
	var largeJobs []*Job
	if cfg.LargeTasks > 0 {
		perJob := params.Params.MaxJobItems / cfg.LargeItems
		if perJob == 0 || cfg.LargeItems > params.Params.MaxTaskItems {
			return fmt.Errorf("large tasks of %d items do not fit max_job_items %d / max_task_items %d", cfg.LargeItems, params.Params.MaxJobItems, params.Params.MaxTaskItems)
		}
		n := (uint64(cfg.LargeTasks) + perJob - 1) / perJob
		if largeJobs, err = g.PostJobs(ctx, requester, int(n), perJob*cfg.LargeItems, cfg.LargeItems, cfg.Difficulty); err != nil {
			return err
		}
	}
	log.Printf("setup: pre-signing %d sends from %d accounts", cfg.BankPerSender*len(senders), len(senders))
	bank, err := g.Presign(senders, cfg.BankPerSender)
	if err != nil {
		return err
	}
	res.SetupSeconds = time.Since(started).Seconds()

	// Idle query baseline.
	log.Printf("queries: %d clients at %.0f q/s for %s, chain idle", cfg.QueryClients, cfg.QueryRate, cfg.QueryDur)
	idle, err := QueryProcess(ctx, cfg, cfg.RPC[0], cfg.GRPC[0], "idle", senders[0].Index)
	if err != nil {
		return err
	}
	res.Queries = append(res.Queries, idle)
	if cfg.QueryGRPC != "" {
		log.Printf("queries: the same on the query node, chain idle")
		idle, err := QueryProcess(ctx, cfg, cfg.QueryRPC, cfg.QueryGRPC, "idle, query node", senders[0].Index)
		if err != nil {
			return err
		}
		res.QueryNode = append(res.QueryNode, idle)
	}

	// Bank baseline.
	log.Printf("bank: warm-up %s, window %s", cfg.BankWarmup, cfg.BankWindow)
	bankCtx, stopBank := context.WithCancel(ctx)
	defer stopBank()
	bankDone := make(chan struct{})
	bankTh := NewThrottle(cfg.Outstanding)
	go func() { bank.Run(bankCtx, bankTh); close(bankDone) }()
	sleep(ctx, cfg.BankWarmup)
	w := g.openWindow(cfg.PIDs)
	bankRaw := ""
	if cfg.ProfileRaw != "" {
		bankRaw = strings.TrimSuffix(cfg.ProfileRaw, ".pprof") + "-bank.pprof"
	}
	bankProfiled, bankProfFile, err := g.profileLater(ctx, cfg, bankRaw)
	if err != nil {
		return err
	}
	sleep(ctx, cfg.BankWindow)
	res.Bank = g.closeWindow(w, KindBank)
	stopBank()
	<-bankDone
	res.Bank.SignedOnFly = g.SignedOnFly.Load()
	g.drain(ctx, cfg.Drain)
	log.Printf("bank: %.1f tx/s over %d blocks", res.Bank.TPS, res.Bank.Blocks)

	// Compute.
	log.Printf("compute: %d devices x %d live tasks, warm-up %s, window %s", len(devices), cfg.Live, cfg.ComputeWarmup, cfg.ComputeWindow)
	computeTh := NewThrottle(cfg.Outstanding)
	run := NewComputeRun(g, jobs, cfg.Live, 0, computeTh)
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	runDone := make(chan struct{})
	go func() { run.Run(runCtx, devices, cfg.ComputeWarmup); close(runDone) }()
	sleep(ctx, cfg.ComputeWarmup)
	diskStart, diskHeight0 := dirSizes(cfg.Home0), g.Tracker.Height()
	w = g.openWindow(cfg.PIDs)
	loaded := make(chan QueryStats, 1)
	loadedErr := make(chan error, 1)
	loadedQN := make(chan QueryStats, 1)
	go func() {
		sleep(ctx, cfg.QueryAt)
		log.Printf("queries: %d clients at %.0f q/s for %s, under compute load", cfg.QueryClients, cfg.QueryRate, cfg.QueryDur)
		if cfg.TraceOut != "" && cfg.PprofURL != "" {
			// Diagnosis only: tracing slows the node, so the loaded query
			// figures of a run with --trace-out are not comparable.
			go func() {
				sleep(ctx, cfg.QueryDur/2)
				if err := fetchPprof(ctx, cfg.PprofURL, "trace", 3, cfg.TraceOut); err != nil {
					log.Printf("trace: %v", err)
				}
			}()
		}
		st, err := QueryProcess(ctx, cfg, cfg.RPC[0], cfg.GRPC[0], "compute load", senders[0].Index)
		loaded <- st
		if err == nil && cfg.QueryGRPC != "" {
			sleep(ctx, 2*time.Second)
			log.Printf("queries: the same on the query node, under compute load")
			st, err = QueryProcess(ctx, cfg, cfg.QueryRPC, cfg.QueryGRPC, "compute load, query node", senders[0].Index)
			loadedQN <- st
		}
		loadedErr <- err
	}()
	profiled, profFile, err := g.profileLater(ctx, cfg, cfg.ProfileRaw)
	if err != nil {
		return err
	}
	sleep(ctx, cfg.ComputeWindow)
	res.Compute.Window = g.closeWindow(w, KindLease, KindClaim, KindProof)
	run.Stop()
	log.Printf("compute: window closed (%.1f tx/s); letting %d tasks in flight finish", res.Compute.Window.TPS, g.Tracker.Pending())
	select {
	case <-runDone:
	case <-time.After(cfg.Drain):
		stopRun()
		<-runDone
	}
	g.drain(ctx, 10*time.Second)
	diskEnd, diskHeight1 := dirSizes(cfg.Home0), g.Tracker.Height()
	res.Queries = append(res.Queries, <-loaded)
	if err := <-loadedErr; err != nil {
		return err
	}
	if cfg.QueryGRPC != "" {
		res.QueryNode = append(res.QueryNode, <-loadedQN)
	}
	res.Compute.fill(run.Completed(), res.Compute.Window, run.Failures())
	res.Compute.LoadgenComputeSeconds = float64(run.computeNs.Load()) / 1e9
	res.Disk = diskStats(cfg.Home0, diskStart, diskEnd, run.Completed(), diskHeight0, diskHeight1)
	if res.Bank.TPS > 0 {
		res.Compute.RatioToBank = res.Compute.Window.TPS / res.Bank.TPS
	}
	log.Printf("compute: %.1f tx/s (%.2f of bank), %.0f items/s, %d tasks verified", res.Compute.Window.TPS, res.Compute.RatioToBank, res.Compute.ItemsPerSecond, res.Compute.TasksVerified)

	// Large tasks: the aggregation.
	if len(largeJobs) > 0 {
		log.Printf("large: %d tasks of %d items, one per device", cfg.LargeTasks, cfg.LargeItems)
		h0 := g.Tracker.Height()
		large := NewComputeRun(g, largeJobs, 1, 1, NewThrottle(1<<30))
		lctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		large.Run(lctx, devices[:cfg.LargeTasks], 0)
		cancel()
		g.drain(ctx, 10*time.Second)
		res.Large = largeStats(g, large, h0, g.Tracker.Height())
		log.Printf("large: %d tasks, %.0f items per compute tx", res.Large.TasksVerified, res.Large.ItemsPerComputeTx)
	}

	if cfg.PprofURL != "" {
		if err := <-bankProfiled; err != nil {
			log.Printf("pprof (bank window): %v", err)
		} else if all, err := pprofTop(cfg.Binary, bankProfFile, 2000, true); err != nil {
			log.Printf("pprof (bank window): %v", err)
		} else {
			res.BankProfileBreakdown = breakdown(all)
		}
		if err := <-profiled; err != nil {
			log.Printf("pprof: %v", err)
		} else {
			if res.Profile, err = pprofTop(cfg.Binary, profFile, 25, false); err != nil {
				log.Printf("pprof: %v", err)
			}
			if res.ProfileCum, err = pprofTop(cfg.Binary, profFile, 40, true); err != nil {
				log.Printf("pprof: %v", err)
			}
			all, err := pprofTop(cfg.Binary, profFile, 2000, true)
			if err != nil {
				log.Printf("pprof: %v", err)
			}
			res.ProfileBreakdown = breakdown(all)
			res.ProfileNote = fmt.Sprintf("node0, %d s CPU profile starting %s into the window", cfg.PprofSeconds, cfg.PprofAt)
		}
	}
	for i, pid := range cfg.PIDs {
		res.Nodes = append(res.Nodes, NodeStats{Index: i, PID: pid, PeakRSSMiB: vmHWM(pid),
			CPUSecondsBank: res.Bank.nodeCPU[i], CPUSecondsCompute: res.Compute.Window.nodeCPU[i]})
	}
	res.Loadgen = LoadgenStats{
		CPUSecondsBank: res.Bank.LoadgenCPU, CPUSecondsCompute: res.Compute.Window.LoadgenCPU,
		MempoolFullRetries: g.MempoolFull.Load(), CheckTxRejected: g.CheckTxFail.Load(), SequenceResyncs: g.SeqResync.Load(),
		LostTxs: g.Tracker.Lost(),
	}
	if s, ok := g.lastCheckErr.Load().(string); ok {
		res.Loadgen.LastCheckTxError = s
	}
	if len(res.Queries) == 2 && res.Queries[0].P99Ms > 0 {
		res.QueryP99Ratio = res.Queries[1].P99Ms / res.Queries[0].P99Ms
	}
	if len(res.QueryNode) == 2 && res.QueryNode[0].P99Ms > 0 {
		res.QueryNodeP99Ratio = res.QueryNode[1].P99Ms / res.QueryNode[0].P99Ms
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	res.TotalSeconds = time.Since(started).Seconds()
	if err := res.Write(cfg.Out); err != nil {
		return err
	}
	if cfg.ProfileOut != "" && len(res.Profile) > 0 {
		f, err := os.OpenFile(cfg.ProfileOut, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		fmt.Fprintf(f, "== %s: %s\n\n-- where node0's CPU went (cumulative share of the profile's samples; parts overlap; 100%% = one core)\n%s\n\n-- the same during the bank window, for comparison\n%s\n\n-- top 25 by flat time (go tool pprof -top -nodecount=25)\n%s\n\n-- top 40 by cumulative time (go tool pprof -top -cum -nodecount=40)\n%s\n\n",
			cfg.Topology, res.ProfileNote, breakdownText(res.ProfileBreakdown), breakdownText(res.BankProfileBreakdown), strings.Join(res.Profile, "\n"), strings.Join(res.ProfileCum, "\n"))
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

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

// window marks the start of a measurement window.
type window struct {
	height              int64
	pids                []int
	nodeCPU             []float64
	selfCPU             float64
	busy, iowait, ticks float64
}

func (g *Gen) openWindow(pids []int) window {
	w := window{height: g.Tracker.Height(), pids: pids, selfCPU: selfCPU()}
	w.busy, w.iowait, w.ticks = machineTicks()
	for _, p := range pids {
		w.nodeCPU = append(w.nodeCPU, procCPU(p))
	}
	return w
}

// closeWindow computes the stats of the blocks read since w opened; only
// successful txs of kinds count toward TPS.
func (g *Gen) closeWindow(w window, kinds ...TxKind) WindowStats {
	end := g.Tracker.Height()
	blocks := g.Tracker.Blocks(w.height, end)
	ws := WindowStats{FromHeight: w.height, ToHeight: end, Blocks: len(blocks), ByKind: map[string]KindStats{},
		LoadgenCPU: selfCPU() - w.selfCPU}
	for i, p := range w.pids {
		ws.nodeCPU = append(ws.nodeCPU, procCPU(p)-w.nodeCPU[i])
	}
	if busy, iowait, ticks := machineTicks(); ticks > w.ticks {
		ws.MachineBusy = (busy - w.busy) / (ticks - w.ticks)
		ws.MachineIOWait = (iowait - w.iowait) / (ticks - w.ticks)
	}
	first, ok := g.Tracker.Block(w.height)
	if !ok || len(blocks) == 0 {
		return ws
	}
	var intervals []float64
	var perBlock []int
	prev := first.Time
	agg := map[TxKind]*KindStats{}
	for _, b := range blocks {
		intervals = append(intervals, b.Time.Sub(prev).Seconds())
		prev = b.Time
		n := 0
		for _, k := range kinds {
			n += b.OK[k]
		}
		perBlock = append(perBlock, b.Txs)
		ws.TxsOK += n
		ws.Series = append(ws.Series, [4]float64{float64(b.Height), b.Time.Sub(first.Time).Seconds(), float64(b.Txs), float64(n)})
		for k := range numKinds {
			if b.OK[k]+b.Failed[k] == 0 {
				continue
			}
			s := agg[k]
			if s == nil {
				s = &KindStats{}
				agg[k] = s
			}
			s.OK += b.OK[k]
			s.Failed += b.Failed[k]
			s.GasUsedMean += float64(b.GasUsed[k])
			s.BytesMean += float64(b.TxBytes[k])
		}
		for _, k := range kinds {
			ws.TxsFailed += b.Failed[k]
		}
		ws.ItemsVerified += g.Tracker.itemsAt(b.Height)
	}
	for k, s := range agg {
		if n := float64(s.OK + s.Failed); n > 0 {
			s.GasUsedMean /= n
			s.BytesMean /= n
		}
		ws.ByKind[k.String()] = *s
	}
	ws.ChainSeconds = blocks[len(blocks)-1].Time.Sub(first.Time).Seconds()
	if ws.ChainSeconds > 0 {
		ws.TPS = float64(ws.TxsOK) / ws.ChainSeconds
	}
	slices.Sort(intervals)
	slices.Sort(perBlock)
	ws.BlockIntervalMedian = percentile(intervals, 0.5)
	ws.BlockIntervalMax = intervals[len(intervals)-1]
	ws.TxsPerBlockMedian = percentile(perBlock, 0.5)
	return ws
}

// drain waits until nothing the load generator sent is outstanding.
func (g *Gen) drain(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for g.Tracker.Pending() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		sleep(ctx, 200*time.Millisecond)
	}
}

// profileLater fetches a CPU profile of node0 starting cfg.PprofAt from now,
// into raw (a temp file, removed when ctx ends, if raw is empty). Without
// --pprof the channel reports an error.
func (g *Gen) profileLater(ctx context.Context, cfg RunConfig, raw string) (<-chan error, string, error) {
	done := make(chan error, 1)
	if cfg.PprofURL == "" {
		done <- fmt.Errorf("no --pprof")
		return done, "", nil
	}
	if raw == "" {
		f, err := os.CreateTemp("", "loadgen-cpu-*.pprof")
		if err != nil {
			return nil, "", err
		}
		raw = f.Name()
		_ = f.Close()
		context.AfterFunc(ctx, func() { _ = os.Remove(raw) })
	}
	go func() {
		sleep(ctx, cfg.PprofAt)
		done <- fetchProfile(ctx, cfg.PprofURL, cfg.PprofSeconds, raw)
	}()
	return done, raw, nil
}

func fetchProfile(ctx context.Context, base string, seconds int, file string) error {
	return fetchPprof(ctx, base, "profile", seconds, file)
}

// fetchPprof saves node0's /debug/pprof/KIND?seconds=N (profile or trace).
func fetchPprof(ctx context.Context, base, kind string, seconds int, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/%s?seconds=%d", strings.TrimSuffix(base, "/"), kind, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: time.Duration(seconds+30) * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// pprofTop is `go tool pprof -top` of the profile, n functions, by flat or
// cumulative time.
func pprofTop(binary, file string, n int, cum bool) ([]string, error) {
	args := []string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", n)}
	if n > 100 {
		args = append(args, "-nodefraction=0") // every function, for the breakdown
	}
	if cum {
		args = append(args, "-cum")
	}
	if binary != "" {
		args = append(args, binary)
	}
	out, err := exec.Command("go", append(args, file)...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %v: %s", err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n"), nil
}

func largeStats(g *Gen, r *ComputeRun, h0, h1 int64) LargeStats {
	done := r.Completed()
	ls := LargeStats{FromHeight: h0, ToHeight: h1, Failures: r.Failures()}
	for _, t := range done {
		ls.TasksVerified++
		ls.ItemsVerified += int64(t.Items)
	}
	blocks := g.Tracker.Blocks(h0, h1)
	first, ok := g.Tracker.Block(h0)
	if ok && len(blocks) > 0 {
		ls.ChainSeconds = blocks[len(blocks)-1].Time.Sub(first.Time).Seconds()
	}
	var proofGas float64
	for _, b := range blocks {
		ls.ComputeTxs += b.OK[KindLease] + b.OK[KindClaim] + b.OK[KindProof]
		proofGas += float64(b.GasUsed[KindProof])
		ls.proofs += b.OK[KindProof] + b.Failed[KindProof]
	}
	if ls.proofs > 0 {
		ls.ProofGasMean = proofGas / float64(ls.proofs)
	}
	if ls.ComputeTxs > 0 {
		ls.ItemsPerComputeTx = float64(ls.ItemsVerified) / float64(ls.ComputeTxs)
	}
	if ls.ChainSeconds > 0 {
		ls.ItemsPerSecond = float64(ls.ItemsVerified) / ls.ChainSeconds
	}
	ls.LoadgenComputeSeconds = float64(r.computeNs.Load()) / 1e9
	return ls
}
