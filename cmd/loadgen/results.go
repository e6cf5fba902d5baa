package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"

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

	Bank    WindowStats  `json:"bank"`
	Compute ComputeStats `json:"compute"`
	Large   LargeStats   `json:"large_tasks"`
	// Wasm is the wasm workload's window (zero when it did not run) and
	// WasmSetup its program and job.
	Wasm          ComputeStats `json:"wasm"`
	WasmSetup     *WasmSetup   `json:"wasm_setup,omitempty"`
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
	Accounts         int            `json:"accounts"`
	BankSenders      int            `json:"bank_senders"`
	Devices          int            `json:"devices"`
	LiveTasks        int            `json:"live_tasks_per_device"`
	ItemsPerTask     uint64         `json:"items_per_task"`
	Difficulty       uint           `json:"hashcash_difficulty_bits"`
	LargeTasks       int            `json:"large_tasks"`
	LargeItems       uint64         `json:"large_task_items"`
	Outstanding      int            `json:"outstanding_txs"`
	BankWarmupS      float64        `json:"bank_warmup_s"`
	BankWindowS      float64        `json:"bank_window_s"`
	ComputeWarmupS   float64        `json:"compute_warmup_s"`
	ComputeWindowS   float64        `json:"compute_window_s"`
	WasmItemsPerTask uint64         `json:"wasm_items_per_task,omitempty"`
	WasmWarmupS      float64        `json:"wasm_warmup_s,omitempty"`
	WasmWindowS      float64        `json:"wasm_window_s,omitempty"`
	QueryClients     int            `json:"query_clients"`
	QueryRate        float64        `json:"query_offered_qps"`
	QuerySeconds     float64        `json:"query_seconds"`
	FeePerTx         int64          `json:"fee_ushift_per_tx"`
	GasLimits        map[string]int `json:"gas_limits"`
	// BatchGasAdjustment multiplies the learned gas of batch txs (2+ elements).
	BatchGasAdjustment float64 `json:"batch_gas_adjustment"`
	// BlockMaxGas is the chain's consensus block gas limit, read from node0.
	BlockMaxGas int64             `json:"block_max_gas"`
	NodeConfig  map[string]string `json:"node_config"`
}

// WindowStats are the committed blocks of one measurement window.
type WindowStats struct {
	FromHeight          int64   `json:"from_height"`
	ToHeight            int64   `json:"to_height"`
	Blocks              int     `json:"blocks"`
	ChainSeconds        float64 `json:"chain_seconds"`
	TxsOK               int     `json:"txs_ok"`
	TxsFailed           int     `json:"txs_failed"`
	TPS                 float64 `json:"tps"`
	BlockIntervalMedian float64 `json:"block_interval_median_s"`
	BlockIntervalMax    float64 `json:"block_interval_max_s"`
	TxsPerBlockMedian   int     `json:"txs_per_block_median"`
	// Block fill: the median block's gas wanted and gas used (all txs), of
	// the block gas limit (app.BlockMaxGas) that bounds gas wanted.
	GasWantedPerBlockMedian int64                `json:"gas_wanted_per_block_median"`
	GasUsedPerBlockMedian   int64                `json:"gas_used_per_block_median"`
	ItemsVerified           int64                `json:"items_verified,omitempty"`
	ByKind                  map[string]KindStats `json:"by_kind"`
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
	TasksPerSecond        float64        `json:"tasks_verified_per_chain_second"`
	TasksRatioToBank      float64        `json:"tasks_per_second_ratio_to_bank_tps"`
	ProofBytesPerTask     float64        `json:"proof_tx_bytes_per_task"`
	Batch                 int            `json:"batch"`
	Speculate             bool           `json:"speculative_lease_and_claim"`
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
		c.TasksPerSecond = float64(c.TasksVerified) / w.ChainSeconds
	}
	if ks, ok := w.ByKind[KindProof.String()]; ok && c.TasksVerified > 0 {
		c.ProofBytesPerTask = ks.BytesMean * float64(ks.OK+ks.Failed) / float64(c.TasksVerified)
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
