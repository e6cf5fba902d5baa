package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/viper"
)

// RunConfig is everything `loadgen run` needs.
type RunConfig struct {
	Topology  string
	ChainID   string
	RPC, GRPC []string
	PIDs      []int
	Home0     string // node0's home: data dir size, app.toml
	Seed      string
	Accounts  int
	Requester int
	Devices   int
	Live      int
	Batch     int // tasks per lease, claim and proof tx
	Speculate bool
	// BatchGasAdjustment multiplies the learned gas of batch txs (gaslimit.go).
	BatchGasAdjustment float64
	Jobs               int
	ItemsPerTask       uint64
	Difficulty         uint
	LargeTasks         int
	LargeItems         uint64

	// The wasm workload (wasmrun.go): the montecarlo example, WasmWindow 0 skips it.
	WasmJobs         int
	WasmItemsPerTask uint64
	WasmSteps        uint
	WasmPaths        uint
	WasmWarmup       time.Duration
	WasmWindow       time.Duration

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

func configOf(c RunConfig) Config {
	return Config{
		Accounts: c.Accounts, BankSenders: c.Accounts - 1 - c.Devices, Devices: c.Devices, LiveTasks: c.Live,
		ItemsPerTask: c.ItemsPerTask, Difficulty: c.Difficulty, LargeTasks: c.LargeTasks, LargeItems: c.LargeItems,
		Outstanding: c.Outstanding, BankWarmupS: c.BankWarmup.Seconds(), BankWindowS: c.BankWindow.Seconds(),
		ComputeWarmupS: c.ComputeWarmup.Seconds(), ComputeWindowS: c.ComputeWindow.Seconds(),
		WasmItemsPerTask: c.WasmItemsPerTask, WasmWarmupS: c.WasmWarmup.Seconds(), WasmWindowS: c.WasmWindow.Seconds(),
		QueryClients: c.QueryClients, QueryRate: c.QueryRate, QuerySeconds: c.QueryDur.Seconds(), FeePerTx: c.Fee,
		GasLimits: map[string]int{"bank_send": gasBank, "register_device": gasRegister, "post_job": gasPostJob,
			"lease": gasLease, "claim": gasClaim, "proof": gasProof, "store_program": gasStoreProgram},
		BatchGasAdjustment: c.BatchGasAdjustment,
	}
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
