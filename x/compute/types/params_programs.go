package types

import (
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// Hard bounds on the program params, so governance cannot set a cap that
// breaks the bounds the rest of the chain relies on.
const (
	// MaxProgramBytesLimit bounds max_program_bytes: code is kept in state and
	// compiled by every node.
	MaxProgramBytesLimit = 8 << 20
	// MaxProgramMemoryPagesLimit bounds max_program_memory_pages (64 KiB pages:
	// 4096 pages = 256 MiB per running item).
	MaxProgramMemoryPagesLimit = 4096
	// MaxItemInputBytesLimit bounds max_item_input_bytes: a proof carries one
	// input per sample.
	MaxItemInputBytesLimit = 1 << 20
)

// defaultProgramParams are the program params of DefaultParams; see the module
// README (Programs) for the reasoning.
func defaultProgramParams(p *Params) {
	p.MaxProgramBytes = 1 << 20    // 1 MiB of code
	p.MaxProgramMemoryPages = 256  // 16 MiB per item
	p.MaxFuelPerItem = 100_000_000 // with gas_per_fuel and max_verify_gas_per_item the tighter bound
	p.ProgramByteFee = math.NewInt(10)
	p.MaxItemInputBytes = 64 << 10
	p.MaxItemOutputBytes = MaxOutputSize - 1 // the recorded output adds the ABI's status byte
	// One unit of work is 1-2 ns of validator CPU in the built-in kinds; on the
	// compiler a fuel is 0.1-0.2 ns (BenchmarkProofVerification, docs/benchmarks.md
	// "Gas calibration").
	p.GasPerKilofuel = 64
}

// validatePrograms checks the program params.
func (p Params) validatePrograms() error {
	if p.GasPerFuel != 0 { //nolint:staticcheck // the field it replaces must stay unset
		return errorsmod.Wrapf(ErrInvalidParams, "gas_per_fuel is replaced by gas_per_kilofuel and must be 0, got %d", p.GasPerFuel) //nolint:staticcheck // as above
	}
	if reason := amountFault("program_byte_fee", p.ProgramByteFee, false); reason != "" {
		return errorsmod.Wrap(ErrInvalidParams, reason)
	}
	for _, f := range []struct {
		name     string
		v, limit uint64
	}{
		{"max_program_bytes", uint64(p.MaxProgramBytes), MaxProgramBytesLimit},
		{"max_program_memory_pages", uint64(p.MaxProgramMemoryPages), MaxProgramMemoryPagesLimit},
		{"max_fuel_per_item", p.MaxFuelPerItem, 1 << 40},
		{"max_item_input_bytes", uint64(p.MaxItemInputBytes), MaxItemInputBytesLimit},
		// A recorded output is the program's output plus one status byte, and
		// must fit the proof's output bound.
		{"max_item_output_bytes", uint64(p.MaxItemOutputBytes), MaxOutputSize - 1},
		// fuel × gas_per_kilofuel must not overflow for any allowed fuel limit.
		{"gas_per_kilofuel", p.GasPerKilofuel, 1 << 20},
	} {
		if f.v == 0 || f.v > f.limit {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be 1..%d, got %d", f.name, f.limit, f.v)
		}
	}
	return nil
}
