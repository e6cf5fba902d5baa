// Package keeper holds the approved validator set and the gates that keep
// voting power inside it.
package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// StakingKeeper is what the permission module needs from x/staking.
type StakingKeeper interface {
	GetValidator(ctx context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error)
	GetValidatorByConsAddr(ctx context.Context, consAddr sdk.ConsAddress) (stakingtypes.Validator, error)
	GetBondedValidatorsByPower(ctx context.Context) ([]stakingtypes.Validator, error)
	GetAllValidators(ctx context.Context) ([]stakingtypes.Validator, error)
	Jail(ctx context.Context, consAddr sdk.ConsAddress) error
	PowerReduction(ctx context.Context) math.Int
}

// Keeper stores the authority and the approved operators.
type Keeper struct {
	addressCodec     address.Codec
	valAddressCodec  address.Codec
	staking          StakingKeeper
	defaultAuthority string

	Schema    collections.Schema
	Authority collections.Item[string]
	Approved  collections.Map[[]byte, types.ApprovedValidator]
}

// NewKeeper builds the keeper; defaultAuthority (normally the x/gov module
// account) is used until genesis or MsgUpdateAuthority names another.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService corestore.KVStoreService,
	ac, valAc address.Codec,
	staking StakingKeeper,
	defaultAuthority string,
) *Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	k := &Keeper{
		addressCodec:     ac,
		valAddressCodec:  valAc,
		staking:          staking,
		defaultAuthority: defaultAuthority,
		Authority:        collections.NewItem(sb, types.AuthorityKey, "authority", collections.StringValue),
		Approved:         collections.NewMap(sb, types.ApprovedKey, "approved", collections.BytesKey, codec.CollValue[types.ApprovedValidator](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// GetAuthority returns the account allowed to manage the approved set.
func (k *Keeper) GetAuthority(ctx context.Context) (string, error) {
	a, err := k.Authority.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return k.defaultAuthority, nil
	}
	return a, err
}

// StakingKeeper returns the staking keeper the permission rules read
// (simulations model the removal rule with it).
func (k *Keeper) StakingKeeper() StakingKeeper { return k.staking }

// IsApproved reports whether an operator account may hold voting power.
func (k *Keeper) IsApproved(ctx context.Context, operator sdk.AccAddress) (bool, error) {
	return k.Approved.Has(ctx, operator)
}
