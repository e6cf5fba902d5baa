package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/viper"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// Results is one topology's run, written as JSON and markdown.
type Results struct {
	Topology       string              `json:"topology"`
	Validators     int                 `json:"validators"`
	Command        string              `json:"command"`
	Date           string              `json:"date"`
	Machine        Machine             `json:"machine"`
	Config         Config              `json:"config"`
	GenesisChanges []string            `json:"genesis_changes"`
	ComputeParams  computetypes.Params `json:"compute_params"`
	SetupSeconds   float64             `json:"setup_seconds"`
	TotalSeconds   float64             `json:"total_seconds"`

	Bank          WindowStats  `json:"bank"`
	Compute       ComputeStats `json:"compute"`
	Large         LargeStats   `json:"large_tasks"`
	Queries       []QueryStats `json:"queries"`
	QueryP99Ratio float64      `json:"query_p99_loaded_over_idle"`
	// QueryNode are the same phases on a non-validating full node that serves
	// queries (absent when the bench ran none).
	QueryNode         []QueryStats `json:"query_node_queries,omitempty"`
	QueryNodeP99Ratio float64      `json:"query_node_p99_loaded_over_idle,omitempty"`
	Nodes             []NodeStats  `json:"nodes"`
	Disk              DiskStats    `json:"disk"`
	Loadgen           LoadgenStats `json:"loadgen"`
	ProfileNote       string       `json:"profile_note,omitempty"`
	Profile           []string     `json:"profile_top,omitempty"`
	ProfileCum        []string     `json:"profile_top_cum,omitempty"`
	// ProfileBreakdown is the share of node0's profiled CPU under each
	// component's entry point (cumulative; parts overlap, e.g. signature
	// checks are inside CheckTx and FinalizeBlock).
	ProfileBreakdown []Share `json:"profile_breakdown,omitempty"`
	// BankProfileBreakdown is the same for a profile of the bank window.
	BankProfileBreakdown []Share `json:"bank_profile_breakdown,omitempty"`
}

// Machine describes where the bench ran.
type Machine struct {
	NProc     int     `json:"nproc"`
	CPUModel  string  `json:"cpu_model"`
	RAMGiB    float64 `json:"ram_gib"`
	GoVersion string  `json:"go_version"`
	OS        string  `json:"os"`
	// LoadAvg is /proc/loadavg when the run started (other work on the machine).
	LoadAvg string `json:"loadavg_at_start"`
}

// Config is the load generator's and the nodes' configuration.
type Config struct {
	Accounts       int               `json:"accounts"`
	BankSenders    int               `json:"bank_senders"`
	Devices        int               `json:"devices"`
	LiveTasks      int               `json:"live_tasks_per_device"`
	ItemsPerTask   uint64            `json:"items_per_task"`
	Difficulty     uint              `json:"hashcash_difficulty_bits"`
	LargeTasks     int               `json:"large_tasks"`
	LargeItems     uint64            `json:"large_task_items"`
	Outstanding    int               `json:"outstanding_txs"`
	BankWarmupS    float64           `json:"bank_warmup_s"`
	BankWindowS    float64           `json:"bank_window_s"`
	ComputeWarmupS float64           `json:"compute_warmup_s"`
	ComputeWindowS float64           `json:"compute_window_s"`
	QueryClients   int               `json:"query_clients"`
	QueryRate      float64           `json:"query_offered_qps"`
	QuerySeconds   float64           `json:"query_seconds"`
	FeePerTx       int64             `json:"fee_ushift_per_tx"`
	GasLimits      map[string]int    `json:"gas_limits"`
	NodeConfig     map[string]string `json:"node_config"`
}

