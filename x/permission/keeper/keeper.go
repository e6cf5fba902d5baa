// Package keeper holds the approved validator set and the gates that keep
// voting power inside it.
package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/permission/types"
)

// Keeper stores the authority and the approved operators.
type Keeper struct {
	addressCodec     address.Codec
	valAddressCodec  address.Codec
	staking          types.StakingKeeper
	defaultAuthority string

	Schema    collections.Schema
	Authority collections.Item[string]
	Approved  collections.Map[[]byte, types.ApprovedValidator]
	// RevealChains are the validators' hash chains, by consensus address.
	RevealChains collections.Map[[]byte, types.RevealChain]
	// BlockSeed is the current block's seed (see reveal_seed.go).
	BlockSeed collections.Item[types.BlockSeed]
}

// NewKeeper builds the keeper; defaultAuthority (normally the x/gov module
// account) is used until genesis or MsgUpdateAuthority names another.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService corestore.KVStoreService,
	ac, valAc address.Codec,
	staking types.StakingKeeper,
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
		RevealChains:     collections.NewMap(sb, types.RevealChainsKey, "reveal_chains", collections.BytesKey, codec.CollValue[types.RevealChain](cdc)),
		BlockSeed:        collections.NewItem(sb, types.BlockSeedKey, "block_seed", codec.CollValue[types.BlockSeed](cdc)),
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
func (k *Keeper) StakingKeeper() types.StakingKeeper { return k.staking }

// IsApproved reports whether an operator account may hold voting power.
func (k *Keeper) IsApproved(ctx context.Context, operator sdk.AccAddress) (bool, error) {
	return k.Approved.Has(ctx, operator)
}
