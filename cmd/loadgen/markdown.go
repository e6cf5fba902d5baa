package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nightshift-network/nightshift/app"
)

// blockFill is a window's median block gas wanted and used, of the block gas
// limit (read from the chain; results written before it was recorded had
// app.BlockMaxGas, as every genesis the binary writes).
func blockFill(w WindowStats, limit int64) string {
	if limit <= 0 {
		limit = app.BlockMaxGas
	}
	return fmt.Sprintf("%.1fM / %.1fM of %dM (%.0f%% / %.0f%%)", float64(w.GasWantedPerBlockMedian)/1e6, float64(w.GasUsedPerBlockMedian)/1e6,
		limit/1_000_000, 100*float64(w.GasWantedPerBlockMedian)/float64(limit), 100*float64(w.GasUsedPerBlockMedian)/float64(limit))
}

// Markdown renders the results as tables.
func (r *Results) Markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Chain bench: %s (%d validator%s)\n\n", r.Topology, r.Validators, plural(r.Validators))
	p("Command: `%s` — %s. Machine: %d cores (`nproc`), %s, %.1f GiB RAM, %s, %s; load average at the start %s. Load generator and nodes share the machine.\n\n",
		r.Command, r.Date, r.Machine.NProc, r.Machine.CPUModel, r.Machine.RAMGiB, r.Machine.GoVersion, r.Machine.OS, r.Machine.LoadAvg)
	q0, q1 := QueryStats{}, QueryStats{}
	if len(r.Queries) == 2 {
		q0, q1 = r.Queries[0], r.Queries[1]
	}
	p("| figure | value |\n|---|---|\n")
	p("| bank-send TPS at saturation (committed, successful) | %.1f tx/s over %d blocks, %.1f s chain time |\n", r.Bank.TPS, r.Bank.Blocks, r.Bank.ChainSeconds)
	p("| bank block interval (median / max) | %.2f s / %.2f s, %d txs per block (median) |\n", r.Bank.BlockIntervalMedian, r.Bank.BlockIntervalMax, r.Bank.TxsPerBlockMedian)
	p("| bank block fill: gas wanted / used, median block | %s |\n", blockFill(r.Bank, r.Config.BlockMaxGas))
	p("| compute TPS at saturation (lease + claim + proof) | %.1f tx/s over %d blocks, %.1f s chain time |\n", r.Compute.Window.TPS, r.Compute.Window.Blocks, r.Compute.Window.ChainSeconds)
	p("| compute TPS / bank TPS | %.2f |\n", r.Compute.RatioToBank)
	p("| tasks verified per second of chain time (%s) / bank TPS | %.1f / %.1f = %.2f |\n", r.Compute.txShape(), r.Compute.TasksPerSecond, r.Bank.TPS, r.Compute.TasksRatioToBank)
	p("| proof tx bytes per verified task | %.0f B |\n", r.Compute.ProofBytesPerTask)
	p("| compute block interval (median / max) | %.2f s / %.2f s, %d txs per block (median) |\n", r.Compute.Window.BlockIntervalMedian, r.Compute.Window.BlockIntervalMax, r.Compute.Window.TxsPerBlockMedian)
	p("| compute block fill: gas wanted / used, median block (blocks close at the limit by gas wanted) | %s |\n", blockFill(r.Compute.Window, r.Config.BlockMaxGas))
	p("| verified items per second of chain time (%d-item tasks) | %.0f (%d tasks verified in the window) |\n", r.Config.ItemsPerTask, r.Compute.ItemsPerSecond, r.Compute.TasksVerified)
	p("| verified items per compute tx (%d-item tasks) | %.0f |\n", r.Config.ItemsPerTask, r.Compute.ItemsPerComputeTx)
	p("| verified items per compute tx (%d-item tasks) | %.0f (%d tasks, %.0f items/s of chain time) |\n", r.Config.LargeItems, r.Large.ItemsPerComputeTx, r.Large.TasksVerified, r.Large.ItemsPerSecond)
	if ws := r.WasmSetup; ws != nil {
		p("| wasm compute TPS (lease + claim + proof; %s, %d-item tasks) | %.1f tx/s over %d blocks, %.1f s chain time |\n", ws.Program, r.Config.WasmItemsPerTask, r.Wasm.Window.TPS, r.Wasm.Window.Blocks, r.Wasm.Window.ChainSeconds)
		p("| wasm compute TPS / bank TPS | %.2f |\n", r.Wasm.RatioToBank)
		p("| wasm verified items per second of chain time | %.0f (%d tasks verified in the window, %.1f tasks/s) |\n", r.Wasm.ItemsPerSecond, r.Wasm.TasksVerified, r.Wasm.TasksPerSecond)
		p("| wasm proof tx bytes per verified task | %.0f B |\n", r.Wasm.ProofBytesPerTask)
		p("| wasm compute block interval (median / max) | %.2f s / %.2f s, %d txs per block (median) |\n", r.Wasm.Window.BlockIntervalMedian, r.Wasm.Window.BlockIntervalMax, r.Wasm.Window.TxsPerBlockMedian)
	}
	p("| claim → payment latency p50 / p99 | %d / %d blocks |\n", r.Compute.ClaimToPaymentP50, r.Compute.ClaimToPaymentP99)
	p("| lease → payment latency p50 / p99 | %d / %d blocks |\n", r.Compute.LeaseToPaymentP50, r.Compute.LeaseToPaymentP99)
	p("| gRPC balance query, idle: q/s, p50 / p99 | %.0f q/s (offered %.0f), %.2f / %.2f ms |\n", q0.AchievedQPS, q0.OfferedQPS, q0.P50Ms, q0.P99Ms)
	p("| gRPC balance query, compute load: q/s, p50 / p99 | %.0f q/s (offered %.0f), %.2f / %.2f ms |\n", q1.AchievedQPS, q1.OfferedQPS, q1.P50Ms, q1.P99Ms)
	p("| query p99 loaded / idle | %.2f |\n", r.QueryP99Ratio)
	if len(r.QueryNode) == 2 {
		n0, n1 := r.QueryNode[0], r.QueryNode[1]
		p("| query node (full node, not a validator), idle: q/s, p50 / p99 | %.0f q/s (offered %.0f), %.2f / %.2f ms |\n", n0.AchievedQPS, n0.OfferedQPS, n0.P50Ms, n0.P99Ms)
		p("| query node, compute load: q/s, p50 / p99 | %.0f q/s (offered %.0f), %.2f / %.2f ms |\n", n1.AchievedQPS, n1.OfferedQPS, n1.P50Ms, n1.P99Ms)
		p("| query node p99 loaded / idle | %.2f |\n", r.QueryNodeP99Ratio)
	}
	for _, n := range r.Nodes {
		p("| node%d peak RSS (VmHWM) | %.0f MiB |\n", n.Index, n.PeakRSSMiB)
	}
	p("| node0 on-disk growth per verified task (all of data/) | %.0f bytes (%d tasks, %s pruning) |\n", r.Disk.BytesPerTask, r.Disk.TasksVerified, r.Config.NodeConfig["app.toml pruning"])
	p("| node0 application.db growth per verified task | %.0f bytes |\n", r.Disk.AppDBBytesPerTask)
	p("\n## Transactions in the windows\n\n| window | kind | ok | failed | gas used (mean) | bytes (mean) |\n|---|---|---|---|---|---|\n")
	for _, w := range []struct {
		name string
		ws   WindowStats
	}{{"bank", r.Bank}, {"compute", r.Compute.Window}, {"wasm", r.Wasm.Window}} {
		for _, k := range sortedKeys(w.ws.ByKind) {
			s := w.ws.ByKind[k]
			p("| %s | %s | %d | %d | %.0f | %.0f |\n", w.name, k, s.OK, s.Failed, s.GasUsedMean, s.BytesMean)
		}
	}
	p("\nLarge-task round: proof gas used (mean) %.0f; %d compute txs, %.1f s chain time.\n", r.Large.ProofGasMean, r.Large.ComputeTxs, r.Large.ChainSeconds)
	p("\n## CPU during the windows (seconds of CPU; the machine has %d cores)\n\n| process | bank window (%.0f s) | compute window (%.0f s) |\n|---|---|---|\n",
		r.Machine.NProc, r.Config.BankWindowS, r.Config.ComputeWindowS)
	for _, n := range r.Nodes {
		p("| node%d | %.1f | %.1f |\n", n.Index, n.CPUSecondsBank, n.CPUSecondsCompute)
	}
	p("| load generator | %.1f | %.1f (of which computing outputs and trees %.1f) |\n", r.Loadgen.CPUSecondsBank, r.Loadgen.CPUSecondsCompute, r.Compute.LoadgenComputeSeconds)
	other := func(w WindowStats, secs float64, node func(NodeStats) float64, lg float64) float64 {
		o := w.MachineBusy*secs*float64(r.Machine.NProc) - lg
		for _, n := range r.Nodes {
			o -= node(n)
		}
		return max(o, 0)
	}
	p("| other processes on the machine (the query node, if any; the system) | %.1f | %.1f |\n",
		other(r.Bank, r.Config.BankWindowS, func(n NodeStats) float64 { return n.CPUSecondsBank }, r.Loadgen.CPUSecondsBank),
		other(r.Compute.Window, r.Config.ComputeWindowS, func(n NodeStats) float64 { return n.CPUSecondsCompute }, r.Loadgen.CPUSecondsCompute))
	p("| whole machine busy (share of all %d cores) | %.0f%% (I/O wait %.0f%%) | %.0f%% (I/O wait %.0f%%) |\n", r.Machine.NProc,
		100*r.Bank.MachineBusy, 100*r.Bank.MachineIOWait, 100*r.Compute.Window.MachineBusy, 100*r.Compute.Window.MachineIOWait)
	p("\n## Set-up\n\n")
	p("- %d bench accounts: %d bank senders, %d devices (each %d live tasks), 1 requester; every account sends to one node only (account i → node i mod %d).\n",
		r.Config.Accounts, r.Config.BankSenders, r.Config.Devices, r.Config.LiveTasks, r.Validators)
	p("- Saturation: the load generator keeps %d txs accepted by CheckTx but not yet in a block (the mempool holds %s), so every block finds a backlog; in the compute workload only new leases wait for room, claims and proofs of leased tasks always go.\n",
		r.Config.Outstanding, r.Config.NodeConfig["config.toml mempool.size"])
	p("- Bank: 1ushift MsgSend between bench accounts, pre-signed, %.0f s warm-up then a %.0f s window (%d signed on the fly).\n",
		r.Config.BankWarmupS, r.Config.BankWindowS, r.Bank.SignedOnFly)
	p("- Compute: hashcash, difficulty_bits %d, %d items per task (large round: %d tasks of %d items), %.0f s warm-up then a %.0f s window; outputs and Merkle trees computed by the load generator with the worker's code.\n",
		r.Config.Difficulty, r.Config.ItemsPerTask, r.Config.LargeTasks, r.Config.LargeItems, r.Config.ComputeWarmupS, r.Config.ComputeWindowS)
	if ws := r.WasmSetup; ws != nil {
		p("- Wasm: the %s example (program %s, stored by this run: %v), params %s (job 0; job j prices the strike 100 + j: the chain refuses identical live jobs), %d items per task, fuel limit %d per item (a local run measured up to %d), proof gas limit %d; %.0f s warm-up then a %.0f s window, after the hashcash window, same devices; outputs computed by the load generator with programjob.Build's spec bound by kinds (the worker's and validators' code); load generator computing %.1f s of CPU.\n",
			ws.Program, ws.ProgramID[:16], ws.Stored, ws.Params, r.Config.WasmItemsPerTask, ws.FuelLimit, ws.MaxFuel, ws.ProofGas, r.Config.WasmWarmupS, r.Config.WasmWindowS, r.Wasm.LoadgenComputeSeconds)
		if len(r.Wasm.Failures) > 0 {
			p("- Wasm failures: %v.\n", r.Wasm.Failures)
		}
	}
	p("- Queries: %d clients, %.0f q/s offered, %.0f s each, gRPC `cosmos.bank.v1beta1.Query/Balance` on node0", r.Config.QueryClients, r.Config.QueryRate, r.Config.QuerySeconds)
	if len(r.QueryNode) > 0 {
		p(" and then on a query node: a full node that follows the chain but is not a validator and has no mempool (`mempool.type = \"nop\"`), as exchanges run one (its CPU is under other processes)")
	}
	p("; each phase is its own client process.\n")
	p("- Fixed fee %dushift per tx (at least gas limit × min_gas_price); gas limits %v per message or element: bank sends always, compute txs until %d of a kind and size are in blocks, then %.1f × the most gas such a tx used (as the worker's simulate × %.1f), %.2f × for batch txs of 2 or more elements.\n",
		r.Config.FeePerTx, r.Config.GasLimits, minObservations, gasAdjustment, gasAdjustment, r.Config.BatchGasAdjustment)
	p("- Node config: %v.\n", r.Config.NodeConfig)
	p("- Genesis changes for the bench:\n")
	for _, c := range r.GenesisChanges {
		p("  - %s\n", c)
	}
	p("- Load generator: %d mempool-full retries, %d CheckTx rejections, %d sequence resyncs, %d txs lost.\n",
		r.Loadgen.MempoolFullRetries, r.Loadgen.CheckTxRejected, r.Loadgen.SequenceResyncs, r.Loadgen.LostTxs)
	if len(r.Compute.Failures) > 0 || len(r.Large.Failures) > 0 {
		p("- Compute failures: %v; large round: %v.\n", r.Compute.Failures, r.Large.Failures)
	}
	if len(r.ProfileBreakdown) > 0 {
		p("\n## Where node0's CPU went\n\nShare of a %s under each entry point (cumulative, so parts overlap: indented parts are inside the ones above them; 100%% is one core busy for the whole profile).\n\n| part | bank window | compute window |\n|---|---|---|\n", r.ProfileNote)
		for i, sh := range r.ProfileBreakdown {
			bank := "-"
			if i < len(r.BankProfileBreakdown) {
				bank = fmt.Sprintf("%.1f%%", r.BankProfileBreakdown[i].Percent)
			}
			p("| %s | %s | %.1f%% |\n", strings.Replace(sh.Part, "  ", "&nbsp;&nbsp;", 1), bank, sh.Percent)
		}
	}
	if len(r.Profile) > 0 {
		p("\n## CPU profile of the compute window (%s)\n\nTop 25 by flat time:\n\n```\n%s\n```\n\nTop 40 by cumulative time:\n\n```\n%s\n```\n", r.ProfileNote, strings.Join(r.Profile, "\n"), strings.Join(r.ProfileCum, "\n"))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// txShape says what a compute tx carries: tasks per tx, and whether lease and
// claim went together (--speculate: the "lease" txs are MsgLeaseAndClaim).
func (c ComputeStats) txShape() string {
	if c.Speculate {
		return fmt.Sprintf("%d per lease+claim and proof tx", max(c.Batch, 1))
	}
	return fmt.Sprintf("%d per lease, claim and proof tx", max(c.Batch, 1))
}
