package main

// The wasm workload: an example program stored once, wasm jobs over it, and
// devices leasing, computing, claiming and proving their tasks exactly as in
// the hashcash workload. The spec is built by programjob.Build (what
// `nightshiftd requester post-program` posts) and items run through
// kinds.WasmSpec.Bind on a program.Engine, the code a worker's pool runs and
// validators verify with.

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/programjob"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// gasStoreProgram is MsgStoreProgram's gas limit: validation is 4 gas per
// byte (keeper.ProgramGasPerByte), the examples are a few kB.
const gasStoreProgram = 2_000_000

// WasmWorkload is the program job the wasm window posts.
type WasmWorkload struct {
	Program string // an example's name (pkg/examples/catalog)
	Params  []byte
}

// MonteCarloWorkload is the default wasm workload: the montecarlo example's
// European call with paths items of steps steps each (about 89 fuel per step
// per path, plus 8,192 for the instance's memory): small items, so the chain
// and not the load generator's 2 cores bound the rate, as difficulty 1 does
// for hashcash. Job j prices the strike 100 + j: the chain keeps one live job
// per computation (identical wasm specs are refused), so each job differs.
func MonteCarloWorkload(steps, paths uint32, job int) (WasmWorkload, error) {
	p, err := montecarlo.Option{Spot: 100, Strike: 100 + float64(job), Rate: 0.05, Volatility: 0.2, Maturity: 1,
		Steps: steps, PathsPerItem: paths, Style: montecarlo.European}.Params()
	if err != nil {
		return WasmWorkload{}, err
	}
	return WasmWorkload{Program: "montecarlo", Params: p.Encode()}, nil
}

// WasmSetup is what setting up the wasm workload found: for the results.
type WasmSetup struct {
	Program     string `json:"program"`
	ProgramID   string `json:"program_id"`
	Stored      bool   `json:"stored_by_this_run"`
	Params      string `json:"params_hex"`
	Spec        string `json:"spec"`
	MaxFuel     uint64 `json:"measured_max_fuel_per_item"`
	FuelLimit   uint64 `json:"fuel_limit_per_item"`
	ProofGas    uint64 `json:"proof_gas_limit"`
	MaxItemWork uint64 `json:"max_work_per_item"`
}

// StoreExample stores the named example program unless the chain has it, and
// returns its record and whether this call stored it.
func (g *Gen) StoreExample(ctx context.Context, sender *Account, name string) (catalog.Program, computetypes.Program, bool, error) {
	ex, ok := catalog.Programs[name]
	if !ok {
		return ex, computetypes.Program{}, false, fmt.Errorf("no example program %q (%v)", name, catalog.Names())
	}
	id := programjob.Program{ID: ex.ID()}.IDHex()
	q := g.Nodes[0].Compute
	res, err := q.Program(ctx, &computetypes.QueryProgramRequest{Id: id})
	if err == nil {
		return ex, res.Program, false, nil
	}
	if status.Code(err) != codes.NotFound {
		return ex, computetypes.Program{}, false, fmt.Errorf("query program %s: %w", id, err)
	}
	out, err := g.SendAndWait(ctx, sender, KindSetup, gasStoreProgram, &computetypes.MsgStoreProgram{Sender: sender.Bech32, Code: ex.Wasm})
	if err != nil {
		return ex, computetypes.Program{}, false, err
	}
	if !out.OK() {
		return ex, computetypes.Program{}, false, fmt.Errorf("store program %s: code %d lost=%v: %s", name, out.Code, out.Lost, out.Log)
	}
	// The node answers queries from its last committed state, which may not
	// yet be the block the store went into: wait for the next.
	for range 20 {
		if err := g.Tracker.WaitHeight(ctx, out.Height+1); err != nil {
			return ex, computetypes.Program{}, false, err
		}
		if res, err = q.Program(ctx, &computetypes.QueryProgramRequest{Id: id}); err == nil {
			return ex, res.Program, true, nil
		}
		sleep(ctx, 500*time.Millisecond)
	}
	return ex, computetypes.Program{}, false, fmt.Errorf("query program %s after storing it at height %d: %w", id, out.Height, err)
}

