package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cliFunc runs a nightshiftd subcommand and returns its stdout.
type cliFunc func(args ...string) (string, error)

// runCLI runs bin with args and returns stdout; a failed command's error
// carries its arguments and stderr.
func runCLI(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), fmt.Errorf("%v: %w: %s", args, err, ee.Stderr)
	}
	return string(out), err
}

// keyAddr is the address of key name in the test keyring cli signs with.
func keyAddr(t *testing.T, cli cliFunc, name string) string {
	t.Helper()
	out, err := cli("keys", "show", name, "-a", "--keyring-backend", "test")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// submitTx signs `nightshiftd tx ARGS` with the test keyring, broadcasts it
// through node, waits for inclusion and returns the result; a tx CheckTx
// refuses is returned as broadcast. Gas is 400000 unless args set --gas.
func submitTx(t *testing.T, cli cliFunc, chainID, node string, args ...string) txResult {
	t.Helper()
	args = append(append([]string{"tx"}, args...), "--chain-id", chainID, "--keyring-backend", "test",
		"--node", node, "-y", "--output", "json")
	if !slices.Contains(args, "--gas") {
		args = append(args, "--gas", "400000")
	}
	out, err := cli(args...)
	if err != nil {
		t.Fatal(err)
	}
	var res txResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("broadcast output %q: %v", out, err)
	}
	if res.Code != 0 {
		return res // refused in CheckTx
	}
	return waitTx(t, cli, node, res.TxHash)
}

// waitTx waits until node has the tx with hash in a block and returns its result.
func waitTx(t *testing.T, cli cliFunc, node, hash string) txResult {
	t.Helper()
	var final txResult
	waitFor(t, 30*time.Second, "tx "+hash+" to be included", func() bool {
		out, err := cli("q", "tx", hash, "--node", node, "--output", "json")
		if err != nil {
			return false
		}
		if err := json.Unmarshal([]byte(out), &final); err != nil {
			t.Fatalf("tx %s query output %q: %v", hash, out, err)
		}
		return true
	})
	return final
}

// requireTxOK fails the test unless res, the result of the tx of args, succeeded.
func requireTxOK(t *testing.T, res txResult, args []string) txResult {
	t.Helper()
	if res.Code != 0 {
		t.Fatalf("%v: %+v", args, res)
	}
	return res
}

// txResult is the JSON of `nightshiftd tx … --output json` and `q tx`.
type txResult struct {
	Code   uint32 `json:"code"`
	TxHash string `json:"txhash"`
	RawLog string `json:"raw_log"`
	// GasWanted and GasUsed are the tx's gas limit (what its fee pays for) and use.
	GasWanted string `json:"gas_wanted"`
	GasUsed   string `json:"gas_used"`
	// Data is the hex-encoded TxMsgData holding the message responses.
	Data   string    `json:"data"`
	Events []txEvent `json:"events"`
	Tx     struct {
		AuthInfo struct {
			Fee struct {
				Amount []struct {
					Denom  string `json:"denom"`
					Amount string `json:"amount"`
				} `json:"amount"`
			} `json:"fee"`
		} `json:"auth_info"`
	} `json:"tx"`
}

type txEvent struct {
	Type       string `json:"type"`
	Attributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"attributes"`
}

// event returns attribute key of the first event of type typ, unquoted (typed
// events carry JSON values), or "" when absent.
func (r txResult) event(typ, key string) string {
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key != key {
				continue
			}
			if s, err := strconv.Unquote(a.Value); err == nil {
				return s
			}
			return a.Value
		}
	}
	return ""
}

// fee is the ushift fee the tx paid.
func (r txResult) fee() int64 {
	var total int64
	for _, c := range r.Tx.AuthInfo.Fee.Amount {
		if c.Denom == "ushift" {
			n, _ := strconv.ParseInt(c.Amount, 10, 64)
			total += n
		}
	}
	return total
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// feesPaidBy sums the ushift fees of every transaction addr paid for (the
// tx.fee_payer event), page by page.
func feesPaidBy(t *testing.T, cli cliFunc, node, addr string) int64 {
	t.Helper()
	var total int64
	for page := 1; ; page++ {
		out, err := cli("q", "txs", "--query", "tx.fee_payer='"+addr+"'", "--page", strconv.Itoa(page), "--limit", "100",
			"--node", node, "--output", "json")
		if err != nil {
			t.Fatalf("fees paid by %s: %v", addr, err)
		}
		var res struct {
			TotalCount string     `json:"total_count"`
			Txs        []txResult `json:"txs"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("q txs output %q: %v", out, err)
		}
		for _, tx := range res.Txs {
			total += tx.fee()
		}
		if n, _ := strconv.Atoi(res.TotalCount); len(res.Txs) == 0 || page*100 >= n {
			return total
		}
	}
}
