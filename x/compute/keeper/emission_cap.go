package keeper

import (
	"bytes"
	"context"
	"slices"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// The per-requester emission cap (G1, docs/design/emission-cap.md): requester
// r's jobs draw e_r = min(C, λ·U_r) of an epoch's scheduled emission E, with
// C = E × max_requester_emission_bps and one λ chosen by water-filling so that
// Σ e_r = E when that is possible. The cap is on units in the denominator, not
// only on the payout: a capped requester's units never dilute another's.

// requesterUnits is one requester's units in an epoch, as settlement sorts them.
type requesterUnits struct {
	requester []byte
	units     math.Int
}

// emissionAdmits reports whether work for requester's jobs may earn emission
// in epoch: a requester already counted in it may, a new one only while fewer
// than max_emission_requesters_per_epoch are (settlement sorts them).
func (k *Keeper) emissionAdmits(ctx context.Context, params types.Params, epoch uint64, requester sdk.AccAddress) (bool, error) {
	has, err := k.RequesterEpochUnits.Has(ctx, collections.Join(epoch, []byte(requester)))
	if err != nil || has {
		return has, err
	}
	info, err := k.Epochs.Get(ctx, epoch)
	if err != nil {
		return false, err
	}
	return info.Requesters < params.MaxEmissionRequestersPerEpoch, nil
}

// creditWork adds emission-earning work units of requester's job to the
// running epoch: to the epoch, the requester, the device and their triple.
// The caller has checked emissionAdmits. O(1).
func (k *Keeper) creditWork(ctx context.Context, operator, requester sdk.AccAddress, epoch uint64, units math.Int) error {
	info, err := k.Epochs.Get(ctx, epoch)
	if err != nil {
		return err
	}
	rKey := collections.Join(epoch, []byte(requester))
	rHave, err := getIntOrZero(ctx, k.RequesterEpochUnits, rKey)
	if err != nil {
		return err
	}
	if rHave.IsZero() {
		info.Requesters++
	}
	info.WorkUnits = info.WorkUnits.Add(units)
	if err := k.Epochs.Set(ctx, epoch, info); err != nil {
		return err
	}
	if err := k.RequesterEpochUnits.Set(ctx, rKey, rHave.Add(units)); err != nil {
		return err
	}
	tKey := collections.Join3([]byte(operator), epoch, []byte(requester))
	tHave, err := getIntOrZero(ctx, k.DeviceRequesterUnits, tKey)
	if err != nil {
		return err
	}
	if err := k.DeviceRequesterUnits.Set(ctx, tKey, tHave.Add(units)); err != nil {
		return err
	}
	dKey := collections.Join([]byte(operator), epoch)
	dHave, err := getIntOrZero(ctx, k.DeviceEpochUnits, dKey)
	if err != nil {
		return err
	}
	return k.DeviceEpochUnits.Set(ctx, dKey, dHave.Add(units))
}

// strikeRunningUnits takes up to units of a device's work for requester out of
// the running epoch (a jailing or a dispute), from the triple, the requester,
// the device and the epoch, and returns what it took. O(1).
func (k *Keeper) strikeRunningUnits(ctx context.Context, operator, requester sdk.AccAddress, epoch uint64, units math.Int) (math.Int, error) {
	tKey := collections.Join3([]byte(operator), epoch, []byte(requester))
	have, err := getIntOrZero(ctx, k.DeviceRequesterUnits, tKey)
	if err != nil || !have.IsPositive() {
		return math.ZeroInt(), err // forfeited already (jailed)
	}
	removed := math.MinInt(units, have)
	if err := setOrRemove(ctx, k.DeviceRequesterUnits, tKey, have.Sub(removed)); err != nil {
		return math.Int{}, err
	}
	dKey := collections.Join([]byte(operator), epoch)
	dHave, err := getIntOrZero(ctx, k.DeviceEpochUnits, dKey)
	if err != nil {
		return math.Int{}, err
	}
	if err := setOrRemove(ctx, k.DeviceEpochUnits, dKey, dHave.Sub(removed)); err != nil {
		return math.Int{}, err
	}
	info, err := k.Epochs.Get(ctx, epoch)
	if err != nil {
		return math.Int{}, err
	}
	info.WorkUnits = info.WorkUnits.Sub(removed)
	rKey := collections.Join(epoch, []byte(requester))
	rHave, err := getIntOrZero(ctx, k.RequesterEpochUnits, rKey)
	if err != nil {
		return math.Int{}, err
	}
	rLeft := rHave.Sub(removed)
	if !rLeft.IsPositive() {
		// A requester with no units left frees its place in the epoch.
		info.Requesters--
	}
	if err := setOrRemove(ctx, k.RequesterEpochUnits, rKey, rLeft); err != nil {
		return math.Int{}, err
	}
	return removed, k.Epochs.Set(ctx, epoch, info)
}

// capEpochEmission water-fills the scheduled emission over the epoch's
// requesters and records the result in info: the cap, the uncapped rate and
// what is minted (info.Emission = k·cap + the uncapped share, at most
// scheduled). Requesters are at most max_emission_requesters_per_epoch (as
// admitted), sorted by (units, address) so that ties are deterministic.
func (k *Keeper) capEpochEmission(ctx context.Context, params types.Params, info *types.EpochInfo, scheduled math.Int) error {
	var list []requesterUnits
	rng := collections.NewPrefixedPairRange[uint64, []byte](info.Epoch)
	if err := k.RequesterEpochUnits.Walk(ctx, rng, func(key collections.Pair[uint64, []byte], units math.Int) (bool, error) {
		list = append(list, requesterUnits{requester: key.K2(), units: units})
		return false, nil
	}); err != nil {
		return err
	}
	slices.SortFunc(list, func(a, b requesterUnits) int {
		if c := a.units.BigIntMut().Cmp(b.units.BigIntMut()); c != 0 {
			return c
		}
		return bytes.Compare(a.requester, b.requester)
	})
	capAmount := types.BpsOf(scheduled, params.MaxRequesterEmissionBps)
	rest, den := scheduled, math.ZeroInt()
	for _, r := range list {
		den = den.Add(r.units)
	}
	capped := 0
	// From the largest down: capping one raises λ for the rest, so the first
	// requester under the cap leaves every smaller one under it too.
	for i := len(list) - 1; i >= 0; i-- {
		if rest.Mul(list[i].units).LT(capAmount.Mul(den)) {
			break
		}
		rest = rest.Sub(capAmount)
		den = den.Sub(list[i].units)
		capped++
	}
	minted := capAmount.MulRaw(int64(capped))
	if den.IsPositive() {
		minted = minted.Add(rest)
	} else {
		rest = math.ZeroInt()
	}
	info.ScheduledEmission = scheduled
	info.RequesterCap = capAmount
	info.RateNum = rest
	info.RateDen = den
	info.Emission = minted
	return nil
}

// emissionShare is what u of a requester's U units earn in a settled epoch:
// cap × u / U if the requester is capped, else rate_num × u / rate_den. Rounds
// down, so the shares of an epoch never sum past what it minted. O(1).
func emissionShare(info types.EpochInfo, requesterTotal, u math.Int) math.Int {
	if !requesterTotal.IsPositive() || !u.IsPositive() {
		return math.ZeroInt()
	}
	if info.RateDen.IsNil() || !info.RateDen.IsPositive() ||
		info.RateNum.Mul(requesterTotal).GTE(info.RequesterCap.Mul(info.RateDen)) {
		return info.RequesterCap.Mul(u).Quo(requesterTotal)
	}
	return info.RateNum.Mul(u).Quo(info.RateDen)
}

// settledShare is the value of u units a device holds for requester in a
// settled epoch.
func (k *Keeper) settledShare(ctx context.Context, info types.EpochInfo, requester []byte, u math.Int) (math.Int, error) {
	total, err := getIntOrZero(ctx, k.RequesterEpochUnits, collections.Join(info.Epoch, requester))
	if err != nil {
		return math.Int{}, err
	}
	return emissionShare(info, total, u), nil
}

// getIntOrZero reads an Int that is absent when zero.
func getIntOrZero[K any](ctx context.Context, m collections.Map[K, math.Int], key K) (math.Int, error) {
	v, err := m.Get(ctx, key)
	if isNotFound(err) {
		return math.ZeroInt(), nil
	}
	return v, err
}

// setOrRemove stores a positive Int and removes a zero one, so that no zero
// entry lingers.
func setOrRemove[K any](ctx context.Context, m collections.Map[K, math.Int], key K, v math.Int) error {
	if v.IsPositive() {
		return m.Set(ctx, key, v)
	}
	return m.Remove(ctx, key)
}
