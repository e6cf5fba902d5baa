package tests

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCosmJSExchange drives a devnet with stock CosmJS (@cosmjs/stargate 0.39,
// pinned in tests/cosmjs/package-lock.json) the way an exchange would: read a
// balance, send SHIFT, wait for inclusion, find the transaction by hash and by
// transfer.recipient event search, and read the denom metadata.
func TestCosmJSExchange(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("NIGHTSHIFT_REQUIRE_NODE") != "" {
			t.Fatal("node (Node.js 20) is required: install it (CI does) or unset NIGHTSHIFT_REQUIRE_NODE")
		}
		t.Skip("node not installed; CI installs it and sets NIGHTSHIFT_REQUIRE_NODE")
	}
	dir, err := filepath.Abs("cosmjs")
	if err != nil {
		t.Fatal(err)
	}
	npm := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	npm.Dir = dir
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}

	d := startDevnet(t)
	export := exec.Command(d.bin, "keys", "export", "alice", "--unarmored-hex", "--unsafe",
		"--keyring-backend", "test", "--home", d.home)
	export.Stdin = strings.NewReader("y\n")
	keyOut, err := export.Output()
	if err != nil {
		t.Fatalf("export key: %v", err)
	}
	privHex := strings.TrimSpace(string(keyOut))
	if len(privHex) != 64 {
		t.Fatalf("unexpected exported key length %d", len(privHex))
	}
	bob := d.addr("bob")

	run := exec.Command(node, "exchange.mjs", d.rpcURL, privHex, bob, d.restURL)
	run.Dir = dir
	out, err := run.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("cosmjs check: %v\n%s\n%s", err, out, stderr)
	}
	var res struct {
		ChainID      string `json:"chain_id"`
		Sender       string `json:"sender"`
		Recipient    string `json:"recipient"`
		Tx           string `json:"tx"`
		Height       int64  `json:"height"`
		Before       string `json:"before"`
		After        string `json:"after"`
		FoundByEvent int    `json:"found_by_event"`
		Display      string `json:"display"`
		Exponent     int    `json:"exponent"`
		GasWanted    int64  `json:"gas_wanted,string"`
		MinGasPrice  string `json:"min_gas_price"`
		Fee          int64  `json:"fee,string"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("cosmjs output %q: %v", out, err)
	}
	t.Logf("cosmjs: %s", out)
	if res.ChainID != devnetChainID || res.Sender != d.addr("alice") || res.Recipient != bob {
		t.Fatalf("unexpected identities: %+v", res)
	}
	if res.FoundByEvent < 1 || res.Display != "SHIFT" || res.Exponent != 6 {
		t.Fatalf("unexpected result: %+v", res)
	}
	// The integrator read the chain's price and paid it: fee ≥ gas × 0.001.
	if res.MinGasPrice != "0.001000000000000000" || res.Fee*1000 < res.GasWanted || res.GasWanted == 0 {
		t.Fatalf("fee %d ushift for %d gas at min_gas_price %s", res.Fee, res.GasWanted, res.MinGasPrice)
	}
	// The node agrees: the transaction is indexed and bob's balance moved.
	q, err := d.cli("q", "tx", res.Tx, "--node", d.node(), "-o", "json")
	if err != nil || !strings.Contains(q, `"code":0`) && !strings.Contains(q, `"txhash"`) {
		t.Fatalf("q tx %s: %v\n%s", res.Tx, err, q)
	}
	// The deposit search documented in docs/exchanges.md, via the CLI and REST.
	search, err := d.cli("q", "txs", "--query", "transfer.recipient='"+bob+"'", "--node", d.node(), "-o", "json")
	if err != nil || !strings.Contains(search, res.Tx) {
		t.Fatalf("q txs by transfer.recipient: %v\n%s", err, search)
	}
	var rest struct {
		TxResponses []struct {
			TxHash string `json:"txhash"`
			Code   int    `json:"code"`
		} `json:"tx_responses"`
	}
	if err := getJSON(d.restURL+"/cosmos/tx/v1beta1/txs?query="+url.QueryEscape("transfer.recipient='"+bob+"'"), &rest); err != nil {
		t.Fatal(err)
	}
	if len(rest.TxResponses) == 0 || rest.TxResponses[len(rest.TxResponses)-1].TxHash != res.Tx || rest.TxResponses[len(rest.TxResponses)-1].Code != 0 {
		t.Fatalf("REST event search: %+v", rest)
	}
	if got := d.restBalance(bob); got != res.After {
		t.Fatalf("REST balance of bob %s, CosmJS saw %s", got, res.After)
	}
}
