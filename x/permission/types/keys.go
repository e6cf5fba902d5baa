package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the permission module.
	ModuleName = "permission"
	// StoreKey is the module's KV store key.
	StoreKey = ModuleName
)

var (
	// AuthorityKey holds the authority when it is not the x/gov module account.
	AuthorityKey = collections.NewPrefix(0)
	// ApprovedKey prefixes approved operators, keyed by account address.
	ApprovedKey = collections.NewPrefix(1)
	// RevealChainsKey prefixes the validators' hash chains, keyed by consensus address.
	RevealChainsKey = collections.NewPrefix(2)
	// BlockSeedKey holds the seed of the current block (its height and value).
	BlockSeedKey = collections.NewPrefix(3)
)
