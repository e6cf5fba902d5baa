package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func getJSON(url string, into any) error {
	resp, err := http.Get(url) //nolint:gosec // loopback test endpoint
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	bz, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, bz)
	}
	return json.Unmarshal(bz, into)
}

type nodeStatus struct {
	Height      int64
	CatchingUp  bool
	VotingPower int64
}

// rpcStatus is the CometBFT /status at rpcURL (height zero and catching up
// when the node does not answer).
func rpcStatus(rpcURL string) nodeStatus {
	var st struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
				CatchingUp        bool   `json:"catching_up"`
			} `json:"sync_info"`
			ValidatorInfo struct {
				VotingPower string `json:"voting_power"`
			} `json:"validator_info"`
		} `json:"result"`
	}
	if err := getJSON(rpcURL+"/status", &st); err != nil {
		return nodeStatus{CatchingUp: true}
	}
	h, _ := strconv.ParseInt(st.Result.SyncInfo.LatestBlockHeight, 10, 64)
	vp, _ := strconv.ParseInt(st.Result.ValidatorInfo.VotingPower, 10, 64)
	return nodeStatus{Height: h, CatchingUp: st.Result.SyncInfo.CatchingUp, VotingPower: vp}
}

// waitRPCHeight waits until the node at rpcURL (named name in the failure)
// has block h.
func waitRPCHeight(t *testing.T, rpcURL, name string, h int64, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, fmt.Sprintf("%s to reach height %d", name, h), func() bool { return rpcStatus(rpcURL).Height >= h })
}
