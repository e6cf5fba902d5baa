package workerclient

import (
	"io"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/pkg/workerkeys"
)

// KeyCodec is the codec the SDK's keyring stores records with: their keys are
// Anys of the SDK's crypto types. Tests open the SDK's keyring with it to
// make keys as `nightshiftd keys` does.
func KeyCodec() codec.Codec {
	registry := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(registry)
	return codec.NewProtoCodec(registry)
}

// OpenKeyring opens the keyring of backend (os, file, test, ...) under dir
// as `nightshiftd keys` opens it (client.NewKeyringFromBackend): same service
// name, same directory, same record format, so keys made by either binary
// work in both. pkg/workerkeys reads it without the SDK's crypto/keyring.
// input answers passphrase prompts.
func OpenKeyring(backend, dir string, input io.Reader) (*workerkeys.Keyring, error) {
	return workerkeys.Open(sdk.KeyringServiceName(), backend, dir, input)
}
