package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cosmos/cosmos-sdk/codec"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// Node is one node's endpoints.
type Node struct {
	Index   int
	RPCURL  string
	RPC     *rpchttp.HTTP
	conn    *grpc.ClientConn
	Bank    banktypes.QueryClient
	Auth    authtypes.QueryClient
	Compute computetypes.QueryClient
}

// DialNode connects to a node's CometBFT RPC and gRPC.
func DialNode(i int, rpcURL, grpcAddr string, cdc codec.Codec) (*Node, error) {
	hc := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, IdleConnTimeout: time.Minute},
	}
	rpc, err := rpchttp.NewWithClient(rpcURL, "/websocket", hc)
	if err != nil {
		return nil, err
	}
	codecOpt := grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(cdc.InterfaceRegistry()).GRPCCodec()))
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()), codecOpt)
	if err != nil {
		return nil, err
	}
	return &Node{Index: i, RPCURL: rpcURL, RPC: rpc, conn: conn,
		Bank: banktypes.NewQueryClient(conn), Auth: authtypes.NewQueryClient(conn), Compute: computetypes.NewQueryClient(conn)}, nil
}

// Close closes the gRPC connection.
func (n *Node) Close() { _ = n.conn.Close() }

// TxKind labels a transaction for per-block accounting.
type TxKind int

const (
	KindOther TxKind = iota
	KindSetup
	KindBank
	KindLease
	KindClaim
	KindProof
	numKinds
)

var kindNames = [...]string{"other", "setup", "bank", "lease", "claim", "proof"}

func (k TxKind) String() string { return kindNames[k] }

// Outcome is what the chain did with a transaction.
type Outcome struct {
	Height    int64
	Code      uint32
	Codespace string
	Log       string
	Data      []byte
	GasUsed   int64
	Lost      bool // not included within lostAfterBlocks of being accepted
}

// OK reports whether the tx was included and succeeded.
func (o Outcome) OK() bool { return !o.Lost && o.Code == 0 }

// BlockStat is one block, as the watcher saw it.
type BlockStat struct {
	Height  int64
	Time    time.Time
	Seen    time.Time // when the watcher read it
	Txs     int
	Bytes   int
	OK      [numKinds]int
	Failed  [numKinds]int
	GasUsed [numKinds]int64
	TxBytes [numKinds]int
	// GasWanted and GasUsedAll are all txs' gas limits and gas used: CometBFT
	// fills a block up to the block gas limit by gas wanted.
	GasWanted, GasUsedAll int64
	Items                 int64 // items of tasks whose proof was accepted in this block
}

type pendingTx struct {
	kind       TxKind
	sentHeight int64
	done       func(Outcome)
}

// lostAfterBlocks is how long an accepted tx may stay out of blocks before it
// counts as lost (evicted from the mempool).
const lostAfterBlocks = 25

// Tracker reads every block and its results once (from one node) and tells
// each sender what became of its transactions, by hash.
type Tracker struct {
	node *Node

	mu      sync.Mutex
	cond    *sync.Cond
	pending map[[32]byte]*pendingTx
	blocks  []BlockStat
	height  int64
	lost    int

	itemsByBlock sync.Map // height -> *atomic.Int64
}

// NewTracker starts from the node's current height.
func NewTracker(node *Node) *Tracker {
	t := &Tracker{node: node, pending: map[[32]byte]*pendingTx{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// Height is the last height read.
func (t *Tracker) Height() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.height
}

// WaitHeight blocks until height h has been read or ctx ends.
func (t *Tracker) WaitHeight(ctx context.Context, h int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return waitCond(ctx, t.cond, func() bool { return t.height >= h })
}

// Blocks returns the blocks read in (from, to].
func (t *Tracker) Blocks(from, to int64) []BlockStat {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []BlockStat
	for _, b := range t.blocks {
		if b.Height > from && b.Height <= to {
			out = append(out, b)
		}
	}
	return out
}

// Block returns block h if it has been read.
func (t *Tracker) Block(h int64) (BlockStat, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.blocks) - 1; i >= 0; i-- {
		if t.blocks[i].Height == h {
			return t.blocks[i], true
		}
	}
	return BlockStat{}, false
}

// Pending is the number of accepted txs not yet in a block.
func (t *Tracker) Pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pending)
}

// Lost is the number of txs that never made it into a block.
func (t *Tracker) Lost() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lost
}

// AddItems credits verified items to block h (called from a proof's callback).
func (t *Tracker) AddItems(h int64, items int64) {
	v, _ := t.itemsByBlock.LoadOrStore(h, new(atomic.Int64))
	v.(*atomic.Int64).Add(items)
}

