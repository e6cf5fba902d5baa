package kinds

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/nightshift-network/nightshift/x/compute/program"
)

// WasmInstanceWork is the work of an item's fresh instance, charged on top of its
// fuel: wazero's instantiation and teardown (a memory buffer, globals, the call
// engines), which fuel does not count. Measured by BenchmarkProofVerification
// (x/compute/keeper, row wasm-montecarlo-1x1: an item of almost no fuel) at the
// built-in kinds' ns per unit, so a job of tiny items cannot make validators
// instantiate for free (docs/benchmarks.md, "Gas calibration").
const WasmInstanceWork = 15_000

// WasmItemWork is the work of a wasm item that consumed fuel:
// WasmInstanceWork + ceil(fuel × gasPerKilofuel / 1000), saturating at MaxUint64
// (the params keep real values far below it). Workers, validators and clients
// all count work with it.
func WasmItemWork(fuel, gasPerKilofuel uint64) uint64 {
	hi, lo := bits.Mul64(fuel, gasPerKilofuel)
	lo, carry := bits.Add64(lo, 999, 0)
	hi += carry
	if hi >= 1000 {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, 1000)
	if q > math.MaxUint64-WasmInstanceWork {
		return math.MaxUint64
	}
	return WasmInstanceWork + q
}

// WasmFuelCap is the largest fuel limit whose item work fits maxWork (0 when
// not even the instance does): the inverse of WasmItemWork.
func WasmFuelCap(maxWork, gasPerKilofuel uint64) uint64 {
	if maxWork < WasmInstanceWork || gasPerKilofuel == 0 {
		return 0
	}
	hi, lo := bits.Mul64(maxWork-WasmInstanceWork, 1000)
	if hi >= gasPerKilofuel {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, gasPerKilofuel)
	return q
}

// WasmProgram is a wasm spec bound to its program's code and the engine that
// runs it: the Spec of a wasm job. Work is WasmItemWork of the fuel, measured by
// the instrumented module the same way on every machine, so a worker's work and a
// validator's agree. It is safe for concurrent use (the Engine is).
type WasmProgram struct {
	spec           *WasmSpec
	code           []byte
	engine         *program.Engine
	gasPerKilofuel uint64
}

// Bind returns the Spec of a wasm job: the spec with the program's code (whose
// sha256 the caller has checked is s.Program), run by engine, work counted by
// WasmItemWork at gasPerKilofuel units per 1,000 fuel.
func (s *WasmSpec) Bind(code []byte, engine *program.Engine, gasPerKilofuel uint64) *WasmProgram {
	return &WasmProgram{spec: s, code: code, engine: engine, gasPerKilofuel: gasPerKilofuel}
}

// Spec returns the parsed spec.
func (p *WasmProgram) Spec() *WasmSpec { return p.spec }

// MaxWorkPerItem is the work of an item that runs out of fuel: every item
// stops by then, trapping if need be.
func (p *WasmProgram) MaxWorkPerItem() uint64 {
	return WasmItemWork(p.spec.FuelLimit, p.gasPerKilofuel)
}

// run executes one item. A trap is an output, not an error; an error means
// the module could not run at all (it was validated when stored, so this is a
// host failure).
func (p *WasmProgram) run(item Item) (program.Result, error) {
	if err := checkIndex(item.Index, p.spec.items); err != nil {
		return program.Result{}, err
	}
	if !p.spec.HasInputRoot && len(item.Input) != 0 {
		return program.Result{}, fmt.Errorf("%w: wasm: item %d has an input but the job has no input root", ErrInvalidOutput, item.Index)
	}
	return p.engine.Run(context.Background(), p.code, program.Call{
		JobID: item.JobID, Item: item.Index,
		Params: p.spec.Params, Input: item.Input,
		FuelLimit: p.spec.FuelLimit, MemoryPages: p.spec.MemoryPages, MaxOutputBytes: p.spec.MaxOutputBytes,
	})
}

// ComputeOutput runs the item: its output is the program's recorded output
// (Program ABI v1: 0x00 ‖ bytes, or 0x01 ‖ trap code).
func (p *WasmProgram) ComputeOutput(item Item) ([]byte, uint64, error) {
	out, _, work, err := p.ComputeWithFuel(item)
	return out, work, err
}

// ComputeWithFuel is ComputeOutput that also returns the fuel the item took
// (what a worker learns a program's items cost from).
func (p *WasmProgram) ComputeWithFuel(item Item) (output []byte, fuel, work uint64, err error) {
	res, err := p.run(item)
	if err != nil {
		return nil, 0, 0, err
	}
	return res.Output, res.Fuel, WasmItemWork(res.Fuel, p.gasPerKilofuel), nil
}

// VerifyOutput re-runs the item and compares its recorded output with output.
func (p *WasmProgram) VerifyOutput(item Item, output []byte) (uint64, error) {
	res, err := p.run(item)
	if err != nil {
		return 0, err
	}
	work := WasmItemWork(res.Fuel, p.gasPerKilofuel)
	if !bytes.Equal(res.Output, output) {
		return work, fmt.Errorf("%w: wasm: item %d: the program's output differs from the claimed one", ErrInvalidOutput, item.Index)
	}
	return work, nil
}

var _ Spec = (*WasmProgram)(nil)
