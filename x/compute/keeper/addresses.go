package keeper

import (
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

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
