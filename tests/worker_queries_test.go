package tests

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// queryCounter is a reverse proxy in front of a node's CometBFT RPC that
// counts what a client asks of the node: each JSON-RPC call (abci_query for
// the module's queries, tx, broadcast_tx_sync, ...) and each websocket dial.
// Websocket traffic itself is pushed events, not queries.
type queryCounter struct {
	mu      sync.Mutex
	calls   map[string]int
	sockets int
	url     string
}

func startQueryCounter(t *testing.T, rpcURL string) *queryCounter {
	t.Helper()
	target, err := url.Parse(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	c := &queryCounter{calls: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			c.mu.Lock()
			c.sockets++
			c.mu.Unlock()
			proxy.ServeHTTP(w, r) // ReverseProxy passes upgrades through
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.record(r, body)
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	c.url = "tcp://" + ln.Addr().String()
	return c
}

// record counts the JSON-RPC methods of a request (one, or a batch), or its
// path for a URI-style GET.
func (c *queryCounter) record(r *http.Request, body []byte) {
	var methods []string
	var one struct {
		Method string `json:"method"`
	}
	var batch []struct {
		Method string `json:"method"`
	}
	switch {
	case json.Unmarshal(body, &one) == nil && one.Method != "":
		methods = []string{one.Method}
	case json.Unmarshal(body, &batch) == nil && len(batch) > 0:
		for _, b := range batch {
			methods = append(methods, b.Method)
		}
	default:
		methods = []string{strings.TrimPrefix(r.URL.Path, "/")}
	}
	c.mu.Lock()
	for _, m := range methods {
		c.calls[m]++
	}
	c.mu.Unlock()
}

// snapshot returns the total calls so far and a per-method summary.
func (c *queryCounter) snapshot() (int, map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	total := 0
	for m, n := range c.calls {
		out[m] = n
		total += n
	}
	return total, out
}

func (c *queryCounter) socketsDialled() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sockets
}

// countOver counts the calls made during d.
func (c *queryCounter) countOver(d time.Duration) (int, string) {
	before, bm := c.snapshot()
	time.Sleep(d)
	after, am := c.snapshot()
	var parts []string
	for m, n := range am {
		if n > bm[m] {
			parts = append(parts, m+" "+strconv.Itoa(n-bm[m]))
		}
	}
	sort.Strings(parts)
	return after - before, strings.Join(parts, ", ")
}

// TestIdleWorkerQueries measures what an idle nightshift-worker costs its
// node: with the event subscription (the default) at most one query per 10 s
// over 40 s, against a polling worker (--subscribe=false) on the same chain,
// which must cost many times more; then a job posted while the listening
// worker is idle is leased within a few blocks. docs/benchmarks.md records
// the figures from `go test ./tests -run TestIdleWorkerQueries -v`.
func TestIdleWorkerQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and worker processes")
	}
	bin := workerBinary(t)
	d := startDevnet(t)
	const window = 40 * time.Second
	start := func(key string, counter *queryCounter, extra ...string) *process {
		args := append([]string{"start", "--from", key, "--bond", "200SHIFT", "--threads", "1", "--when", "always",
			"--state-dir", t.TempDir(), "--output", "json",
			"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", counter.url, "--home", d.home}, extra...)
		return d.startBin(bin, "nightshift-worker "+key, args...)
	}

	// Polling, as every worker did before: one look at the jobs every 2 s.
	pollCounter := startQueryCounter(t, d.rpcURL)
	poller := start("bob", pollCounter, "--subscribe=false")
	waitFor(t, 60*time.Second, "the polling worker to go idle", func() bool {
		poller.checkRunning()
		return len(poller.events("idle")) > 0
	})
	polled, pollDetail := pollCounter.countOver(window)
	poller.interrupt()
	t.Logf("idle polling worker: %d calls in %s = %.1f per 10 s (%s)", polled, window, float64(polled)*10/window.Seconds(), pollDetail)

	// Listening: queries only when an event says something changed.
	counter := startQueryCounter(t, d.rpcURL)
	w := start("device1", counter)
	waitFor(t, 60*time.Second, "the worker to subscribe and go idle", func() bool {
		w.checkRunning()
		return len(w.events("listening")) > 0 && len(w.events("idle")) > 0
	})
	time.Sleep(3 * time.Second) // the look the subscription triggers when it comes up
	idle, detail := counter.countOver(window)
	t.Logf("idle listening worker: %d calls in %s = %.1f per 10 s (%s); %d websocket dialled", idle, window, float64(idle)*10/window.Seconds(), detail, counter.socketsDialled())
	if limit := int(window / (10 * time.Second)); idle > limit {
		t.Errorf("an idle listening worker made %d calls in %s; want at most %d (1 per 10 s): %s", idle, window, limit, detail)
	}
	if polled < 4*max(idle, 1) {
		t.Errorf("polling made %d calls and listening %d in the same window: the measurement does not tell them apart", polled, idle)
	}
	if counter.socketsDialled() != 1 {
		t.Errorf("websocket dialled %d times; want 1 (the socket stays up)", counter.socketsDialled())
	}

	// A job posted now is leased promptly: the event wakes the worker. A
	// worker left to its safety poll would take up to a minute (60 blocks here).
	if _, err := d.cli("requester", "post-render", "--from", "requester", "--width", "16", "--height", "8", "--max-iter", "50",
		"--items-per-task", "8", "--price-per-item", "1000ushift",
		"--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y", "--output", "json"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the idle worker to lease the new job", func() bool {
		w.checkRunning()
		return len(w.events("leased")) > 0
	})
	var job struct {
		Job struct {
			ID            string `json:"id"`
			CreatedHeight string `json:"created_height"`
		} `json:"job"`
	}
	d.query(&job, "compute", "job", "1")
	var params struct {
		Params struct {
			LeaseBlocks          string `json:"lease_blocks"`
			ChallengeDelayBlocks string `json:"challenge_delay_blocks"`
		} `json:"params"`
	}
	d.query(&params, "compute", "params")
	created, _ := strconv.ParseInt(job.Job.CreatedHeight, 10, 64)
	leaseBlocks, _ := strconv.ParseInt(params.Params.LeaseBlocks, 10, 64)
	var leasedAt int64
	// An ordinary lease names its expiry (lease height + lease_blocks); a
	// speculative one (--speculate, the default) is leased and claimed in one
	// tx, so its claim's challenge height (claim height + challenge_delay_blocks)
	// dates it.
	if m := regexp.MustCompile(`claim by height (\d+)`).FindStringSubmatch(w.events("leased")[0].Message); m != nil {
		expiry, _ := strconv.ParseInt(m[1], 10, 64)
		leasedAt = expiry - leaseBlocks
	} else {
		waitFor(t, 30*time.Second, "the speculative lease's claim", func() bool { return len(w.events("claimed")) > 0 })
		m := regexp.MustCompile(`challenge at height (\d+)`).FindStringSubmatch(w.events("claimed")[0].Message)
		delay, _ := strconv.ParseInt(params.Params.ChallengeDelayBlocks, 10, 64)
		if m == nil || delay == 0 {
			t.Fatalf("leased event without its expiry and claimed event without its challenge height: %+v, %+v", w.events("leased")[0], w.events("claimed"))
		}
		challenge, _ := strconv.ParseInt(m[1], 10, 64)
		leasedAt = challenge - delay
	}
	t.Logf("job posted at height %d, its task leased at height %d", created, leasedAt)
	if created == 0 || leaseBlocks == 0 || leasedAt-created > 5 {
		t.Errorf("job posted at height %d was leased at height %d (lease_blocks %d); want within 5 blocks", created, leasedAt, leaseBlocks)
	}
	waitFor(t, 120*time.Second, "the task to be verified", func() bool {
		w.checkRunning()
		return len(w.events("verified")) > 0
	})
}
