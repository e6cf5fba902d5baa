package cometrpc

import (
	"context"
	"encoding/hex"
	"time"
)

// Status is what the worker reads of the node's status.
type Status struct {
	SyncInfo struct {
		LatestBlockHeight Int64     `json:"latest_block_height"`
		LatestBlockTime   time.Time `json:"latest_block_time"`
		CatchingUp        bool      `json:"catching_up"`
	} `json:"sync_info"`
	NodeInfo struct {
		Network string `json:"network"`
	} `json:"node_info"`
}

// Status is the node's status (method status).
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var out Status
	return &out, c.call(ctx, "status", map[string]any{}, &out)
}

// BlockMeta is a block's header as far as the worker reads it.
type BlockMeta struct {
	Header struct {
		Height Int64     `json:"height"`
		Time   time.Time `json:"time"`
	} `json:"header"`
}

// Blockchain is the answer to blockchain: metas newest first (at most 20).
type Blockchain struct {
	LastHeight Int64       `json:"last_height"`
	BlockMetas []BlockMeta `json:"block_metas"`
}

// BlockchainInfo returns the metas of blocks minHeight..maxHeight (method blockchain).
func (c *Client) BlockchainInfo(ctx context.Context, minHeight, maxHeight int64) (*Blockchain, error) {
	var out Blockchain
	return &out, c.call(ctx, "blockchain", map[string]any{"minHeight": quoted(minHeight), "maxHeight": quoted(maxHeight)}, &out)
}

// QueryResponse is an ABCI query's answer (abci ResponseQuery).
type QueryResponse struct {
	Code      uint32 `json:"code"`
	Log       string `json:"log"`
	Value     []byte `json:"value"`
	Height    Int64  `json:"height"`
	Codespace string `json:"codespace"`
}

// IsOK reports whether the query succeeded (code 0).
func (r QueryResponse) IsOK() bool { return r.Code == 0 }

// ABCIQuery runs an ABCI query at the latest height, unproven (method abci_query).
func (c *Client) ABCIQuery(ctx context.Context, path string, data []byte) (*QueryResponse, error) {
	var out struct {
		Response QueryResponse `json:"response"`
	}
	params := map[string]any{"path": path, "data": hex.EncodeToString(data), "height": "0", "prove": false}
	if err := c.call(ctx, "abci_query", params, &out); err != nil {
		return nil, err
	}
	return &out.Response, nil
}

// BroadcastResult is CheckTx's answer to a broadcast.
type BroadcastResult struct {
	Code      uint32   `json:"code"`
	Log       string   `json:"log"`
	Codespace string   `json:"codespace"`
	Hash      HexBytes `json:"hash"`
}

// BroadcastTxSync submits tx and returns its CheckTx result (method broadcast_tx_sync).
func (c *Client) BroadcastTxSync(ctx context.Context, tx []byte) (*BroadcastResult, error) {
	var out BroadcastResult
	return &out, c.call(ctx, "broadcast_tx_sync", map[string]any{"tx": tx}, &out)
}

// EventAttribute is an ABCI event's key and value.
type EventAttribute struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is an ABCI event.
type Event struct {
	Type       string           `json:"type"`
	Attributes []EventAttribute `json:"attributes"`
}

// ExecResult is an included transaction's result (abci ExecTxResult).
type ExecResult struct {
	Code      uint32  `json:"code"`
	Data      []byte  `json:"data"`
	Log       string  `json:"log"`
	GasUsed   Int64   `json:"gas_used"`
	Events    []Event `json:"events"`
	Codespace string  `json:"codespace"`
}

// TxResult is an included transaction.
type TxResult struct {
	Hash     HexBytes   `json:"hash"`
	Height   Int64      `json:"height"`
	TxResult ExecResult `json:"tx_result"`
}

// Tx returns the included transaction with this hash, unproven (method tx);
// an *Error while it is not (yet) included.
func (c *Client) Tx(ctx context.Context, hash []byte) (*TxResult, error) {
	var out TxResult
	return &out, c.call(ctx, "tx", map[string]any{"hash": hash, "prove": false}, &out)
}
