package workerclient

import (
	"io"

	"github.com/cosmos/cosmos-sdk/version"

	"github.com/nightshift-network/nightshift/pkg/workerkeys"
)

// defaultKeyringService is sdk.DefaultKeyringServiceName (TestKeyringServiceName).
const defaultKeyringService = "cosmos"

// keyringServiceName is sdk.KeyringServiceName() without cosmos-sdk/types:
// the binary's version.Name (make sets it with -X), else the SDK's default.
func keyringServiceName() string {
	if version.Name == "" {
		return defaultKeyringService
	}
	return version.Name
}

// OpenKeyring opens the keyring of backend (os, file, test, ...) under dir
// as `nightshiftd keys` opens it (client.NewKeyringFromBackend): same service
// name, same directory, same record format, so keys made by either binary
// work in both. pkg/workerkeys reads it without the SDK's crypto/keyring.
// input answers passphrase prompts.
func OpenKeyring(backend, dir string, input io.Reader) (*workerkeys.Keyring, error) {
	return workerkeys.Open(keyringServiceName(), backend, dir, input)
}
