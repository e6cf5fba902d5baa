package app

import (
	"encoding/json"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/bank"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// GenesisState is the app state of a genesis file, keyed by module name.
type GenesisState map[string]json.RawMessage

// DenomMetadata describes SHIFT for wallets, explorers and exchanges.
func DenomMetadata() banktypes.Metadata {
	return banktypes.Metadata{
		Description: "The native coin of Nightshift, paid and minted for verified compute.",
		DenomUnits: []*banktypes.DenomUnit{
			{Denom: BondDenom, Exponent: 0, Aliases: []string{"microshift"}},
			{Denom: "mshift", Exponent: 3, Aliases: []string{"millishift"}},
			{Denom: DisplayDenom, Exponent: DisplayExponent},
		},
		Base:    BondDenom,
		Display: DisplayDenom,
		Name:    "Nightshift",
		Symbol:  DisplayDenom,
	}
}

// bankGenesisBasic gives new chains SHIFT's denom metadata by default.
type bankGenesisBasic struct{ bank.AppModule }

func (b bankGenesisBasic) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	gs := banktypes.DefaultGenesisState()
	gs.DenomMetadata = []banktypes.Metadata{DenomMetadata()}
	return cdc.MustMarshalJSON(gs)
}

var _ module.HasGenesisBasics = bankGenesisBasic{}
