package tests

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// status is node i's CometBFT /status (zero when it does not answer).
func (n *localnet) status(i int) nodeStatus { return rpcStatus(n.rpcURL(i)) }

func (n *localnet) height(i int) int64 { return n.status(i).Height }

func (n *localnet) waitHeight(i int, h int64, timeout time.Duration) {
	n.t.Helper()
	waitRPCHeight(n.t, n.rpcURL(i), fmt.Sprintf("node%d", i), h, timeout)
}

// validatorSet is the base64 consensus keys of node i's latest CometBFT validator set.
func (n *localnet) validatorSet(i int) []string {
	n.t.Helper()
	var res struct {
		Result struct {
			Validators []struct {
				PubKey struct {
					Value string `json:"value"`
				} `json:"pub_key"`
			} `json:"validators"`
		} `json:"result"`
	}
	if err := getJSON(n.rpcURL(i)+"/validators?per_page=100", &res); err != nil {
		n.t.Fatal(err)
	}
	var keys []string
	for _, v := range res.Result.Validators {
		keys = append(keys, v.PubKey.Value)
	}
	return keys
}

// compareAppHash checks that node i computed the state the network agreed
// on: the app hash its own app reports (/abci_info) is the one node0's next
// block commits to, and both nodes store the same header for that height.
func (n *localnet) compareAppHash(i int, after int64) {
	n.t.Helper()
	var info struct {
		Result struct {
			Response struct {
				LastBlockHeight  string `json:"last_block_height"`
				LastBlockAppHash string `json:"last_block_app_hash"`
			} `json:"response"`
		} `json:"result"`
	}
	if err := getJSON(n.rpcURL(i)+"/abci_info", &info); err != nil {
		n.t.Fatal(err)
	}
	h, _ := strconv.ParseInt(info.Result.Response.LastBlockHeight, 10, 64)
	own, err := base64.StdEncoding.DecodeString(info.Result.Response.LastBlockAppHash)
	if err != nil || h <= after || len(own) == 0 {
		n.t.Fatalf("node%d abci_info: height %d (must be past %d), app hash %q: %v", i, h, after, info.Result.Response.LastBlockAppHash, err)
	}
	n.waitHeight(0, h+1, 30*time.Second)
	next := n.appHashAt(0, h+1)
	if !strings.EqualFold(next, hex.EncodeToString(own)) {
		n.t.Fatalf("node%d computed app hash %X after block %d, node0's block %d commits to %s", i, own, h, h+1, next)
	}
	if a, b := n.appHashAt(0, h), n.appHashAt(i, h); a != b {
		n.t.Fatalf("block %d header app hash: node0 %s, node%d %s", h, a, i, b)
	}
	n.t.Logf("node%d app hash after block %d: %X, as node0's block %d says", i, h, own, h+1)
}

func (n *localnet) appHashAt(i int, h int64) string {
	n.t.Helper()
	var res struct {
		Result struct {
			Block struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	if err := getJSON(fmt.Sprintf("%s/block?height=%d", n.rpcURL(i), h), &res); err != nil {
		n.t.Fatal(err)
	}
	return res.Result.Block.Header.AppHash
}

// metrics scrapes node i's app telemetry (API port) into name{labels} → value.
// The app metrics' chain_id label is dropped from the key; CometBFT's metrics,
// on the same page, keep theirs.
func (n *localnet) metrics(i int) map[string]float64 {
	n.t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics?format=prometheus", n.port(i, "api"))) //nolint:gosec // loopback test endpoint
	if err != nil {
		n.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	chainLabel := regexp.MustCompile(`chain_id="[^"]*",?`)
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		sep := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || sep < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[sep+1:], 64)
		if err != nil {
			continue
		}
		name := line[:sep]
		if strings.HasPrefix(name, "nightshiftd_") {
			name = chainLabel.ReplaceAllString(name, "")
			name = strings.TrimSuffix(strings.Replace(name, ",}", "}", 1), "{}")
		}
		m[name] = v
	}
	if err := sc.Err(); err != nil {
		n.t.Fatal(err)
	}
	return m
}
