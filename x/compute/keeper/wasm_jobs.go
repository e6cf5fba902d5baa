package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// wasmJobSpec parses a wasm job's spec and binds it to its stored program.
// At post time (posting true) it also checks the spec against the params; a
// stored job was checked then, and a later param change must not refuse its
// proofs (G6), so verification only binds.
func (k *Keeper) wasmJobSpec(ctx context.Context, params types.Params, spec []byte, items uint64, posting bool) (*kinds.WasmProgram, error) {
	s, err := kinds.ParseWasmSpec(spec, items)
	if err != nil {
		return nil, kindError(err)
	}
	rec, code, err := k.getProgram(ctx, s.Program[:])
	if err != nil {
		return nil, err
	}
	if posting {
		switch {
		case s.FuelLimit > params.MaxFuelPerItem:
			return nil, errorsmod.Wrapf(types.ErrFuelLimitTooHigh, "fuel_limit %d, the limit is %d", s.FuelLimit, params.MaxFuelPerItem)
		case s.MemoryPages > params.MaxProgramMemoryPages:
			return nil, errorsmod.Wrapf(types.ErrProgramMemoryTooLarge, "memory_pages %d, the limit is %d", s.MemoryPages, params.MaxProgramMemoryPages)
		case s.MemoryPages < rec.MinMemoryPages:
			return nil, errorsmod.Wrapf(types.ErrInvalidSpec, "memory_pages %d is below the program's initial memory of %d pages", s.MemoryPages, rec.MinMemoryPages)
		case s.MaxOutputBytes > params.MaxItemOutputBytes:
			return nil, errorsmod.Wrapf(types.ErrOutputTooLarge, "max_output_bytes %d, the limit is %d", s.MaxOutputBytes, params.MaxItemOutputBytes)
		}
	}
	return s.Bind(code, k.programs, params.GasPerKilofuel), nil
}
