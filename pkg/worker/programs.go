package worker

// Kind wasm on the worker: program code fetched by id from the chain and
// checked against it, run by one program.Engine for the process (the very
// runtime validators verify with), at the chain's gas_per_kilofuel (kinds.WasmItemWork).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ErrProgramHash: the chain's node answered code whose sha256 is not the id
// asked for (a faulty or lying node); the worker runs nothing of it.
var ErrProgramHash = errors.New("program code does not hash to its id")

// ProgramEngineCache is how many compiled programs the worker keeps in memory.
const ProgramEngineCache = 8

// Programs runs the wasm jobs of one worker process.
type Programs struct {
	query  types.QueryClient
	cache  *ProgramCache
	engine *program.Engine

	mu     sync.Mutex
	params *wasmParams
	fuel   map[[32]byte]*fuelStat // measured on this device, by program
}

// wasmParams are the chain's params a worker needs for programs, read once
// per process (a change applies at the next start).
type wasmParams struct {
	gasPerKilofuel uint64
	maxInputBytes  uint32
}

// fuelStat is the fuel the items of one program took here.
type fuelStat struct{ items, fuel atomic.Uint64 }

// NewPrograms returns the wasm runner: code cached in cache, compiled by a
// new engine (the compiler where wazero has one).
func NewPrograms(query types.QueryClient, cache *ProgramCache) *Programs {
	return &Programs{
		query: query, cache: cache,
		engine: program.NewEngine(program.EngineConfig{CacheEntries: ProgramEngineCache}),
		fuel:   map[[32]byte]*fuelStat{},
	}
}

// Close releases the engine.
func (p *Programs) Close() error { return p.engine.Close() }

func (p *Programs) chainParams(ctx context.Context) (wasmParams, error) {
	p.mu.Lock()
	cached := p.params
	p.mu.Unlock()
	if cached != nil {
		return *cached, nil
	}
	res, err := p.query.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return wasmParams{}, unavailable(err)
	}
	wp := wasmParams{gasPerKilofuel: max(res.Params.GasPerKilofuel, 1), maxInputBytes: res.Params.MaxItemInputBytes}
	p.mu.Lock()
	p.params = &wp
	p.mu.Unlock()
	return wp, nil
}

// Code returns program id's code: from the disk cache, or from the chain,
// checked to hash to id before it is kept or run.
func (p *Programs) Code(ctx context.Context, id [32]byte) ([]byte, error) {
	if code, ok := p.cache.Load(id); ok {
		return code, nil
	}
	res, err := p.query.ProgramCode(ctx, &types.QueryProgramCodeRequest{Id: hex.EncodeToString(id[:])})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("program %x is not stored on chain", id[:4])
		}
		return nil, unavailable(err)
	}
	if sha256.Sum256(res.Code) != id {
		return nil, fmt.Errorf("%w: program %x: the node sent %d bytes hashing to %x", ErrProgramHash, id[:4], len(res.Code), sha256.Sum256(res.Code))
	}
	if err := p.cache.Save(id, res.Code); err != nil {
		return nil, fmt.Errorf("cache program %x: %w", id[:4], err)
	}
	return res.Code, nil
}

func (p *Programs) stat(id [32]byte) *fuelStat {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.fuel[id]
	if !ok {
		s = &fuelStat{}
		p.fuel[id] = s
	}
	return s
}

// rankSpec is a wasm job as ranking sees it: bounds and expected fuel, no code.
func (p *Programs) rankSpec(ws *kinds.WasmSpec, params wasmParams) *wasmJob {
	return &wasmJob{spec: ws, gasPerKilofuel: params.gasPerKilofuel, fuel: p.stat(ws.Program)}
}

// bind is a wasm job ready to compute items [first, first+len(inputs)) (or
// any item, for a job without an input root).
func (p *Programs) bind(ctx context.Context, ws *kinds.WasmSpec, first uint64, inputs [][]byte) (*wasmJob, error) {
	params, err := p.chainParams(ctx)
	if err != nil {
		return nil, err
	}
	code, err := p.Code(ctx, ws.Program)
	if err != nil {
		return nil, err
	}
	j := p.rankSpec(ws, params)
	j.prog, j.first, j.inputs = ws.Bind(code, p.engine, params.gasPerKilofuel), first, inputs
	return j, nil
}

// wasmJob is a wasm job's spec on the worker: the chain's bounds, the fuel
// its items took here so far and, once bound, the program and the task's
// inputs, which ComputeOutput hands each item (so the pool runs it like any
// kind).
type wasmJob struct {
	spec           *kinds.WasmSpec
	gasPerKilofuel uint64
	fuel           *fuelStat

	prog   *kinds.WasmProgram // nil while ranking
	first  uint64
	inputs [][]byte // items first… of a job with an input root
}

// WasmSpec is the job's parsed spec.
func (j *wasmJob) WasmSpec() *kinds.WasmSpec { return j.spec }

// MaxWorkPerItem is the chain's bound: an item at its fuel_limit.
func (j *wasmJob) MaxWorkPerItem() uint64 {
	return kinds.WasmItemWork(j.spec.FuelLimit, j.gasPerKilofuel)
}

// expectedWork is an item's expected work, from its expected fuel.
func (j *wasmJob) expectedWork() uint64 {
	return kinds.WasmItemWork(j.expectedFuel(), j.gasPerKilofuel)
}

// ReplayKey is the spec's (kinds.WasmSpec.ReplayKey).
func (j *wasmJob) ReplayKey() []byte { return j.spec.ReplayKey() }

// expectedFuel is an item's expected fuel: the mean measured here, else the
// fuel limit (an upper bound).
func (j *wasmJob) expectedFuel() uint64 {
	if n := j.fuel.items.Load(); n > 0 {
		return max(j.fuel.fuel.Load()/n, 1)
	}
	return j.spec.FuelLimit
}

func (j *wasmJob) item(item kinds.Item) (kinds.Item, error) {
	if j.prog == nil {
		return item, errors.New("wasm job not bound to its program")
	}
	if j.spec.HasInputRoot {
		if item.Index < j.first || item.Index-j.first >= uint64(len(j.inputs)) {
			return item, fmt.Errorf("item %d: no input fetched (task inputs are items %d-%d)", item.Index, j.first, j.first+uint64(len(j.inputs))-1)
		}
		item.Input = j.inputs[item.Index-j.first]
	}
	return item, nil
}

// ComputeOutput runs the item with its input and records its fuel.
func (j *wasmJob) ComputeOutput(item kinds.Item) ([]byte, uint64, error) {
	item, err := j.item(item)
	if err != nil {
		return nil, 0, err
	}
	out, fuel, work, err := j.prog.ComputeWithFuel(item)
	if err == nil {
		j.fuel.items.Add(1)
		j.fuel.fuel.Add(fuel)
	}
	return out, work, err
}

// VerifyOutput re-runs the item with its input.
func (j *wasmJob) VerifyOutput(item kinds.Item, output []byte) (uint64, error) {
	item, err := j.item(item)
	if err != nil {
		return 0, err
	}
	return j.prog.VerifyOutput(item, output)
}

var _ kinds.Spec = (*wasmJob)(nil)
