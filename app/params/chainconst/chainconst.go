// Package chainconst holds the chain's coin and address constants with no
// imports, so programs that must not link cosmos-sdk/types (nightshift-worker)
// share the one definition; app/params re-exports them and keeps SetSDKConfig,
// which points the SDK's global config at them.
package chainconst

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
