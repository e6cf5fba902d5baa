package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cosmos/cosmos-sdk/types/bech32"
)

// WorkerReportsPath is where workers POST a WorkerReport.
const WorkerReportsPath = "/worker-reports"

// reportFreshFor is how long a report describes its worker: workers report at
// least every 30 s, so an older report means the worker stopped reporting.
const reportFreshFor = 90 * time.Second

// WorkerReport is what a worker tells the dashboard about itself: whether it
// computes, and why not. It is shown on the device's page and never reaches
// the chain.
type WorkerReport struct {
	Device  string `json:"device"`
	State   string `json:"state"` // "computing", "paused" or "stopped"
	Reason  string `json:"reason,omitempty"`
	Threads int    `json:"threads,omitempty"`
	// Received is set by the dashboard.
	Received time.Time `json:"-"`
}

func (r WorkerReport) validate() error {
	if _, _, err := bech32.DecodeAndConvert(r.Device); err != nil {
		return fmt.Errorf("device %q: %v", r.Device, err)
	}
	switch r.State {
	case "computing", "paused", "stopped":
	default:
		return fmt.Errorf("state %q: want computing, paused or stopped", r.State)
	}
	if len(r.Reason) > 200 {
		return fmt.Errorf("reason of %d bytes: at most 200", len(r.Reason))
	}
	return nil
}

// SendWorkerReport POSTs r to the dashboard at baseURL.
func SendWorkerReport(ctx context.Context, client *http.Client, baseURL string, r WorkerReport) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+WorkerReportsPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusNoContent {
		return fmt.Errorf("dashboard answered %s", res.Status)
	}
	return nil
}

// workerReports holds the last report of each device.
type workerReports struct {
	mu   sync.Mutex
	last map[string]WorkerReport
}

func newWorkerReports() *workerReports { return &workerReports{last: make(map[string]WorkerReport)} }

func (w *workerReports) put(r WorkerReport) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.last[r.Device] = r
}

// get returns the device's last report if it is recent.
func (w *workerReports) get(device string, now time.Time) (WorkerReport, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.last[device]
	return r, ok && now.Sub(r.Received) < reportFreshFor
}

func (s *Server) serveWorkerReport(w http.ResponseWriter, r *http.Request) {
	var rep WorkerReport
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	if err := dec.Decode(&rep); err != nil {
		http.Error(w, "malformed report: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := rep.validate(); err != nil {
		http.Error(w, "invalid report: "+err.Error(), http.StatusBadRequest)
		return
	}
	rep.Received = time.Now()
	s.reports.put(rep)
	w.WriteHeader(http.StatusNoContent)
}
