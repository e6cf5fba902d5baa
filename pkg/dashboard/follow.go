package dashboard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// healthInterval is how often the node is asked for its status while the
// websocket is quiet: a node that died without closing it is noticed in time.
const healthInterval = 3 * time.Second

// Follow keeps a subscription to new blocks open until ctx ends, recording
// their events and telling open pages; when the node is unreachable or is not
// the chain expected, the state says so and it tries again.
func (s *Server) Follow(ctx context.Context) {
	for {
		err := s.followOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.setProblem(err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.RetryInterval):
		}
	}
}

func (s *Server) followOnce(ctx context.Context) error {
	client, err := rpchttp.New(s.cfg.Node, "/websocket")
	if err != nil {
		return fmt.Errorf("the node address %s is invalid: %v", s.cfg.Node, err)
	}
	check, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := client.Status(check)
	if err != nil {
		return fmt.Errorf("the node at %s is unreachable: %v", s.cfg.Node, unwrapAll(err))
	}
	chainID := st.NodeInfo.Network
	if err := s.checkNode(check, chainID); err != nil {
		return err
	}
	if err := client.Start(); err != nil {
		return fmt.Errorf("the node's websocket at %s is unreachable: %v", s.cfg.Node, err)
	}
	defer func() { _ = client.Stop() }()
	blocks, err := client.Subscribe(ctx, "nightshift-dashboard", cmttypes.QueryForEvent(cmttypes.EventNewBlock).String(), 64)
	if err != nil {
		return fmt.Errorf("subscribing to new blocks at %s: %v", s.cfg.Node, err)
	}
	s.setConnected(chainID, st.SyncInfo.LatestBlockHeight, st.SyncInfo.LatestBlockTime)
	s.sampleEmission(ctx, st.SyncInfo.LatestBlockHeight, st.SyncInfo.LatestBlockTime)

	health := time.NewTicker(healthInterval)
	defer health.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-health.C:
			probe, stop := context.WithTimeout(ctx, healthInterval)
			_, err := client.Status(probe)
			stop()
			if err != nil {
				return fmt.Errorf("the node at %s stopped answering: %v", s.cfg.Node, unwrapAll(err))
			}
		case ev, ok := <-blocks:
			if !ok {
				return fmt.Errorf("the node at %s closed the block subscription", s.cfg.Node)
			}
			nb, ok := ev.Data.(cmttypes.EventDataNewBlock)
			if !ok || nb.Block == nil {
				continue
			}
			s.recordBlock(ctx, chainID, nb)
		}
	}
}

// recordBlock notes a block's compute events and tells open pages.
func (s *Server) recordBlock(ctx context.Context, chainID string, nb cmttypes.EventDataNewBlock) {
	h, at := nb.Block.Height, nb.Block.Time
	events := append([]abci.Event(nil), nb.ResultFinalizeBlock.Events...)
	for _, tx := range nb.ResultFinalizeBlock.TxResults {
		if tx != nil && tx.Code == abci.CodeTypeOK {
			events = append(events, tx.Events...)
		}
	}
	emissionChanged := false
	for _, ev := range events {
		if !strings.HasPrefix(strings.TrimPrefix(ev.Type, "/"), "nightshift.compute.v1.") {
			continue
		}
		ev.Type = strings.TrimPrefix(ev.Type, "/")
		msg, err := sdk.ParseTypedEvent(ev)
		if err != nil {
			continue
		}
		if _, ok := msg.(*types.EventEpochSettled); ok {
			emissionChanged = true
		}
		s.history.record(h, at, msg)
	}
	s.setConnected(chainID, h, at)
	if emissionChanged {
		s.sampleEmission(ctx, h, at)
	}
	s.events.publish("block", fmt.Sprint(h))
}

// sampleEmission records the total emitted at height h.
func (s *Server) sampleEmission(ctx context.Context, h int64, at time.Time) {
	q, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ep, err := s.cfg.Query.Epoch(q, &types.QueryEpochRequest{})
	if err != nil {
		return
	}
	s.history.sampleEmission(h, at, ep.TotalEmitted, ep.EmissionCap)
}

// unwrapAll is the innermost error: the RPC client wraps a refused connection
// in three layers of "post failed".
func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
