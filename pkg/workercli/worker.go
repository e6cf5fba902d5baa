// Package workercli holds the contributor's worker commands (start, status,
// bench, service): the one definition behind `nightshiftd worker` and the
// standalone nightshift-worker binary. It talks to the chain through
// pkg/workerclient, not the SDK's client, so the phone binary stays small.
package workercli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/gogoproto/proto"
	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/worker"
	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	flagBond          = "bond"
	flagThreads       = "threads"
	flagIdleOnly      = "idle-only"
	flagIdleThreshold = "idle-threshold"
	flagSchedule      = "schedule"
	flagMaxTasks      = "max-tasks"
	flagBatchSize     = "batch-size"
	flagSpeculate     = "speculate"
	flagMoniker       = "moniker"
	flagStateDir      = "state-dir"
	flagDuration      = "duration"
	flagSweepTo       = "sweep-to"
	flagSweepAbove    = "sweep-above"
)

// Cmd is `nightshiftd worker`.
func Cmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: WorkerShort,
		Long:  WorkerLong,
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(WorkerCommands("nightshiftd worker")...)
	return cmd
}

// WorkerShort and WorkerLong describe the worker, in `nightshiftd worker` and
// in the nightshift-worker binary.
const (
	WorkerShort = "Earn SHIFT by computing jobs on this machine"
	WorkerLong  = `The worker registers this machine as a device (with a bond), leases tasks,
computes them on all cores, commits to the results and proves them when
challenged. Payment arrives from the job's escrow as each task is verified;
emission is withdrawn after each epoch.`
)

// WorkerCommands are the worker's subcommands: the one definition behind both
// `nightshiftd worker ...` and the standalone nightshift-worker binary.
// cmdPath is how the examples invoke them ("nightshiftd worker").
func WorkerCommands(cmdPath string) []*cobra.Command {
	return []*cobra.Command{workerStartCmd(cmdPath), workerStatusCmd(), workerBenchCmd(), workerServiceCmd(cmdPath)}
}

