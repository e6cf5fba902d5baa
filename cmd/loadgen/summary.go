package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Summary renders the results of several topologies side by side, with the
// issue's targets, as markdown.
func Summary(files []string) (string, error) {
	var rs []*Results
	for _, f := range files {
		bz, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		var r Results
		if err := json.Unmarshal(bz, &r); err != nil {
			return "", fmt.Errorf("%s: %w", f, err)
		}
		rs = append(rs, &r)
	}
	if len(rs) == 0 {
		return "", fmt.Errorf("no results")
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	m := rs[0].Machine
	p("# Chain bench: summary\n\n")
	p("`make bench` (scripts/bench/chain.sh), %s. Machine: %d cores (`nproc`), %s, %.1f GiB RAM, %s; nodes and load generator on the same machine. Per-topology details, every setting and the per-block series: %s.\n\n",
		rs[0].Date, m.NProc, m.CPUModel, m.RAMGiB, m.GoVersion, strings.Join(mdNames(files), ", "))
	p("| figure |")
	for _, r := range rs {
		p(" %s |", r.Topology)
	}
	p(" target |\n|---|")
	for range rs {
		p("---|")
	}
	p("---|\n")
	row := func(name, target string, f func(r *Results) string) {
		p("| %s |", name)
		for _, r := range rs {
			p(" %s |", f(r))
		}
		p(" %s |\n", target)
	}
	row("bank-send TPS at saturation", "", func(r *Results) string { return fmt.Sprintf("%.0f tx/s", r.Bank.TPS) })
	row("bank block interval, median", "", func(r *Results) string { return fmt.Sprintf("%.2f s", r.Bank.BlockIntervalMedian) })
	row("compute TPS at saturation (lease + claim + proof)", "", func(r *Results) string { return fmt.Sprintf("%.0f tx/s", r.Compute.Window.TPS) })
	row("compute block interval, median", "", func(r *Results) string {
		return fmt.Sprintf("%.2f s", r.Compute.Window.BlockIntervalMedian)
	})
	row("compute TPS / bank TPS", "≥ 0.80", func(r *Results) string { return fmt.Sprintf("%.2f", r.Compute.RatioToBank) })
	// Issue 16: tasks, not transactions, are what a batch multiplies.
	row("tasks verified / s of chain time ÷ bank TPS (tasks per lease, claim and proof tx)", "≥ 1.0", func(r *Results) string {
		shape := fmt.Sprint(max(r.Compute.Batch, 1))
		if r.Compute.Speculate {
			shape += ", lease+claim"
		}
		return fmt.Sprintf("%.0f / %.0f = %.2f (%s)", r.Compute.TasksPerSecond, r.Bank.TPS, r.Compute.TasksRatioToBank, shape)
	})
	row("proof tx bytes per verified task", "half of unbatched", func(r *Results) string {
		return fmt.Sprintf("%.0f B", r.Compute.ProofBytesPerTask)
	})
	row(fmt.Sprintf("verified items / s of chain time (%d-item tasks)", rs[0].Config.ItemsPerTask), "", func(r *Results) string {
		return fmt.Sprintf("%.0f", r.Compute.ItemsPerSecond)
	})
	row(fmt.Sprintf("verified items per compute tx (%d-item tasks)", rs[0].Config.ItemsPerTask), "≥ 10⁴", func(r *Results) string {
		return fmt.Sprintf("%.0f", r.Compute.ItemsPerComputeTx)
	})
	row(fmt.Sprintf("verified items per compute tx (%d-item tasks)", rs[0].Config.LargeItems), "≥ 10⁴", func(r *Results) string {
		return fmt.Sprintf("%.0f (%.0f items/s)", r.Large.ItemsPerComputeTx, r.Large.ItemsPerSecond)
	})
	wasm := func(f func(r *Results) string) func(r *Results) string {
		return func(r *Results) string {
			if r.WasmSetup == nil {
				return "-"
			}
			return f(r)
		}
	}
	row("wasm compute TPS (lease + claim + proof; montecarlo example)", "", wasm(func(r *Results) string {
		return fmt.Sprintf("%.0f tx/s (%.2f of bank)", r.Wasm.Window.TPS, r.Wasm.RatioToBank)
	}))
	row("wasm verified items / s of chain time", "", wasm(func(r *Results) string {
		return fmt.Sprintf("%.0f (%d-item tasks, %.1f tasks/s)", r.Wasm.ItemsPerSecond, r.Config.WasmItemsPerTask, r.Wasm.TasksPerSecond)
	}))
	row("claim → payment, p50 / p99", "", func(r *Results) string {
		return fmt.Sprintf("%d / %d blocks", r.Compute.ClaimToPaymentP50, r.Compute.ClaimToPaymentP99)
	})
	row("lease → payment, p50 / p99", "", func(r *Results) string {
		return fmt.Sprintf("%d / %d blocks", r.Compute.LeaseToPaymentP50, r.Compute.LeaseToPaymentP99)
	})
	// query renders phase i of the validator's (node=false) or the query node's queries.
	query := func(node bool, i int) func(r *Results) string {
		return func(r *Results) string {
			qs := r.Queries
			if node {
				qs = r.QueryNode
			}
			if len(qs) <= i {
				return "-"
			}
			return fmt.Sprintf("%.0f q/s, p50 %.1f ms, p99 %.1f ms", qs[i].AchievedQPS, qs[i].P50Ms, qs[i].P99Ms)
		}
	}
	row(fmt.Sprintf("gRPC balance queries, idle (%.0f q/s offered)", rs[0].Config.QueryRate), "", query(false, 0))
	row("gRPC balance queries, under compute load", "", query(false, 1))
	row("query p99 loaded / idle, on the validator", "≤ 2", func(r *Results) string { return fmt.Sprintf("%.1f", r.QueryP99Ratio) })
	row("same on a query node (full node, no mempool), idle", "", query(true, 0))
	row("same on the query node, under compute load", "", query(true, 1))
	row("query p99 loaded / idle, on the query node", "≤ 2", func(r *Results) string {
		if len(r.QueryNode) < 2 {
			return "-"
		}
		return fmt.Sprintf("%.1f", r.QueryNodeP99Ratio)
	})
	row("peak RSS per node (VmHWM)", "", func(r *Results) string {
		var s []string
		for _, n := range r.Nodes {
			s = append(s, fmt.Sprintf("%.0f", n.PeakRSSMiB))
		}
		return strings.Join(s, " / ") + " MiB"
	})
	row("on-disk growth per verified task, node0 data/", "", func(r *Results) string {
		return fmt.Sprintf("%.0f bytes", r.Disk.BytesPerTask)
	})
	row("of which application.db (state)", "≤ 200 bytes once settled", func(r *Results) string {
		return fmt.Sprintf("%.0f bytes", r.Disk.AppDBBytesPerTask)
	})
	row("CPU in the compute window: nodes / load generator / other", "", func(r *Results) string {
		nodes := 0.0
		for _, n := range r.Nodes {
			nodes += n.CPUSecondsCompute
		}
		other := max(0, r.Compute.Window.MachineBusy*r.Config.ComputeWindowS*float64(r.Machine.NProc)-nodes-r.Loadgen.CPUSecondsCompute)
		return fmt.Sprintf("%.0f / %.0f / %.0f s of %.0f", nodes, r.Loadgen.CPUSecondsCompute, other, r.Config.ComputeWindowS*float64(r.Machine.NProc))
	})
	part := func(name string) func(r *Results) string {
		return func(r *Results) string {
			for i, sh := range r.ProfileBreakdown {
				if strings.TrimSpace(sh.Part) == name {
					bank := ""
					if i < len(r.BankProfileBreakdown) {
						bank = fmt.Sprintf(" (bank %.0f%%)", r.BankProfileBreakdown[i].Percent)
					}
					return fmt.Sprintf("%.0f%%%s", sh.Percent, bank)
				}
			}
			return "-"
		}
	}
	for _, name := range []string{"CheckTx (mempool admission and recheck)", "FinalizeBlock (block execution)",
		"ante handler (fees, signatures, sequences), in CheckTx and FinalizeBlock", "secp256k1 signature verification",
		"x/compute lease, claim and proof handlers (single and batch)", "garbage collection (background mark workers)", "leveldb compaction"} {
		row("node0 CPU profile, compute window: "+name, "", part(name))
	}
	p("\nnode0 CPU profile rows: share of one core over a %s; see profile-compute.txt.\n", rs[0].ProfileNote)
	p("\nPruning: `%s` (app.toml), state-sync snapshots off; the disk figures include blocks, tx index and state, measured over the compute run (after the warm-up until every task in flight had settled).\n",
		rs[0].Config.NodeConfig["app.toml pruning"])
	p("\nGenesis changes for the bench: %s.\n", strings.Join(rs[0].GenesisChanges, "; "))
	return b.String(), nil
}

func mdNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		name := f[strings.LastIndex(f, "/")+1:]
		out[i] = "[" + strings.TrimSuffix(name, ".json") + ".md](" + strings.TrimSuffix(name, ".json") + ".md)"
	}
	return out
}
