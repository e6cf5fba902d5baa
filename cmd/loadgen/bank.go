package main

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/nightshift-network/nightshift/app"
)

// BankLoad is the baseline: 1ushift MsgSends from many accounts, pre-signed.
type BankLoad struct {
	g       *Gen
	senders []*Account
	signed  [][][]byte // per sender, txs for sequences first[i], first[i]+1, ...
	first   []uint64
}

func bankMsg(from, to *Account) sdk.Msg {
	return &banktypes.MsgSend{FromAddress: from.Bech32, ToAddress: to.Bech32, Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1))}
}

// recipient is the next sender, so every send moves coin between bench accounts.
func (b *BankLoad) recipient(i int) *Account { return b.senders[(i+1)%len(b.senders)] }

// Presign signs perSender txs for each sender from its current sequence, on
// all cores.
func (g *Gen) Presign(senders []*Account, perSender int) (*BankLoad, error) {
	b := &BankLoad{g: g, senders: senders, signed: make([][][]byte, len(senders)), first: make([]uint64, len(senders))}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, runtime.GOMAXPROCS(0))
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(senders) {
					return
				}
				acc := senders[i]
				b.first[i] = acc.Seq
				msg := bankMsg(acc, b.recipient(i))
				for k := range perSender {
					tx, err := g.Signer.Sign(acc, acc.Seq+uint64(k), gasBank, msg)
					if err != nil {
						errs <- err
						return
					}
					b.signed[i] = append(b.signed[i], tx)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return b, <-errs
}

// Run sends from every sender in parallel, as much as th lets through, until
// ctx ends.
func (b *BankLoad) Run(ctx context.Context, th *Throttle) {
	release := func(Outcome) { th.Release() }
	var wg sync.WaitGroup
	for i, acc := range b.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := bankMsg(acc, b.recipient(i))
			build := func(seq uint64) ([]byte, error) {
				if k := seq - b.first[i]; seq >= b.first[i] && k < uint64(len(b.signed[i])) {
					return b.signed[i][k], nil
				}
				b.g.SignedOnFly.Add(1)
				return b.g.Signer.Sign(acc, seq, gasBank, msg)
			}
			for th.Acquire(ctx) {
				if err := b.g.Send(ctx, acc, KindBank, build, release); err != nil {
					th.Release()
					if ctx.Err() != nil {
						return
					}
					sleep(ctx, 200*time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
}
