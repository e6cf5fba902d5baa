// Package abitest runs the example programs for their tests and benchmarks the way
// workers and validators do: through x/compute/program's Engine (validated,
// instrumented, metered, a fresh instance per item).
package abitest

import (
	"context"

	"github.com/nightshift-network/nightshift/x/compute/program"
)

// Limits the tests run items with, generous enough for every example item in them.
const (
	FuelLimit      = 1 << 40
	MemoryPages    = 16
	MaxOutputBytes = 1 << 20
)

// Runner runs one program on one engine.
type Runner struct {
	code   []byte
	engine *program.Engine
}

// New validates code and returns a runner on the compiler engine, or the
// interpreter when interpreter is set.
func New(code []byte, interpreter bool) (*Runner, error) {
	if _, err := program.Validate(code, program.Limits{}); err != nil {
		return nil, err
	}
	return &Runner{code: code, engine: program.NewEngine(program.EngineConfig{Interpreter: interpreter, CacheEntries: 1})}, nil
}

// Close releases the engine.
func (r *Runner) Close() error { return r.engine.Close() }

// Run returns item's recorded output (0x00||output or 0x01||code). Errors are host
// failures, not traps.
func (r *Runner) Run(ctx context.Context, jobID, item uint64, params, input []byte) ([]byte, error) {
	res, err := r.RunFuel(ctx, program.Call{JobID: jobID, Item: item, Params: params, Input: input})
	return res.Output, err
}

// RunFuel runs one call; zero limits in call take the package's defaults.
func (r *Runner) RunFuel(ctx context.Context, call program.Call) (program.Result, error) {
	if call.FuelLimit == 0 {
		call.FuelLimit = FuelLimit
	}
	if call.MemoryPages == 0 {
		call.MemoryPages = MemoryPages
	}
	if call.MaxOutputBytes == 0 {
		call.MaxOutputBytes = MaxOutputBytes
	}
	return r.engine.Run(ctx, r.code, call)
}
