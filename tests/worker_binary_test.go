package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/types/bech32"
)

// workerBinary returns the nightshift-worker under test: $NIGHTSHIFT_WORKER_BIN,
// or one built for this machine into the test's directory.
func workerBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("NIGHTSHIFT_WORKER_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "nightshift-worker")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/nightshift-worker").CombinedOutput(); err != nil {
		t.Fatalf("build nightshift-worker: %v\n%s", err, out)
	}
	return bin
}

// TestWorkerBinarySweep runs the standalone nightshift-worker on a devnet: it
// refuses bad input at start, registers, computes and proves a small render
// with the app's codec nowhere linked, and sweeps what it holds above
// --sweep-above to another wallet, keeping the kept amount and the fee reserve.
func TestWorkerBinarySweep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and a worker process")
	}
	bin := workerBinary(t)
	d := startDevnet(t)
	requester, device1, alice := d.addr("requester"), d.addr("device1"), d.addr("alice")
	common := []string{"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node(), "--home", d.home}

	// Refused before anything is sent, with one line each.
	cosmosAddr, err := bech32.ConvertAndEncode("cosmos", make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sweep-to", cosmosAddr, "--sweep-above", "1SHIFT"}, `is an address of another chain (prefix "cosmos")`},
		{[]string{"--sweep-to", alice}, "--sweep-to needs --sweep-above AMOUNT"},
		{[]string{"--min-battery", "150"}, "--min-battery 150: want a percentage from 0 to 100"},
	} {
		out, err := exec.Command(bin, append(append([]string{"start", "--from", "device1"}, c.args...), common...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
			t.Errorf("start %v: %v, output %q; want one line with %q", c.args, err, out, c.want)
		}
	}
	if _, err := d.cli("q", "compute", "device", device1, "--node", d.node()); err == nil {
		t.Fatal("a refused start registered the device")
	}

	d.mustTx("compute", "approve-requester", requester, "--from", "validator")
	if _, err := d.cli("requester", "post-render", "--from", "requester", "--width", "16", "--height", "16", "--max-iter", "50",
		"--items-per-task", "8", "--price-per-item", "1000ushift",
		"--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node(), "-y", "--output", "json"); err != nil {
		t.Fatal(err)
	}
	const keep = 9_997_000_000_000 // 9,997,000 SHIFT of device1's 10,000,000; the bond is 2,100 (it covers the epoch emission)
	aliceBefore := d.balance(alice)
	w := d.startBin(bin, "nightshift-worker", "start", "--from", "device1", "--bond", "2100SHIFT", "--threads", "1",
		"--when", "always", "--sweep-to", alice, "--sweep-above", strconv.Itoa(keep)+"ushift",
		"--state-dir", t.TempDir(), "--output", "json",
		"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node())
	// Two tasks, each paid and then swept; what stays is the kept amount and
	// the 0.1 SHIFT fee reserve, less the fee of the last sweep (a bank send at
	// the chain's min_gas_price: a few hundred ushift).
	reserved := func() bool {
		b := d.balance(device1)
		return b > keep+100_000-5_000 && b < keep+100_000
	}
	waitFor(t, 180*time.Second, "both tasks verified and swept", func() bool {
		w.checkRunning()
		return len(w.events("verified")) == 2 && len(w.events("swept")) >= 2 && reserved()
	})
	waitFor(t, 30*time.Second, "alice to hold what was swept", func() bool {
		return d.balance(alice)-aliceBefore == w.total("swept") && reserved()
	})
	if dev := d.device(device1); dev.Bond != "2100000000" {
		t.Fatalf("device bond after the sweep: %+v", dev)
	}
	if bad := append(w.events("rejected"), w.events("error")...); len(bad) > 0 {
		t.Fatalf("worker: %+v", bad)
	}

	out, err := exec.Command(bin, append([]string{"status", "--from", "device1", "--when", "always"}, common...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Policy     always compute") || !strings.Contains(string(out), "Now        computing") {
		t.Fatalf("status: %v\n%s", err, out)
	}
}
