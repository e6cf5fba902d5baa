package cometrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	"github.com/cometbft/cometbft/libs/log"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	rpcserver "github.com/cometbft/cometbft/rpc/jsonrpc/server"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	cmttypes "github.com/cometbft/cometbft/types"
)

// node serves CometBFT's own JSON-RPC server (rpc/jsonrpc/server) with
// handlers of the same signatures and argument names as rpc/core's routes,
// answering CometBFT's result types: what this client sends must decode
// there, and what CometBFT's JSON writes must decode here.
type node struct {
	t       *testing.T
	blockT0 time.Time
	tx      []byte // the last broadcast
}

func (n *node) routes() map[string]*rpcserver.RPCFunc {
	return map[string]*rpcserver.RPCFunc{
		"status":            rpcserver.NewRPCFunc(n.status, ""),
		"blockchain":        rpcserver.NewRPCFunc(n.blockchain, "minHeight,maxHeight"),
		"abci_query":        rpcserver.NewRPCFunc(n.abciQuery, "path,data,height,prove"),
		"broadcast_tx_sync": rpcserver.NewRPCFunc(n.broadcast, "tx"),
		"tx":                rpcserver.NewRPCFunc(n.txByHash, "hash,prove"),
	}
}

func (n *node) status(*rpctypes.Context) (*ctypes.ResultStatus, error) {
	return &ctypes.ResultStatus{SyncInfo: ctypes.SyncInfo{LatestBlockHeight: 1234567890123, LatestBlockTime: n.blockT0, CatchingUp: true}}, nil
}

func (n *node) blockchain(_ *rpctypes.Context, minHeight, maxHeight int64) (*ctypes.ResultBlockchainInfo, error) {
	out := &ctypes.ResultBlockchainInfo{LastHeight: maxHeight}
	for h := maxHeight; h >= minHeight; h-- {
		out.BlockMetas = append(out.BlockMetas, &cmttypes.BlockMeta{Header: cmttypes.Header{Height: h, Time: n.blockT0.Add(time.Duration(h) * time.Second)}})
	}
	return out, nil
}

func (n *node) abciQuery(_ *rpctypes.Context, path string, data cmtbytes.HexBytes, height int64, prove bool) (*ctypes.ResultABCIQuery, error) {
	if height != 0 || prove {
		n.t.Errorf("height %d prove %v: want the latest, unproven", height, prove)
	}
	if path == "/fail" {
		return &ctypes.ResultABCIQuery{Response: abci.ResponseQuery{Code: 22, Codespace: "sdk", Log: "not found"}}, nil
	}
	return &ctypes.ResultABCIQuery{Response: abci.ResponseQuery{Value: append([]byte(path+":"), data...), Height: 77}}, nil
}

func (n *node) broadcast(_ *rpctypes.Context, tx cmttypes.Tx) (*ctypes.ResultBroadcastTx, error) {
	n.tx = tx
	return &ctypes.ResultBroadcastTx{Code: 32, Codespace: "sdk", Log: "incorrect account sequence", Hash: tx.Hash()}, nil
}

func (n *node) txByHash(_ *rpctypes.Context, hash []byte, prove bool) (*ctypes.ResultTx, error) {
	if !bytes.Equal(hash, cmttypes.Tx(n.tx).Hash()) || prove {
		return nil, fmt.Errorf("tx (%X) not found", hash)
	}
	return &ctypes.ResultTx{Hash: hash, Height: 9, Tx: n.tx, TxResult: abci.ExecTxResult{
		Code: 0, Data: []byte{1, 2, 0xff}, GasUsed: 1 << 40, Codespace: "",
		Events: []abci.Event{{Type: "withdraw", Attributes: []abci.EventAttribute{{Key: "amount", Value: "42ushift", Index: true}}}},
	}}, nil
}

