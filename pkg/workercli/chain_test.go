package workercli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/clientcodec"
)

// Flags win over client.toml, which wins over the defaults, as with the SDK's
// client.Context; the key comes from the keyring client.toml names.
func TestChainContextPrecedence(t *testing.T) {
	params.SetSDKConfig()
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, "config", "client.toml"),
		[]byte("chain-id = \"from-file\"\nnode = \"tcp://10.1.1.1:26657\"\nkeyring-backend = \"test\"\n"), 0o600))
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, clientcodec.KeyCodec())
	require.NoError(t, err)
	rec, _, err := kr.NewMnemonic("rig", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	addr, _ := rec.GetAddress()

	read := func(sign bool, args ...string) (chainContext, error) {
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		cmd.Flags().String(flags.FlagHome, "", "")
		addChainFlags(cmd)
		require.NoError(t, cmd.ParseFlags(append(args, "--home", home)))
		return readChainContext(cmd, sign)
	}
	ctx, err := read(true, "--from", "rig", "--chain-id", "from-flag")
	require.NoError(t, err)
	require.Equal(t, "from-flag", ctx.ChainID)
	require.Equal(t, "tcp://10.1.1.1:26657", ctx.NodeURI)
	require.Equal(t, "text", ctx.Output)
	require.Equal(t, addr.String(), ctx.FromAddress)
	require.NotNil(t, ctx.Client)

	ctx, err = read(false, "--from", addr.String(), "-o", "json")
	require.NoError(t, err)
	require.Equal(t, "from-file", ctx.ChainID)
	require.True(t, ctx.JSON())
	require.Equal(t, addr.String(), ctx.FromAddress, "--from takes an address too")
	require.Nil(t, ctx.Client, "status signs nothing")

	_, err = read(true)
	require.ErrorContains(t, err, "--from is required")
	_, err = read(true, "--from", "nobody")
	require.ErrorContains(t, err, "nobody")
	_, err = read(true, "--from", "rig", "--gas-prices", "1stake")
	require.ErrorContains(t, err, "--gas-prices")
}
