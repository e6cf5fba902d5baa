// Package cometrpc is the worker's client for the five CometBFT JSON-RPC calls
// it makes (status, blockchain, abci_query, broadcast_tx_sync, tx), on
// net/http and encoding/json. CometBFT's own rpc/client/http imports
// rpc/core/types and with it p2p, config, the mempool's and state's protos
// and prometheus, which a phone's worker binary need not carry; this package
// reads only the fields the worker uses from the same JSON. The websocket
// subscription is pkg/worker's Subscription.
//
// CometBFT's JSON (libs/json) writes int64 and uint64 as quoted decimals,
// []byte as base64 and HexBytes as upper-case hex; the request parameters are
// encoded the same way, as CometBFT's server decodes them.
package cometrpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Client calls one node's CometBFT RPC over HTTP POST (JSON-RPC 2.0).
type Client struct {
	endpoint string
	http     *http.Client
	id       atomic.Int64
}

// maxResponse bounds a response body: a page of block metas or a large query
// answer is well under it.
const maxResponse = 64 << 20

// New returns a client for the node at remote: tcp://host:port (what
// client.toml's node holds), http(s)://host:port[/path] or unix:///path.
func New(remote string) (*Client, error) {
	u, err := url.Parse(remote)
	if err != nil {
		return nil, fmt.Errorf("node %q: %w", remote, err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	switch u.Scheme {
	case "tcp", "http":
		u.Scheme = "http"
	case "https":
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Host + u.Opaque
		}
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		}
		u = &url.URL{Scheme: "http", Host: "unix"}
	default:
		return nil, fmt.Errorf("node %q: scheme %q is not tcp, http, https or unix", remote, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("node %q: no host", remote)
	}
	// CometBFT's client sends no timeout either; callers bound calls with
	// their context. The dial is bounded so a dead address fails fast.
	transport.DialContext = withDialTimeout(transport.DialContext)
	return &Client{endpoint: u.String(), http: &http.Client{Transport: transport}}, nil
}

func withDialTimeout(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return dial(ctx, network, addr)
	}
}

// Error is a JSON-RPC error the node answered (the method failed there: a
// transaction not found, a height out of range), as CometBFT's RPCError.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

func (e *Error) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("RPC error %d - %s: %s", e.Code, e.Message, e.Data)
	}
	return fmt.Sprintf("RPC error %d - %s", e.Code, e.Message)
}

// call runs method with params and decodes its result into out.
func (c *Client) call(ctx context.Context, method string, params map[string]any, out any) error {
	id := c.id.Add(1)
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("post failed: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", method, err)
	}
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		return fmt.Errorf("%s: %s: not a JSON-RPC response (%w): %.200s", method, resp.Status, err, raw)
	}
	if msg.Error != nil {
		return msg.Error
	}
	if string(msg.ID) != strconv.FormatInt(id, 10) {
		return fmt.Errorf("%s: response id %s, sent %d", method, msg.ID, id)
	}
	if err := json.Unmarshal(msg.Result, out); err != nil {
		return fmt.Errorf("%s: decode result: %w", method, err)
	}
	return nil
}

// Int64 is CometBFT's JSON int64: a quoted decimal (a bare number is read too).
type Int64 int64

// UnmarshalJSON implements json.Unmarshaler.
func (i *Int64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*i = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*i = Int64(v)
	return err
}

// HexBytes is CometBFT's HexBytes: hex in JSON (a transaction hash).
type HexBytes []byte

// UnmarshalJSON implements json.Unmarshaler.
func (h *HexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

// String is the upper-case hex CometBFT prints.
func (h HexBytes) String() string { return strings.ToUpper(hex.EncodeToString(h)) }

// quoted is how CometBFT's JSON writes an int64 parameter.
func quoted(i int64) string { return strconv.FormatInt(i, 10) }