func serve(t *testing.T) (*node, *Client) {
	t.Helper()
	n := &node{t: t, blockT0: time.Date(2026, 12, 2, 14, 0, 0, 123456789, time.UTC)}
	mux := http.NewServeMux()
	rpcserver.RegisterRPCFuncs(mux, n.routes(), log.NewNopLogger())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New("tcp://" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return n, c
}

func TestAgainstCometBFTServer(t *testing.T) {
	n, c := serve(t)
	ctx := context.Background()

	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.SyncInfo.LatestBlockHeight != 1234567890123 || !st.SyncInfo.LatestBlockTime.Equal(n.blockT0) || !st.SyncInfo.CatchingUp {
		t.Errorf("status %+v", st.SyncInfo)
	}

	bc, err := c.BlockchainInfo(ctx, 5, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(bc.BlockMetas) != 4 || bc.BlockMetas[0].Header.Height != 8 || bc.BlockMetas[3].Header.Height != 5 ||
		!bc.BlockMetas[0].Header.Time.Equal(n.blockT0.Add(8*time.Second)) {
		t.Errorf("blockchain %+v", bc)
	}

	q, err := c.ABCIQuery(ctx, "/nightshift.compute.v1.Query/Jobs", []byte{0, 1, 0xab})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]byte("/nightshift.compute.v1.Query/Jobs:"), 0, 1, 0xab); !q.IsOK() || !bytes.Equal(q.Value, want) || q.Height != 77 {
		t.Errorf("query %+v", q)
	}
	q, err = c.ABCIQuery(ctx, "/fail", nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.IsOK() || q.Code != 22 || q.Codespace != "sdk" || q.Log != "not found" {
		t.Errorf("failed query %+v", q)
	}

	tx := []byte("a signed transaction \x00\xff")
	br, err := c.BroadcastTxSync(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	hash := cmttypes.Tx(tx).Hash()
	if !bytes.Equal(n.tx, tx) || br.Code != 32 || br.Codespace != "sdk" || br.Log != "incorrect account sequence" || !bytes.Equal(br.Hash, hash) {
		t.Errorf("broadcast %+v (node got %q)", br, n.tx)
	}
	if br.Hash.String() != fmt.Sprintf("%X", hash) {
		t.Errorf("hash prints %s", br.Hash)
	}

	res, err := c.Tx(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	r := res.TxResult
	if !bytes.Equal(res.Hash, hash) || res.Height != 9 || r.GasUsed != 1<<40 || !bytes.Equal(r.Data, []byte{1, 2, 0xff}) ||
		len(r.Events) != 1 || r.Events[0].Type != "withdraw" || len(r.Events[0].Attributes) != 1 ||
		r.Events[0].Attributes[0] != (EventAttribute{Key: "amount", Value: "42ushift"}) {
		t.Errorf("tx %+v", res)
	}

	_, err = c.Tx(ctx, []byte{1, 2, 3})
	var rpcErr *Error
	if !errors.As(err, &rpcErr) || rpcErr.Data != "tx (010203) not found" {
		t.Errorf("missing tx: %v", err)
	}
}

func TestTransportFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close()
	c, err := New("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	var rpcErr *Error
	if _, err := c.Status(context.Background()); err == nil || errors.As(err, &rpcErr) {
		t.Errorf("a closed port answered %v, want a transport error", err)
	}
}

func TestNotJSONRPC(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) }))
	t.Cleanup(srv.Close)
	c, _ := New(srv.URL)
	if _, err := c.Status(context.Background()); err == nil {
		t.Error("a proxy's error page decoded as a status")
	}
}

func TestNewRejectsBadNodes(t *testing.T) {
	for _, remote := range []string{"ftp://host:1", "tcp://", "::bad"} {
		if _, err := New(remote); err == nil {
			t.Errorf("New(%q) accepted", remote)
		}
	}
	for _, remote := range []string{"tcp://localhost:26657", "http://h:1/rpc", "https://rpc.example.org", "unix:///tmp/n.sock"} {
		if _, err := New(remote); err != nil {
			t.Errorf("New(%q): %v", remote, err)
		}
	}
}
