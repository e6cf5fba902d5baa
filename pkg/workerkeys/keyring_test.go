package workerkeys

// The SDK's crypto/keyring (what `nightshiftd keys` runs) and this package on
// the same directory: each reads, signs with and deletes what the other wrote.

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	sdkkeyring "github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdktypes "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
)

const (
	service  = "nightshift"
	hdPath   = "m/44'/118'/0'/0/0"
	mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"
	// A second key, so each side writes one.
	mnemonic2 = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote"
)

func sdkCodec() codec.Codec {
	reg := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(reg)
	return codec.NewProtoCodec(reg)
}

func TestSameKeysAsTheSDKKeyring(t *testing.T) {
	for _, tc := range []struct {
		backend string
		// input answers every passphrase prompt of one opening (the SDK's
		// and ours read the same prompts).
		first, later string
	}{
		{backend: BackendTest},
		{backend: BackendFile, first: "correct horse\ncorrect horse\n", later: "correct horse\n"},
	} {
		t.Run(tc.backend, func(t *testing.T) {
			dir := t.TempDir()
			sdk, err := sdkkeyring.New(service, tc.backend, dir, strings.NewReader(tc.first+tc.later+tc.later+tc.later), sdkCodec())
			if err != nil {
				t.Fatal(err)
			}
			sdkRec, err := sdk.NewAccount("made-by-nightshiftd", mnemonic, sdkkeyring.DefaultBIP39Passphrase, hdPath, hd.Secp256k1)
			if err != nil {
				t.Fatal(err)
			}
			sdkAddr, _ := sdkRec.GetAddress()

			ours, err := Open(service, tc.backend, dir, strings.NewReader(tc.later+tc.later+tc.later+tc.later))
			if err != nil {
				t.Fatal(err)
			}
			k, err := ours.Key("made-by-nightshiftd")
			if err != nil {
				t.Fatal(err)
			}
			addr, err := k.Address()
			if err != nil || !bytes.Equal(addr, sdkAddr) || k.Type != "local" || !k.CanSign() {
				t.Fatalf("our reading of the SDK's key: address %X (SDK %X) type %s, %v", addr, sdkAddr.Bytes(), k.Type, err)
			}
			msg := []byte("a SIGN_MODE_DIRECT sign doc")
			ourSig, err := k.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			sdkSig, _, err := sdk.Sign("made-by-nightshiftd", msg, signing.SignMode_SIGN_MODE_DIRECT)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ourSig, sdkSig) {
				t.Errorf("signatures differ:\nours %x\nSDK  %x", ourSig, sdkSig)
			}
			if byAddr, err := ours.KeyByAddress(sdkAddr); err != nil || byAddr.Name != "made-by-nightshiftd" {
				t.Errorf("by address: %v %v", byAddr, err)
			}

			// And the other way: a key made here, used by the SDK.
			mine, err := ours.NewAccount("made-by-the-worker", mnemonic2, "", hdPath)
			if err != nil {
				t.Fatal(err)
			}
			mineAddr, _ := mine.Address()
			rec, err := sdk.Key("made-by-the-worker")
			if err != nil {
				t.Fatal(err)
			}
			if a, _ := rec.GetAddress(); !bytes.Equal(a, mineAddr) || rec.GetLocal() == nil {
				t.Errorf("the SDK reads our key as %X (local %v), want %X", a.Bytes(), rec.GetLocal() != nil, mineAddr)
			}
			if rec, err := sdk.KeyByAddress(sdktypes.AccAddress(mineAddr)); err != nil || rec.Name != "made-by-the-worker" {
				t.Errorf("the SDK by address: %v %v", rec, err)
			}
			sdkSig, _, _ = sdk.Sign("made-by-the-worker", msg, signing.SignMode_SIGN_MODE_DIRECT)
			if ourSig, _ := mine.Sign(msg); !bytes.Equal(ourSig, sdkSig) {
				t.Errorf("signatures of our key differ:\nours %x\nSDK  %x", ourSig, sdkSig)
			}
			// The SDK derives the same key from the same mnemonic, so it refuses it as a duplicate.
			if _, err := sdk.NewAccount("again", mnemonic2, "", hdPath, hd.Secp256k1); err == nil {
				t.Error("the SDK accepted a second copy of our key: the address entry is not where it looks")
			}

			list, err := ours.List()
			if err != nil || len(list) != 2 || list[0].Name != "made-by-nightshiftd" || list[1].Name != "made-by-the-worker" {
				t.Errorf("list %v %v", list, err)
			}
			if err := ours.Delete("made-by-the-worker"); err != nil {
				t.Fatal(err)
			}
			if _, err := sdk.Key("made-by-the-worker"); err == nil {
				t.Error("the SDK still finds a key deleted here")
			}
			if _, err := sdk.KeyByAddress(sdktypes.AccAddress(mineAddr)); err == nil {
				t.Error("the SDK still finds a deleted key by address")
			}
			if _, err := ours.Key("made-by-the-worker"); !errors.Is(err, ErrNotFound) {
				t.Errorf("deleted key: %v", err)
			}
		})
	}
}

// TestFileBackendPassphrase: the SDK's keyhash is checked, a wrong
// passphrase three times fails, and a keyhash written here lets the SDK in.
func TestFileBackendPassphrase(t *testing.T) {
	dir := t.TempDir()
	ours, err := Open(service, BackendFile, dir, strings.NewReader("s3cret-phrase\ns3cret-phrase\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ours.NewAccount("k", mnemonic, "", hdPath); err != nil {
		t.Fatal(err)
	}
	wrong, err := Open(service, BackendFile, dir, strings.NewReader("not-the-phrase\nalso-not-it\nstill-wrong\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Key("k"); err == nil {
		t.Error("a wrong passphrase opened the key")
	}
	sdk, err := sdkkeyring.New(service, BackendFile, dir, strings.NewReader("s3cret-phrase\n"), sdkCodec())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.Key("k"); err != nil {
		t.Errorf("the SDK with our passphrase: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Open(service, "ledger", t.TempDir(), nil); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("backend ledger: %v", err)
	}
	kr, _ := Open(service, BackendMemory, "", nil)
	if _, err := kr.NewAccount("k", "not a mnemonic", "", hdPath); err == nil {
		t.Error("accepted an invalid mnemonic")
	}
	if _, err := kr.NewAccount("k", mnemonic, "", hdPath); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.NewAccount("k", mnemonic2, "", hdPath); err == nil {
		t.Error("a second key of the same name")
	}
	if _, err := kr.Key("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
}
