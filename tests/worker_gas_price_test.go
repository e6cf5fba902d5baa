package tests

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestWorkerPaysMinGasPrice runs the standalone nightshift-worker on a devnet
// whose x/compute min_gas_price is positive (0.5 ushift per gas, set with
// update-params). A worker told to pay less (--gas-prices 0.1ushift) is
// refused at registration and registers nothing; one without --gas-prices
// reads the price from the chain, pays gas × price on each transaction and
// gets its tasks verified. What the device's account lost to fees is
// positive and accounted for: before − bond + payments + emission − after.
func TestWorkerPaysMinGasPrice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and a worker process")
	}
	bin := workerBinary(t)
	d := startDevnet(t)
	requester, device1 := d.addr("requester"), d.addr("device1")
	d.mustTx("compute", "approve-requester", requester, "--from", "validator")

	// 0.5 ushift per gas, written as the decimal the query prints.
	d.updateComputeParams(map[string]string{"min_gas_price": "0.5"})
	var now struct {
		Params struct {
			MinGasPrice string `json:"min_gas_price"`
		} `json:"params"`
	}
	d.query(&now, "compute", "params")
	if !strings.HasPrefix(now.Params.MinGasPrice, "0.5") {
		t.Fatalf("min_gas_price after update-params: %q", now.Params.MinGasPrice)
	}

	common := []string{"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node(), "--home", d.home}
	// Underpaying is refused by the chain's ante handler: no registration, no bond moved.
	before := d.balance(device1)
	out, err := exec.Command(bin, append([]string{"start", "--from", "device1", "--when", "always", "--threads", "1",
		"--gas-prices", "0.1ushift", "--state-dir", t.TempDir()}, common...)...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "insufficient fee") {
		t.Fatalf("an underpaying worker: %v\n%s", err, out)
	}
	if _, err := d.cli("q", "compute", "device", device1, "--node", d.node()); err == nil {
		t.Fatal("an underpaying worker registered the device")
	}
	if after := d.balance(device1); after != before {
		t.Fatalf("a refused registration moved %d ushift", before-after)
	}

	if _, err := d.cli("requester", "post-render", "--from", "requester", "--width", "16", "--height", "16", "--max-iter", "50",
		"--items-per-task", "8", "--price-per-item", "1000ushift", "--gas-prices", "0.5ushift",
		"--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y", "--output", "json"); err != nil {
		t.Fatal(err)
	}
	w := d.startBin(bin, "nightshift-worker", append([]string{"start", "--from", "device1", "--bond", "2100SHIFT", "--threads", "1",
		"--when", "always", "--state-dir", t.TempDir(), "--output", "json"}, common[:6]...)...)
	waitFor(t, 180*time.Second, "both tasks verified at a positive gas price", func() bool {
		w.checkRunning()
		return len(w.events("verified")) == 2
	})
	if bad := append(w.events("rejected"), w.events("error")...); len(bad) > 0 {
		t.Fatalf("worker: %+v", bad)
	}
	w.interrupt()
	if err := w.wait(30 * time.Second); err != nil {
		t.Fatalf("worker exit: %v", err)
	}
	const bond = 2_100_000_000 // --bond 2100SHIFT: its slash covers the epoch emission
	fees := before - bond + w.total("verified") + w.total("withdrawn") - d.balance(device1)
	// register, 2 × (lease, claim, proof): at least 7 transactions of well
	// over 10,000 gas each at 0.5 ushift per gas.
	if fees < 7*5_000 {
		t.Fatalf("the worker paid %d ushift in fees; want gas × 0.5 on each of its transactions", fees)
	}
	t.Logf("fees paid by the worker: %d ushift", fees)
}
