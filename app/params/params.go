// Package params holds the chain's coin and address constants in a package of
// their own, so that off-chain programs (the worker, the collector, clients) share
// the one definition with the app without linking the app.
package params

import sdk "github.com/cosmos/cosmos-sdk/types"

const (
	// BondDenom is the base denomination: 1 SHIFT = 10^6 ushift.
	BondDenom = "ushift"
	// DisplayDenom is the denomination wallets and exchanges show.
	DisplayDenom = "SHIFT"
	// DisplayExponent is the power of ten from BondDenom to DisplayDenom.
	DisplayExponent = 6
	// AccountAddressPrefix is the bech32 prefix of accounts (night1...).
	AccountAddressPrefix = "night"
)

const (
	// ValidatorAddressPrefix is the bech32 prefix of operator addresses (nightvaloper1...).
	ValidatorAddressPrefix = AccountAddressPrefix + "valoper"
	// ConsensusAddressPrefix is the bech32 prefix of consensus addresses.
	ConsensusAddressPrefix = AccountAddressPrefix + "valcons"
	// CoinType is the BIP-44 coin type keys are derived with (Cosmos Hub's).
	CoinType = 118
)

// SetSDKConfig points the SDK's global address config and default denom at
// Nightshift's. The app and the worker binary call it before any address is
// parsed or printed.
func SetSDKConfig() {
	cfg := sdk.GetConfig()
	cfg.SetBech32PrefixForAccount(AccountAddressPrefix, AccountAddressPrefix+"pub")
	cfg.SetBech32PrefixForValidator(ValidatorAddressPrefix, ValidatorAddressPrefix+"pub")
	cfg.SetBech32PrefixForConsensusNode(ConsensusAddressPrefix, ConsensusAddressPrefix+"pub")
	cfg.SetCoinType(CoinType)
	sdk.DefaultBondDenom = BondDenom
}
