package workerkeys

// BIP-32 derivation of secp256k1 keys, ported from the SDK's crypto/hd
// (v0.54.4, hdpath.go, Apache-2.0) so the worker does not link crypto/hd:
// its secp256k1 algorithm imports the SDK's codec, and with it cosmos-db,
// pebble and the pulsar tx protos. The code follows the SDK's step for step
// (the same path parsing, errors and modular addition), so a mnemonic gives
// the key `nightshiftd keys add` gives; TestDerivationIsTheSDKs compares.

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// mastersFromSeed is hd.ComputeMastersFromSeed: the master secret and chain code.
func mastersFromSeed(seed []byte) (secret, chainCode [32]byte) {
	return hmacHalves([]byte("Bitcoin seed"), seed)
}

// privateKeyForPath is hd.DerivePrivateKeyForPath: the key at path
// ("m/44'/118'/0'/0/0") below the master secret and chain code.
func privateKeyForPath(privKeyBytes, chainCode [32]byte, path string) ([]byte, error) {
	path = strings.TrimRightFunc(path, func(r rune) bool { return r == filepath.Separator })
	data := privKeyBytes
	parts := strings.Split(path, "/")
	switch {
	case parts[0] == path:
		return nil, fmt.Errorf("path '%s' doesn't contain '/' separators", path)
	case strings.TrimSpace(parts[0]) == "m":
		parts = parts[1:]
	}
	for i, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("path %q with split element #%d is an empty string", part, i)
		}
		harden := part[len(part)-1:] == "'"
		if harden {
			part = part[:len(part)-1]
		}
		// BIP-32 indexes are below 2^31; the hardened bit is added below.
		idx, err := strconv.ParseUint(part, 10, 31)
		if err != nil {
			return []byte{}, fmt.Errorf("invalid BIP 32 path %s: %w", path, err)
		}
		data, chainCode = deriveChild(data, chainCode, uint32(idx), harden)
	}
	derived := make([]byte, 32)
	copy(derived, data[:])
	return derived, nil
}

// deriveChild is one BIP-32 private derivation step (hardened or not).
func deriveChild(privKeyBytes, chainCode [32]byte, index uint32, harden bool) ([32]byte, [32]byte) {
	var data []byte
	if harden {
		index |= 0x80000000
		data = append([]byte{0}, privKeyBytes[:]...)
	} else {
		data = secp256k1.PrivKeyFromBytes(privKeyBytes[:]).PubKey().SerializeCompressed()
	}
	data = binary.BigEndian.AppendUint32(data, index)
	il, childChain := hmacHalves(chainCode[:], data)
	return addScalars(privKeyBytes[:], il[:]), childChain
}

// curveOrder is secp256k1's group order N.
var curveOrder, _ = new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)

// addScalars is (a + b) mod N, big-endian, as the SDK computes it.
func addScalars(a, b []byte) [32]byte {
	s := new(big.Int).Add(new(big.Int).SetBytes(a), new(big.Int).SetBytes(b))
	x := s.Mod(s, curveOrder).Bytes()
	var out [32]byte
	copy(out[32-len(x):], x)
	return out
}

// hmacHalves returns the two halves of HMAC-SHA512(key, data).
func hmacHalves(key, data []byte) (il, ir [32]byte) {
	mac := hmac.New(sha512.New, key)
	_, _ = mac.Write(data) // a hash's Write never fails
	sum := mac.Sum(nil)
	copy(il[:], sum[:32])
	copy(ir[:], sum[32:])
	return il, ir
}
