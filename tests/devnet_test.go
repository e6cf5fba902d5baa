// Package tests runs end-to-end checks against a real nightshiftd process.
package tests

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// binary returns the nightshiftd under test: $NIGHTSHIFTD_BIN (make test
// builds it once) or a fresh build into the test's temp dir.
func binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("NIGHTSHIFTD_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "nightshiftd")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/nightshiftd").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = l.Close() }()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

const devnetChainID = "nightshift-devnet-1"

type devnet struct {
	t               *testing.T
	bin, home       string
	rpc, api, grpc  int
	rpcURL, restURL string
	// screen is the file the devnet command's stdout and stderr go to: what a
	// user running it in a terminal sees.
	screen string
}

func startDevnet(t *testing.T) *devnet {
	t.Helper()
	return startDevnetIn(t, t.TempDir())
}

// startDevnetIn runs `nightshiftd devnet --home home` on free ports until the
// test ends, and waits for its third block.
func startDevnetIn(t *testing.T, home string) *devnet {
	t.Helper()
	p := freePorts(t, 4)
	d := &devnet{t: t, bin: binary(t), home: home, rpc: p[0], api: p[2], grpc: p[3]}
	d.rpcURL = fmt.Sprintf("http://127.0.0.1:%d", d.rpc)
	d.restURL = fmt.Sprintf("http://127.0.0.1:%d", d.api)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "devnet.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(d.bin, "devnet", "--home", d.home,
		"--rpc-port", strconv.Itoa(p[0]), "--p2p-port", strconv.Itoa(p[1]),
		"--api-port", strconv.Itoa(p[2]), "--grpc-port", strconv.Itoa(p[3]))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	d.screen = logFile.Name()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			bz, _ := os.ReadFile(logFile.Name())
			if len(bz) > 4000 {
				bz = bz[len(bz)-4000:]
			}
			t.Logf("devnet log tail:\n%s", bz)
		}
	})
	d.waitHeight(3, 120*time.Second)
	return d
}

func (d *devnet) height() int64 { return rpcStatus(d.rpcURL).Height }

func (d *devnet) waitHeight(h int64, timeout time.Duration) {
	d.t.Helper()
	waitRPCHeight(d.t, d.rpcURL, "devnet", h, timeout)
}

// cli runs a nightshiftd subcommand against the devnet and returns stdout.
func (d *devnet) cli(args ...string) (string, error) {
	return runCLI(d.bin, append(args, "--home", d.home)...)
}

func (d *devnet) addr(name string) string {
	d.t.Helper()
	return keyAddr(d.t, d.cli, name)
}

func (d *devnet) node() string { return fmt.Sprintf("tcp://127.0.0.1:%d", d.rpc) }

// tx signs and broadcasts, then waits for inclusion and returns the result.
// Gas is 400000 unless args set --gas.
func (d *devnet) tx(args ...string) txResult {
	d.t.Helper()
	return submitTx(d.t, d.cli, devnetChainID, d.node(), args...)
}

// mustTx is tx for transactions that must succeed.
func (d *devnet) mustTx(args ...string) txResult {
	d.t.Helper()
	return requireTxOK(d.t, d.tx(args...), args)
}

func (d *devnet) restBalance(addr string) string {
	d.t.Helper()
	var res struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	if err := getJSON(d.restURL+"/cosmos/bank/v1beta1/balances/"+addr+"/by_denom?denom=ushift", &res); err != nil {
		d.t.Fatal(err)
	}
	return res.Balance.Amount
}

func TestDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	d := startDevnet(t)
	alice, bob := d.addr("alice"), d.addr("bob")
	if !strings.HasPrefix(alice, "night1") {
		t.Fatalf("alice address %q lacks the night prefix", alice)
	}

	// REST: funded balance and SHIFT metadata.
	if got := d.restBalance(alice); got != "10000000000000" {
		t.Fatalf("alice REST balance = %q", got)
	}
	var meta struct {
		Metadata struct {
			Display string `json:"display"`
		} `json:"metadata"`
	}
	if err := getJSON(d.restURL+"/cosmos/bank/v1beta1/denoms_metadata/ushift", &meta); err != nil || meta.Metadata.Display != "SHIFT" {
		t.Fatalf("denom metadata: %v %+v", err, meta)
	}

	// CometBFT RPC: the CLI queries through it.
	out, err := d.cli("q", "bank", "balances", bob, "--node", d.node(), "--output", "json")
	if err != nil || !strings.Contains(out, "10000000000000") {
		t.Fatalf("bob balance over RPC: %v %s", err, out)
	}

	// gRPC: the same query straight against the node's gRPC server.
	out, err = d.cli("q", "bank", "balances", bob, "--grpc-addr", fmt.Sprintf("127.0.0.1:%d", d.grpc), "--grpc-insecure", "--output", "json")
	if err != nil || !strings.Contains(out, "10000000000000") {
		t.Fatalf("bob balance over gRPC: %v %s", err, out)
	}

	// Send with the CLI.
	d.mustTx("bank", "send", "alice", bob, "1234ushift")
	if got := d.restBalance(bob); got != "10000000001234" {
		t.Fatalf("bob balance after send = %q", got)
	}

	// An operator that is not approved cannot create a validator.
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valFile := filepath.Join(t.TempDir(), "validator.json")
	valJSON := fmt.Sprintf(`{"pubkey":{"@type":"/cosmos.crypto.ed25519.PubKey","key":%q},"amount":"1000000ushift","moniker":"outsider",
		"commission-rate":"0.1","commission-max-rate":"0.2","commission-max-change-rate":"0.01","min-self-delegation":"1"}`,
		base64.StdEncoding.EncodeToString(pub))
	if err := os.WriteFile(valFile, []byte(valJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	res := d.tx("staking", "create-validator", valFile, "--from", "alice")
	if res.Code == 0 || !strings.Contains(res.RawLog, "not approved") {
		t.Fatalf("outsider create-validator was not refused: %+v", res)
	}
	if n := d.bondedValidators(); n != 1 {
		t.Fatalf("validator set changed: %d bonded", n)
	}

	// The same message nested in authz MsgExec is refused too.
	d.mustTx("authz", "grant", bob, "generic", "--msg-type", "/cosmos.staking.v1beta1.MsgCreateValidator", "--from", "alice")
	unsigned, err := d.cli("tx", "staking", "create-validator", valFile, "--from", alice, "--generate-only",
		"--chain-id", devnetChainID, "--keyring-backend", "test", "--node", d.node())
	if err != nil {
		t.Fatal(err)
	}
	execFile := filepath.Join(t.TempDir(), "exec.json")
	if err := os.WriteFile(execFile, []byte(unsigned), 0o600); err != nil {
		t.Fatal(err)
	}
	res = d.tx("authz", "exec", execFile, "--from", "bob")
	if res.Code == 0 || !strings.Contains(res.RawLog, "not approved") {
		t.Fatalf("create-validator via authz exec was not refused: %+v", res)
	}

	// The authority (the devnet's validator key) approves alice; she can now join.
	d.mustTx("permission", "approve-validator", alice, "--from", "validator")
	d.mustTx("staking", "create-validator", valFile, "--from", "alice")
	d.waitHeight(d.height()+2, 30*time.Second)
	if n := d.bondedValidators(); n != 2 {
		t.Fatalf("after approval: %d bonded validators, want 2", n)
	}

	// Removal jails her validator: it leaves the bonded set.
	d.mustTx("permission", "remove-validator", alice, "--from", "validator")
	d.waitHeight(d.height()+2, 30*time.Second)
	if n := d.bondedValidators(); n != 1 {
		t.Fatalf("after removal: %d bonded validators, want 1", n)
	}
}

func (d *devnet) bondedValidators() int {
	d.t.Helper()
	var vals struct {
		Validators []json.RawMessage `json:"validators"`
	}
	if err := getJSON(d.restURL+"/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED", &vals); err != nil {
		d.t.Fatal(err)
	}
	return len(vals.Validators)
}
