// Package workerclient is the worker's own chain client: it signs
// transactions with SIGN_MODE_DIRECT using a key of the SDK's keyring (read
// by pkg/workerkeys),
// simulates them for gas, pays gas × the chain's min_gas_price, broadcasts
// them over CometBFT's RPC and waits for inclusion; queries go over the same
// RPC as ABCI queries. It does what the SDK's client.Context and client/tx do
// for the worker without linking them (and with them the SDK's server config,
// telemetry and store), which keeps the phone binary small.
package workerclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/accaddr"
	"github.com/nightshift-network/nightshift/pkg/workerkeys"
)

// ErrUnavailable marks failures to reach the node (retry later).
var ErrUnavailable = errors.New("node unavailable")

// Options configure a Client.
type Options struct {
	Node    Node
	Keyring *workerkeys.Keyring
	From    string // key name or bech32 address in Keyring
	ChainID string
	// GasAdjustment multiplies the simulated gas; below 1.3 it is 1.5, as
	// the worker always had it.
	GasAdjustment float64
	// GasPrices, e.g. "0.25ushift", overrides the chain's min_gas_price.
	GasPrices string
	// Known are the registered errors a failed simulation is matched against.
	Known []*errorsmod.Error
}

// Client submits transactions signed by one key. It is safe for concurrent use;
// submissions are serialized so sequence numbers never collide.
type Client struct {
	node    Node
	conn    Conn
	key     *workerkeys.Key
	keyName string
	address string
	chainID string
	gasAdj  float64
	price   *gasPrice // nil: the chain's min_gas_price, read at each submission
	known   []*errorsmod.Error

	mu sync.Mutex
	// PollInterval is how often inclusion is checked.
	PollInterval time.Duration
	// Timeout bounds the wait for a transaction to be included.
	Timeout time.Duration
}

// New returns a client for the key opts.From.
func New(opts Options) (*Client, error) {
	key, err := findKey(opts.Keyring, opts.From)
	if err != nil {
		return nil, err
	}
	addr, err := key.Address()
	if err != nil {
		return nil, err
	}
	if !key.CanSign() {
		return nil, fmt.Errorf("key %s holds no private key here (a ledger, offline or multisig key): the worker signs unattended with a local key", key.Name)
	}
	c := &Client{
		node: opts.Node, conn: Conn{Node: opts.Node}, key: key, keyName: key.Name,
		address: accaddr.String(addr), chainID: opts.ChainID,
		gasAdj: opts.GasAdjustment, known: opts.Known,
		PollInterval: 500 * time.Millisecond, Timeout: 60 * time.Second,
	}
	if c.gasAdj < 1.3 {
		c.gasAdj = 1.5
	}
	if opts.GasPrices != "" {
		p, err := parseGasPrice(opts.GasPrices)
		if err != nil {
			return nil, fmt.Errorf("--gas-prices: %w", err)
		}
		c.price = &p
	}
	return c, nil
}

// findKey looks from up as a key name, then as an address.
func findKey(kr *workerkeys.Keyring, from string) (*workerkeys.Key, error) {
	if from == "" {
		return nil, errors.New("no key: pass --from")
	}
	key, err := kr.Key(from)
	if err == nil {
		return key, nil
	}
	if addr, aerr := accaddr.Parse(from); aerr == nil {
		if key, aerr := kr.KeyByAddress(addr); aerr == nil {
			return key, nil
		}
	}
	return nil, fmt.Errorf("key %q: %w", from, err)
}

// KeyAddress is the bech32 account address of the key from (a name or an
// address) in kr, whatever kind of key it is.
func KeyAddress(kr *workerkeys.Keyring, from string) (string, error) {
	key, err := findKey(kr, from)
	if err != nil {
		return "", err
	}
	addr, err := key.Address()
	if err != nil {
		return "", err
	}
	return accaddr.String(addr), nil
}

// Address is the signer's bech32 address.
func (c *Client) Address() string { return c.address }

// Conn is the client's query connection (for generated query clients).
func (c *Client) Conn() Conn { return c.conn }

// Result is an included, successful transaction.
type Result struct {
	TxHash    string
	Height    int64
	GasUsed   int64
	Responses []gogoproto.Message
	Events    []EventAttr
}

// EventAttr is one attribute of an event of the result.
type EventAttr struct{ Type, Key, Value string }

// Submit signs and broadcasts msgs and waits until they are in a block. A
// transaction the chain rejects returns the chain's registered error (so
// errors.Is(err, types.ErrAlreadyClaimed) works); an unreachable node returns
// an error wrapping ErrUnavailable.
func (c *Client) Submit(ctx context.Context, msgs ...gogoproto.Message) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		hash, err := c.broadcast(ctx, msgs)
		if err == nil {
			return c.wait(ctx, hash)
		}
		last = err
		if !errors.Is(err, sdkerrors.ErrWrongSequence) {
			return nil, err
		}
		// Another process used the key, or an earlier tx is still in the mempool:
		// re-read the sequence and try again.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.PollInterval):
		}
	}
	return nil, last
}

// broadcast builds, simulates, signs and sends one transaction, returning its hash.
func (c *Client) broadcast(ctx context.Context, msgs []gogoproto.Message) ([]byte, error) {
	if c.chainID == "" {
		return nil, errors.New("no chain ID: pass --chain-id or set chain-id in client.toml")
	}
	acc, err := c.queryAccount(ctx)
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return nil, fmt.Errorf("account %s does not exist on chain yet: send it some ushift first: %w", c.address, err)
		}
		if isStatus(err) {
			return nil, err
		}
		return nil, unavailable(err)
	}
	price, err := c.gasPrice(ctx)
	if err != nil {
		return nil, err
	}
	body, err := encodeBody(msgs)
	if err != nil {
		return nil, err
	}
	gasUsed, err := c.simulate(ctx, body, acc)
	if err != nil {
		return nil, err
	}
	gas := adjustGas(gasUsed, c.gasAdj)
	txBytes, err := c.sign(body, acc, gas, price.fee(gas))
	if err != nil {
		return nil, err
	}
	res, err := c.node.BroadcastTxSync(ctx, txBytes)
	if err != nil {
		return nil, unavailable(err)
	}
	if res.Code != 0 {
		return nil, errorsmod.ABCIError(res.Codespace, res.Code, res.Log)
	}
	return res.Hash, nil
}

// adjustGas is simulated gas × adjustment, rounded up, as client/tx does it.
func adjustGas(used uint64, adjustment float64) uint64 {
	return uint64(adjustment * float64(used))
}

func (c *Client) wait(ctx context.Context, hash []byte) (*Result, error) {
	deadline := time.Now().Add(c.Timeout)
	for {
		res, err := c.node.Tx(ctx, hash)
		if err == nil {
			if res.TxResult.Code != 0 {
				return nil, errorsmod.ABCIError(res.TxResult.Codespace, res.TxResult.Code, res.TxResult.Log)
			}
			return result(res.Hash.String(), int64(res.Height), int64(res.TxResult.GasUsed), res.TxResult.Data, res.TxResult.Events)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: transaction %X not included after %s: %v", ErrUnavailable, hash, c.Timeout, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.PollInterval):
		}
	}
}

func unavailable(err error) error { return fmt.Errorf("%w: %v", ErrUnavailable, err) }
