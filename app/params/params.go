// Package params holds the chain's coin and address constants in a package of
// their own, so that off-chain programs (the worker, the collector, clients) share
// the one definition with the app without linking the app.
package params

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