// WindowStats are the committed blocks of one measurement window.
type WindowStats struct {
	FromHeight          int64                `json:"from_height"`
	ToHeight            int64                `json:"to_height"`
	Blocks              int                  `json:"blocks"`
	ChainSeconds        float64              `json:"chain_seconds"`
	TxsOK               int                  `json:"txs_ok"`
	TxsFailed           int                  `json:"txs_failed"`
	TPS                 float64              `json:"tps"`
	BlockIntervalMedian float64              `json:"block_interval_median_s"`
	BlockIntervalMax    float64              `json:"block_interval_max_s"`
	TxsPerBlockMedian   int                  `json:"txs_per_block_median"`
	ItemsVerified       int64                `json:"items_verified,omitempty"`
	ByKind              map[string]KindStats `json:"by_kind"`
	// Series is every block of the window: height, seconds since the window's
	// first block, txs, successful txs of the workload.
	Series      [][4]float64 `json:"blocks_series"`
	SignedOnFly int64        `json:"signed_on_the_fly,omitempty"`
	LoadgenCPU  float64      `json:"loadgen_cpu_seconds"`
	// MachineBusy is the share of all cores' time not idle (nor in I/O wait) over the window.
	MachineBusy float64 `json:"machine_busy_share"`
	// MachineIOWait is the share of all cores' time idle waiting for I/O.
	MachineIOWait float64 `json:"machine_iowait_share"`
	nodeCPU       []float64
}

// KindStats are the txs of one kind in a window.
type KindStats struct {
	OK          int     `json:"ok"`
	Failed      int     `json:"failed"`
	GasUsedMean float64 `json:"gas_used_mean"`
	BytesMean   float64 `json:"bytes_mean"`
}

// ComputeStats are the compute workload's figures.
type ComputeStats struct {
	Window                WindowStats    `json:"window"`
	RatioToBank           float64        `json:"tps_ratio_to_bank"`
	TasksVerified         int            `json:"tasks_verified_in_window"`
	TasksVerifiedTotal    int            `json:"tasks_verified_total"`
	ItemsPerSecond        float64        `json:"items_verified_per_chain_second"`
	ItemsPerComputeTx     float64        `json:"items_verified_per_compute_tx"`
	ClaimToPaymentP50     int64          `json:"claim_to_payment_blocks_p50"`
	ClaimToPaymentP99     int64          `json:"claim_to_payment_blocks_p99"`
	LeaseToPaymentP50     int64          `json:"lease_to_payment_blocks_p50"`
	LeaseToPaymentP99     int64          `json:"lease_to_payment_blocks_p99"`
	Failures              map[string]int `json:"failures"`
	LoadgenComputeSeconds float64        `json:"loadgen_compute_seconds"`
}

func (c *ComputeStats) fill(done []TaskRecord, w WindowStats, failures map[string]int) {
	c.TasksVerifiedTotal = len(done)
	c.Failures = failures
	var claim, lease []int64
	for _, t := range done {
		if t.ProofH <= w.FromHeight || t.ProofH > w.ToHeight {
			continue
		}
		c.TasksVerified++
		claim = append(claim, t.ProofH-t.ClaimH)
		lease = append(lease, t.ProofH-t.LeaseH)
	}
	if w.ChainSeconds > 0 {
		c.ItemsPerSecond = float64(w.ItemsVerified) / w.ChainSeconds
	}
	if w.TxsOK > 0 {
		c.ItemsPerComputeTx = float64(w.ItemsVerified) / float64(w.TxsOK)
	}
	if len(claim) > 0 {
		slices.Sort(claim)
		slices.Sort(lease)
		c.ClaimToPaymentP50, c.ClaimToPaymentP99 = percentile(claim, 0.5), percentile(claim, 0.99)
		c.LeaseToPaymentP50, c.LeaseToPaymentP99 = percentile(lease, 0.5), percentile(lease, 0.99)
	}
}

// LargeStats are the round of large tasks.
type LargeStats struct {
	FromHeight            int64          `json:"from_height"`
	ToHeight              int64          `json:"to_height"`
	TasksVerified         int            `json:"tasks_verified"`
	ItemsVerified         int64          `json:"items_verified"`
	ComputeTxs            int            `json:"compute_txs"`
	ItemsPerComputeTx     float64        `json:"items_verified_per_compute_tx"`
	ChainSeconds          float64        `json:"chain_seconds"`
	ItemsPerSecond        float64        `json:"items_verified_per_chain_second"`
	ProofGasMean          float64        `json:"proof_gas_used_mean"`
	Failures              map[string]int `json:"failures"`
	LoadgenComputeSeconds float64        `json:"loadgen_compute_seconds"`
	proofs                int
}

