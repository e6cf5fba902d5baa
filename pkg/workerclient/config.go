package workerclient

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"
)

// ClientConfig is HOME/config/client.toml, the file `nightshiftd config`
// writes: the worker reads the same file, so both binaries agree on the
// chain, the node and the keyring.
type ClientConfig struct {
	ChainID        string `toml:"chain-id"`
	KeyringBackend string `toml:"keyring-backend"`
	Output         string `toml:"output"`
	Node           string `toml:"node"`
	BroadcastMode  string `toml:"broadcast-mode"`
}

// DefaultClientConfig is what the SDK assumes for keys client.toml leaves out
// (client/config DefaultConfig).
func DefaultClientConfig() ClientConfig {
	return ClientConfig{KeyringBackend: "os", Output: "text", Node: "tcp://localhost:26657", BroadcastMode: "sync"}
}

// ReadClientConfig reads home's client.toml over the defaults; a missing file
// is the defaults. Unlike the SDK it does not write the file: the worker
// leaves the shared home as it found it.
func ReadClientConfig(home string) (ClientConfig, error) {
	conf := DefaultClientConfig()
	path := filepath.Join(home, "config", "client.toml")
	bz, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return conf, nil
	}
	if err != nil {
		return conf, fmt.Errorf("client config: %w", err)
	}
	if err := toml.Unmarshal(bz, &conf); err != nil {
		return conf, fmt.Errorf("client config %s: %w", path, err)
	}
	return conf, nil
}
