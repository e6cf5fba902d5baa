// Package dashboard is a read-only web view of a Nightshift chain: the job
// market, each job's tasks, the devices and the emission schedule. It reads
// state over gRPC, follows new blocks over CometBFT's websocket, and pushes a
// Server-Sent Event to open pages on every block so they refresh in place.
//
// The server holds no keys and calls only query services: nothing a page sends
// can change chain state. It accepts GET and HEAD, and POST only at
// /worker-reports, where workers report why they pause (kept in memory).
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Config configures a Server.
type Config struct {
	// Node is the CometBFT RPC address, e.g. tcp://127.0.0.1:26657.
	Node string
	// GRPC is the node's gRPC address, for display in messages.
	GRPC string
	// ChainID, when set, is the only chain the dashboard accepts.
	ChainID string
	// Query reads the market; NodeInfo reads the gRPC node's chain id.
	Query    types.QueryClient
	NodeInfo cmtservice.ServiceClient
	// CollectorDirs are collector output directories (--out of `requester
	// collect`) whose uploads feed live previews of image jobs.
	CollectorDirs []string
	// Logger receives connection changes; nil discards.
	Logger *slog.Logger
	// RetryInterval is the wait between reconnection attempts; default 2s.
	RetryInterval time.Duration
}

// Server serves the dashboard.
type Server struct {
	cfg     Config
	log     *slog.Logger
	history *history
	events  *broadcaster
	reports *workerReports
	preview *previewCache
	pages   *pages

	mu   sync.Mutex
	conn ConnState
}

// New returns a server for cfg; Run or Follow must run for it to see the chain.
func New(cfg Config) (*Server, error) {
	if cfg.Query == nil || cfg.NodeInfo == nil {
		return nil, errors.New("dashboard: no gRPC clients")
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = 2 * time.Second
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{
		cfg:     cfg,
		log:     logger,
		history: newHistory(time.Now()),
		events:  newBroadcaster(),
		reports: newWorkerReports(),
		preview: newPreviewCache(),
		pages:   p,
		conn:    ConnState{Problem: "connecting to " + cfg.Node + " …"},
	}, nil
}

// Handler serves the pages, the event stream, the static assets and the
// worker report endpoint; every other method is refused with 405.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveMarket)
	mux.HandleFunc("GET /jobs/{id}", s.serveJob)
	mux.HandleFunc("GET /jobs/{id}/preview.png", s.servePreview)
	mux.HandleFunc("GET /devices", s.serveDevices)
	mux.HandleFunc("GET /devices/{addr}", s.serveDevice)
	mux.HandleFunc("GET /emission", s.serveEmission)
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("POST /worker-reports", s.serveWorkerReport)
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("/", s.serveNotFound)
	return readOnly(mux)
}

// readOnly refuses every method but GET and HEAD, except the worker reports.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
		case r.Method == http.MethodPost && r.URL.Path == "/worker-reports":
		default:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the dashboard is read-only: "+r.Method+" is not accepted", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Run follows the chain and serves on listenAddr until ctx ends.
func (s *Server) Run(ctx context.Context, listenAddr string) error {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve follows the chain and serves on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.Follow(ctx)
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_ = srv.Shutdown(shutdown)
		return nil
	}
}
