package accaddr_test

import (
	"bytes"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/accaddr"
)

func init() { params.SetSDKConfig() }

// TestAsTheSDK requires the SDK's answers under SetSDKConfig: the same text
// for 20- and 32-byte addresses, the same bytes back, and a refusal wherever
// the SDK refuses (empty, another prefix, a bad checksum, too long).
func TestAsTheSDK(t *testing.T) {
	for _, n := range []int{20, 32} {
		addr := bytes.Repeat([]byte{byte(n)}, n)
		require.Equal(t, sdk.AccAddress(addr).String(), accaddr.String(addr))
		got, err := accaddr.Parse(accaddr.String(addr))
		require.NoError(t, err)
		require.Equal(t, addr, got)
	}
	require.Equal(t, sdk.AccAddress(nil).String(), accaddr.String(nil))
	valoper, err := bech32.ConvertAndEncode(params.ValidatorAddressPrefix, make([]byte, 20))
	require.NoError(t, err)
	long, err := bech32.ConvertAndEncode(params.AccountAddressPrefix, make([]byte, 256))
	require.NoError(t, err)
	good := accaddr.String(make([]byte, 20))
	badSum := good[:len(good)-1] + string("qpzry9x8"[(bytes.IndexByte([]byte("qpzry9x8"), good[len(good)-1])+1)%8])
	for _, bad := range []string{"", "  ", valoper, long, badSum, "night1"} {
		_, sdkErr := sdk.AccAddressFromBech32(bad)
		require.Error(t, sdkErr, bad)
		_, err := accaddr.Parse(bad)
		require.Error(t, err, bad)
	}
	require.Error(t, accaddr.Verify(nil))
	require.Error(t, accaddr.Verify(make([]byte, 256)))
	require.NoError(t, accaddr.Verify(make([]byte, 20)))
}
