package program

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Call is one item's execution request.
type Call struct {
	JobID, Item    uint64
	Params, Input  []byte
	FuelLimit      uint64 // the job's fuel limit per item (above MaxInt64 counts as MaxInt64)
	MemoryPages    uint32 // the job's memory cap (64 KiB pages)
	MaxOutputBytes uint32
}

// Result is the item's recorded output as ABI v1 defines it (0x00‖output or 0x01‖code)
// and the fuel consumed by all three calls (alloc params, alloc input, run), plus the
// fresh instance's initialization (see README: initial pages, data bytes, table).
type Result struct {
	Output []byte
	Fuel   uint64
}

// EngineConfig selects the wazero engine (the compiler unless Interpreter, where the
// platform supports it) and the size of the compiled-module cache.
// Limits, when set, are applied by Run's validation (zero: structural checks only).
type EngineConfig struct {
	Interpreter  bool
	CacheEntries int
	Limits       Limits
}

// Engine runs instrumented programs; safe for concurrent Run calls. It compiles each
// program once and keeps at most CacheEntries compiled modules (by ID); fuel and output
// never depend on whether the cache was warm.
type Engine struct {
	cfg EngineConfig
	rt  wazero.Runtime

	mu        sync.Mutex
	entries   map[string]*cacheEntry // by the code itself: a hit costs a memcmp, not a sha256
	lru       *list.List             // of *cacheEntry, most recently used first
	idleBytes uint64                 // memory held by idle instances (instance_pool.go)
}

type cacheEntry struct {
	code     string // a copy of the program, the cache key (info.ID is its sha256)
	info     Module
	initFuel uint64 // charged before the first call
	compiled wazero.CompiledModule
	elem     *list.Element
	refs     int         // Runs using compiled now
	evicted  bool        // out of the cache; closed when refs drops to 0
	globals  []string    // export names of the globals an instance's reuse resets
	pristine *pristine   // a fresh instance's state, from the first one instantiated
	idle     []*instance // finished instances restored to pristine, for the next items
}

// closeOnContextDone is whether wazero checks the context on every loop back-edge
// (an indirect call at each loop header, 5-9x on compiled C and Rust). Fuel bounds
// every item, so termination never needs it: off on amd64, where a done context is
// honoured between items (Run). On every other platform it stays on: without it the
// linux/arm64 compiler (wazero v1.12.0, under qemu-user) computes a different output
// and fuel for the proth example than the interpreter and amd64 (README, "Context
// checks"), and with it every engine and architecture agree on the golden vectors.
var closeOnContextDone = runtime.GOARCH != "amd64"

// runtimeConfig enables exactly WebAssembly 1.0 (mutable globals included, which the
// instrumented module exports) plus sign extension, whatever wazero's defaults become.
// Without interpreter it is the compiler where wazero supports the platform (amd64,
// arm64) and the interpreter elsewhere: both give the same outputs and fuel.
func runtimeConfig(interpreter bool) wazero.RuntimeConfig {
	cfg := wazero.NewRuntimeConfig()
	if interpreter {
		cfg = wazero.NewRuntimeConfigInterpreter()
	}
	return cfg.WithCoreFeatures(api.CoreFeaturesV1 | api.CoreFeatureSignExtensionOps).
		WithCloseOnContextDone(closeOnContextDone)
}

// NewEngine starts a wazero runtime with the chosen engine. CacheEntries below 1 is 1.
func NewEngine(cfg EngineConfig) *Engine {
	if cfg.CacheEntries < 1 {
		cfg.CacheEntries = 1
	}
	return &Engine{
		cfg:     cfg,
		rt:      wazero.NewRuntimeWithConfig(context.Background(), runtimeConfig(cfg.Interpreter)),
		entries: make(map[string]*cacheEntry),
		lru:     list.New(),
	}
}

// Close releases the runtime and every compiled module.
func (e *Engine) Close() error {
	return e.rt.Close(context.Background())
}

// acquire returns the compiled module for code, compiling it on a miss, with a
// reference the caller releases.
func (e *Engine) acquire(ctx context.Context, code []byte) (*cacheEntry, error) {
	e.mu.Lock()
	if ent, ok := e.entries[string(code)]; ok {
		ent.refs++
		e.lru.MoveToFront(ent.elem)
		e.mu.Unlock()
		return ent, nil
	}
	e.mu.Unlock()

	m, info, err := checkModule(code, e.cfg.Limits)
	if err != nil {
		return nil, err
	}
	compiled, err := e.rt.CompileModule(ctx, withResetExports(m, instrumentModule(m)).encode())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformedModule, err)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.entries[string(code)]; ok { // compiled concurrently by another Run
		_ = compiled.Close(ctx)
		ent.refs++
		e.lru.MoveToFront(ent.elem)
		return ent, nil
	}
	ent := &cacheEntry{code: string(code), info: info, initFuel: initFuel(m), compiled: compiled, refs: 1}
	for _, idx := range resetGlobals(m) {
		ent.globals = append(ent.globals, globalExportName(idx))
	}
	ent.elem = e.lru.PushFront(ent)
	e.entries[ent.code] = ent
	for e.lru.Len() > e.cfg.CacheEntries {
		old := e.lru.Remove(e.lru.Back()).(*cacheEntry)
		delete(e.entries, old.code)
		old.evicted = true
		e.closeIdle(ctx, old)
		if old.refs == 0 {
			_ = old.compiled.Close(ctx)
		}
	}
	return ent, nil
}

func (e *Engine) release(ctx context.Context, ent *cacheEntry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent.refs--
	if ent.evicted && ent.refs == 0 {
		_ = ent.compiled.Close(ctx)
	}
}

