package main

import (
	"context"

	"fmt"
	"log"
	"strings"
	"time"

	"github.com/nightshift-network/nightshift/app"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

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
	priced, err := g.Nodes[0].Compute.Params(ctx, &computetypes.QueryParamsRequest{})
	if err != nil {
		return fmt.Errorf("node0 compute params: %w", err)
	}
	g.Signer.GasPrice = priced.Params.MinGasPrice // every node refuses a fee below gas × this
	defer func() {
		if g.engine != nil {
			_ = g.engine.Close()
		}
	}()
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
	cp, err := g.Nodes[0].RPC.ConsensusParams(ctx, nil)
	if err != nil {
		return fmt.Errorf("node0 consensus params: %w", err)
	}
	res.Config.BlockMaxGas = cp.ConsensusParams.Block.MaxGas

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
	nJobs := cfg.Jobs
	if cfg.Speculate {
		nJobs = len(devices) // one each: a device predicts only a job nobody else leases from (speculate.go)
	}
	log.Printf("setup: registering %d devices, posting %d jobs of %d-item tasks and large jobs", len(devices), nJobs, cfg.ItemsPerTask)
	if err := g.RegisterDevices(ctx, devices, benchBond(params.Params)); err != nil {
		return err
	}
	jobItems := params.Params.MaxJobItems / cfg.ItemsPerTask * cfg.ItemsPerTask
	var jobs []*Job
	for len(jobs) < nJobs {
		posted, err := g.PostJobs(ctx, requester, min(nJobs-len(jobs), jobsPerPostTx), jobItems, cfg.ItemsPerTask, cfg.Difficulty)
		if err != nil {
			return err
		}
		jobs = append(jobs, posted...)
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
	var wasmJobs []*Job
	if cfg.WasmWindow > 0 {
		if wasmJobs, res.WasmSetup, err = g.setupWasm(ctx, cfg, requester, params.Params); err != nil {
			return fmt.Errorf("wasm workload: %w", err)
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
	run.batch = max(cfg.Batch, 1)
	run.speculate = cfg.Speculate
	if cfg.BatchGasAdjustment > 0 {
		run.gas.batchAdj = cfg.BatchGasAdjustment
	}
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
	res.Compute.Window = g.closeComputeWindow(ctx, "compute", w, run, runDone, stopRun, cfg.Drain)
	diskEnd, diskHeight1 := dirSizes(cfg.Home0), g.Tracker.Height()
	res.Queries = append(res.Queries, <-loaded)
	if err := <-loadedErr; err != nil {
		return err
	}
	if cfg.QueryGRPC != "" {
		res.QueryNode = append(res.QueryNode, <-loadedQN)
	}
	res.Compute.fill(run.Completed(), res.Compute.Window, run.Failures())
	res.Compute.Batch = run.batch
	res.Compute.Speculate = run.speculate
	res.Compute.LoadgenComputeSeconds = float64(run.computeNs.Load()) / 1e9
	res.Disk = diskStats(cfg.Home0, diskStart, diskEnd, run.Completed(), diskHeight0, diskHeight1)
	if res.Bank.TPS > 0 {
		res.Compute.RatioToBank = res.Compute.Window.TPS / res.Bank.TPS
		res.Compute.TasksRatioToBank = res.Compute.TasksPerSecond / res.Bank.TPS
	}
	log.Printf("compute: %.1f tx/s (%.2f of bank), %.1f tasks/s (%.2f of bank tx/s), %.0f items/s, %d tasks verified, %.0f proof bytes per task",
		res.Compute.Window.TPS, res.Compute.RatioToBank, res.Compute.TasksPerSecond, res.Compute.TasksRatioToBank, res.Compute.ItemsPerSecond, res.Compute.TasksVerified, res.Compute.ProofBytesPerTask)

	// Wasm: the same devices and flow on a stored program's jobs.
	if len(wasmJobs) > 0 {
		res.Wasm = g.runWasm(ctx, cfg, wasmJobs, devices)
		if res.Bank.TPS > 0 {
			res.Wasm.RatioToBank = res.Wasm.Window.TPS / res.Bank.TPS
		}
		log.Printf("wasm: %.1f tx/s, %.1f tasks/s, %.0f items/s, %d tasks verified, %.0f proof bytes per task",
			res.Wasm.Window.TPS, res.Wasm.TasksPerSecond, res.Wasm.ItemsPerSecond, res.Wasm.TasksVerified, res.Wasm.ProofBytesPerTask)
	}

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
		res.addProfiles(cfg, <-bankProfiled, bankProfFile, <-profiled, profFile)
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
		return res.appendProfileText(cfg)
	}
	return nil
}
