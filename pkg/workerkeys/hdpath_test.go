package workerkeys

import (
	"bytes"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/go-bip39"
)

// TestDerivationIsTheSDKs derives keys with crypto/hd and with the port for
// several seeds and paths (hardened and not, the SDK's default, a trailing
// separator) and requires the same key or the same refusal.
func TestDerivationIsTheSDKs(t *testing.T) {
	paths := []string{"m/44'/118'/0'/0/0", "m/44'/118'/3'/1/7", "44'/118'/0'/0/0", "m/44'/118'/0'/0/0/",
		"m/0/1/2", "m/2147483647'", "m/2147483648", "m/44'//0", "m44", "m/x'"}
	for i := 0; i < 4; i++ {
		entropy := bytes.Repeat([]byte{byte(i*37 + 1)}, 32)
		mnemonic, err := bip39.NewMnemonic(entropy)
		if err != nil {
			t.Fatal(err)
		}
		seed := bip39.NewSeed(mnemonic, []string{"", "pass"}[i%2])
		sdkMaster, sdkChain := hd.ComputeMastersFromSeed(seed)
		master, chain := mastersFromSeed(seed)
		if master != sdkMaster || chain != sdkChain {
			t.Fatalf("seed %d: masters differ", i)
		}
		for _, path := range paths {
			want, wantErr := hd.DerivePrivateKeyForPath(sdkMaster, sdkChain, path)
			got, err := privateKeyForPath(master, chain, path)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("seed %d path %q: error %v, the SDK's %v", i, path, err, wantErr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("seed %d path %q: key %x, the SDK's %x", i, path, got, want)
			}
		}
	}
}
