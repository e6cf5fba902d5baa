package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterInterfaces registers the module's messages.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgApproveValidator{},
		&MsgRemoveValidator{},
		&MsgUpdateAuthority{},
		&MsgCommitRevealChain{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}

// RegisterLegacyAminoCodec registers the messages for amino JSON signing (ledger).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgApproveValidator{}, "nightshift/permission/MsgApproveValidator", nil)
	cdc.RegisterConcrete(&MsgRemoveValidator{}, "nightshift/permission/MsgRemoveValidator", nil)
	cdc.RegisterConcrete(&MsgUpdateAuthority{}, "nightshift/permission/MsgUpdateAuthority", nil)
	cdc.RegisterConcrete(&MsgCommitRevealChain{}, "nightshift/permission/MsgCommitRevealChain", nil)
}
