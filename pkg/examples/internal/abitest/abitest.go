// Package abitest runs example programs per Program ABI v1 for the examples' tests:
// a fresh instance per item, nightshift_alloc for the params and for the input,
// then nightshift_run, and the recorded output 0x00||output or 0x01||code.
package abitest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// MaxOutputBytes is the output cap the tests run with.
const MaxOutputBytes = 1 << 20

// Runner compiles one program once and runs items in fresh instances.
type Runner struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
}

// New compiles code with wazero's compiler, or its interpreter when interpreter is set.
func New(ctx context.Context, code []byte, interpreter bool) (*Runner, error) {
	cfg := wazero.NewRuntimeConfigCompiler()
	if interpreter {
		cfg = wazero.NewRuntimeConfigInterpreter()
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg.WithMemoryLimitPages(256))
	compiled, err := rt.CompileModule(ctx, code)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, err
	}
	return &Runner{rt: rt, compiled: compiled}, nil
}

// Close releases the runtime.
func (r *Runner) Close(ctx context.Context) error { return r.rt.Close(ctx) }

// Compiled exposes the module's imports and exports to the tests.
func (r *Runner) Compiled() wazero.CompiledModule { return r.compiled }

// Run returns item's recorded output. Errors are host failures, not traps.
func (r *Runner) Run(ctx context.Context, jobID, item uint64, params, input []byte) ([]byte, error) {
	mod, err := r.rt.InstantiateModule(ctx, r.compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, err
	}
	defer func() { _ = mod.Close(ctx) }()
	alloc, run := mod.ExportedFunction("nightshift_alloc"), mod.ExportedFunction("nightshift_run")
	if alloc == nil || run == nil {
		return nil, errors.New("module lacks nightshift_alloc or nightshift_run")
	}
	pp, err := place(ctx, mod, alloc, params)
	if err != nil {
		return trap(err)
	}
	ip, err := place(ctx, mod, alloc, input)
	if err != nil {
		return trap(err)
	}
	res, err := run.Call(ctx, jobID, item, uint64(pp), uint64(len(params)), uint64(ip), uint64(len(input)))
	if err != nil {
		return trap(err)
	}
	ptr, n := uint32(res[0]>>32), uint32(res[0])
	out, ok := mod.Memory().Read(ptr, n)
	if !ok || n > MaxOutputBytes {
		return []byte{0x01, 0x04}, nil
	}
	return append([]byte{0x00}, out...), nil
}

func place(ctx context.Context, mod api.Module, alloc api.Function, b []byte) (uint32, error) {
	res, err := alloc.Call(ctx, uint64(len(b)))
	if err != nil {
		return 0, err
	}
	ptr := uint32(res[0])
	if !mod.Memory().Write(ptr, b) {
		return 0, fmt.Errorf("alloc returned %d for %d bytes outside memory: %w", ptr, len(b), errOutOfBounds)
	}
	return ptr, nil
}

var errOutOfBounds = errors.New("out of bounds memory access")

// trap maps a wazero call error to the ABI's trap code (no fuel here: plain wazero).
func trap(err error) ([]byte, error) {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return nil, err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "stack overflow"):
		return []byte{0x01, 0x02}, nil
	case strings.Contains(msg, "wasm error:") || errors.Is(err, errOutOfBounds):
		return []byte{0x01, 0x05}, nil
	}
	return nil, err
}
