package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// BankKeeper is what x/compute needs from x/bank.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, sender sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipient sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	MintCoins(ctx context.Context, moduleName string, amt sdk.Coins) error
	BurnCoins(ctx context.Context, moduleName string, amt sdk.Coins) error
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
}

// AccountKeeper gives the module account's address.
type AccountKeeper interface {
	GetModuleAddress(name string) sdk.AccAddress
}

// AuthoritySource names the account allowed to change params and approve
// requesters. The chain passes x/permission's keeper, so one authority (x/gov,
// or the admin named at genesis) governs validators and the market alike.
type AuthoritySource interface {
	GetAuthority(ctx context.Context) (string, error)
}

// SeedSource gives the seed of the current block when the chain fixed one
// other than the header hash (x/permission: combined vote-extension reveals
// the proposer cannot grind). ok is false when it fixed none.
type SeedSource interface {
	CurrentBlockSeed(ctx context.Context) (seed []byte, ok bool, err error)
}
