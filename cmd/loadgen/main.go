// Command loadgen is the chain bench of issue 7: it patches funded bench
// accounts into a genesis before the nodes start, then drives running nodes
// with a bank-send baseline and the compute workload (lease → claim → proof,
// many devices in parallel), with gRPC query load on the side, and writes the
// figures as JSON and markdown. scripts/bench/chain.sh runs it; see there.
//
//	loadgen genesis --seed S --accounts N FILE...   patch identical genesis files in place
//	loadgen run --rpc URL,... --grpc ADDR,... ...   run the workloads, write --out.{json,md}
//	loadgen summary --out FILE RESULT.json...       the topologies side by side, with the targets
//	loadgen query --grpc ADDR ...                   one query phase, QueryStats as JSON (run starts it)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof" // --debug-addr
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cosmossdk.io/math"
)

func main() {
	log.SetFlags(log.Ltime)
	log.SetPrefix("loadgen ")
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "genesis":
		err = genesisCmd(os.Args[2:])
	case "run":
		err = runCmd(os.Args[2:])
	case "summary":
		err = summaryCmd(os.Args[2:])
	case "query":
		err = queryCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		log.Fatal(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen genesis [flags] GENESIS.json...  |  loadgen run [flags]  |  loadgen summary --out FILE RESULT.json...  |  loadgen query [flags]   (-h for flags)")
	os.Exit(2)
}

func genesisCmd(args []string) error {
	fs := flag.NewFlagSet("genesis", flag.ExitOnError)
	p := GenesisPatch{}
	balance := fs.String("balance", "1000000000000", "ushift per bench account")
	fs.StringVar(&p.Seed, "seed", "bench", "key derivation seed")
	fs.IntVar(&p.Accounts, "accounts", 1300, "bench accounts to add")
	fs.IntVar(&p.Requester, "requester", 0, "index of the account approved as requester (-1: none)")
	live := fs.Uint("max-live-tasks", 0, "set compute max_live_tasks_per_device (0: keep)")
	fs.Uint64Var(&p.MaxTaskItems, "max-task-items", 0, "set compute max_task_items (0: keep)")
	fs.Int64Var(&p.BlockMaxGas, "block-max-gas", 0, "set the consensus block max_gas (0: keep the binary's app.BlockMaxGas)")
	changesOut := fs.String("changes-out", "", "write the list of changes (JSON) here")
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		return fmt.Errorf("genesis: name the genesis files to patch")
	}
	var ok bool
	if p.Balance, ok = math.NewIntFromString(*balance); !ok {
		return fmt.Errorf("--balance %q is not an integer", *balance)
	}
	p.MaxLiveTasksPerDevice = uint32(*live)
	codecs, err := NewCodecs()
	if err != nil {
		return err
	}
	before, err := PatchGenesisFiles(codecs.Codec, fs.Args(), p)
	if err != nil {
		return err
	}
	changes := p.Changes(before)
	for _, c := range changes {
		log.Printf("genesis: %s", c)
	}
	if *changesOut != "" {
		bz, _ := json.Marshal(changes)
		return os.WriteFile(*changesOut, bz, 0o644)
	}
	return nil
}

