package tests

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// deliveryTaskJSON is what `q compute task` says of a task's dispute.
type deliveryTaskJSON struct {
	Task struct {
		Status       string `json:"status"`
		DisputeUntil string `json:"dispute_until"`
		Demand       *struct {
			Items    []string `json:"items"`
			Deadline string   `json:"deadline"`
			Fee      string   `json:"fee"`
		} `json:"demand"`
	} `json:"task"`
}

func (d *devnet) disputeTask(jobID, index uint64) deliveryTaskJSON {
	d.t.Helper()
	var res deliveryTaskJSON
	d.query(&res, "compute", "task", strconv.FormatUint(jobID, 10), strconv.FormatUint(index, 10))
	return res
}

// TestDeliveryDemandEndToEnd is issue 14's attack 9 on a devnet, as the
// requester lives it: the job's result endpoint is down, so the worker
// (nightshift-worker) is paid for proofs but nothing reaches the requester.
// Within the dispute window the requester demands items on chain; the
// running worker answers from the outputs it keeps, publishes them and is
// paid the demand fee. A second demand, made after the worker was SIGKILLed,
// goes unanswered: at its deadline the device is slashed the task's reward
// and the requester gets the reward and its fee back.
func TestDeliveryDemandEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and a worker process")
	}
	bin := workerBinary(t)
	d := startDevnet(t)
	device, requester := d.addr("device1"), d.addr("requester")

	// A short delivery deadline, so the missed demand settles within the test
	// (the default is 100 blocks). The authority of the devnet is the validator.
	d.updateComputeParams(map[string]string{"delivery_deadline_blocks": "8"})

	// Two tasks of 16 hashcash items; the result endpoint names a port nobody
	// listens on, so every upload fails.
	const (
		items, perTask, price = 32, 16, 1000
		jobID                 = 1
	)
	down := fmt.Sprintf("http://127.0.0.1:%d", freePorts(t, 1)[0])
	d.mustTx("compute", "post-job", "hashcash", `{"difficulty_bits":8}`, strconv.Itoa(items), strconv.Itoa(perTask),
		strconv.Itoa(price), "500", "--result-url", down, "--from", "requester")

	common := []string{"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node()}
	stateDir := filepath.Join(t.TempDir(), "worker")
	// --safety-poll: a demand wakes a listening worker only at its safety poll
	// (the five websocket subscriptions a client may hold are the market's).
	args := append([]string{"start", "--from", "device1", "--bond", "200SHIFT", "--threads", "1", "--when", "always",
		"--safety-poll", "3s", "--state-dir", stateDir, "--output", "json"}, common...)
	w := d.startBin(bin, "worker", args...)
	waitFor(t, 120*time.Second, "both tasks verified", func() bool {
		w.checkRunning()
		return d.job(jobID).Status == "JOB_STATUS_COMPLETED"
	})
	if got := d.disputeTask(jobID, 0).Task; got.DisputeUntil == "0" || got.DisputeUntil == "" || got.Demand != nil {
		t.Fatalf("verified task 0: %+v (want open to dispute, no demand)", got)
	}

	// The answered demand: items 3 and 5 of task 0.
	before := d.balance(device)
	res := d.mustTx("compute", "demand-delivery", strconv.Itoa(jobID), "0", "3,5", "--from", "requester")
	const demanded = "nightshift.compute.v1.EventDeliveryDemanded"
	fee, err := strconv.ParseInt(res.event(demanded, "fee"), 10, 64)
	if err != nil || fee <= 0 {
		t.Fatalf("demand fee %q: %v (events %+v)", res.event(demanded, "fee"), err, res.Events)
	}
	waitFor(t, 60*time.Second, "the worker to deliver task 0's demanded items", func() bool {
		w.checkRunning()
		return w.has("delivered", jobID, 0) && d.disputeTask(jobID, 0).Task.Demand == nil
	})
	// The device is paid the fee, less what its delivery tx cost it.
	if gain := d.balance(device) - before; gain <= 0 || gain > fee {
		t.Fatalf("device balance changed by %d answering a demand whose fee is %d", gain, fee)
	}
	if dev := d.device(device); dev.Bond != "200000000" || dev.Status != "DEVICE_STATUS_ACTIVE" {
		t.Fatalf("device after delivering: %+v", dev)
	}

	// The missed demand: the worker is killed, then item 20 of task 1 is demanded.
	w.kill()
	res = d.mustTx("compute", "demand-delivery", strconv.Itoa(jobID), "1", "20", "--from", "requester")
	if got := d.disputeTask(jobID, 1).Task.Demand; got == nil || got.Deadline != res.event(demanded, "deadline") {
		t.Fatalf("task 1 after demand-delivery: demand %+v, event deadline %q", got, res.event(demanded, "deadline"))
	}
	deadline, _ := strconv.ParseInt(res.event(demanded, "deadline"), 10, 64)
	missedFee, _ := strconv.ParseInt(res.event(demanded, "fee"), 10, 64)
	reqBefore := d.balance(requester)
	d.waitHeight(deadline+2, 60*time.Second)
	if got := d.disputeTask(jobID, 1).Task.Demand; got != nil {
		t.Fatalf("demand still open after its deadline: %+v", got)
	}
	reward := int64(perTask * price)
	dev := d.device(device)
	bond, _ := strconv.ParseInt(dev.Bond, 10, 64)
	if bond > 200_000_000-reward {
		t.Fatalf("device bond %d after a missed delivery; want at most %d (slashed at least the task's reward)", bond, 200_000_000-reward)
	}
	if got := d.balance(requester) - reqBefore; got != reward+missedFee {
		t.Fatalf("requester got %d back for the missed delivery; want the reward %d plus its fee %d", got, reward, missedFee)
	}
}