func (t *Tracker) itemsAt(h int64) int64 {
	if v, ok := t.itemsByBlock.Load(h); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// expect registers a tx before it is broadcast, so a fast inclusion is not missed.
func (t *Tracker) expect(hash [32]byte, kind TxKind, done func(Outcome)) {
	t.mu.Lock()
	t.pending[hash] = &pendingTx{kind: kind, sentHeight: t.height, done: done}
	t.mu.Unlock()
}

func (t *Tracker) forget(hash [32]byte) {
	t.mu.Lock()
	delete(t.pending, hash)
	t.mu.Unlock()
}

// Run reads blocks from start until ctx ends.
func (t *Tracker) Run(ctx context.Context, start int64) {
	t.mu.Lock()
	t.height = start - 1
	t.mu.Unlock()
	h := start
	for ctx.Err() == nil {
		blk, err := t.node.RPC.Block(ctx, &h)
		if err != nil {
			sleep(ctx, 40*time.Millisecond)
			continue
		}
		res, err := t.node.RPC.BlockResults(ctx, &h)
		if err != nil {
			sleep(ctx, 40*time.Millisecond)
			continue
		}
		t.process(blk.Block.Time, h, blk.Block.Txs, res.TxsResults)
		h++
	}
}

type delivery struct {
	done func(Outcome)
	out  Outcome
}

type abciResult = abci.ExecTxResult

func (t *Tracker) process(blockTime time.Time, h int64, txs cmttypes.Txs, results []*abciResult) {
	stat := BlockStat{Height: h, Time: blockTime, Seen: time.Now(), Txs: len(txs)}
	var deliveries []delivery
	t.mu.Lock()
	for i, tx := range txs {
		if permissiontypes.IsRevealsTx(tx) {
			stat.Txs-- // the proposer's reveals pseudo-transaction: no load, always a decode error
			continue
		}
		stat.Bytes += len(tx)
		hash := sha256.Sum256(tx)
		kind := KindOther
		p, ok := t.pending[hash]
		if ok {
			kind = p.kind
			delete(t.pending, hash)
		}
		var r abciResult
		if i < len(results) && results[i] != nil {
			r = *results[i]
		}
		if r.Code == 0 {
			stat.OK[kind]++
		} else {
			stat.Failed[kind]++
		}
		stat.GasUsed[kind] += r.GasUsed
		stat.GasWanted += r.GasWanted
		stat.GasUsedAll += r.GasUsed
		stat.TxBytes[kind] += len(tx)
		if ok {
			deliveries = append(deliveries, delivery{p.done, Outcome{Height: h, Code: r.Code, Codespace: r.Codespace, Log: r.Log, Data: r.Data, GasUsed: r.GasUsed}})
		}
	}
	for hash, p := range t.pending {
		if h-p.sentHeight > lostAfterBlocks {
			delete(t.pending, hash)
			t.lost++
			deliveries = append(deliveries, delivery{p.done, Outcome{Lost: true}})
		}
	}
	t.blocks = append(t.blocks, stat)
	t.height = h
	t.cond.Broadcast()
	t.mu.Unlock()
	for _, d := range deliveries {
		if d.done != nil {
			d.done(d.out)
		}
	}
}

// errMempoolFull is a broadcast refused because the mempool is full (retry).
var errMempoolFull = errors.New("mempool is full")

// CheckTxError is a tx refused by CheckTx.
type CheckTxError struct {
	Code uint32
	Log  string
}

func (e *CheckTxError) Error() string { return fmt.Sprintf("CheckTx code %d: %s", e.Code, e.Log) }

var expectedSeq = regexp.MustCompile(`expected (\d+), got (\d+)`)

// ExpectedSequence returns the sequence a wrong-sequence CheckTx error asks for.
func ExpectedSequence(err error) (uint64, bool) {
	var ce *CheckTxError
	if !errors.As(err, &ce) || ce.Code != 32 {
		return 0, false
	}
	m := expectedSeq.FindStringSubmatch(ce.Log)
	if m == nil {
		return 0, false
	}
	n, err2 := strconv.ParseUint(m[1], 10, 64)
	return n, err2 == nil
}

// Broadcast sends tx with broadcast_tx_sync after registering done with the
// tracker; done is called once the tx is in a block (or lost). On an error
// done is never called.
func (t *Tracker) Broadcast(ctx context.Context, node *Node, tx []byte, kind TxKind, done func(Outcome)) error {
	hash := sha256.Sum256(tx)
	t.expect(hash, kind, done)
	res, err := node.RPC.BroadcastTxSync(ctx, tx)
	if err != nil {
		t.forget(hash)
		if strings.Contains(err.Error(), "mempool is full") {
			return errMempoolFull
		}
		return err
	}
	if res.Code != 0 {
		t.forget(hash)
		return &CheckTxError{Code: res.Code, Log: res.Log}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
