package main

import (
	"testing"

	"cosmossdk.io/math"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// TestBenchBondCoversTheEmissionCover: at the default params a bench device's
// invalid-proof slash covers the most one requester's jobs draw from an epoch
// plus 10 SHIFT of task pay, which 2 × min_device_bond does not (every lease
// of the bench was refused with ErrBondTooSmallForTask before).
func TestBenchBondCoversTheEmissionCover(t *testing.T) {
	p := computetypes.DefaultParams()
	bond := benchBond(p)
	perRequester := p.InitialEpochEmission.MulRaw(int64(p.MaxRequesterEmissionBps)).QuoRaw(computetypes.BasisPoints)
	need := perRequester.Add(math.NewInt(10_000_000))
	if slash := computetypes.BpsOf(bond, p.SlashInvalidBps); slash.LT(need) {
		t.Fatalf("bond %s slashes %s, below the cover %s", bond, slash, need)
	}
	if old := p.MinDeviceBond.MulRaw(2); computetypes.BpsOf(old, p.SlashInvalidBps).GTE(need) {
		t.Fatalf("2 × min_device_bond (%s) would do: the test no longer shows why benchBond exists", old)
	}
	p.MinDeviceBond = bond.MulRaw(10)
	if got := benchBond(p); !got.Equal(p.MinDeviceBond.MulRaw(2)) {
		t.Fatalf("bond %s, want 2 × min_device_bond %s when that is more", got, p.MinDeviceBond.MulRaw(2))
	}
}
