// Package clientcodec builds the codec and transaction config of programs that
// talk to a Nightshift node without linking the app (the worker binary): the
// interface registry holds only the types such a client signs, sends and
// reads — x/compute, auth, bank, the tx and crypto types.
package clientcodec

import (
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/std"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
	"github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/app/params"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// Config is what a client.Context needs to encode, sign and decode.
type Config struct {
	InterfaceRegistry codectypes.InterfaceRegistry
	Codec             codec.Codec
	LegacyAmino       *codec.LegacyAmino
	TxConfig          client.TxConfig
}

// New returns the client encoding config, with addresses in the chain's
// bech32 prefixes.
func New() (Config, error) {
	registry, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          address.Bech32Codec{Bech32Prefix: params.AccountAddressPrefix},
			ValidatorAddressCodec: address.Bech32Codec{Bech32Prefix: params.ValidatorAddressPrefix},
		},
	})
	if err != nil {
		return Config{}, err
	}
	amino := codec.NewLegacyAmino()
	std.RegisterLegacyAminoCodec(amino)
	std.RegisterInterfaces(registry)
	authtypes.RegisterInterfaces(registry)
	banktypes.RegisterInterfaces(registry)
	computetypes.RegisterInterfaces(registry)
	cdc := codec.NewProtoCodec(registry)
	return Config{
		InterfaceRegistry: registry,
		Codec:             cdc,
		LegacyAmino:       amino,
		TxConfig:          authtx.NewTxConfig(cdc, authtx.DefaultSignModes),
	}, nil
}

// KeyCodec is the codec the SDK's keyring stores records with: their keys are
// Anys of the SDK's crypto types. Tests open the SDK's keyring with it to
// make keys as `nightshiftd keys` does.
func KeyCodec() codec.Codec {
	registry := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(registry)
	return codec.NewProtoCodec(registry)
}
