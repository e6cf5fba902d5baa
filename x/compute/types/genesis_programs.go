package types

import (
	"bytes"
	"crypto/sha256"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// validatePrograms checks each stored program is named by the sha256 of its
// code, appears once, and has a valid record. The code itself was validated
// when it was stored; a genesis does not re-run the (versioned) validation.
func validatePrograms(ac address.Codec, programs []GenesisProgram) error {
	seen := make(map[[32]byte]bool, len(programs))
	for _, p := range programs {
		id := sha256.Sum256(p.Code)
		if len(p.Code) == 0 || !bytes.Equal(p.Program.Id, id[:]) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "program %x is not the sha256 of its code", p.Program.Id)
		}
		if seen[id] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "program %x appears twice", id)
		}
		seen[id] = true
		if p.Program.CodeSize != uint64(len(p.Code)) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "program %x records %d bytes, its code has %d", id, p.Program.CodeSize, len(p.Code))
		}
		if _, err := ac.StringToBytes(p.Program.Storer); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "program %x storer %q: %v", id, p.Program.Storer, err)
		}
		if p.Program.Fee.IsNil() || p.Program.Fee.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "program %x has an invalid fee", id)
		}
	}
	return nil
}
