package programinputs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

var (
	// ErrNotServed: the server answered 404 for the item.
	ErrNotServed = errors.New("input not served")
	// ErrMismatch: the input and its path do not lead to the job's input root.
	ErrMismatch = errors.New("input does not match the job's input root")
	// ErrTooLarge: the input is over the chain's max_item_input_bytes (no proof
	// could carry it).
	ErrTooLarge = errors.New("input over max_item_input_bytes")
	// ErrUnavailable: the server could not be reached or kept failing.
	ErrUnavailable = errors.New("inputs server unavailable")
)

// Input is one item's input with its path against the input root.
type Input struct {
	Bytes []byte
	Path  [][32]byte
}

// Client fetches and checks inputs.
type Client struct {
	HTTP     *http.Client // nil: 30 s timeout per request
	MaxBytes uint32       // params.max_item_input_bytes
	Attempts int          // per item, for transient failures (default 4)
	Parallel int          // requests at once in FetchRange (default 4)
	Backoff  time.Duration
}

// Dataset names the inputs of one job: where they are served and what they
// must match.
type Dataset struct {
	URL   string   // the job's inputs_url
	Items uint64   // the job's item count: the input tree's leaf count
	Root  [32]byte // the job's input_root
}

// Fetch returns item's input, checked against the dataset's root. Only
// transient failures (network errors, 5xx, 429) are retried: a 404, an
// oversized input or a mismatch is the server's answer and final.
func (c *Client) Fetch(ctx context.Context, d Dataset, item uint64) (Input, error) {
	attempts, backoff := c.Attempts, c.Backoff
	if attempts <= 0 {
		attempts = 4
	}
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	var last error
	for a := 0; a < attempts; a++ {
		if a > 0 {
			select {
			case <-ctx.Done():
				return Input{}, ctx.Err()
			case <-time.After(backoff << (a - 1)):
			}
		}
		in, transient, err := c.fetchOnce(ctx, d, item)
		if err == nil || !transient || ctx.Err() != nil {
			return in, err
		}
		last = err
	}
	return Input{}, fmt.Errorf("%w: item %d after %d attempts: %v", ErrUnavailable, item, attempts, last)
}

func (c *Client) fetchOnce(ctx context.Context, d Dataset, item uint64) (in Input, transient bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ItemURL(d.URL, item), nil)
	if err != nil {
		return Input{}, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return Input{}, true, err
	}
	defer func() { _ = res.Body.Close() }()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return Input{}, false, fmt.Errorf("%w: item %d (404 from %s)", ErrNotServed, item, req.URL)
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return Input{}, true, fmt.Errorf("item %d: %s", item, res.Status)
	case res.StatusCode != http.StatusOK:
		return Input{}, false, fmt.Errorf("%w: item %d: %s from %s", ErrUnavailable, item, res.Status, req.URL)
	}
	bz, err := io.ReadAll(io.LimitReader(res.Body, int64(c.MaxBytes)+1))
	if err != nil {
		return Input{}, true, err
	}
	if uint64(len(bz)) > uint64(c.MaxBytes) {
		return Input{}, false, fmt.Errorf("%w: item %d is over %d bytes", ErrTooLarge, item, c.MaxBytes)
	}
	path, err := DecodePath(res.Header.Get(ProofHeader), merkle.MaxProofLength)
	if err != nil {
		return Input{}, false, fmt.Errorf("%w: item %d: %s: %v", ErrMismatch, item, ProofHeader, err)
	}
	if err := merkle.VerifyProof(d.Root, merkle.InputLeafHash(item, bz), item, d.Items, path); err != nil {
		served := res.Header.Get(RootHeader)
		return Input{}, false, fmt.Errorf("%w: item %d (the server's dataset has root %q): %v", ErrMismatch, item, served, err)
	}
	return Input{Bytes: bz, Path: path}, false, nil
}

// FetchRange fetches items [first, first+count), a few at a time, and stops at
// the first failure.
func (c *Client) FetchRange(ctx context.Context, d Dataset, first, count uint64) ([]Input, error) {
	parallel := c.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]Input, count)
	var (
		mu     sync.Mutex
		failed error
		next   uint64
		wg     sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if failed == nil {
			failed = err
			cancel()
		}
		mu.Unlock()
	}
	for range min(uint64(parallel), count) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= count || ctx.Err() != nil {
					return
				}
				in, err := c.Fetch(ctx, d, first+i)
				if err != nil {
					fail(err)
					return
				}
				out[i] = in
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	return out, nil
}