func workerStartCmd(cmdPath string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start --from KEY",
		Short: "Register the device if needed and work until stopped (Ctrl-C)",
		Example: fmt.Sprintf(`  %[1]s start --from device1 --bond 200SHIFT
  %[1]s start --from device1 --idle-only --schedule 23:00-07:00 --threads 4`, cmdPath),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The policy first: a machine that cannot follow it must not register.
			policy, notices, err := workerPolicy(cmd)
			if err != nil {
				return err
			}
			filters, marketNotes, err := workerFilters(cmd)
			if err != nil {
				return err
			}
			clientCtx, err := readChainContext(cmd, true)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			bondStr, _ := f.GetString(flagBond)
			bond := math.ZeroInt()
			if bondStr != "" {
				if bond, err = coin.Parse(bondStr); err != nil {
					return fmt.Errorf("--bond: %w", err)
				}
			}
			threads, _ := f.GetInt(flagThreads)
			if threads <= 0 {
				threads = runtime.NumCPU()
			}
			maxTasks, _ := f.GetInt(flagMaxTasks)
			batchSize, _ := f.GetInt(flagBatchSize)
			if batchSize < 1 {
				return fmt.Errorf("--%s must be at least 1", flagBatchSize)
			}
			speculate, _ := f.GetBool(flagSpeculate)
			moniker, _ := f.GetString(flagMoniker)
			if moniker == "" {
				moniker, _ = os.Hostname()
				if len(moniker) > types.MaxMonikerLength || moniker == "" {
					moniker = "device"
				}
			}
			if policy.IdleOnly {
				policy.Sampler = worker.NewProcSampler()
				lowerPriority()
			}
			sweep, err := workerSweep(cmd, clientCtx)
			if err != nil {
				return err
			}
			stateDir, err := workerStateDir(cmd, clientCtx)
			if err != nil {
				return err
			}
			store, err := worker.OpenStore(stateDir)
			if err != nil {
				return fmt.Errorf("worker state in %s: %w", stateDir, err)
			}

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			ui := newWorkerUI(cmd.ErrOrStderr(), cmd.OutOrStdout(), clientCtx.JSON())
			sub, safetyPoll, err := workerSubscription(cmd, clientCtx, ui)
			if err != nil {
				return err
			}
			pool := worker.NewPool(ctx, threads, policy)
			pool.OnPause = func(why string) { ui.event(worker.Event{Time: time.Now(), Kind: "paused", Message: why}) }
			pool.OnResume = func() { ui.event(worker.Event{Time: time.Now(), Kind: "resumed", Message: "computing again"}) }
			if url, _ := f.GetString(flagDashboard); url != "" {
				rep := newDashboardReporter(url, clientCtx.FromAddress, threads, policy)
				onPause, onResume := pool.OnPause, pool.OnResume
				pool.OnPause = func(why string) { onPause(why); rep.changed() }
				pool.OnResume = func() { onResume(); rep.changed() }
				go rep.run(ctx)
			}
			speed, speedNote, err := workerSpeed(ctx, clientCtx.Home, threads)
			if err != nil {
				return err
			}
			query := clientCtx.Query()
			cacheMB, _ := f.GetInt64(flagProgramCacheMB)
			programCache, err := worker.OpenProgramCache(worker.ProgramCacheDir(stateDir), cacheMB<<20)
			if err != nil {
				return fmt.Errorf("program cache: %w", err)
			}
			programs := worker.NewPrograms(query, programCache)
			defer func() { _ = programs.Close() }()
			w := worker.New(worker.Config{
				Client:      clientCtx.Client,
				Query:       query,
				Store:       store,
				Pool:        pool,
				Kinds:       kinds.DefaultRegistry(),
				Programs:    programs,
				Moniker:     moniker,
				Bond:        bond,
				MaxInFlight: maxTasks,
				BatchSize:   batchSize,
				Speculate:   speculate,
				Report:      ui.event,
				Sweep:       sweep,
				Speed:       speed,
				Clock:       chainClock(clientCtx),
				Filters:     filters,
				SafetyPoll:  safetyPoll,

				RequesterUnits: requesterUnits(clientCtx),
			})
			if sub != nil {
				w.Watch(sub)
				go sub.Run(ctx)
			}
			ui.event(worker.Event{Time: time.Now(), Kind: "started", Message: fmt.Sprintf("device %s, %d threads, state in %s; policy: %s", clientCtx.FromAddress, threads, stateDir, policy)})
			for _, n := range notices {
				ui.event(worker.Event{Time: time.Now(), Kind: "policy", Message: n})
			}
			ui.event(worker.Event{Time: time.Now(), Kind: "speed", Message: speedNote})
			ui.event(worker.Event{Time: time.Now(), Kind: "market", Message: "jobs ranked by pay per second of this machine's compute at that speed"})
			for _, n := range marketNotes {
				ui.event(worker.Event{Time: time.Now(), Kind: "market", Message: n})
			}
			if sweep != nil {
				ui.event(worker.Event{Time: time.Now(), Kind: "sweep", Message: fmt.Sprintf("earnings above %s go to %s", coin.Format(sweep.Keep), sweep.To)})
			}
			go ui.run(ctx, pool, w)
			err = w.Run(ctx)
			ui.close()
			if err != nil && ctx.Err() == nil {
				return err
			}
			s := w.Stats()
			fmt.Fprintf(cmd.ErrOrStderr(), "stopped: %d tasks verified, %s earned this session; unfinished work resumes on the next start\n", s.TasksVerified, coin.FormatWithBase(s.Earned))
			return nil
		},
	}
	addChainFlags(cmd)
	cmd.Flags().String(flagBond, "", "bond to register the device with, e.g. 200SHIFT or 200000000ushift (default: the chain's minimum)")
	cmd.Flags().Int(flagThreads, 0, "compute threads (default: all cores)")
	addPolicyFlags(cmd)
	addMarketFlags(cmd)
	cmd.Flags().Int(flagMaxTasks, 3, "tasks in flight at once (computing while others wait for blocks)")
	cmd.Flags().Int(flagBatchSize, worker.DefaultBatchSize, "tasks leased, claimed or proven in one transaction at most (leases taken together, and claims and proofs ready together, share a tx; 1: one tx per task and step)")
	cmd.Flags().Bool(flagSpeculate, true, "when idle, compute the best job's next task before leasing it and lease and claim it in one transaction where the chain's next lease is predictable (a wrong guess costs only that computation); false: always lease, then claim")
	cmd.Flags().String(flagMoniker, "", "device name shown on chain (default: hostname)")
	cmd.Flags().String(flagStateDir, "", "where the worker keeps its tasks (default: HOME/worker/CHAIN-ID/ADDRESS)")
	cmd.Flags().String(flagSweepTo, "", "after payments and withdrawals, send the account's spendable SHIFT above --sweep-above to this night1... address (the bond never moves)")
	cmd.Flags().String(flagSweepAbove, "", "with --sweep-to, the amount kept in the device's account for fees, e.g. 10SHIFT (0.1 SHIFT more stays for the sweep's own fee)")
	cmd.Flags().String(flagDashboard, "", "report whether this worker computes, or why it pauses, to this `nightshiftd dashboard` URL")
	return cmd
}

