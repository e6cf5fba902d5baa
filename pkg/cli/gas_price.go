package cli

import (
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/pkg/txclient"
)

// PayChainGasPrice sets --gas-prices to the chain's min_gas_price on a
// command under `tx` that is about to sign for the node and was given neither
// --fees nor --gas-prices, so a user never needs to know the price to have a
// transaction accepted (every node's ante handler requires it, in DeliverTx
// too). Offline and --generate-only commands, and a node that does not answer,
// are left as they are: the transaction then carries what the user gave.
func PayChainGasPrice(cmd *cobra.Command) error {
	if !underTx(cmd) {
		return nil
	}
	fs := cmd.Flags()
	fees, prices := fs.Lookup(flags.FlagFees), fs.Lookup(flags.FlagGasPrices)
	if fees == nil || prices == nil || fees.Value.String() != "" || prices.Value.String() != "" {
		return nil
	}
	if offline, _ := fs.GetBool(flags.FlagOffline); offline {
		return nil
	}
	if generateOnly, _ := fs.GetBool(flags.FlagGenerateOnly); generateOnly {
		return nil
	}
	clientCtx, err := client.GetClientQueryContext(cmd)
	if err != nil || clientCtx.Client == nil {
		return nil //nolint:nilerr // the command reports its own node errors
	}
	price, err := txclient.ChainGasPrice(cmd.Context(), clientCtx)
	if err != nil {
		return nil //nolint:nilerr // as above: an unreachable node fails the command itself
	}
	if v := txclient.GasPrices(price); v != "" {
		return fs.Set(flags.FlagGasPrices, v)
	}
	return nil
}

// underTx reports whether cmd is in the root's `tx` tree.
func underTx(cmd *cobra.Command) bool {
	for c := cmd; c.HasParent(); c = c.Parent() {
		if c.Name() == "tx" && !c.Parent().HasParent() {
			return true
		}
	}
	return false
}
