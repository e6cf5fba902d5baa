// Package params holds the chain's coin and address constants in a package of
// their own, so that off-chain programs (the worker, the collector, clients) share
// the one definition with the app without linking the app.
package params

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/app/params/chainconst"
)

// The constants are chainconst's (one definition, in a package the worker can
// link without the SDK).
const (
	BondDenom              = chainconst.BondDenom
	DisplayDenom           = chainconst.DisplayDenom
	DisplayExponent        = chainconst.DisplayExponent
	AccountAddressPrefix   = chainconst.AccountAddressPrefix
	ValidatorAddressPrefix = chainconst.ValidatorAddressPrefix
	ConsensusAddressPrefix = chainconst.ConsensusAddressPrefix
	CoinType               = chainconst.CoinType
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
