package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// Fixed gas limits per message (the fee is fixed too): the bank sends', and
// the compute txs' until their gas used is known (gaslimit.go); the results report the
// gas actually used.
const (
	gasBank     = 150_000
	gasRegister = 300_000
	gasPostJob  = 300_000 // per MsgPostJob
	gasLease    = 300_000
	gasClaim    = 300_000
	gasProof    = 1_500_000
)

// Gen holds what every workload shares: the nodes, the block tracker, the
// signer and the bench accounts.
type Gen struct {
	Nodes    []*Node
	Tracker  *Tracker
	Signer   *Signer
	Codecs   *Codecs
	Accounts []*Account

	MempoolFull  atomic.Int64 // broadcasts retried because the mempool was full
	CheckTxFail  atomic.Int64 // broadcasts refused by CheckTx (other than wrong sequence)
	SeqResync    atomic.Int64 // sequence corrections after a wrong-sequence CheckTx
	SignedOnFly  atomic.Int64 // bank txs signed during the window (pre-signed ones ran out)
	lastCheckErr atomic.Value // string

	engine *program.Engine // runs the wasm workload's items (nil without one)
}

// NodeFor is the node an account always sends to: one node per account, so
// its sequence numbers reach one mempool in order.
func (g *Gen) NodeFor(acc *Account) *Node { return g.Nodes[acc.Index%len(g.Nodes)] }

// LoadAccountNumbers reads each account's number and sequence from the chain.
func (g *Gen) LoadAccountNumbers(ctx context.Context, accs []*Account) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(accs))
	sem := make(chan struct{}, 16)
	for _, a := range accs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := g.Nodes[0].Auth.Account(ctx, &authtypes.QueryAccountRequest{Address: a.Bech32})
			if err != nil {
				errs <- fmt.Errorf("account %d %s: %w (was the genesis patched with the same --seed?)", a.Index, a.Bech32, err)
				return
			}
			var acc sdk.AccountI
			if err := g.Codecs.Codec.UnpackAny(res.Account, &acc); err != nil {
				errs <- err
				return
			}
			a.AccNum, a.Seq = acc.GetAccountNumber(), acc.GetSequence()
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Send signs a tx for acc at its current sequence (build makes the bytes),
// broadcasts it to the account's node and advances the sequence once CheckTx
// accepts it. A full mempool is waited out; a wrong sequence is corrected from
// the node's answer. done is called when the tx is in a block (or lost).
func (g *Gen) Send(ctx context.Context, acc *Account, kind TxKind, build func(seq uint64) ([]byte, error), done func(Outcome)) error {
	node := g.NodeFor(acc)
	var last error
	for attempt := 0; attempt < 600 && ctx.Err() == nil; attempt++ {
		tx, err := build(acc.Seq)
		if err != nil {
			return err
		}
		err = g.Tracker.Broadcast(ctx, node, tx, kind, done)
		if err == nil {
			acc.Seq++
			return nil
		}
		last = err
		if errors.Is(err, errMempoolFull) {
			g.MempoolFull.Add(1)
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		if seq, ok := ExpectedSequence(err); ok {
			g.SeqResync.Add(1)
			acc.Seq = seq
			continue
		}
		var ce *CheckTxError
		if errors.As(err, &ce) {
			g.CheckTxFail.Add(1)
			g.lastCheckErr.Store(err.Error())
			return err
		}
		sleep(ctx, 200*time.Millisecond) // node busy or unreachable: retry
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return last
}

// SendMsgs signs msgs on the fly with a fixed gas limit.
func (g *Gen) SendMsgs(ctx context.Context, acc *Account, kind TxKind, gas uint64, done func(Outcome), msgs ...sdk.Msg) error {
	return g.Send(ctx, acc, kind, func(seq uint64) ([]byte, error) { return g.Signer.Sign(acc, seq, gas, msgs...) }, done)
}

// SendAndWait sends msgs and waits for the outcome.
func (g *Gen) SendAndWait(ctx context.Context, acc *Account, kind TxKind, gas uint64, msgs ...sdk.Msg) (Outcome, error) {
	ch := make(chan Outcome, 1)
	if err := g.SendMsgs(ctx, acc, kind, gas, func(o Outcome) { ch <- o }, msgs...); err != nil {
		return Outcome{}, err
	}
	select {
	case o := <-ch:
		return o, nil
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
}

// Throttle bounds the txs accepted by CheckTx but not yet in a block: the
// load generator keeps that many in the mempool, so every block finds more
// than it takes (saturation) and the mempool (5000 txs) never overflows.
type Throttle struct {
	mu       sync.Mutex
	cond     *sync.Cond
	n, limit int
}

// NewThrottle allows limit txs outstanding.
func NewThrottle(limit int) *Throttle {
	t := &Throttle{limit: limit}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// Acquire waits for room for one more tx; false once ctx has ended.
func (t *Throttle) Acquire(ctx context.Context) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if waitCond(ctx, t.cond, func() bool { return t.n < t.limit }) != nil {
		return false
	}
	t.n++
	return true
}

// waitCond waits on cond, whose lock the caller holds, until ready() or ctx
// ends (then it returns ctx's error); ending ctx wakes the waiters.
func waitCond(ctx context.Context, cond *sync.Cond, ready func() bool) error {
	stop := context.AfterFunc(ctx, func() {
		cond.L.Lock()
		cond.Broadcast()
		cond.L.Unlock()
	})
	defer stop()
	for !ready() {
		if err := ctx.Err(); err != nil {
			return err
		}
		cond.Wait()
	}
	return ctx.Err()
}

// TryAcquire takes room for one more tx if there is any.
func (t *Throttle) TryAcquire() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n >= t.limit {
		return false
	}
	t.n++
	return true
}

// Add counts a tx that goes out whatever the limit (a claim or proof of a
// task already leased).
func (t *Throttle) Add() {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
}

// Release counts a tx out (in a block, lost or refused).
func (t *Throttle) Release() {
	t.mu.Lock()
	t.n--
	t.cond.Signal()
	t.mu.Unlock()
}
