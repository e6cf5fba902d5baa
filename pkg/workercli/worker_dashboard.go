package workercli

import (
	"context"
	"net/http"
	"time"

	"github.com/nightshift-network/nightshift/pkg/worker"
	"github.com/nightshift-network/nightshift/pkg/workerreport"
)

const flagDashboard = "dashboard"

// dashboardReportInterval is how often a worker tells the dashboard its state
// when nothing changes (the dashboard forgets a report after 90 s).
const dashboardReportInterval = 15 * time.Second

// dashboardReporter tells a dashboard (`nightshiftd dashboard`) whether this
// worker computes or why its policy pauses it. Failures are quiet: the
// dashboard is optional and the worker's work does not depend on it.
type dashboardReporter struct {
	url     string
	device  string
	threads int
	policy  *worker.Policy
	kick    chan struct{}
	client  *http.Client
}

func newDashboardReporter(url, device string, threads int, policy *worker.Policy) *dashboardReporter {
	return &dashboardReporter{url: url, device: device, threads: threads, policy: policy,
		kick: make(chan struct{}, 1), client: &http.Client{Timeout: 5 * time.Second}}
}

// changed asks for a report now (the pool paused or resumed).
func (r *dashboardReporter) changed() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *dashboardReporter) report(ctx context.Context, state, reason string) {
	_ = workerreport.Send(ctx, r.client, r.url, workerreport.Report{Device: r.device, State: state, Reason: reason, Threads: r.threads})
}

// run reports until ctx ends, then reports the worker stopped.
func (r *dashboardReporter) run(ctx context.Context) {
	tick := time.NewTicker(dashboardReportInterval)
	defer tick.Stop()
	for {
		if open, why := r.policy.Open(); open {
			r.report(ctx, "computing", "")
		} else {
			r.report(ctx, "paused", why)
		}
		select {
		case <-ctx.Done():
			last, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			r.report(last, "stopped", "the worker was stopped")
			cancel()
			return
		case <-tick.C:
		case <-r.kick:
		}
	}
}
