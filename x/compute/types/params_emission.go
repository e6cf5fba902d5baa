package types

import (
	errorsmod "cosmossdk.io/errors"
)

// MaxEmissionRequestersLimit bounds max_emission_requesters_per_epoch: an
// epoch's settlement sorts that many requesters in one end block.
const MaxEmissionRequestersLimit = 256

// Defaults of the per-requester emission cap (G1): one requester key draws at
// most 20 % of an epoch; 32 requesters per epoch keep settlement cheap.
const (
	DefaultMaxRequesterEmissionBps       = 2000
	DefaultMaxEmissionRequestersPerEpoch = 32
)

// validateEmissionCap checks the per-requester emission cap params. A zero cap
// would let no work earn emission, so it is refused; 10000 turns the cap off.
func (p Params) validateEmissionCap() error {
	if p.MaxRequesterEmissionBps == 0 || p.MaxRequesterEmissionBps > BasisPoints {
		return errorsmod.Wrapf(ErrInvalidParams, "max_requester_emission_bps %d must be in 1..%d", p.MaxRequesterEmissionBps, BasisPoints)
	}
	if p.MaxEmissionRequestersPerEpoch == 0 || p.MaxEmissionRequestersPerEpoch > MaxEmissionRequestersLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_emission_requesters_per_epoch %d must be in 1..%d", p.MaxEmissionRequestersPerEpoch, MaxEmissionRequestersLimit)
	}
	return nil
}
