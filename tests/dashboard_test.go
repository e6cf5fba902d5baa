package tests

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium to drive. Without one the test is skipped,
// unless NIGHTSHIFT_REQUIRE_BROWSER=1 (.ci/run sets it and installs chromium).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("NIGHTSHIFT_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium on PATH and NIGHTSHIFT_REQUIRE_BROWSER=1: apt-get install -y chromium")
	}
	t.Skip("no chromium on PATH: apt-get install -y chromium (NIGHTSHIFT_REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// artifactDir is where the screenshots go: $NIGHTSHIFT_ARTIFACTS/dashboard
// when set, else the test's temp dir.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if base := os.Getenv("NIGHTSHIFT_ARTIFACTS"); base != "" {
		dir = filepath.Join(base, "dashboard")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// browser is a headless Chromium tab that records console errors.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T, path string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// consoleErrors returns the console errors since the last call.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := b.errors
	b.errors = nil
	return errs
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// open loads url, waits for sel and marks the page so a reload would show.
func (b *browser) open(url, sel string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`window.loadedOnce = "yes"`))
}

// screenshot writes the whole page as name.png into dir.
func (b *browser) screenshot(dir, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// requireNoConsoleErrors fails the test if the page logged an error.
func (b *browser) requireNoConsoleErrors(page string) {
	b.t.Helper()
	if errs := b.consoleErrors(); len(errs) > 0 {
		b.t.Fatalf("%s: console errors:\n%s", page, strings.Join(errs, "\n"))
	}
}

// verifiedShown is the verified task count the page shows at sel's data-verified.
func (b *browser) verifiedShown(sel string) int {
	b.t.Helper()
	n, _ := strconv.Atoi(b.eval(fmt.Sprintf(`(document.querySelector(%q) || {dataset: {}}).dataset.verified || "-1"`, sel)))
	return n
}

// waitLiveUpdate waits for the verified count at sel to rise above from
// without the page reloading.
func (b *browser) waitLiveUpdate(sel string, from int, timeout time.Duration) int {
	b.t.Helper()
	var now int
	waitFor(b.t, timeout, fmt.Sprintf("the page to show more than %d verified tasks", from), func() bool {
		now = b.verifiedShown(sel)
		return now > from
	})
	if b.eval(`window.loadedOnce || "reloaded"`) != "yes" {
		b.t.Fatal("the page reloaded instead of updating in place")
	}
	return now
}

// TestDashboardInBrowser runs `nightshiftd dashboard` against a devnet with a
// render in progress and drives each page in headless Chromium: it loads
// without console errors, shows the job's progress, updates without reload
// when a task is verified, and is captured as a screenshot.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node, a worker, the dashboard and a browser")
	}
	chromium := chromiumPath(t)
	d := startDevnet(t)
	requester, device1 := d.addr("requester"), d.addr("device1")
	d.mustTx("compute", "approve-requester", requester, "--from", "validator")

	ports := freePorts(t, 2)
	collectorAddr, dashAddr := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	outDir := t.TempDir()
	collect := d.start("collector", "requester", "collect", "--job", "1", "--listen", collectorAddr, "--out", outDir, "--node", d.node())
	dash := d.start("dashboard", "dashboard", "--node", d.node(), "--grpc", fmt.Sprintf("127.0.0.1:%d", d.grpc),
		"--listen", dashAddr, "--collector-dir", outDir)
	base := "http://" + dashAddr
	waitFor(t, 30*time.Second, "the dashboard to follow the chain", func() bool {
		dash.checkRunning()
		return strings.Contains(dash.stderr(), "following the chain")
	})

	// 16 tasks of 8 rows, computed one at a time: in progress for the whole test.
	const numTasks = 16
	if _, err := d.cli("requester", "post-render", "--from", "requester", "--width", "256", "--height", "128", "--max-iter", "100",
		"--items-per-task", "8", "--price-per-item", "1000ushift", "--result-url", "http://"+collectorAddr,
		"--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y", "--output", "json"); err != nil {
		t.Fatal(err)
	}
	worker := d.start("worker", "worker", "start", "--from", "device1", "--moniker", "rig-1", "--bond", "2100SHIFT",
		"--threads", "1", "--max-tasks", "1", "--state-dir", t.TempDir(), "--dashboard", base,
		"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node())

	shots := artifactDir(t)
	b := newBrowser(t, chromium)

	// Market: the job is listed with its progress, which grows in place.
	b.open(base+"/", `tr[data-job="1"]`)
	progress := `tr[data-job="1"] [data-verified]`
	seen := b.waitLiveUpdate(progress, b.verifiedShown(progress), 90*time.Second)
	if seen >= numTasks {
		t.Fatalf("the job finished (%d tasks) before the test could watch it", seen)
	}
	b.requireNoConsoleErrors("market")
	market := b.screenshot(shots, "market")

	// Job: the task grid, the device, the preview; it updates in place too.
	b.open(base+"/jobs/1", `#task-grid`)
	if n := b.eval(`String(document.querySelectorAll("#task-grid .t").length)`); n != strconv.Itoa(numTasks) {
		t.Fatalf("task grid has %s cells, want %d", n, numTasks)
	}
	jobSeen := b.waitLiveUpdate("#job-progress", b.verifiedShown("#job-progress"), 60*time.Second)
	if b.eval(`String(document.querySelectorAll("#task-grid .t.verified").length)`) != strconv.Itoa(jobSeen) {
		t.Fatalf("task grid disagrees with the progress (%d verified)", jobSeen)
	}
	if !strings.Contains(b.eval(`document.querySelector("main").innerText`), device1) {
		t.Fatal("job page does not name the device computing it")
	}
	waitFor(t, 20*time.Second, "the preview image to load", func() bool {
		return b.eval(`String((document.getElementById("preview") || {}).naturalWidth || 0)`) == "256"
	})
	b.requireNoConsoleErrors("job")
	b.screenshot(shots, "job")

	// Devices and the device's page with its earnings chart and worker state.
	b.open(base+"/devices", `#devices`)
	if !strings.Contains(b.eval(`document.getElementById("devices").innerText`), "rig-1") {
		t.Fatal("devices page does not list rig-1")
	}
	b.requireNoConsoleErrors("devices")
	b.screenshot(shots, "devices")
	b.open(base+"/devices/"+device1, `.chart canvas`)
	waitFor(t, 30*time.Second, "the device page to show the worker computing", func() bool {
		return strings.Contains(b.eval(`document.getElementById("worker-state").innerText`), "computing")
	})
	b.requireNoConsoleErrors("device")
	b.screenshot(shots, "device")

	// Emission: the epoch, the chart and the halving schedule.
	b.open(base+"/emission", `#halvings`)
	if n, _ := strconv.Atoi(b.eval(`String(document.querySelectorAll("#halvings tr").length)`)); n < 3 {
		t.Fatalf("halving schedule has %d rows", n)
	}
	if b.eval(`String(document.querySelectorAll(".chart canvas").length >= 2)`) != "true" {
		t.Fatal("emission page drew no charts")
	}
	b.requireNoConsoleErrors("emission")
	b.screenshot(shots, "emission")

	// Unknown ids are 404 pages; the server takes no writes.
	for _, path := range []string{"/jobs/999", "/jobs/abc", "/devices/night1notanaddress", "/nowhere"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s: %s, want 404", path, res.Status)
		}
	}
	res, err := http.Post(base+"/jobs/1", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /jobs/1: %s, want 405", res.Status)
	}
	collect.checkRunning()
	worker.checkRunning()
	t.Logf("screenshots in %s (market: %s)", shots, market)
}
