package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/nightshift-network/nightshift/pkg/workerreport"
)

// WorkerReportsPath is where workers POST a WorkerReport.
const WorkerReportsPath = workerreport.Path

// reportFreshFor is how long a report describes its worker: workers report at
// least every 30 s, so an older report means the worker stopped reporting.
const reportFreshFor = 90 * time.Second

// WorkerReport is what a worker tells the dashboard about itself (defined in
// pkg/workerreport, which the worker binary links without the dashboard).
type WorkerReport = workerreport.Report

// SendWorkerReport POSTs r to the dashboard at baseURL.
func SendWorkerReport(ctx context.Context, client *http.Client, baseURL string, r WorkerReport) error {
	return workerreport.Send(ctx, client, baseURL, r)
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
	if err := rep.Validate(); err != nil {
		http.Error(w, "invalid report: "+err.Error(), http.StatusBadRequest)
		return
	}
	rep.Received = time.Now()
	s.reports.put(rep)
	w.WriteHeader(http.StatusNoContent)
}