// WasmPlan is a checked wasm job, bound to its program for computing items.
type WasmPlan struct {
	Encoded  []byte
	Spec     *kinds.WasmSpec
	Bound    *kinds.WasmProgram
	MaxFuel  uint64
	ProofGas uint64
}

// PlanWasm builds the job's spec as post-program does (running a sample of
// items locally on engine and checking it against params) and binds it to the
// program's code: a proof's gas limit is gasProof plus every sample at the
// job's bound, which the keeper requires to be left before it re-runs them.
func PlanWasm(ctx context.Context, engine *program.Engine, ex catalog.Program, rec computetypes.Program, w WasmWorkload,
	items uint64, params computetypes.Params,
) (WasmPlan, error) {
	exCopy := ex
	plan, err := programjob.Build(ctx, engine, programjob.Request{
		Program: programjob.Program{ID: ex.ID(), Code: ex.Wasm, Example: &exCopy},
		Record:  rec, Params: w.Params, Items: items,
	}, programjob.LimitsOf(params))
	if err != nil {
		return WasmPlan{}, err
	}
	bound := plan.Spec.Bind(ex.Wasm, engine, max(params.GasPerKilofuel, 1))
	return WasmPlan{Encoded: plan.Encoded, Spec: plan.Spec, Bound: bound, MaxFuel: plan.MaxFuel,
		ProofGas: gasProof + uint64(params.ProofSamples)*bound.MaxWorkPerItem()}, nil
}

// PostWasmJobs posts a job of each plan, items items cut into tasks of
// itemsPerTask, in one tx of the requester.
func (g *Gen) PostWasmJobs(ctx context.Context, requester *Account, plans []WasmPlan, items, itemsPerTask uint64) ([]*Job, error) {
	n := len(plans)
	msgs := make([]sdk.Msg, n)
	for i, plan := range plans {
		msgs[i] = &computetypes.MsgPostJob{Requester: requester.Bech32, Kind: kinds.WasmKindName, Spec: string(plan.Encoded), Items: items,
			ItemsPerTask: itemsPerTask, PricePerItem: math.NewInt(1), DeadlineBlocks: 100_000}
	}
	out, err := g.SendAndWait(ctx, requester, KindSetup, gasPostJob*uint64(n), msgs...)
	if err != nil {
		return nil, err
	}
	if !out.OK() {
		return nil, fmt.Errorf("post %d wasm jobs: code %d lost=%v: %s", n, out.Code, out.Lost, out.Log)
	}
	resps, err := g.msgResponses(out.Data)
	if err != nil {
		return nil, err
	}
	if len(resps) != n {
		return nil, fmt.Errorf("%d responses to %d wasm jobs", len(resps), n)
	}
	jobs := make([]*Job, len(resps))
	for i, r := range resps {
		var res computetypes.MsgPostJobResponse
		if err := proto.Unmarshal(r, &res); err != nil {
			return nil, err
		}
		jobs[i] = &Job{ID: res.JobId, Items: items, ItemsPerTask: itemsPerTask, NumTasks: (items + itemsPerTask - 1) / itemsPerTask,
			Spec: plans[i].Bound, ProofGas: plans[i].ProofGas}
	}
	return jobs, nil
}

// setupOf describes the workload for the results.
func (p WasmPlan) setupOf(name string, stored bool, w WasmWorkload) WasmSetup {
	return WasmSetup{Program: name, ProgramID: hex.EncodeToString(p.Spec.Program[:]), Stored: stored,
		Params: hex.EncodeToString(w.Params), Spec: string(p.Encoded), MaxFuel: p.MaxFuel, FuelLimit: p.Spec.FuelLimit,
		ProofGas: p.ProofGas, MaxItemWork: p.Bound.MaxWorkPerItem()}
}
