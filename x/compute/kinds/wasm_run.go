package kinds

import (
	"bytes"
	"context"
	"fmt"

	"github.com/nightshift-network/nightshift/x/compute/program"
)

// WasmProgram is a wasm spec bound to its program's code and the engine that
// runs it: the Spec of a wasm job. Work is fuel × gasPerFuel, measured by the
// instrumented module the same way on every machine, so a worker's work and a
// validator's agree. It is safe for concurrent use (the Engine is).
type WasmProgram struct {
	spec       *WasmSpec
	code       []byte
	engine     *program.Engine
	gasPerFuel uint64
}

// Bind returns the Spec of a wasm job: the spec with the program's code (whose
// sha256 the caller has checked is s.Program), run by engine, work counted at
// gasPerFuel units per fuel. The caller keeps fuel_limit × gasPerFuel from
// overflowing (the params bound both).
func (s *WasmSpec) Bind(code []byte, engine *program.Engine, gasPerFuel uint64) *WasmProgram {
	return &WasmProgram{spec: s, code: code, engine: engine, gasPerFuel: gasPerFuel}
}

// Spec returns the parsed spec.
func (p *WasmProgram) Spec() *WasmSpec { return p.spec }

// MaxWorkPerItem is the work of an item that runs out of fuel: every item
// stops by then, trapping if need be.
func (p *WasmProgram) MaxWorkPerItem() uint64 { return p.spec.FuelLimit * p.gasPerFuel }

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
	res, err := p.run(item)
	if err != nil {
		return nil, 0, err
	}
	return res.Output, res.Fuel * p.gasPerFuel, nil
}

// VerifyOutput re-runs the item and compares its recorded output with output.
func (p *WasmProgram) VerifyOutput(item Item, output []byte) (uint64, error) {
	res, err := p.run(item)
	if err != nil {
		return 0, err
	}
	work := res.Fuel * p.gasPerFuel
	if !bytes.Equal(res.Output, output) {
		return work, fmt.Errorf("%w: wasm: item %d: the program's output differs from the claimed one", ErrInvalidOutput, item.Index)
	}
	return work, nil
}

var _ Spec = (*WasmProgram)(nil)