// NodeStats are one node's process figures.
type NodeStats struct {
	Index             int     `json:"index"`
	PID               int     `json:"pid"`
	PeakRSSMiB        float64 `json:"peak_rss_mib"`
	CPUSecondsBank    float64 `json:"cpu_seconds_bank_window"`
	CPUSecondsCompute float64 `json:"cpu_seconds_compute_window"`
}

// DiskStats is node0's on-disk growth over the compute run.
type DiskStats struct {
	DataDir           string  `json:"data_dir"`
	FromHeight        int64   `json:"from_height"`
	ToHeight          int64   `json:"to_height"`
	BytesStart        int64   `json:"data_bytes_start"`
	BytesEnd          int64   `json:"data_bytes_end"`
	AppDBStart        int64   `json:"application_db_bytes_start"`
	AppDBEnd          int64   `json:"application_db_bytes_end"`
	TasksVerified     int     `json:"tasks_verified"`
	BytesPerTask      float64 `json:"data_bytes_per_task"`
	AppDBBytesPerTask float64 `json:"application_db_bytes_per_task"`
}

// LoadgenStats are the load generator's own figures.
type LoadgenStats struct {
	CPUSecondsBank     float64 `json:"cpu_seconds_bank_window"`
	CPUSecondsCompute  float64 `json:"cpu_seconds_compute_window"`
	MempoolFullRetries int64   `json:"mempool_full_retries"`
	CheckTxRejected    int64   `json:"checktx_rejected"`
	SequenceResyncs    int64   `json:"sequence_resyncs"`
	LostTxs            int     `json:"lost_txs"`
	LastCheckTxError   string  `json:"last_checktx_error,omitempty"`
}

type sizes struct{ data, appDB int64 }

func dirSizes(home string) sizes {
	var s sizes
	data := filepath.Join(home, "data")
	_ = filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		s.data += info.Size()
		if strings.HasPrefix(path, filepath.Join(data, "application.db")+string(filepath.Separator)) {
			s.appDB += info.Size()
		}
		return nil
	})
	return s
}

func diskStats(home string, start, end sizes, done []TaskRecord, h0, h1 int64) DiskStats {
	d := DiskStats{DataDir: filepath.Join(home, "data"), FromHeight: h0, ToHeight: h1,
		BytesStart: start.data, BytesEnd: end.data, AppDBStart: start.appDB, AppDBEnd: end.appDB}
	for _, t := range done {
		if t.ProofH > h0 && t.ProofH <= h1 {
			d.TasksVerified++
		}
	}
	if d.TasksVerified > 0 {
		d.BytesPerTask = float64(end.data-start.data) / float64(d.TasksVerified)
		d.AppDBBytesPerTask = float64(end.appDB-start.appDB) / float64(d.TasksVerified)
	}
	return d
}

func machine() Machine {
	m := Machine{NProc: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	if bz, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = strings.TrimSpace(string(bz))
	}
	if kb := procField("/proc/meminfo", "MemTotal:"); kb > 0 {
		m.RAMGiB = float64(kb) / (1 << 20)
	}
	return m
}

// procField reads a "Key: N kB" line.
func procField(file, key string) int64 {
	bz, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(bz), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line[len(key):])
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

func vmHWM(pid int) float64 {
	return float64(procField(fmt.Sprintf("/proc/%d/status", pid), "VmHWM:")) / 1024
}

// procCPU is a process's user+system CPU seconds.
func procCPU(pid int) float64 {
	bz, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(bz)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

// machineTicks returns the cumulative busy, iowait and total ticks of all cores (/proc/stat).
func machineTicks() (busy, iowait, total float64) {
	bz, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, 0
	}
	line, _, _ := strings.Cut(string(bz), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, 0
	}
	var v []float64
	for _, x := range f[1:] {
		n, _ := strconv.ParseFloat(x, 64)
		v = append(v, n)
	}
	for i, n := range v {
		if i < 8 { // user nice system idle iowait irq softirq steal; guest is inside user
			total += n
		}
	}
	return total - v[3] - v[4], v[4], total
}

// selfCPU is the CPU of the load generator and of its finished children (the
// query processes).
func selfCPU() float64 {
	total := 0.0
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			continue
		}
		tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
		total += tv(ru.Utime) + tv(ru.Stime)
	}
	return total
}