func runCmd(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var c RunConfig
	rpc := fs.String("rpc", "http://127.0.0.1:26657", "CometBFT RPC URLs, one per node, comma-separated")
	grpcs := fs.String("grpc", "127.0.0.1:9090", "gRPC addresses, one per node, comma-separated")
	pids := fs.String("pids", "", "node process ids (RSS, CPU), comma-separated")
	changes := fs.String("changes", "", "file written by `loadgen genesis --changes-out`")
	debugAddr := fs.String("debug-addr", "", "serve the load generator's own pprof here (e.g. 127.0.0.1:6061)")
	fs.StringVar(&c.Topology, "topology", "1 validator", "label of the topology")
	fs.StringVar(&c.ChainID, "chain-id", "nightshift-localnet-1", "chain id")
	fs.StringVar(&c.Home0, "home0", "", "node0's home (disk growth, config)")
	fs.StringVar(&c.Seed, "seed", "bench", "key derivation seed (as given to genesis)")
	fs.IntVar(&c.Accounts, "accounts", 1300, "bench accounts (as given to genesis)")
	fs.IntVar(&c.Requester, "requester", 0, "requester account index")
	fs.IntVar(&c.Devices, "devices", 256, "devices")
	fs.IntVar(&c.Live, "live", 16, "live tasks per device")
	fs.IntVar(&c.Batch, "batch", 1, "tasks per lease, claim and proof tx (MsgLeaseTasks, MsgSubmitClaims, MsgSubmitProofs); 1: one tx per step and task")
	fs.Float64Var(&c.BatchGasAdjustment, "batch-gas-adjustment", gasAdjustment, "gas limit of a batch tx (2 or more elements) = this × the most gas such a tx was seen to use; single-message txs keep the worker's 1.5")
	fs.BoolVar(&c.Speculate, "speculate", false, "compute each task before leasing it and lease+claim in one MsgLeaseAndClaim of up to --batch tasks (one job per device, so the next task is predictable); proofs batched as --batch")
	fs.IntVar(&c.Jobs, "jobs", 40, "jobs to post for the compute window")
	fs.Uint64Var(&c.ItemsPerTask, "items-per-task", 1024, "items per task")
	fs.UintVar(&c.Difficulty, "difficulty", 1, "hashcash difficulty_bits")
	fs.IntVar(&c.LargeTasks, "large-tasks", 32, "tasks in the large-task round (0: skip)")
	fs.Uint64Var(&c.LargeItems, "large-items", 65536, "items per large task")
	fs.IntVar(&c.WasmJobs, "wasm-jobs", 8, "wasm jobs to post for the wasm window")
	fs.Uint64Var(&c.WasmItemsPerTask, "wasm-items-per-task", 64, "items per wasm task")
	fs.UintVar(&c.WasmSteps, "wasm-steps", 64, "montecarlo tree steps per path (the wasm workload's items)")
	fs.UintVar(&c.WasmPaths, "wasm-paths", 16, "montecarlo paths per item")
	fs.DurationVar(&c.WasmWarmup, "wasm-warmup", 20*time.Second, "wasm load before its window; task slots open evenly over it")
	fs.DurationVar(&c.WasmWindow, "wasm-window", 40*time.Second, "wasm measurement window (0: no wasm workload)")
	fs.IntVar(&c.BankPerSender, "bank-presign", 40, "pre-signed sends per bank sender")
	fs.IntVar(&c.Outstanding, "outstanding", 3000, "txs kept accepted but not yet in a block (the mempool holds 5000)")
	fs.DurationVar(&c.BankWarmup, "bank-warmup", 5*time.Second, "bank load before the window")
	fs.DurationVar(&c.BankWindow, "bank-window", 40*time.Second, "bank measurement window")
	fs.DurationVar(&c.ComputeWarmup, "compute-warmup", 25*time.Second, "compute load before the window; task slots open evenly over it")
	fs.DurationVar(&c.ComputeWindow, "compute-window", 60*time.Second, "compute measurement window")
	fs.DurationVar(&c.Drain, "drain", 60*time.Second, "longest wait for tasks in flight after a window")
	fs.IntVar(&c.QueryClients, "query-clients", 8, "concurrent gRPC query clients")
	fs.Float64Var(&c.QueryRate, "query-rate", 200, "offered queries per second (all clients)")
	fs.DurationVar(&c.QueryDur, "query-duration", 10*time.Second, "length of each query phase")
	fs.DurationVar(&c.QueryAt, "query-at", 20*time.Second, "start of the loaded query phase into the compute window")
	fs.StringVar(&c.PprofURL, "pprof", "", "node0's pprof base URL (e.g. http://127.0.0.1:6060); empty: no profile")
	fs.DurationVar(&c.PprofAt, "pprof-at", 5*time.Second, "start of the CPU profile into the compute window")
	fs.IntVar(&c.PprofSeconds, "pprof-seconds", 20, "CPU profile length")
	fs.StringVar(&c.QueryRPC, "query-rpc", "", "RPC URL of a non-validating query node (with --query-grpc)")
	fs.StringVar(&c.QueryGRPC, "query-grpc", "", "gRPC address of a non-validating query node: the query phases also run there")
	fs.StringVar(&c.TraceOut, "trace-out", "", "save a 3 s execution trace of node0 from the middle of the loaded query phase (diagnosis: it slows the node)")
	fs.StringVar(&c.Binary, "binary", "", "nightshiftd binary (pprof symbols)")
	fs.StringVar(&c.ProfileOut, "profile-out", "", "append the profile's top functions to this file")
	fs.StringVar(&c.ProfileRaw, "profile-raw", "", "keep the raw CPU profile in this file")
	fs.Int64Var(&c.Fee, "fee", 1000, "fee in ushift per tx, raised to gas × the chain's min_gas_price when that is more")
	fs.StringVar(&c.Out, "out", "chain-bench", "results prefix: writes PREFIX.json and PREFIX.md")
	fs.StringVar(&c.Command, "command", "", "the command to record as how to reproduce")
	_ = fs.Parse(args)
	c.RPC = strings.Split(*rpc, ",")
	c.GRPC = strings.Split(*grpcs, ",")
	if len(c.RPC) != len(c.GRPC) {
		return fmt.Errorf("%d RPC URLs but %d gRPC addresses", len(c.RPC), len(c.GRPC))
	}
	if *pids != "" {
		for _, s := range strings.Split(*pids, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("--pids: %w", err)
			}
			c.PIDs = append(c.PIDs, n)
		}
	}
	if *changes != "" {
		bz, err := os.ReadFile(*changes)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(bz, &c.GenesisChanges); err != nil {
			return err
		}
	}
	if *debugAddr != "" {
		go func() { log.Print(http.ListenAndServe(*debugAddr, nil)) }()
	}
	if c.Command == "" {
		c.Command = "loadgen run " + strings.Join(args, " ")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, c)
}

func summaryCmd(args []string) error {
	fs := flag.NewFlagSet("summary", flag.ExitOnError)
	out := fs.String("out", "", "markdown file to write (default: stdout)")
	_ = fs.Parse(args)
	md, err := Summary(fs.Args())
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.WriteString(md)
		return err
	}
	return os.WriteFile(*out, []byte(md), 0o644)
}
