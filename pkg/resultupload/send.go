// Package resultupload is the device's side of a result upload: the request
// body and the POST to a job's result endpoint (pkg/collector serves it). It
// is its own package so the worker binary links it without the collector's
// chain code (CometBFT's RPC types, the SDK's types).
package resultupload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

var (
	// ErrRejected means the result endpoint refused the upload for good (wrong
	// device, wrong item count, outputs that do not match the claimed root):
	// sending the same upload again cannot succeed.
	ErrRejected = errors.New("result endpoint rejected the upload")
	// ErrRetryLater means the upload did not get through but may later: the
	// endpoint is unreachable or busy, or has not yet seen the claim on chain.
	ErrRetryLater = errors.New("result endpoint unavailable, retry later")
)

// Upload is the body of an upload: the device holding the task and the outputs
// of the task's items, in item order. Outputs marshal to base64 strings.
type Upload struct {
	Device  string   `json:"device"`
	Outputs [][]byte `json:"outputs"`
}

// defaultHTTPClient bounds an upload when the caller supplies no client.
var defaultHTTPClient = &http.Client{Timeout: 2 * time.Minute}

// maxMessageSize bounds how much of an error response is kept.
const maxMessageSize = 4 << 10

// Send uploads the outputs of task taskIndex of job jobID to the job's result
// endpoint, POST {resultURL}/v1/jobs/{jobID}/tasks/{taskIndex}. It returns nil
// when the endpoint accepted them, an error wrapping ErrRejected (with the
// endpoint's reason) when it refused them for good, and one wrapping
// ErrRetryLater when the endpoint could not be reached, was busy, or has not
// seen the claim yet. A nil httpClient uses a client with a two-minute timeout.
func Send(ctx context.Context, httpClient *http.Client, resultURL string, jobID, taskIndex uint64, up Upload) error {
	if httpClient == nil {
		httpClient = defaultHTTPClient
	}
	body, err := json.Marshal(up)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	url := URL(resultURL, jobID, taskIndex)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		// A result URL that does not parse will never work.
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRetryLater, err)
	}
	defer func() { _ = resp.Body.Close() }()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxMessageSize))
	reason := strings.TrimSpace(string(msg))
	if reason == "" {
		reason = http.StatusText(resp.StatusCode)
	}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusConflict, code == http.StatusTooManyRequests, code >= 500:
		return fmt.Errorf("%w: %s: %d %s", ErrRetryLater, url, code, reason)
	case code >= 400:
		return fmt.Errorf("%w: %s: %d %s", ErrRejected, url, code, reason)
	default:
		return fmt.Errorf("%w: %s: unexpected status %d %s", ErrRetryLater, url, code, reason)
	}
}

// URL is where the outputs of a task go, below the job's result URL.
func URL(resultURL string, jobID, taskIndex uint64) string {
	return fmt.Sprintf("%s/v1/jobs/%d/tasks/%d", strings.TrimRight(resultURL, "/"), jobID, taskIndex)
}
