package keeper

import (
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// addr decodes a bech32 account address from a message.
func (k *Keeper) addr(field, s string) (sdk.AccAddress, error) {
	bz, err := k.addressCodec.StringToBytes(s)
	if err != nil || len(bz) == 0 {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, s, err)
	}
	return bz, nil
}

func (k *Keeper) addrString(bz []byte) string {
	s, err := k.addressCodec.BytesToString(bz)
	if err != nil {
		panic(err) // stored addresses were decoded from valid strings
	}
	return s
}

func pairKey[K1, K2 any](a K1, b K2) collections.Pair[K1, K2] { return collections.Join(a, b) }

func taskKey(job, task uint64) TaskKey { return collections.Join(job, task) }

// newPrefixRange ranges over the pairs whose first part is prefix.
func newPrefixRange[K1, K2 any](prefix K1) *collections.PairRange[K1, K2] {
	return collections.NewPrefixedPairRange[K1, K2](prefix)
}

func zeroInt() math.Int { return math.ZeroInt() }

type pairBytesU64 = collections.Pair[[]byte, uint64]
