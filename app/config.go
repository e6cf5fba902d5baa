package app

import (
	"github.com/nightshift-network/nightshift/app/params"
)

const (
	// Name is the application name reported over ABCI.
	Name = "nightshift"
	// BondDenom is the base denomination: 1 SHIFT = 10^6 ushift.
	BondDenom = params.BondDenom
	// DisplayDenom is the denomination wallets and exchanges show.
	DisplayDenom = params.DisplayDenom
	// DisplayExponent is the power of ten from BondDenom to DisplayDenom.
	DisplayExponent = params.DisplayExponent
	// AccountAddressPrefix is the bech32 prefix of accounts (night1...).
	AccountAddressPrefix = params.AccountAddressPrefix
	// DevnetChainID is the default chain-id of `nightshiftd devnet`.
	DevnetChainID = "nightshift-devnet-1"
	// BlockMaxGas is the block gas limit of every genesis this binary writes
	// (init, devnet, localnet): room for a proof at the default bound (32 samples
	// × (max_verify_gas_per_item 4M + 20k of hashing) = 128.6M gas, within
	// max_verify_gas_per_block 160M) while keeping a block's work bounded
	// (≈ 0.2-0.3 s of validator CPU at 1-1.5 ns per gas unit).
	BlockMaxGas = 200_000_000
)

var (
	// ValidatorAddressPrefix is the bech32 prefix of operator addresses (nightvaloper1...).
	ValidatorAddressPrefix = params.ValidatorAddressPrefix
	// ConsensusAddressPrefix is the bech32 prefix of consensus addresses.
	ConsensusAddressPrefix = params.ConsensusAddressPrefix
)

// SetConfig points the SDK's global address config and default denom at
// Nightshift's. It runs before any address is parsed or printed.
func SetConfig() { params.SetSDKConfig() }

func init() { SetConfig() }