// workerSweep reads --sweep-to and --sweep-above; nil when not sweeping.
func workerSweep(cmd *cobra.Command, clientCtx chainContext) (*worker.Sweep, error) {
	to, _ := cmd.Flags().GetString(flagSweepTo)
	above, _ := cmd.Flags().GetString(flagSweepAbove)
	if to == "" {
		if above != "" {
			return nil, fmt.Errorf("--sweep-above needs --sweep-to ADDRESS")
		}
		return nil, nil
	}
	if above == "" {
		return nil, fmt.Errorf("--sweep-to needs --sweep-above AMOUNT: what stays in the device's account for fees, e.g. 10SHIFT")
	}
	keep, err := coin.Parse(above)
	if err != nil {
		return nil, fmt.Errorf("--sweep-above: %w", err)
	}
	if err := worker.CheckSweepAddress(to, clientCtx.FromAddress); err != nil {
		return nil, err
	}
	return &worker.Sweep{To: to, Keep: keep, Bank: bankv1beta1.NewQueryClient(workerclient.Conn{Node: clientCtx.Node})}, nil
}

func workerStateDir(cmd *cobra.Command, clientCtx chainContext) (string, error) {
	if dir, _ := cmd.Flags().GetString(flagStateDir); dir != "" {
		return dir, nil
	}
	if clientCtx.Home == "" {
		return "", fmt.Errorf("no --home: pass --state-dir")
	}
	return filepath.Join(clientCtx.Home, "worker", clientCtx.ChainID, clientCtx.FromAddress), nil
}

// workerUI shows progress: a live bar on a terminal, plain log lines otherwise,
// JSON lines with --output json.
type workerUI struct {
	mu     sync.Mutex
	errOut io.Writer
	out    io.Writer
	asJSON bool
	bar    *progressbar.ProgressBar
}

func newWorkerUI(errOut, out io.Writer, asJSON bool) *workerUI {
	ui := &workerUI{errOut: errOut, out: out, asJSON: asJSON}
	if f, ok := errOut.(*os.File); ok && !asJSON && isatty.IsTerminal(f.Fd()) {
		ui.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(errOut),
			progressbar.OptionSetDescription("starting"),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionThrottle(200*time.Millisecond),
		)
	}
	return ui
}

func (ui *workerUI) event(e worker.Event) {
	ui.mu.Lock()
	defer ui.mu.Unlock()
	if ui.asJSON {
		bz, _ := json.Marshal(e)
		fmt.Fprintln(ui.out, string(bz))
		return
	}
	line := describe(e)
	if ui.bar != nil {
		_ = ui.bar.Clear()
		fmt.Fprintln(ui.errOut, line)
		_ = ui.bar.RenderBlank()
		return
	}
	fmt.Fprintf(ui.errOut, "%s %s\n", e.Time.Format(time.RFC3339), line)
}

