package cli

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/txclient"
)

// TestPayChainGasPriceLeavesGivenFeesAlone: only commands under `tx` are
// priced, and a user's --fees or --gas-prices, or an offline or
// --generate-only command, is never overridden (nor is a node asked).
func TestPayChainGasPriceLeavesGivenFeesAlone(t *testing.T) {
	tree := func() (*cobra.Command, *cobra.Command, *cobra.Command) {
		root := &cobra.Command{Use: "nightshiftd"}
		tx := &cobra.Command{Use: "tx"}
		send := &cobra.Command{Use: "send"}
		flags.AddTxFlagsToCmd(send)
		other := &cobra.Command{Use: "worker"}
		flags.AddTxFlagsToCmd(other)
		root.AddCommand(tx, other)
		tx.AddCommand(send)
		return root, send, other
	}
	_, send, other := tree()
	require.True(t, underTx(send))
	require.False(t, underTx(other), "the worker prices its own transactions (pkg/txclient)")
	require.NoError(t, PayChainGasPrice(other))
	require.Empty(t, other.Flags().Lookup(flags.FlagGasPrices).Value.String())

	for _, given := range [][2]string{
		{flags.FlagFees, "5ushift"}, {flags.FlagGasPrices, "0.5ushift"}, {flags.FlagOffline, "true"}, {flags.FlagGenerateOnly, "true"},
	} {
		_, send, _ := tree()
		require.NoError(t, send.Flags().Set(given[0], given[1]))
		require.NoError(t, PayChainGasPrice(send), given[0])
		if given[0] != flags.FlagGasPrices {
			require.Empty(t, send.Flags().Lookup(flags.FlagGasPrices).Value.String(), given[0])
		} else {
			require.Equal(t, "0.5ushift", send.Flags().Lookup(flags.FlagGasPrices).Value.String())
		}
	}
	require.Equal(t, "0.001000000000000000ushift", txclient.GasPrices(math.LegacyNewDecWithPrec(1, 3)))
	require.Empty(t, txclient.GasPrices(math.LegacyZeroDec()))
	require.Empty(t, txclient.GasPrices(math.LegacyDec{}))
}
