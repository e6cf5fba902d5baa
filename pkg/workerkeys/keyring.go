// Package workerkeys reads and writes the keys of `nightshiftd keys` without
// the SDK's crypto/keyring (which imports cosmos-sdk/types and its codec):
// the same 99designs/keyring backends opened with the same configuration
// (service name, directories, the file backend's passphrase prompt and its
// bcrypt keyhash), the same items (NAME.info holding a keyring.v1.Record,
// HEXADDR.address holding "NAME.info"), the same secp256k1 keys and
// signatures. It is encoded with the SDK's pulsar types (cosmossdk.io/api),
// so a key made by either binary works in both (keyring_test.go runs the
// SDK's keyring against it).
//
// Amino-encoded records from before the SDK's v0.46 are not migrated here
// (nightshiftd, which can, rewrites them on first use).
package workerkeys

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/99designs/keyring"
	"github.com/cosmos/cosmos-sdk/client/input"
	"golang.org/x/crypto/bcrypt"
)

// The SDK keyring's backend names (crypto/keyring's Backend*).
const (
	BackendFile    = "file"
	BackendOS      = "os"
	BackendKWallet = "kwallet"
	BackendPass    = "pass"
	BackendTest    = "test"
	BackendMemory  = "memory"
)

// ErrUnknownBackend is a --keyring-backend the SDK does not know either.
var ErrUnknownBackend = errors.New("unknown keyring backend")

// Keyring is one opened keyring.
type Keyring struct {
	db keyring.Keyring
}

// maxPassphraseAttempts is the SDK's maxPassphraseEntryAttempts.
const maxPassphraseAttempts = 3

// Open opens the keyring of backend under dir for service (the SDK's
// KeyringServiceName: the app's name), configured as the SDK's
// crypto/keyring.New configures it. input answers passphrase prompts.
func Open(service, backend, dir string, in io.Reader) (*Keyring, error) {
	var cfg keyring.Config
	switch backend {
	case BackendMemory:
		return &Keyring{db: keyring.NewArrayKeyring(nil)}, nil
	case BackendTest:
		cfg = keyring.Config{
			AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
			ServiceName:      service,
			FileDir:          filepath.Join(dir, "keyring-test"),
			FilePasswordFunc: func(string) (string, error) { return "test", nil },
		}
	case BackendFile:
		fileDir := filepath.Join(dir, "keyring-file")
		cfg = keyring.Config{
			AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
			ServiceName:      service,
			FileDir:          fileDir,
			FilePasswordFunc: prompt(fileDir, in),
		}
	case BackendOS:
		cfg = keyring.Config{
			ServiceName:              service,
			FileDir:                  dir,
			KeychainTrustApplication: true,
			FilePasswordFunc:         prompt(dir, in),
		}
	case BackendKWallet:
		cfg = keyring.Config{
			AllowedBackends: []keyring.BackendType{keyring.KWalletBackend},
			ServiceName:     "kdewallet",
			KWalletAppID:    service,
		}
	case BackendPass:
		cfg = keyring.Config{
			AllowedBackends: []keyring.BackendType{keyring.PassBackend},
			ServiceName:     service,
			PassPrefix:      "keyring-" + service,
		}
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnknownBackend, backend)
	}
	db, err := keyring.Open(cfg)
	if err != nil {
		return nil, err
	}
	return &Keyring{db: db}, nil
}

// prompt is the SDK's newRealPrompt: the passphrase is asked for (three
// attempts) and checked against dir/keyhash, a bcrypt hash written the first
// time (after the passphrase is entered twice).
func prompt(dir string, in io.Reader) func(string) (string, error) {
	return func(string) (string, error) {
		path := filepath.Join(dir, "keyhash")
		hash, err := os.ReadFile(path)
		stored := err == nil
		if err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("failed to read %s: %w", path, err)
		}
		for attempt := 1; attempt <= maxPassphraseAttempts; attempt++ {
			buf := bufio.NewReader(in)
			pass, err := input.GetPassword(fmt.Sprintf("Enter keyring passphrase (attempt %d/%d):", attempt, maxPassphraseAttempts), buf)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				continue
			}
			if stored {
				if bcrypt.CompareHashAndPassword(hash, []byte(pass)) != nil {
					fmt.Fprintln(os.Stderr, "incorrect passphrase")
					continue
				}
				return pass, nil
			}
			again, err := input.GetPassword("Re-enter keyring passphrase:", buf)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				continue
			}
			if pass != again {
				fmt.Fprintln(os.Stderr, "passphrase does not match")
				continue
			}
			h, err := bcrypt.GenerateFromPassword([]byte(pass), 2) // the SDK's cost
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				continue
			}
			if err := os.WriteFile(path, h, 0o600); err != nil {
				return "", err
			}
			return pass, nil
		}
		return "", errors.New("too many failed passphrase attempts")
	}
}
