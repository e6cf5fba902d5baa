// Package accaddr reads and writes account addresses (bech32 with the chain's
// account prefix) as the SDK's sdk.AccAddress does under app/params'
// SetSDKConfig, without linking cosmos-sdk/types: the worker needs addresses,
// not the SDK's global config.
package accaddr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/nightshift-network/nightshift/app/params/chainconst"
)

// maxAddrLen is the SDK's VerifyAddressFormat bound on address bytes.
const maxAddrLen = 255

// String is sdk.AccAddress(addr).String(): "" for an empty address.
func String(addr []byte) string {
	if len(addr) == 0 {
		return ""
	}
	s, err := bech32.ConvertAndEncode(chainconst.AccountAddressPrefix, addr)
	if err != nil {
		// ConvertAndEncode fails only on a prefix bech32 refuses or an
		// over-long result; the prefix is a constant and the length bounded
		// by the callers' key sizes, so this is a programming error.
		panic(fmt.Sprintf("accaddr: encode %x: %v", addr, err))
	}
	return s
}

// Parse is sdk.AccAddressFromBech32: the address bytes of s, which must carry
// the account prefix and hold 1 to 255 bytes.
func Parse(s string) ([]byte, error) {
	if len(strings.TrimSpace(s)) == 0 {
		return nil, errors.New("empty address string is not allowed")
	}
	hrp, bz, err := bech32.DecodeAndConvert(s)
	if err != nil {
		return nil, err
	}
	if hrp != chainconst.AccountAddressPrefix {
		return nil, fmt.Errorf("invalid Bech32 prefix; expected %s, got %s", chainconst.AccountAddressPrefix, hrp)
	}
	if err := Verify(bz); err != nil {
		return nil, err
	}
	return bz, nil
}

// Verify is sdk.VerifyAddressFormat without a custom verifier: 1 to 255 bytes.
func Verify(bz []byte) error {
	if len(bz) == 0 {
		return errors.New("addresses cannot be empty: unknown address")
	}
	if len(bz) > maxAddrLen {
		return fmt.Errorf("address max length is %d, got %d: unknown address", maxAddrLen, len(bz))
	}
	return nil
}
