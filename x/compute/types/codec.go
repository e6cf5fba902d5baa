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
		&MsgRegisterDevice{},
		&MsgUpdateDevice{},
		&MsgUnbondDevice{},
		&MsgPostJob{},
		&MsgCancelJob{},
		&MsgLeaseTask{},
		&MsgSubmitClaim{},
		&MsgSubmitProof{},
		&MsgWithdrawRewards{},
		&MsgApproveRequester{},
		&MsgRevokeRequester{},
		&MsgUpdateParams{},
		&MsgDemandDelivery{},
		&MsgDeliverOutputs{},
		&MsgReportFraud{},
		&MsgReleaseTask{},
		&MsgStoreProgram{},
		&MsgLeaseTasks{},
		&MsgSubmitClaims{},
		&MsgSubmitProofs{},
		&MsgLeaseAndClaim{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}

// RegisterLegacyAminoCodec registers the messages for amino JSON signing (ledger).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgRegisterDevice{}, "nightshift/compute/MsgRegisterDevice", nil)
	cdc.RegisterConcrete(&MsgUpdateDevice{}, "nightshift/compute/MsgUpdateDevice", nil)
	cdc.RegisterConcrete(&MsgUnbondDevice{}, "nightshift/compute/MsgUnbondDevice", nil)
	cdc.RegisterConcrete(&MsgPostJob{}, "nightshift/compute/MsgPostJob", nil)
	cdc.RegisterConcrete(&MsgCancelJob{}, "nightshift/compute/MsgCancelJob", nil)
	cdc.RegisterConcrete(&MsgLeaseTask{}, "nightshift/compute/MsgLeaseTask", nil)
	cdc.RegisterConcrete(&MsgSubmitClaim{}, "nightshift/compute/MsgSubmitClaim", nil)
	cdc.RegisterConcrete(&MsgSubmitProof{}, "nightshift/compute/MsgSubmitProof", nil)
	cdc.RegisterConcrete(&MsgWithdrawRewards{}, "nightshift/compute/MsgWithdrawRewards", nil)
	cdc.RegisterConcrete(&MsgApproveRequester{}, "nightshift/compute/MsgApproveRequester", nil)
	cdc.RegisterConcrete(&MsgDemandDelivery{}, "nightshift/compute/MsgDemandDelivery", nil)
	cdc.RegisterConcrete(&MsgDeliverOutputs{}, "nightshift/compute/MsgDeliverOutputs", nil)
	cdc.RegisterConcrete(&MsgReportFraud{}, "nightshift/compute/MsgReportFraud", nil)
	cdc.RegisterConcrete(&MsgRevokeRequester{}, "nightshift/compute/MsgRevokeRequester", nil)
	cdc.RegisterConcrete(&MsgUpdateParams{}, "nightshift/compute/MsgUpdateParams", nil)
	cdc.RegisterConcrete(&MsgReleaseTask{}, "nightshift/compute/MsgReleaseTask", nil)
	cdc.RegisterConcrete(&MsgStoreProgram{}, "nightshift/compute/MsgStoreProgram", nil)
	cdc.RegisterConcrete(&MsgLeaseTasks{}, "nightshift/compute/MsgLeaseTasks", nil)
	cdc.RegisterConcrete(&MsgSubmitClaims{}, "nightshift/compute/MsgSubmitClaims", nil)
	cdc.RegisterConcrete(&MsgSubmitProofs{}, "nightshift/compute/MsgSubmitProofs", nil)
	cdc.RegisterConcrete(&MsgLeaseAndClaim{}, "nightshift/compute/MsgLeaseAndClaim", nil)
	cdc.RegisterConcrete(&Params{}, "nightshift/x/compute/Params", nil)
}