func nodeConfig(home string) map[string]string {
	out := map[string]string{}
	read := func(file string, keys ...string) {
		v := viper.New()
		v.SetConfigFile(filepath.Join(home, "config", file))
		if err := v.ReadInConfig(); err != nil {
			return
		}
		for _, k := range keys {
			out[file+" "+k] = v.GetString(k)
		}
	}
	read("config.toml", "consensus.timeout_commit", "mempool.type", "mempool.size", "db_backend", "tx_index.indexer")
	read("app.toml", "pruning", "state-sync.snapshot-interval", "minimum-gas-prices", "telemetry.enabled", "app-db-backend")
	// chain.sh starts the nodes with BENCH_NODE_ENV (e.g. GOMAXPROCS) and passes it on to us.
	if env := os.Getenv("BENCH_NODE_ENV"); env != "" {
		out["node environment"] = env
	}
	return out
}

func configOf(c RunConfig) Config {
	return Config{
		Accounts: c.Accounts, BankSenders: c.Accounts - 1 - c.Devices, Devices: c.Devices, LiveTasks: c.Live,
		ItemsPerTask: c.ItemsPerTask, Difficulty: c.Difficulty, LargeTasks: c.LargeTasks, LargeItems: c.LargeItems,
		Outstanding: c.Outstanding, BankWarmupS: c.BankWarmup.Seconds(), BankWindowS: c.BankWindow.Seconds(),
		ComputeWarmupS: c.ComputeWarmup.Seconds(), ComputeWindowS: c.ComputeWindow.Seconds(),
		QueryClients: c.QueryClients, QueryRate: c.QueryRate, QuerySeconds: c.QueryDur.Seconds(), FeePerTx: c.Fee,
		GasLimits: map[string]int{"bank_send": gasBank, "register_device": gasRegister, "post_job": gasPostJob,
			"lease": gasLease, "claim": gasClaim, "proof": gasProof},
	}
}

// Write writes prefix.json and prefix.md.
func (r *Results) Write(prefix string) error {
	bz, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(prefix+".json", append(bz, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(prefix+".md", []byte(r.Markdown()), 0o644)
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
	p("| compute TPS at saturation (lease + claim + proof) | %.1f tx/s over %d blocks, %.1f s chain time |\n", r.Compute.Window.TPS, r.Compute.Window.Blocks, r.Compute.Window.ChainSeconds)
	p("| compute TPS / bank TPS | %.2f |\n", r.Compute.RatioToBank)
	p("| compute block interval (median / max) | %.2f s / %.2f s, %d txs per block (median) |\n", r.Compute.Window.BlockIntervalMedian, r.Compute.Window.BlockIntervalMax, r.Compute.Window.TxsPerBlockMedian)
	p("| verified items per second of chain time (%d-item tasks) | %.0f (%d tasks verified in the window) |\n", r.Config.ItemsPerTask, r.Compute.ItemsPerSecond, r.Compute.TasksVerified)
	p("| verified items per compute tx (%d-item tasks) | %.0f |\n", r.Config.ItemsPerTask, r.Compute.ItemsPerComputeTx)
	p("| verified items per compute tx (%d-item tasks) | %.0f (%d tasks, %.0f items/s of chain time) |\n", r.Config.LargeItems, r.Large.ItemsPerComputeTx, r.Large.TasksVerified, r.Large.ItemsPerSecond)
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
	}{{"bank", r.Bank}, {"compute", r.Compute.Window}} {
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
	p("- Queries: %d clients, %.0f q/s offered, %.0f s each, gRPC `cosmos.bank.v1beta1.Query/Balance` on node0", r.Config.QueryClients, r.Config.QueryRate, r.Config.QuerySeconds)
	if len(r.QueryNode) > 0 {
		p(" and then on a query node: a full node that follows the chain but is not a validator and has no mempool (`mempool.type = \"nop\"`), as exchanges run one (its CPU is under other processes)")
	}
	p("; each phase is its own client process.\n")
	p("- Fixed fee %dushift per tx; gas limits %v.\n", r.Config.FeePerTx, r.Config.GasLimits)
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
