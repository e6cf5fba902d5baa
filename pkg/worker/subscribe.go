package worker

// Listening instead of polling: the node pushes the events after which there
// may be work for this device over CometBFT's /websocket, so an idle worker
// queries only when something changed (and at a slow safety poll).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// MarketQueries are the CometBFT event queries after which an open task may
// have appeared: a job posted, a task handed back or reopened by a rejected
// proof (in transactions), a lease lapsed (at the end of a block); and an epoch
// settled, after which emission can be withdrawn. CometBFT allows five
// subscriptions per client by default (max_subscriptions_per_client); tasks
// reopened by a missed proof or a jailing are found by the safety poll.
var MarketQueries = []string{
	"tm.event='Tx' AND nightshift.compute.v1.EventJobPosted.job_id EXISTS",
	"tm.event='Tx' AND nightshift.compute.v1.EventTaskReleased.job_id EXISTS",
	"tm.event='Tx' AND nightshift.compute.v1.EventProofRejected.job_id EXISTS",
	"tm.event='NewBlock' AND nightshift.compute.v1.EventLeaseExpired.job_id EXISTS",
	"tm.event='NewBlock' AND nightshift.compute.v1.EventEpochSettled.epoch EXISTS",
}

// Subscription keeps a websocket to a node's RPC subscribed to queries and
// signals Changes after each matching event and after each (re)connection
// (events may have been missed while it was down). It redials with backoff
// when the socket drops.
type Subscription struct {
	endpoint string
	queries  []string
	changes  chan struct{}
	settled  chan struct{}
	live     atomic.Bool
	// MinBackoff and MaxBackoff bound the wait between dials (1 s doubling to 1 min).
	MinBackoff, MaxBackoff time.Duration
	// OnState, when set, is told when the subscription goes up or down.
	OnState func(up bool, detail string)
}

// NewSubscription returns a subscription to queries on the node at nodeURI
// (tcp://host:26657 or http(s)://...); Run starts it.
func NewSubscription(nodeURI string, queries []string) (*Subscription, error) {
	u, err := url.Parse(nodeURI)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("node %q: not a URL with a host", nodeURI)
	}
	switch u.Scheme {
	case "tcp", "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("node %q: scheme %q cannot carry a websocket", nodeURI, u.Scheme)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/websocket"
	return &Subscription{endpoint: u.String(), queries: queries, changes: make(chan struct{}, 1), settled: make(chan struct{}, 1),
		MinBackoff: time.Second, MaxBackoff: time.Minute}, nil
}

// Changes is signalled (coalesced: one pending signal at most) when the market may have changed.
func (s *Subscription) Changes() <-chan struct{} { return s.changes }

// Live reports whether the socket is up and subscribed.
func (s *Subscription) Live() bool { return s.live.Load() }

// Endpoint is the websocket URL dialled.
func (s *Subscription) Endpoint() string { return s.endpoint }

// Settled is signalled (coalesced) when an epoch settled: emission may be withdrawn.
func (s *Subscription) Settled() <-chan struct{} { return s.settled }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// settledEvent is the event type whose query signals Settled rather than Changes.
const settledEvent = "EventEpochSettled"

// Run keeps the subscription up until ctx ends.
func (s *Subscription) Run(ctx context.Context) {
	backoff := s.MinBackoff
	for ctx.Err() == nil {
		began := time.Now()
		err := s.session(ctx)
		if s.live.Swap(false) && s.OnState != nil && ctx.Err() == nil {
			s.OnState(false, err.Error())
		}
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > s.MaxBackoff {
			backoff = s.MinBackoff // it was up a good while: this is a fresh outage
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, s.MaxBackoff)
	}
}

// readWait is how long a silent socket is trusted: the node pings every 27 s.
const readWait = 90 * time.Second

// session dials, subscribes and reads events until the socket fails.
func (s *Subscription) session(ctx context.Context) error {
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, _, err := websocket.DefaultDialer.DialContext(dialCtx, s.endpoint, nil)
	cancel()
	if err != nil {
		return fmt.Errorf("dial %s: %w", s.endpoint, err)
	}
	defer func() { _ = conn.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	// Every message, control frames included, proves the socket alive.
	alive := func() { _ = conn.SetReadDeadline(time.Now().Add(readWait)) }
	conn.SetPingHandler(func(data string) error {
		alive()
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
	})
	alive()
	for i, q := range s.queries {
		req := map[string]any{"jsonrpc": "2.0", "id": i + 1, "method": "subscribe", "params": map[string]string{"query": q}}
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := conn.WriteJSON(req); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
	}
	acked := 0
	for {
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Result *struct {
				Query string `json:"query"`
			} `json:"result"`
			Error *struct {
				Message string `json:"message"`
				Data    string `json:"data"`
			} `json:"error"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			return fmt.Errorf("read: %w", err)
		}
		alive()
		switch {
		case msg.Error != nil:
			// A refused subscription (too many clients, bad query) ends the
			// session: the worker polls meanwhile, and the next dial tries again.
			return fmt.Errorf("node refused the subscription: %s %s", msg.Error.Message, msg.Error.Data)
		case msg.Result == nil:
		case msg.Result.Query == "":
			// The acknowledgement of one subscribe request.
			if acked++; acked == len(s.queries) {
				s.live.Store(true)
				if s.OnState != nil {
					s.OnState(true, s.endpoint)
				}
				signal(s.changes) // events may have been missed before this
				signal(s.settled)
			}
		case strings.Contains(msg.Result.Query, settledEvent):
			signal(s.settled)
		default:
			signal(s.changes)
		}
	}
}
