package keeper

import (
	"context"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// initPrograms loads the stored programs (checked by GenesisState.Validate:
// each id is the sha256 of its code).
func (k *Keeper) initPrograms(ctx context.Context, programs []types.GenesisProgram) error {
	for _, p := range programs {
		if err := k.Programs.Set(ctx, p.Program.Id, p.Program); err != nil {
			return err
		}
		if err := k.ProgramCode.Set(ctx, p.Program.Id, p.Code); err != nil {
			return err
		}
	}
	return nil
}

// exportPrograms writes every stored program with its code.
func (k *Keeper) exportPrograms(ctx context.Context) ([]types.GenesisProgram, error) {
	var out []types.GenesisProgram
	err := k.Programs.Walk(ctx, nil, func(id []byte, p types.Program) (bool, error) {
		code, err := k.ProgramCode.Get(ctx, id)
		if err != nil {
			return true, err
		}
		out = append(out, types.GenesisProgram{Program: p, Code: code})
		return false, nil
	})
	return out, err
}
