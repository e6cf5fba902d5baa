package programjob

import (
	"context"
	"fmt"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// FuelMargin is how many times the most fuel a measured item used a job
// allows per item by default: the items not measured may cost more.
const FuelMargin = 2

// Limits are the chain's params that bound a wasm job (keeper/wasm_jobs.go).
type Limits struct {
	MaxFuelPerItem      uint64
	MaxVerifyGasPerItem uint64
	GasPerKilofuel      uint64
	MaxMemoryPages      uint32
	MaxOutputBytes      uint32
	MaxInputBytes       uint32
}

// LimitsOf reads the limits from the chain's params.
func LimitsOf(p types.Params) Limits {
	return Limits{
		MaxFuelPerItem:      p.MaxFuelPerItem,
		MaxVerifyGasPerItem: p.MaxVerifyGasPerItem,
		GasPerKilofuel:      p.GasPerKilofuel,
		MaxMemoryPages:      p.MaxProgramMemoryPages,
		MaxOutputBytes:      p.MaxItemOutputBytes,
		MaxInputBytes:       p.MaxItemInputBytes,
	}
}

// FuelCap is the largest fuel_limit the chain accepts: max_fuel_per_item, and
// an item's work (kinds.WasmItemWork: its instance plus fuel at gas_per_kilofuel)
// within max_verify_gas_per_item.
func (l Limits) FuelCap() uint64 {
	if l.GasPerKilofuel == 0 {
		return l.MaxFuelPerItem
	}
	return min(l.MaxFuelPerItem, kinds.WasmFuelCap(l.MaxVerifyGasPerItem, l.GasPerKilofuel))
}

// Request is a wasm job as the requester describes it; zero limits take
// their defaults.
type Request struct {
	Program Program
	// Record is the program's record on chain (its declared memory).
	Record types.Program
	Params []byte
	// Items is the job's item count; with a Dataset, 0 means one per input.
	Items   uint64
	Dataset *Dataset
	// InputsURL is where the inputs are served (required with a Dataset).
	InputsURL string
	// FuelLimit per item; 0 measures items (MeasuredItems) and allows
	// FuelMargin times the most one used.
	FuelLimit uint64
	// MemoryPages; 0 is the module's declared maximum, or the chain's cap
	// when it declares none.
	MemoryPages uint32
	// MaxOutputBytes; 0 is the chain's max_item_output_bytes.
	MaxOutputBytes uint32
}

// Plan is a checked wasm job.
type Plan struct {
	Spec *kinds.WasmSpec
	// Encoded is the canonical spec, what MsgPostJob carries.
	Encoded []byte
	// Item0 is item 0's local run (job id 0) under the chosen limits.
	Item0 program.Result
	// Measured is how many items ran locally (MeasuredItems of them, spread
	// over the job), and MaxFuel the most one of them used.
	Measured int
	MaxFuel  uint64
}

// MeasuredItems is how many items Build runs locally, spread evenly from the
// first to the last: items of one job differ (the proth example's cost 3× more
// for a prime than for a composite found early), so one item is not enough
// to size the fuel limit, and an item that runs out of fuel is recorded as a
// trap, paid for but useless.
const MeasuredItems = 16

// measurement is what the local runs found.
type measurement struct {
	item0       program.Result
	items       int
	maxFuel     uint64
	trapped     program.Result // the first sampled item that trapped
	trappedItem uint64
}

// measure runs up to MeasuredItems items (job id 0) with fuel limit run.
func measure(ctx context.Context, engine *program.Engine, code []byte, s *kinds.WasmSpec, items uint64, inputs [][]byte, run uint64) (measurement, error) {
	var m measurement
	n := min(items, MeasuredItems)
	for k := uint64(0); k < n; k++ {
		item := k
		if n > 1 {
			item = k * (items - 1) / (n - 1)
		}
		call := program.Call{Item: item, Params: s.Params, FuelLimit: run, MemoryPages: s.MemoryPages, MaxOutputBytes: s.MaxOutputBytes}
		if inputs != nil {
			call.Input = inputs[item]
		}
		res, err := engine.Run(ctx, code, call)
		if err != nil {
			return m, fmt.Errorf("running item %d locally: %w", item, err)
		}
		if k == 0 {
			m.item0 = res
		}
		m.items++
		m.maxFuel = max(m.maxFuel, res.Fuel)
		if _, trapped := Trap(res.Output); trapped {
			m.trapped, m.trappedItem = res, item
			return m, nil
		}
	}
	return m, nil
}

// Build fills in the defaults, runs a sample of items on engine and checks the spec
// exactly as the chain will: ParseWasmSpec, then the params' limits.
func Build(ctx context.Context, engine *program.Engine, req Request, lim Limits) (Plan, error) {
	if req.Program.Code == nil {
		return Plan{}, fmt.Errorf("program %s: no code to run items with", req.Program.IDHex())
	}
	items := req.Items
	if req.Dataset != nil {
		n := uint64(len(req.Dataset.Inputs))
		if items == 0 {
			items = n
		}
		if items != n {
			return Plan{}, fmt.Errorf("%d items but %d inputs: a job with inputs has one item per input", items, n)
		}
		if err := CheckInputSizes(req.Dataset.Inputs, lim.MaxInputBytes); err != nil {
			return Plan{}, err
		}
	}
	if items == 0 {
		return Plan{}, fmt.Errorf("a job needs at least one item")
	}
	if ex := req.Program.Example; ex != nil {
		if err := ex.CheckParams(req.Params, items); err != nil {
			return Plan{}, fmt.Errorf("params for %s: %w", ex.Name, err)
		}
	}
	s := &kinds.WasmSpec{
		Program:        req.Program.ID,
		Params:         req.Params,
		FuelLimit:      req.FuelLimit,
		MemoryPages:    req.MemoryPages,
		MaxOutputBytes: req.MaxOutputBytes,
	}
	if s.MemoryPages == 0 {
		s.MemoryPages = lim.MaxMemoryPages
		if declared := req.Record.MaxMemoryPages; declared != 0 && declared < s.MemoryPages {
			s.MemoryPages = declared
		}
	}
	if s.MaxOutputBytes == 0 {
		s.MaxOutputBytes = lim.MaxOutputBytes
	}
	if req.Dataset != nil {
		s.HasInputRoot, s.InputRoot, s.InputsURL = true, req.Dataset.Root, req.InputsURL
	}

	// The limits given are checked before anything runs (an unset fuel limit
	// passes), so no item runs with more fuel than the chain allows.
	if err := CheckSpec(s, req.Record, lim); err != nil {
		return Plan{}, err
	}
	cap := lim.FuelCap()
	run := cap
	if s.FuelLimit != 0 {
		run = s.FuelLimit
	}
	var inputs [][]byte
	if req.Dataset != nil {
		inputs = req.Dataset.Inputs
	}
	m, err := measure(ctx, engine, req.Program.Code, s, items, inputs, run)
	if err != nil {
		return Plan{}, err
	}
	if trap, ok := Trap(m.trapped.Output); ok {
		if trap == program.TrapFuelExhausted {
			return Plan{}, fmt.Errorf("item %d runs out of %d fuel (%s): make items smaller", m.trappedItem, run, fuelBound(s.FuelLimit, cap))
		}
		return Plan{}, fmt.Errorf("item %d traps locally (%s): the program refuses these params or this input", m.trappedItem, TrapName(trap))
	}
	if s.FuelLimit == 0 {
		s.FuelLimit = min(cap, m.maxFuel*FuelMargin)
	}

	enc := s.Encode()
	parsed, err := kinds.ParseWasmSpec(enc, items)
	if err != nil {
		return Plan{}, err
	}
	if err := CheckSpec(parsed, req.Record, lim); err != nil {
		return Plan{}, err
	}
	return Plan{Spec: parsed, Encoded: enc, Item0: m.item0, Measured: m.items, MaxFuel: m.maxFuel}, nil
}

func fuelBound(given, cap uint64) string {
	if given != 0 {
		return "--fuel-limit"
	}
	return fmt.Sprintf("the most the chain allows: max_fuel_per_item and max_verify_gas_per_item give %d", cap)
}

// CheckSpec refuses what the keeper refuses at post time (wasmJobSpec and
// checkJobSpec), with the param to blame.
func CheckSpec(s *kinds.WasmSpec, rec types.Program, lim Limits) error {
	switch {
	case s.FuelLimit > lim.MaxFuelPerItem:
		return fmt.Errorf("fuel limit %d: the chain allows at most %d per item (max_fuel_per_item)", s.FuelLimit, lim.MaxFuelPerItem)
	case lim.GasPerKilofuel != 0 && s.FuelLimit > kinds.WasmFuelCap(lim.MaxVerifyGasPerItem, lim.GasPerKilofuel):
		return fmt.Errorf("fuel limit %d: an item could cost %d gas to verify, the chain allows %d (max_verify_gas_per_item at gas_per_kilofuel %d, at most %d fuel)",
			s.FuelLimit, kinds.WasmItemWork(s.FuelLimit, lim.GasPerKilofuel), lim.MaxVerifyGasPerItem, lim.GasPerKilofuel, kinds.WasmFuelCap(lim.MaxVerifyGasPerItem, lim.GasPerKilofuel))
	case s.MemoryPages > lim.MaxMemoryPages:
		return fmt.Errorf("memory of %d pages: the chain allows at most %d (max_program_memory_pages)", s.MemoryPages, lim.MaxMemoryPages)
	case s.MemoryPages < rec.MinMemoryPages:
		return fmt.Errorf("memory of %d pages is below the program's initial memory of %d pages", s.MemoryPages, rec.MinMemoryPages)
	case s.MaxOutputBytes > lim.MaxOutputBytes:
		return fmt.Errorf("output cap of %d bytes: the chain allows at most %d (max_item_output_bytes)", s.MaxOutputBytes, lim.MaxOutputBytes)
	}
	return nil
}
