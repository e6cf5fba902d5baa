package workercli

// What the worker's commands know about the chain, the node and the key:
// flags over client.toml over the SDK's defaults, as client.Context reads them,
// without linking the SDK's client.

import (
	"fmt"
	"io"
	"os"

	"cosmossdk.io/client/v2/helpers"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/pkg/workerkeys"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// chainContext is the worker's client context.
type chainContext struct {
	Home, ChainID, NodeURI, Output string
	FromName, FromAddress          string // the key's name and address ("" without --from)
	Keyring                        *workerkeys.Keyring
	Node                           *cometrpc.Client
	Client                         *workerclient.Client // nil unless signing
}

// Query is the x/compute query client over the node.
func (c chainContext) Query() types.QueryClient {
	return types.NewQueryClient(workerclient.Conn{Node: c.Node})
}

// JSON reports whether --output json was asked for.
func (c chainContext) JSON() bool { return c.Output == OutputFormatJSON }

// addChainFlags adds the flags the worker's client honours (the SDK's names
// and defaults), with human output by default.
func addChainFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String(FlagFrom, "", "name or address of the key that owns this device")
	f.String(FlagChainID, "", "the chain ID (default: chain-id in HOME/config/client.toml)")
	f.String(FlagNode, "", "CometBFT RPC of a node, e.g. tcp://localhost:26657 (default: node in client.toml)")
	AddKeyringFlags(cmd)
	f.String(FlagGasPrices, "", "gas price in ushift, e.g. 0.25ushift (default: the chain's min_gas_price)")
	f.Float64(FlagGasAdjustment, 1.5, "simulated gas is multiplied by this (at least 1.3)")
	f.StringP(FlagOutput, "o", OutputFormatText, "output: text or json")
}

// DefaultHome is nightshiftd's default home (~/.nightshift, or --home and
// the environment as the SDK reads them), so both binaries share the keyring
// and client.toml.
func DefaultHome() string {
	home, err := helpers.GetNodeHomeDirectory(".nightshift")
	if err != nil {
		panic(err)
	}
	return home
}

// homeOf is --home, or nightshiftd's default home.
func homeOf(cmd *cobra.Command) string {
	if h, err := cmd.Flags().GetString(FlagHome); err == nil && h != "" {
		return h
	}
	return DefaultHome()
}

// readChainContext reads the flags and client.toml; --from must name a key.
// With sign (start) a signing client is made for it; status needs only its
// address, so a ledger or offline key will do there.
func readChainContext(cmd *cobra.Command, sign bool) (chainContext, error) {
	home := homeOf(cmd)
	conf, err := workerclient.ReadClientConfig(home)
	if err != nil {
		return chainContext{}, err
	}
	f := cmd.Flags()
	pick := flagOr(cmd)
	ctx := chainContext{
		Home: home, ChainID: pick(FlagChainID, conf.ChainID), NodeURI: pick(FlagNode, conf.Node),
		Output: pick(FlagOutput, conf.Output), FromName: pick(FlagFrom, ""),
	}
	if ctx.Node, err = cometrpc.New(ctx.NodeURI); err != nil {
		return ctx, fmt.Errorf("--node %s: %w", ctx.NodeURI, err)
	}
	if ctx.Keyring, err = openKeyring(cmd, home, conf, pick); err != nil {
		return ctx, err
	}
	if ctx.FromName == "" {
		return ctx, fmt.Errorf("--from is required: the key whose account owns this device")
	}
	if !sign {
		if ctx.FromAddress, err = workerclient.KeyAddress(ctx.Keyring, ctx.FromName); err != nil {
			return ctx, err
		}
		return ctx, nil
	}
	gasAdj, _ := f.GetFloat64(FlagGasAdjustment)
	ctx.Client, err = workerclient.New(workerclient.Options{
		Node: ctx.Node, Keyring: ctx.Keyring, From: ctx.FromName, ChainID: ctx.ChainID,
		GasAdjustment: gasAdj, GasPrices: pick(FlagGasPrices, ""), Known: types.Errors(),
	})
	if err != nil {
		return ctx, err
	}
	ctx.FromAddress = ctx.Client.Address()
	return ctx, nil
}

// flagOr returns the value of a string flag given on the command line (or
// by --config), else fromFile (client.toml's) if set, else the flag's default.
func flagOr(cmd *cobra.Command) func(name, fromFile string) string {
	return func(name, fromFile string) string {
		f := cmd.Flags()
		if fl := f.Lookup(name); fl != nil && fl.Changed {
			return fl.Value.String()
		}
		if fromFile != "" {
			return fromFile
		}
		v, _ := f.GetString(name)
		return v
	}
}

func openKeyring(cmd *cobra.Command, home string, conf workerclient.ClientConfig, pick func(name, fromFile string) string) (*workerkeys.Keyring, error) {
	dir := pick(FlagKeyringDir, "")
	if dir == "" {
		dir = home
	}
	return workerclient.OpenKeyring(pick(FlagKeyringBackend, conf.KeyringBackend), dir, keyInput(cmd))
}

// AddKeyringFlags adds --keyring-backend and --keyring-dir (for `keys`).
func AddKeyringFlags(cmd *cobra.Command) {
	cmd.Flags().String(FlagKeyringBackend, "", "keyring backend: os, file, test, ... (default: keyring-backend in client.toml, else os)")
	cmd.Flags().String(FlagKeyringDir, "", "the keyring's directory (default: HOME)")
}

// OpenKeyring opens the keyring the flags and client.toml name, as
// `nightshiftd keys` opens it.
func OpenKeyring(cmd *cobra.Command) (*workerkeys.Keyring, error) {
	home := homeOf(cmd)
	conf, err := workerclient.ReadClientConfig(home)
	if err != nil {
		return nil, err
	}
	return openKeyring(cmd, home, conf, flagOr(cmd))
}

// keyInput answers keyring passphrase prompts (the file backend) from stdin.
func keyInput(cmd *cobra.Command) io.Reader {
	if in := cmd.InOrStdin(); in != nil {
		return in
	}
	return os.Stdin
}
