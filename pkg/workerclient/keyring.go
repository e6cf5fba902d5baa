package workerclient

import (
	"io"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// KeyCodec is the codec keyring records are stored with: their keys are Anys
// of the SDK's crypto types, which is all it needs to know.
func KeyCodec() codec.Codec {
	registry := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(registry)
	return codec.NewProtoCodec(registry)
}

// OpenKeyring opens the SDK keyring of backend (os, file, test, ...) under
// dir, as `nightshiftd keys` does (client.NewKeyringFromBackend): same
// service name, same directory, same record format, so keys made by either
// binary work in both. input answers passphrase prompts.
func OpenKeyring(backend, dir string, input io.Reader) (keyring.Keyring, error) {
	return keyring.New(sdk.KeyringServiceName(), backend, dir, input, KeyCodec())
}
