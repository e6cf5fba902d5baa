package workerkeys

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/99designs/keyring"
	"github.com/cosmos/go-bip39"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // the SDK's secp256k1 address is RIPEMD-160 of SHA-256
)

const (
	infoSuffix    = ".info"
	addressSuffix = ".address"
	// The type URLs of the SDK's secp256k1 keys inside a Record.
	pubKeyURL  = "/cosmos.crypto.secp256k1.PubKey"
	privKeyURL = "/cosmos.crypto.secp256k1.PrivKey"
)

// ErrNotFound is a key name or address the keyring does not hold.
var ErrNotFound = errors.New("key not found")

// Key is a keyring record: its name, its kind as the SDK prints it (local,
// ledger, offline, multi), its public key (the Any's type URL and value), and
// for a local secp256k1 key the private key that signs.
type Key struct {
	Name        string
	Type        string
	PubKeyType  string
	PubKeyValue []byte
	priv        *secp256k1.PrivateKey
}

// PubKeyBytes is a secp256k1 key's 33-byte compressed public key.
func (k *Key) PubKeyBytes() ([]byte, error) {
	if k.PubKeyType != pubKeyURL {
		return nil, fmt.Errorf("key %s: public key %s: only secp256k1 keys are supported", k.Name, k.PubKeyType)
	}
	pk, err := keyOf(k.PubKeyValue)
	if err != nil {
		return nil, fmt.Errorf("key %s: public key: %w", k.Name, err)
	}
	if len(pk) != secp256k1.PubKeyBytesLenCompressed {
		return nil, fmt.Errorf("key %s: public key of %d bytes", k.Name, len(pk))
	}
	return pk, nil
}

// CanSign reports whether the key is a local secp256k1 key held here.
func (k *Key) CanSign() bool { return k.priv != nil }

// Address is the 20-byte account address: RIPEMD-160(SHA-256(compressed
// public key)) for secp256k1, as the SDK's secp256k1 PubKey.Address.
func (k *Key) Address() ([]byte, error) {
	pk, err := k.PubKeyBytes()
	if err != nil {
		return nil, err
	}
	return addressOf(pk), nil
}

func addressOf(compressed []byte) []byte {
	sha := sha256.Sum256(compressed)
	h := ripemd160.New()
	h.Write(sha[:])
	return h.Sum(nil)
}

// Sign signs msg as the SDK's secp256k1 PrivKey.Sign does: a deterministic
// (RFC 6979) low-S signature of SHA-256(msg), 64 bytes R || S.
func (k *Key) Sign(msg []byte) ([]byte, error) {
	if k.priv == nil {
		return nil, fmt.Errorf("key %s holds no private key here (a %s key)", k.Name, k.Type)
	}
	h := sha256.Sum256(msg)
	sig := ecdsa.SignCompact(k.priv, h[:], false)
	return sig[1:], nil // drop the recovery code
}

// Key returns the key named name.
func (kr *Keyring) Key(name string) (*Key, error) {
	item, err := kr.db.Get(name + infoSuffix)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decode(name, item.Data)
}

// KeyByAddress returns the key whose account address is addr.
func (kr *Keyring) KeyByAddress(addr []byte) (*Key, error) {
	item, err := kr.db.Get(hex.EncodeToString(addr) + addressSuffix)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, fmt.Errorf("address %X: %w", addr, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return kr.Key(strings.TrimSuffix(string(item.Data), infoSuffix))
}

// List returns every key, sorted by name.
func (kr *Keyring) List() ([]*Key, error) {
	names, err := kr.db.Keys()
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Key
	for _, n := range names {
		if !strings.HasSuffix(n, infoSuffix) {
			continue
		}
		k, err := kr.Key(strings.TrimSuffix(n, infoSuffix))
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// NewAccount derives the secp256k1 key of mnemonic (and the BIP-39
// passphrase) at hdPath with the SDK's derivation (hdpath.go, crypto/hd's) and stores
// it as name, as the SDK keyring's NewAccount does.
func (kr *Keyring) NewAccount(name, mnemonic, bip39Passphrase, hdPath string) (*Key, error) {
	if !bip39.IsMnemonicValid(mnemonic) {
		return nil, errors.New("invalid mnemonic")
	}
	seed, err := bip39.NewSeedWithErrorChecking(mnemonic, bip39Passphrase)
	if err != nil {
		return nil, err
	}
	master, chain := mastersFromSeed(seed)
	privBytes, err := privateKeyForPath(master, chain, hdPath)
	if err != nil {
		return nil, err
	}
	priv := secp256k1.PrivKeyFromBytes(privBytes)
	rec := record{
		Name:   name,
		PubKey: anyMsg{TypeURL: pubKeyURL, Value: keyMessage(priv.PubKey().SerializeCompressed())},
		Priv:   &anyMsg{TypeURL: privKeyURL, Value: keyMessage(privBytes)},
	}
	addr := addressOf(priv.PubKey().SerializeCompressed())
	if _, err := kr.Key(name); err == nil {
		return nil, fmt.Errorf("a key named %s exists already", name)
	}
	if _, err := kr.KeyByAddress(addr); err == nil {
		return nil, fmt.Errorf("the key of this mnemonic exists already (address %X)", addr)
	}
	bz := rec.marshal()
	if err := kr.db.Set(keyring.Item{Key: name + infoSuffix, Data: bz}); err != nil {
		return nil, err
	}
	if err := kr.db.Set(keyring.Item{Key: hex.EncodeToString(addr) + addressSuffix, Data: []byte(name + infoSuffix)}); err != nil {
		return nil, err
	}
	return decode(name, bz)
}

// Delete removes the key named name and its address entry.
func (kr *Keyring) Delete(name string) error {
	k, err := kr.Key(name)
	if err != nil {
		return err
	}
	if addr, err := k.Address(); err == nil {
		if err := kr.db.Remove(hex.EncodeToString(addr) + addressSuffix); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
			return err
		}
	}
	return kr.db.Remove(name + infoSuffix)
}

// decode reads a NAME.info item.
func decode(name string, data []byte) (*Key, error) {
	rec, err := unmarshalRecord(data)
	if err != nil {
		return nil, fmt.Errorf("key %s: not a protobuf keyring record (an amino key from before SDK v0.46? run `nightshiftd keys list` once to migrate it): %w", name, err)
	}
	k := &Key{Name: rec.Name, Type: rec.Kind, PubKeyType: rec.PubKey.TypeURL, PubKeyValue: rec.PubKey.Value}
	if rec.Priv != nil && rec.Priv.TypeURL == privKeyURL {
		priv, err := keyOf(rec.Priv.Value)
		if err != nil || len(priv) != secp256k1.PrivKeyBytesLen {
			return nil, fmt.Errorf("key %s: private key of %d bytes: %v", name, len(priv), err)
		}
		k.priv = secp256k1.PrivKeyFromBytes(priv)
	}
	return k, nil
}
