package coin

import (
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// TestParseDecCoinIsTheSDKs runs sdk.ParseDecCoin and the copy on the same
// inputs: the same refusals, denoms and amounts.
func TestParseDecCoinIsTheSDKs(t *testing.T) {
	for _, s := range []string{"1000ushift", "0.001shift", " 1.5 shift ", ".5shift", "5.shift", "1e3ushift", "-1ushift",
		"1,000ushift", "1000", "ushift", "1000us", "1000u/s:h.i-f_t", "1000 9shift", "0.1234567890123456789shift",
		"1000ushift\n", "\t2 shift", "1ab", "99999999999999999999999999999999999999999999999999999999999999999999999999999999ushift", ""} {
		want, wantErr := sdk.ParseDecCoin(s)
		got, err := parseDecCoin(s)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, the SDK's %v", s, err, wantErr)
		}
		if err != nil {
			continue
		}
		if got.Denom != want.Denom || !got.Amount.Equal(want.Amount) {
			t.Fatalf("%q: %s %s, the SDK's %s", s, got.Amount, got.Denom, want)
		}
	}
}
