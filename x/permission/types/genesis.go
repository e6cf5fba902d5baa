package types

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis has the x/gov module account as authority and no approved
// operators; the chain's genesis adds its gentx operators.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Validators: []ApprovedValidator{}}
}

// Validate checks addresses and rejects duplicate approvals.
func (gs GenesisState) Validate(ac address.Codec) error {
	if gs.Authority != "" {
		if _, err := ac.StringToBytes(gs.Authority); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "authority %q: %v", gs.Authority, err)
		}
	}
	seen := make(map[string]struct{}, len(gs.Validators))
	for _, v := range gs.Validators {
		bz, err := ac.StringToBytes(v.Operator)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %q: %v", v.Operator, err)
		}
		if _, dup := seen[string(bz)]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s approved twice", v.Operator)
		}
		if v.ApprovedHeight < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s has negative approved height", v.Operator)
		}
		seen[string(bz)] = struct{}{}
	}
	return nil
}

// IsApproved reports whether the genesis approves the operator (bech32 string).
func (gs GenesisState) IsApproved(ac address.Codec, operator []byte) bool {
	for _, v := range gs.Validators {
		bz, err := ac.StringToBytes(v.Operator)
		if err == nil && string(bz) == string(operator) {
			return true
		}
	}
	return false
}
