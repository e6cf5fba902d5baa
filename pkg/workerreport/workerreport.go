// Package workerreport is what a worker tells a `nightshiftd dashboard` about
// itself, in its own package so the worker binary sends reports without
// linking the dashboard (and, through it, the SDK's node services).
package workerreport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cosmos/cosmos-sdk/types/bech32"
)

// Path is where workers POST a Report.
const Path = "/worker-reports"

// Report is whether a worker computes, and why not. It is shown on the
// device's page and never reaches the chain.
type Report struct {
	Device  string `json:"device"`
	State   string `json:"state"` // "computing", "paused" or "stopped"
	Reason  string `json:"reason,omitempty"`
	Threads int    `json:"threads,omitempty"`
	// Received is set by the dashboard.
	Received time.Time `json:"-"`
}

// Validate refuses a report the dashboard would not show.
func (r Report) Validate() error {
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

// Send POSTs r to the dashboard at baseURL.
func Send(ctx context.Context, client *http.Client, baseURL string, r Report) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+Path, bytes.NewReader(body))
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