func describe(e worker.Event) string {
	var b strings.Builder
	b.WriteString(e.Kind)
	if e.JobID != 0 || e.Kind == "leased" {
		fmt.Fprintf(&b, " job %d task %d", e.JobID, e.TaskIndex)
	}
	if e.Items != 0 {
		fmt.Fprintf(&b, " (%d items)", e.Items)
	}
	if e.Amount != "" {
		b.WriteString(" " + e.Amount)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// run refreshes the bar (or, without a terminal, logs a summary every minute).
func (ui *workerUI) run(ctx context.Context, pool *worker.Pool, w *worker.Worker) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	lastLog := time.Now()
	var rate itemRate
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s := w.Stats()
		done := pool.ItemsDone()
		desc := liveLine(done, rate.add(time.Now(), done), s)
		ui.mu.Lock()
		if ui.asJSON {
			if time.Since(lastLog) > time.Minute {
				bz, _ := json.Marshal(map[string]any{"time": time.Now(), "event": "stats", "items": pool.ItemsDone(), "in_flight": s.InFlight, "verified": s.TasksVerified, "earned_ushift": s.Earned.String(), "skipped_jobs": s.Skipped})
				fmt.Fprintln(ui.out, string(bz))
				lastLog = time.Now()
			}
		} else if ui.bar != nil {
			ui.bar.Describe(desc)
			_ = ui.bar.Set64(int64(done))
		} else if time.Since(lastLog) > time.Minute {
			fmt.Fprintf(ui.errOut, "%s %s\n", time.Now().Format(time.RFC3339), desc)
			lastLog = time.Now()
		}
		ui.mu.Unlock()
	}
}

func (ui *workerUI) close() {
	ui.mu.Lock()
	defer ui.mu.Unlock()
	if ui.bar != nil {
		_ = ui.bar.Finish()
		fmt.Fprintln(ui.errOut)
	}
}

func workerStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status --from KEY",
		Short: "Show the device, its bond, live tasks, earnings and the local worker state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			policy, notices, err := workerPolicy(cmd) // first: --config may name --from
			if err != nil {
				return err
			}
			clientCtx, err := readChainContext(cmd, false)
			if err != nil {
				return err
			}
			addr := clientCtx.FromAddress
			verdict := "computing"
			if open, why := policy.Open(); !open {
				verdict = "paused: " + why
			}
			q := clientCtx.Query()
			ctx := cmd.Context()
			out := map[string]any{"operator": addr}
			dev, err := q.Device(ctx, &types.QueryDeviceRequest{Operator: addr})
			if err != nil {
				return fmt.Errorf("device %s: %w (register it with `worker start`)", addr, err)
			}
			tasks, err := q.DeviceTasks(ctx, &types.QueryDeviceTasksRequest{Operator: addr})
			if err != nil {
				return err
			}
			rewards, err := q.Rewards(ctx, &types.QueryRewardsRequest{Operator: addr})
			if err != nil {
				return err
			}
			// Chain objects in the chain's JSON (enum names, every field), as `q compute` prints them.
			chainJSON := func(m proto.Message) json.RawMessage {
				bz, jerr := codec.ProtoMarshalJSON(m, nil)
				if jerr != nil && err == nil {
					err = jerr
				}
				return bz
			}
			live := make([]json.RawMessage, len(tasks.Tasks))
			for i := range tasks.Tasks {
				live[i] = chainJSON(&tasks.Tasks[i])
			}
			out["device"], out["live_tasks"], out["rewards"] = chainJSON(&dev.Device), live, chainJSON(rewards)
			if err != nil {
				return err
			}
			local := map[worker.Stage]int{}
			var released releases
			paid := math.ZeroInt()
			var ranking *worker.Ranking
			if dir, err := workerStateDir(cmd, clientCtx); err == nil {
				if store, err := worker.OpenStore(dir); err == nil {
					saved, err := store.Tasks()
					if err != nil {
						return err
					}
					released = releasesOf(saved)
					for _, t := range saved {
						local[t.Stage]++
						if amt, ok := math.NewIntFromString(strings.TrimSuffix(t.Paid, coin.Base)); ok {
							paid = paid.Add(amt)
						}
					}
					out["state_dir"] = dir
					if r, err := store.LoadRanking(); err == nil {
						ranking = &r
						out["market"] = r
					}
				}
			}
			out["local_tasks"], out["paid_ushift"], out["released"] = local, paid.String(), released
			out["policy"], out["verdict"], out["policy_notices"] = policy.String(), verdict, notices
			if clientCtx.JSON() {
				bz, err := json.MarshalIndent(out, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), string(bz))
				return err
			}
			d := dev.Device
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Device     %s (%s)\nStatus     %s\nBond       %s\nVerified   %d tasks, %d failed proofs, %d missed\nWork units %s\n",
				d.Operator, d.Moniker, strings.TrimPrefix(d.Status.String(), "DEVICE_STATUS_"), coin.FormatWithBase(d.Bond), d.TasksVerified, d.Failures, d.MissedProofs, d.WorkUnits)
			fmt.Fprintf(w, "Earned     %s in task payments (this machine's records)\nEmission   %s withdrawable, %s work units in the running epoch\n",
				coin.FormatWithBase(paid), coin.FormatWithBase(rewards.Withdrawable), rewards.CurrentEpochUnits)
			fmt.Fprintf(w, "Live tasks %d\n", len(tasks.Tasks))
			for _, t := range tasks.Tasks {
				fmt.Fprintf(w, "  job %d task %d  %s  items %d-%d\n", t.JobId, t.Index, strings.TrimPrefix(t.Status.String(), "TASK_STATUS_"), t.FirstItem, t.FirstItem+t.ItemCount-1)
			}
			stages := make([]string, 0, len(local))
			for s, n := range local {
				stages = append(stages, fmt.Sprintf("%s %d", s, n))
			}
			sort.Strings(stages)
			fmt.Fprintf(w, "Local      %s\n", strings.Join(stages, ", "))
			fmt.Fprintln(w, released.line())
			fmt.Fprintf(w, "Policy     %s\nNow        %s\n", policy, verdict)
			for _, n := range notices {
				fmt.Fprintf(w, "           %s\n", n)
			}
			if ranking != nil {
				printMarket(w, *ranking)
			} else {
				fmt.Fprintf(w, "Market     not looked at yet (the worker stores its view when it looks for work)\n")
			}
			return nil
		},
	}
	addChainFlags(cmd)
	addPolicyFlags(cmd)
	cmd.Flags().String(flagStateDir, "", "the worker's state directory (default: HOME/worker/CHAIN-ID/ADDRESS)")
	return cmd
}

func workerBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure this machine on each task kind (items/s and hashes/s, one core and all cores)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, _ := cmd.Flags().GetDuration(flagDuration)
			threads, _ := cmd.Flags().GetInt(flagThreads)
			if threads <= 0 {
				threads = runtime.NumCPU()
			}
			results := worker.Bench(cmd.Context(), d, threads)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%-12s %-28s %14s %14s %16s\n", "kind", "workload", "1 core", fmt.Sprintf("%d cores", threads), "unit")
			for _, r := range results {
				fmt.Fprintf(w, "%-12s %-28s %14s %14s %16s\n", r.Kind, r.Workload, benchRate(r.PerCore), benchRate(r.AllCores), r.Unit)
			}
			// Stored, so `start` leases only tasks it can finish within a lease.
			if home := homeOf(cmd); home != "" {
				path := worker.SpeedFile(home)
				if err := worker.SaveSpeed(path, worker.SpeedOf(results, threads, time.Now())); err != nil {
					return fmt.Errorf("store the speed: %w", err)
				}
				fmt.Fprintf(w, "saved to %s: `start` ranks jobs by pay per second and leases only tasks it expects to finish within a lease at this speed\n", path)
			}
			return nil
		},
	}
	cmd.Flags().Duration(flagDuration, 3*time.Second, "time spent on each measurement")
	cmd.Flags().Int(flagThreads, 0, "threads for the all-cores run (default: all cores)")
	return cmd
}