// instanceConfig is every item's module config: anonymous, with no start functions
// (many instances of one module may run at once), and a fixed random source.
// Determinism: the source yields zeros on every node, so even a reader would get the
// same bytes everywhere, and Validate admits no import that could read it (the ABI
// has no random call). Left unset, wazero would seed a math/rand source per
// instance: unused, but 18 % of a 64x64 tile item's CPU (docs/benchmarks.md).
var instanceConfig = wazero.NewModuleConfig().WithName("").WithStartFunctions().WithRandSource(zeroReader{})

// zeroReader reads zeros.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// trapResult is the recorded output of a trapped item.
func trapResult(code byte, fuel uint64) Result {
	return Result{Output: []byte{0x01, code}, Fuel: fuel}
}

// Run validates (cached by ID), instruments, compiles (cached) and runs one item in a
// fresh instance, or in a finished one restored to a fresh instance's state
// (instance_pool.go). A trap, fuel exhaustion, call depth, memory limit or a bad output range
// is a Result (a deterministic output), not an error; errors are for a module that
// fails Validate or a host failure (including ctx being done).
//
// A context already done is an error before anything runs. One that ends during the
// item stops it where closeOnContextDone is set; elsewhere the item runs to its
// result, at most FuelLimit fuel (README, "Context checks": the worst-case wait).
func (e *Engine) Run(ctx context.Context, code []byte, call Call) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("program: run aborted: %w", err)
	}
	ent, err := e.acquire(ctx, code)
	if err != nil {
		return Result{}, err
	}
	defer e.release(ctx, ent)

	limit := call.FuelLimit
	if limit > math.MaxInt64 {
		limit = math.MaxInt64
	}
	memCap := uint64(call.MemoryPages)
	if memCap > maxPages {
		memCap = maxPages
	}
	if uint64(ent.info.MinMemoryPages) > memCap {
		return trapResult(TrapMemoryLimit, 0), nil
	}
	initial := ent.initFuel
	if initial > limit {
		return trapResult(TrapFuelExhausted, limit), nil
	}

	instCtx := ctx
	if !closeOnContextDone { // (memory_pool.go: an instance closed mid-run must not share its buffer)
		instCtx = experimental.WithMemoryAllocator(ctx, pooledAllocator{})
	}
	inst, err := e.takeInstance(instCtx, ent)
	if err != nil {
		return Result{}, err
	}
	inst.fuel.Set(limit - initial)
	inst.memcap.Set(memCap)

	out, trapped, err := runItem(ctx, inst, call)
	remaining := int64(inst.fuel.Get())
	e.putInstance(ctx, ent, inst, err == nil && trapped == 0)
	if err != nil {
		return Result{}, err
	}
	if trapped != 0 {
		if trapped == TrapFuelExhausted {
			return trapResult(trapped, limit), nil
		}
		return trapResult(trapped, limit-uint64(remaining)), nil
	}
	return Result{Output: out, Fuel: limit - uint64(remaining)}, nil
}

// runItem makes the three ABI calls and returns the recorded output, or the trap code.
func runItem(ctx context.Context, inst *instance, call Call) ([]byte, byte, error) {
	mod, mem, alloc := inst.mod, inst.mem, inst.alloc
	place := func(data []byte) (uint32, byte, error) {
		inst.stack[0] = uint64(uint32(len(data)))
		if err := alloc.CallWithStack(ctx, inst.stack[:]); err != nil {
			code, err := trapCode(ctx, mod, err)
			return 0, code, err
		}
		ptr := uint32(inst.stack[0])
		// A pointer whose range is outside memory is the program's fault, a trap like
		// an out-of-bounds store.
		if !mem.Write(ptr, data) {
			return 0, TrapOther, nil
		}
		return ptr, 0, nil
	}
	paramsPtr, code, err := place(call.Params)
	if code != 0 || err != nil {
		return nil, code, err
	}
	inputPtr, code, err := place(call.Input)
	if code != 0 || err != nil {
		return nil, code, err
	}
	inst.stack = [6]uint64{call.JobID, call.Item,
		uint64(paramsPtr), uint64(uint32(len(call.Params))), uint64(inputPtr), uint64(uint32(len(call.Input)))}
	if err := inst.run.CallWithStack(ctx, inst.stack[:]); err != nil {
		code, err := trapCode(ctx, mod, err)
		return nil, code, err
	}
	ptr, n := inst.stack[0]>>32, inst.stack[0]&0xffffffff
	if n > uint64(call.MaxOutputBytes) || ptr+n > uint64(mem.Size()) {
		return nil, TrapOutputRange, nil
	}
	view, _ := mem.Read(uint32(ptr), uint32(n))
	return append([]byte{0x00}, view...), 0, nil
}

// trapCode maps a failed call to its ABI trap code: the instrumentation's own traps
// set the trap global first; any other WebAssembly trap is TrapOther. A done context
// and a native stack overflow (which the frame-slot budget must make impossible, and
// which would not be deterministic) are host errors, never recorded outputs.
func trapCode(ctx context.Context, mod api.Module, err error) (byte, error) {
	// wazero's ExitError for a closed-on-context-done module matches the context's
	// error. A fuel trap that ends an item after its deadline passed is still a trap.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0, fmt.Errorf("program: run aborted: %w", err)
	}
	// wazero's sentinel for it is internal; its message is part of its API surface.
	if strings.Contains(err.Error(), "stack overflow") {
		return 0, fmt.Errorf("program: engine stack overflow within the frame-slot budget: %w", err)
	}
	// (an uninstrumented module, as the tests run for reference, has no trap global)
	if g := mod.ExportedGlobal(exportTrap); g != nil && byte(g.Get()) != 0 {
		return byte(g.Get()), nil
	}
	return TrapOther, nil
}
