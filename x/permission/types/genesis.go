package types

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has the x/gov module account as authority and no approved
// operators; the chain's genesis adds its gentx operators.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Validators: []ApprovedValidator{}, RevealChains: []RevealChain{}}
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
	return validateRevealChains(gs.RevealChains)
}

// validateRevealChains checks the genesis chains: one per consensus address,
// a valid commitment starting at height 1 or later, and (for an exported
// chain) a last reveal inside the chain's span.
func validateRevealChains(chains []RevealChain) error {
	seen := make(map[string]struct{}, len(chains))
	for _, c := range chains {
		bz, err := ConsAddressCodec().StringToBytes(c.ConsAddress)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reveal chain address %q: %v", c.ConsAddress, err)
		}
		if _, dup := seen[string(bz)]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "two reveal chains for %s", c.ConsAddress)
		}
		seen[string(bz)] = struct{}{}
		if err := ValidateCommitment(c.Tip, c.Length); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reveal chain of %s: %v", c.ConsAddress, err)
		}
		if c.StartHeight < 1 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reveal chain of %s starts at height %d", c.ConsAddress, c.StartHeight)
		}
		if len(c.LastReveal) == 0 && c.LastRevealHeight == 0 {
			continue // a new chain: InitGenesis anchors it at its tip
		}
		if len(c.LastReveal) != RevealSize || c.LastRevealHeight < c.StartHeight-1 || c.LastRevealHeight >= c.StartHeight+int64(c.Length) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reveal chain of %s: last reveal at height %d outside the chain", c.ConsAddress, c.LastRevealHeight)
		}
	}
	return nil
}

// ConsAddressCodec encodes consensus addresses with the chain's prefix
// (nightvalcons), as the SDK config sets it.
func ConsAddressCodec() address.Codec {
	return addresscodec.NewBech32Codec(sdk.GetConfig().GetBech32ConsensusAddrPrefix())
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
