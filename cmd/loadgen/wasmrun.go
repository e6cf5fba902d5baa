package main

import (
	"context"
	"log"

	"github.com/nightshift-network/nightshift/x/compute/program"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// setupWasm stores the workload's program (once per chain) and posts its
// jobs, each as large as max_job_items allows in whole tasks.
func (g *Gen) setupWasm(ctx context.Context, cfg RunConfig, requester *Account, params computetypes.Params) ([]*Job, *WasmSetup, error) {
	w, err := MonteCarloWorkload(uint32(cfg.WasmSteps), uint32(cfg.WasmPaths), 0)
	if err != nil {
		return nil, nil, err
	}
	ex, rec, stored, err := g.StoreExample(ctx, requester, w.Program)
	if err != nil {
		return nil, nil, err
	}
	items := params.MaxJobItems / cfg.WasmItemsPerTask * cfg.WasmItemsPerTask
	// One engine for the run: compiled once, shared by every device's tasks
	// (a worker keeps one per process, pkg/worker.Programs).
	g.engine = program.NewEngine(program.EngineConfig{CacheEntries: 2})
	plans := make([]WasmPlan, cfg.WasmJobs)
	for j := range plans {
		wj, err := MonteCarloWorkload(uint32(cfg.WasmSteps), uint32(cfg.WasmPaths), j)
		if err != nil {
			return nil, nil, err
		}
		if plans[j], err = PlanWasm(ctx, g.engine, ex, rec, wj, items, params); err != nil {
			return nil, nil, err
		}
	}
	plan := plans[0]
	log.Printf("setup: wasm program %s (stored now: %v), %d jobs of %d-item tasks, fuel limit %d per item (measured up to %d), proof gas %d",
		w.Program, stored, cfg.WasmJobs, cfg.WasmItemsPerTask, plan.Spec.FuelLimit, plan.MaxFuel, plan.ProofGas)
	jobs, err := g.PostWasmJobs(ctx, requester, plans, items, cfg.WasmItemsPerTask)
	if err != nil {
		return nil, nil, err
	}
	s := plan.setupOf(w.Program, stored, w)
	return jobs, &s, nil
}

// runWasm runs the wasm workload's warm-up and window, as the hashcash
// compute window runs (same devices, live tasks and throttle), and returns
// its figures once the tasks in flight have settled.
func (g *Gen) runWasm(ctx context.Context, cfg RunConfig, jobs []*Job, devices []*Account) ComputeStats {
	// The hashcash run's last txs (its drain may have timed out) would land in
	// this window and count as wasm's: let them settle first.
	g.drain(ctx, cfg.Drain)
	log.Printf("wasm: %d devices x %d live tasks, warm-up %s, window %s (%d earlier txs still pending)", len(devices), cfg.Live, cfg.WasmWarmup, cfg.WasmWindow, g.Tracker.Pending())
	run := NewComputeRun(g, jobs, cfg.Live, 0, NewThrottle(cfg.Outstanding))
	run.batch = max(cfg.Batch, 1)
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	runDone := make(chan struct{})
	go func() { run.Run(runCtx, devices, cfg.WasmWarmup); close(runDone) }()
	sleep(ctx, cfg.WasmWarmup)
	w := g.openWindow(cfg.PIDs)
	sleep(ctx, cfg.WasmWindow)
	var st ComputeStats
	st.Window = g.closeComputeWindow(ctx, "wasm", w, run, runDone, stopRun, cfg.Drain)
	st.fill(run.Completed(), st.Window, run.Failures())
	st.Batch = run.batch
	st.LoadgenComputeSeconds = float64(run.computeNs.Load()) / 1e9
	return st
}
