package worker

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// fakeNode speaks the part of CometBFT's /websocket the subscription uses:
// it acknowledges subscribe requests (or refuses them), then runs script.
type fakeNode struct {
	refuse   atomic.Bool
	sessions atomic.Int32
	script   func(conn *websocket.Conn, queries []string)
}

func (n *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/websocket" {
		http.NotFound(w, r)
		return
	}
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer func() { _ = conn.Close() }()
	n.sessions.Add(1)
	var queries []string
	for range MarketQueries {
		var req struct {
			ID     int               `json:"id"`
			Method string            `json:"method"`
			Params map[string]string `json:"params"`
		}
		if conn.ReadJSON(&req) != nil || req.Method != "subscribe" {
			return
		}
		queries = append(queries, req.Params["query"])
		if n.refuse.Load() {
			_ = conn.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": -32603, "message": "Internal error", "data": "max_subscription_clients 100 reached"}})
			continue
		}
		_ = conn.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{}})
	}
	n.script(conn, queries)
}

func event(query string) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "id": 1, "result": map[string]any{"query": query, "data": map[string]any{}, "events": map[string][]string{}}}
}

func waitSignal(t *testing.T, s *Subscription, what string) {
	t.Helper()
	select {
	case <-s.Changes():
	case <-time.After(5 * time.Second):
		t.Fatalf("no change signalled: %s", what)
	}
}

func noSignal(t *testing.T, s *Subscription, what string) {
	t.Helper()
	select {
	case <-s.Changes():
		t.Fatalf("unexpected change signal: %s", what)
	case <-time.After(200 * time.Millisecond):
	}
}

func startSubscription(t *testing.T, n *fakeNode) *Subscription {
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	s, err := NewSubscription("tcp://"+strings.TrimPrefix(srv.URL, "http://"), MarketQueries)
	require.NoError(t, err)
	require.Equal(t, "ws://"+strings.TrimPrefix(srv.URL, "http://")+"/websocket", s.Endpoint())
	s.MinBackoff, s.MaxBackoff = 50*time.Millisecond, 200*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.Run(ctx)
	return s
}

// Each matching event signals a change; the first signal comes when every
// query is acknowledged (events may have been missed before). A dropped socket
// is redialled, resubscribed and signalled again.
func TestSubscriptionSignalsEventsAndReconnects(t *testing.T) {
	events := make(chan string)
	drop := make(chan struct{})
	n := &fakeNode{}
	n.script = func(conn *websocket.Conn, queries []string) {
		require.Equal(t, MarketQueries, queries)
		for {
			select {
			case q := <-events:
				_ = conn.WriteJSON(event(q))
			case <-drop:
				return // closes the socket
			}
		}
	}
	s := startSubscription(t, n)
	waitSignal(t, s, "subscribed")
	require.True(t, s.Live())
	<-s.Settled() // also signalled on subscribing: an epoch may have settled meanwhile
	noSignal(t, s, "nothing happened")

	for _, q := range MarketQueries[:4] {
		events <- q
		waitSignal(t, s, q)
	}
	// A settled epoch says withdraw, not look for work.
	events <- MarketQueries[4]
	select {
	case <-s.Settled():
	case <-time.After(5 * time.Second):
		t.Fatal("no settled signal")
	}
	noSignal(t, s, "an epoch settled")

	drop <- struct{}{}
	waitSignal(t, s, "resubscribed after the drop")
	<-s.Settled()
	require.True(t, s.Live())
	require.Equal(t, int32(2), n.sessions.Load())
	events <- MarketQueries[2]
	waitSignal(t, s, "an event on the new socket")
}

// A node that refuses the subscription leaves it down (the worker polls) and
// is asked again with backoff until it accepts.
func TestSubscriptionRefusedThenAccepted(t *testing.T) {
	n := &fakeNode{}
	n.refuse.Store(true)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	n.script = func(conn *websocket.Conn, _ []string) {
		if n.refuse.Load() {
			// Keep the socket open: the client must give up on a refusal itself.
			var ignore json.RawMessage
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_ = conn.ReadJSON(&ignore)
			return
		}
		<-hold
	}
	var downs atomic.Int32
	s := startSubscription(t, n)
	s.OnState = func(up bool, _ string) {
		if !up {
			downs.Add(1)
		}
	}
	noSignal(t, s, "refused")
	require.False(t, s.Live())
	require.Eventually(t, func() bool { return n.sessions.Load() >= 2 }, 5*time.Second, 20*time.Millisecond, "dialled again after a refusal")
	n.refuse.Store(false)
	waitSignal(t, s, "accepted at last")
	require.True(t, s.Live())
	require.Zero(t, downs.Load(), "never up before, so never reported down")
}

func TestNewSubscriptionRefusesNodesWithoutAHost(t *testing.T) {
	for _, bad := range []string{"", "localhost:26657", "unix:///tmp/node.sock", "ftp://host:1"} {
		_, err := NewSubscription(bad, MarketQueries)
		require.Error(t, err, bad)
	}
	s, err := NewSubscription("https://rpc.example.org/base/", MarketQueries)
	require.NoError(t, err)
	require.Equal(t, "wss://rpc.example.org/base/websocket", s.Endpoint())
}
