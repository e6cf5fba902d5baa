// Package txclient signs, broadcasts and confirms transactions for long-running
// tools (the worker, the requester commands): one signer, sequence numbers
// managed across retries, typed errors from the chain's registered codes.
package txclient

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	"github.com/cosmos/gogoproto/proto"

	"github.com/nightshift-network/nightshift/pkg/workerclient"
)

// Client submits transactions signed by one key. It is safe for concurrent use;
// submissions are serialized so sequence numbers never collide.
type Client struct {
	ctx     client.Context
	factory tx.Factory
	known   []*errorsmod.Error
	// chainPriced is set when the caller gave neither fees nor gas prices: the
	// client then pays the chain's min_gas_price, read once and again after
	// a transaction is refused for its fee (governance changed it).
	chainPriced bool
	gasPrice    math.LegacyDec

	mu sync.Mutex
	// PollInterval is how often inclusion is checked.
	PollInterval time.Duration
	// Timeout bounds the wait for a transaction to be included.
	Timeout time.Duration
}

// New returns a client for clientCtx's --from key, with fees, gas prices and
// gas adjustment taken from the factory. Without fees or gas prices it pays the
// chain's min_gas_price (x/compute params), so a user need not know it. Gas is
// always simulated; a simulation that fails with one of the known registered
// errors returns that error.
func New(clientCtx client.Context, factory tx.Factory, known ...*errorsmod.Error) *Client {
	factory = factory.WithSimulateAndExecute(true)
	if factory.GasAdjustment() < 1.3 {
		factory = factory.WithGasAdjustment(1.5)
	}
	return &Client{
		ctx: clientCtx, factory: factory, known: known, PollInterval: 500 * time.Millisecond, Timeout: 60 * time.Second,
		chainPriced: factory.Fees().IsZero() && factory.GasPrices().IsZero(),
	}
}

// Context is the client context (for queries).
func (c *Client) Context() client.Context { return c.ctx }

// Address is the signer's address.
func (c *Client) Address() sdk.AccAddress { return c.ctx.GetFromAddress() }

// Result is an included, successful transaction.
type Result struct {
	TxHash    string
	Height    int64
	GasUsed   int64
	Responses []proto.Message
	Events    []EventAttr
}

// EventAttr is one attribute of an event of the result.
type EventAttr struct{ Type, Key, Value string }

// Submit signs and broadcasts msgs and waits until they are in a block. A
// transaction the chain rejects returns the chain's registered error (so
// errors.Is(err, types.ErrAlreadyClaimed) works); an unreachable node returns
// an error wrapping ErrUnavailable.
func (c *Client) Submit(ctx context.Context, msgs ...sdk.Msg) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		res, err := c.broadcast(ctx, msgs)
		if err == nil {
			return c.wait(ctx, res.TxHash)
		}
		last = err
		if c.chainPriced && errors.Is(err, sdkerrors.ErrInsufficientFee) {
			c.gasPrice = math.LegacyDec{} // re-read the chain's price and try again
			continue
		}
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

// ErrUnavailable marks failures to reach the node (retry later); the very
// error the worker's client returns, so callers match either with one errors.Is.
var ErrUnavailable = workerclient.ErrUnavailable

func (c *Client) broadcast(ctx context.Context, msgs []sdk.Msg) (*sdk.TxResponse, error) {
	txf, err := c.factory.Prepare(c.ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	_, gas, err := tx.CalculateGas(c.ctx, txf, msgs...)
	if err != nil {
		return nil, c.chainError(err)
	}
	txf = txf.WithGas(gas)
	if c.chainPriced {
		if c.gasPrice.IsNil() {
			if c.gasPrice, err = ChainGasPrice(ctx, c.ctx); err != nil {
				return nil, err
			}
		}
		// fee = ceil(gas × min_gas_price), what every node's ante handler asks.
		txf = txf.WithGasPrices(GasPrices(c.gasPrice))
	}
	builder, err := txf.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, err
	}
	if err := tx.Sign(ctx, txf, c.ctx.FromName, builder, true); err != nil {
		return nil, err
	}
	bz, err := c.ctx.TxConfig.TxEncoder()(builder.GetTx())
	if err != nil {
		return nil, err
	}
	res, err := c.ctx.BroadcastTxSync(bz)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if res.Code != 0 {
		return nil, errorsmod.ABCIError(res.Codespace, res.Code, res.RawLog)
	}
	return res, nil
}

func (c *Client) wait(ctx context.Context, hash string) (*Result, error) {
	deadline := time.Now().Add(c.Timeout)
	for {
		res, err := authtx.QueryTx(c.ctx, hash)
		if err == nil {
			if res.Code != 0 {
				return nil, errorsmod.ABCIError(res.Codespace, res.Code, res.RawLog)
			}
			return c.result(res)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: transaction %s not included after %s: %v", ErrUnavailable, hash, c.Timeout, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.PollInterval):
		}
	}
}

func (c *Client) result(res *sdk.TxResponse) (*Result, error) {
	out := &Result{TxHash: res.TxHash, Height: res.Height, GasUsed: res.GasUsed}
	for _, ev := range res.Events {
		for _, a := range ev.Attributes {
			out.Events = append(out.Events, EventAttr{Type: ev.Type, Key: a.Key, Value: a.Value})
		}
	}
	data, err := hex.DecodeString(res.Data)
	if err != nil {
		return nil, fmt.Errorf("tx %s: response data: %w", res.TxHash, err)
	}
	var msgData sdk.TxMsgData
	if err := c.ctx.Codec.Unmarshal(data, &msgData); err != nil {
		return nil, fmt.Errorf("tx %s: response data: %w", res.TxHash, err)
	}
	for _, anyResp := range msgData.MsgResponses {
		// Responses are registered as tx.MsgResponse implementations, so they are
		// resolved by type URL rather than unpacked against proto.Message.
		msg, err := c.ctx.InterfaceRegistry.Resolve(anyResp.TypeUrl)
		if err != nil {
			return nil, fmt.Errorf("tx %s: response %s: %w", res.TxHash, anyResp.TypeUrl, err)
		}
		if err := proto.Unmarshal(anyResp.Value, msg); err != nil {
			return nil, fmt.Errorf("tx %s: response %s: %w", res.TxHash, anyResp.TypeUrl, err)
		}
		out.Responses = append(out.Responses, msg)
	}
	return out, nil
}

// chainError turns a failed simulation into the registered error it reports.
// Simulation errors reach clients as text only (the gRPC bridge drops the
// codespace and code), and registered messages are unique, so the text is
// matched against the errors the caller knows. Transport failures are
// ErrUnavailable.
func (c *Client) chainError(err error) error {
	msg := err.Error()
	for _, known := range c.known {
		if strings.Contains(msg, ": "+known.Error()) {
			return errorsmod.Wrap(known, msg)
		}
	}
	if strings.Contains(msg, "account sequence mismatch") {
		return errorsmod.Wrap(sdkerrors.ErrWrongSequence, msg)
	}
	if strings.Contains(msg, "insufficient funds") {
		return errorsmod.Wrap(sdkerrors.ErrInsufficientFunds, msg)
	}
	if strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") || strings.Contains(msg, "code = Unavailable") {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}
