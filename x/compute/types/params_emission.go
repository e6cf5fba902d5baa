package types

import (
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
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

// RequesterEmissionBound bounds the emission units more work for one
// requester can earn a device in an epoch that mints at most epoch:
// ⌈C × units / (credited + units)⌉ with C = epoch × bps the requester's cap and
// credited the units the requester's jobs already credited. A requester draws
// at most C, shared by its units, and its final units are at least
// credited + units. Rounded up so a positive share is never estimated as 0.
func RequesterEmissionBound(epoch math.Int, bps uint32, credited, units math.Int) math.Int {
	if !units.IsPositive() || !epoch.IsPositive() {
		return math.ZeroInt()
	}
	num := BpsOf(epoch, bps).Mul(units)
	den := credited.Add(units)
	q := num.Quo(den)
	if !num.Mod(den).IsZero() {
		q = q.AddRaw(1)
	}
	return q
}
