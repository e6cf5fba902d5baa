package types

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// validateEmissionUnits checks the per-requester emission cap's units against
// the epochs: each requester's units per epoch are unique and positive and sum
// to the epoch's work_units over exactly its requesters count; each device
// credit names such a requester, and the credits of a (device, epoch) sum to
// its device_epoch_units entry; a requester's credits sum to its units in the
// running epoch and to at most them in a settled one (withdrawn credits are gone).
func (gs GenesisState) validateEmissionUnits(ac address.Codec, epochs map[uint64]EpochInfo) error {
	type key struct {
		a     string
		epoch uint64
	}
	bad := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidGenesis, format, args...) }
	requesterUnits := make(map[key]math.Int, len(gs.RequesterEpochUnits))
	epochUnits := make(map[uint64]math.Int)
	epochRequesters := make(map[uint64]uint32)
	for _, r := range gs.RequesterEpochUnits {
		if _, err := ac.StringToBytes(r.Requester); err != nil {
			return bad("requester address %q: %v", r.Requester, err)
		}
		k := key{r.Requester, r.Epoch}
		if _, ok := epochs[r.Epoch]; !ok || r.WorkUnits.IsNil() || !r.WorkUnits.IsPositive() {
			return bad("units of requester %s in epoch %d have no epoch or no units", r.Requester, r.Epoch)
		}
		if _, dup := requesterUnits[k]; dup {
			return bad("units of requester %s in epoch %d are repeated", r.Requester, r.Epoch)
		}
		requesterUnits[k] = r.WorkUnits
		epochUnits[r.Epoch] = sumOrFirst(epochUnits[r.Epoch], r.WorkUnits)
		epochRequesters[r.Epoch]++
	}
	for _, e := range gs.Epochs {
		units := epochUnits[e.Epoch]
		if units.IsNil() {
			units = math.ZeroInt()
		}
		if !units.Equal(e.WorkUnits) || epochRequesters[e.Epoch] != e.Requesters {
			return bad("epoch %d has %s units of %d requesters; its requesters hold %s units and number %d",
				e.Epoch, e.WorkUnits, e.Requesters, units, epochRequesters[e.Epoch])
		}
	}
	deviceUnits := make(map[key]math.Int)
	held := make(map[key]math.Int)
	type tripleKey struct {
		device, requester string
		epoch             uint64
	}
	seen := make(map[tripleKey]bool, len(gs.DeviceRequesterUnits))
	for _, u := range gs.DeviceRequesterUnits {
		if _, err := ac.StringToBytes(u.Device); err != nil {
			return bad("device address %q: %v", u.Device, err)
		}
		rk := key{u.Requester, u.Epoch}
		if _, ok := requesterUnits[rk]; !ok || u.WorkUnits.IsNil() || !u.WorkUnits.IsPositive() {
			return bad("credit of %s in epoch %d names requester %s with no units there, or has none", u.Device, u.Epoch, u.Requester)
		}
		triple := tripleKey{u.Device, u.Requester, u.Epoch}
		if seen[triple] {
			return bad("credit of %s in epoch %d for %s is repeated", u.Device, u.Epoch, u.Requester)
		}
		seen[triple] = true
		dk := key{u.Device, u.Epoch}
		deviceUnits[dk] = sumOrFirst(deviceUnits[dk], u.WorkUnits)
		held[rk] = sumOrFirst(held[rk], u.WorkUnits)
	}
	for _, r := range gs.RequesterEpochUnits {
		h := held[key{r.Requester, r.Epoch}]
		if h.IsNil() {
			h = math.ZeroInt()
		}
		if h.GT(r.WorkUnits) || (r.Epoch == gs.CurrentEpoch && !h.Equal(r.WorkUnits)) {
			return bad("requester %s has %s units in epoch %d, its devices hold %s", r.Requester, r.WorkUnits, r.Epoch, h)
		}
	}
	pairs := make(map[key]bool, len(gs.DeviceEpochUnits))
	for _, u := range gs.DeviceEpochUnits {
		dk := key{u.Device, u.Epoch}
		if pairs[dk] {
			return bad("work of %s in epoch %d is repeated", u.Device, u.Epoch)
		}
		pairs[dk] = true
		if sum := deviceUnits[dk]; sum.IsNil() || !sum.Equal(u.WorkUnits) {
			return bad("work of %s in epoch %d is %s, its requester credits sum to %v", u.Device, u.Epoch, u.WorkUnits, sum)
		}
	}
	if len(pairs) != len(deviceUnits) {
		return bad("%d (device, epoch) credits have no device_epoch_units entry", len(deviceUnits)-len(pairs))
	}
	return nil
}

// sumOrFirst adds v to a running sum that may not have started.
func sumOrFirst(sum, v math.Int) math.Int {
	if sum.IsNil() {
		return v
	}
	return sum.Add(v)
}
