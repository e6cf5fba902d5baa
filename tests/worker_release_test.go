package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// phoneSysfs is a fake sysfs tree of a phone on its charger, which the worker
// reads through the hidden --sysfs-root flag.
type phoneSysfs struct {
	t    *testing.T
	root string
}

func newPhoneSysfs(t *testing.T) *phoneSysfs {
	p := &phoneSysfs{t: t, root: t.TempDir()}
	p.write("battery/type", "Battery")
	p.write("battery/capacity", "80")
	p.write("ac/type", "Mains")
	p.plug(true)
	return p
}

func (p *phoneSysfs) write(rel, value string) {
	p.t.Helper()
	path := filepath.Join(p.root, "sys/class/power_supply", rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// plug plugs the charger in or pulls it out.
func (p *phoneSysfs) plug(on bool) {
	online, status := "0", "Discharging"
	if on {
		online, status = "1", "Charging"
	}
	p.write("ac/online", online)
	p.write("battery/status", status)
}

// TestWorkerReleasesWhenUnplugged is issue 17's unplugged-at-breakfast story
// on a devnet with two nightshift-worker processes: a phone (device1, --when
// charging, a fake sysfs) leases the job's one task and starts computing; it
// is unplugged mid-task, and since resuming takes at least --resume-after (5
// min) while the lease has about 100 blocks left, it hands the lease back at
// once with MsgReleaseTask: the chain reopens the task, charges a share of
// the lapse slash and bars the phone from the task. A PC (alice, --when
// always) that was idle leases the task and completes the job, fully
// verified; the phone, still on battery, leases nothing more.
func TestWorkerReleasesWhenUnplugged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and two worker processes")
	}
	bin := workerBinary(t)
	d := startDevnet(t)
	phone, pc := d.addr("device1"), d.addr("alice")
	common := []string{"--keyring-backend", "test", "--chain-id", devnetChainID, "--node", d.node()}

	// One task of 128 hashcash items at difficulty 18: ~10 s on one core.
	d.mustTx("compute", "post-job", "hashcash", `{"difficulty_bits":18}`, "128", "128", "1000", "500", "--from", "requester")
	sysfs := newPhoneSysfs(t)
	phoneState := filepath.Join(t.TempDir(), "phone")
	// --speculate=false: the release rule is about a lease held while the
	// task computes; a predicted task (computed before its lease, then leased
	// and claimed together) holds nothing to release while it computes.
	a := d.startBin(bin, "phone", append([]string{"start", "--from", "device1", "--bond", "200SHIFT", "--threads", "1",
		"--when", "charging", "--sysfs-root", sysfs.root, "--state-dir", phoneState, "--output", "json", "--speculate=false"}, common...)...)
	waitFor(t, 60*time.Second, "the phone to lease the task", func() bool {
		a.checkRunning()
		return a.has("leased", 1, 0)
	})
	b := d.startBin(bin, "pc", append([]string{"start", "--from", "alice", "--bond", "200SHIFT", "--threads", "1",
		"--when", "always", "--state-dir", filepath.Join(t.TempDir(), "pc"), "--output", "json"}, common...)...)
	waitFor(t, 30*time.Second, "the phone to compute", func() bool { return a.has("computing", 1, 0) })

	sysfs.plug(false) // breakfast
	waitFor(t, 30*time.Second, "the phone to release its lease", func() bool {
		a.checkRunning()
		return a.has("released", 1, 0)
	})
	if a.has("computed", 1, 0) {
		t.Fatal("the phone finished the task before it was unplugged: make the task longer")
	}
	rel := a.events("released")[0]
	if !strings.Contains(rel.Message, "on battery") || !strings.Contains(rel.Message, "resuming and finishing takes at least") {
		t.Fatalf("release note: %q", rel.Message)
	}
	charged, err := strconv.ParseInt(strings.TrimSuffix(rel.Amount, "ushift"), 10, 64)
	if err != nil {
		t.Fatalf("release amount %q", rel.Amount)
	}
	// The chain's record: the lease is gone, the phone barred from the task
	// for the cooldown, its bond charged what the worker reported, less than
	// the 2 SHIFT a lapse of a 200 SHIFT bond burns.
	var task struct {
		Task struct {
			Status string `json:"status"`
			Device string `json:"device"`
			Bars   []struct {
				Device      string `json:"device"`
				UntilHeight string `json:"until_height"`
			} `json:"bars"`
		} `json:"task"`
	}
	d.query(&task, "compute", "task", "1", "0")
	barred := false
	for _, bar := range task.Task.Bars {
		barred = barred || bar.Device == phone
	}
	if task.Task.Device == phone || !barred {
		t.Fatalf("task after the release: %+v", task.Task)
	}
	if got := d.device(phone); got.Bond != strconv.FormatInt(200_000_000-charged, 10) || got.LiveTasks != 0 || charged >= 2_000_000 {
		t.Fatalf("phone after the release (charged %d): %+v", charged, got)
	}

	waitFor(t, 90*time.Second, "the pc to complete the job", func() bool {
		b.checkRunning()
		return b.has("verified", 1, 0) && d.job(1).Status == "JOB_STATUS_COMPLETED"
	})
	if j := d.job(1); j.TasksVerified != "1" || j.Escrow != "0" {
		t.Fatalf("job after the pc's proof: %+v", j)
	}
	if got := d.device(pc); got.TasksVerified != "1" {
		t.Fatalf("pc: %+v", got)
	}
	for _, p := range []*process{a, b} {
		if bad := append(p.events("rejected"), p.events("error")...); len(bad) > 0 {
			t.Fatalf("%s: %+v", p.name, bad)
		}
	}
	if len(a.events("leased")) != 1 || len(a.events("waiting")) == 0 {
		t.Fatalf("the phone on battery leased again or did not say why it waits: %+v", a.events(""))
	}

	// status shows the release and why the phone is not computing.
	out, err := exec.Command(bin, append([]string{"status", "--from", "device1", "--when", "charging", "--sysfs-root", sysfs.root,
		"--state-dir", phoneState, "--home", d.home}, common...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Released   1 lease handed back, ") || !strings.Contains(string(out), "last: job 1 task 0: on battery") ||
		!strings.Contains(string(out), "Now        paused: on battery") {
		t.Fatalf("status: %v\n%s", err, out)
	}
}
