package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is a nightshiftd command running in the background with its output
// in files.
type process struct {
	t                *testing.T
	name             string
	cmd              *exec.Cmd
	stdoutF, stderrF string
	done             chan struct{}
	err              error
}

// start runs a nightshiftd subcommand against the devnet's home in the
// background; the test's cleanup stops it (SIGINT, then SIGKILL).
func (d *devnet) start(name string, args ...string) *process {
	d.t.Helper()
	return d.startBin(d.bin, name, args...)
}

// startBin is start for another binary (nightshift-worker) on the same home.
func (d *devnet) startBin(bin, name string, args ...string) *process {
	d.t.Helper()
	dir := d.t.TempDir()
	p := &process{t: d.t, name: name, stdoutF: filepath.Join(dir, "stdout"), stderrF: filepath.Join(dir, "stderr"), done: make(chan struct{})}
	stdout, err := os.Create(p.stdoutF)
	if err != nil {
		d.t.Fatal(err)
	}
	stderr, err := os.Create(p.stderrF)
	if err != nil {
		d.t.Fatal(err)
	}
	p.cmd = exec.Command(bin, append(args, "--home", d.home)...)
	p.cmd.Stdout, p.cmd.Stderr = stdout, stderr
	if err := p.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		_ = stdout.Close()
		_ = stderr.Close()
		close(p.done)
	}()
	d.t.Cleanup(func() {
		p.interrupt()
		if d.t.Failed() {
			d.t.Logf("%s stdout:\n%s\n%s stderr:\n%s", p.name, tail(p.stdout()), p.name, tail([]byte(p.stderr())))
		}
	})
	return p
}

func tail(bz []byte) []byte {
	if len(bz) > 6000 {
		return bz[len(bz)-6000:]
	}
	return bz
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// checkRunning fails the test if the process has exited.
func (p *process) checkRunning() {
	p.t.Helper()
	if p.exited() {
		p.t.Fatalf("%s exited: %v\n%s", p.name, p.err, p.stderr())
	}
}

// wait waits for the process to exit and returns its exit error.
func (p *process) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", p.name, timeout)
	}
}

// kill stops the process with SIGKILL, as a power cut would.
func (p *process) kill() {
	p.t.Helper()
	_ = p.cmd.Process.Kill()
	if err := p.wait(10 * time.Second); err == nil || !strings.Contains(err.Error(), "killed") {
		p.t.Fatalf("%s after SIGKILL: %v", p.name, err)
	}
}

// interrupt stops the process with SIGINT, then SIGKILL if it lingers.
func (p *process) interrupt() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if p.wait(20*time.Second) != nil && !p.exited() {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *process) stdout() []byte {
	bz, _ := os.ReadFile(p.stdoutF)
	return bz
}

func (p *process) stderr() string {
	bz, _ := os.ReadFile(p.stderrF)
	return string(bz)
}

// workerEvent is a line of `worker start --output json`.
type workerEvent struct {
	Kind      string `json:"event"`
	JobID     uint64 `json:"job_id"`
	TaskIndex uint64 `json:"task_index"`
	Amount    string `json:"amount"`
	Message   string `json:"message"`
}

// events returns the worker's events of kind (all with ""), from the complete
// lines written so far.
func (p *process) events(kind string) []workerEvent {
	p.t.Helper()
	var out []workerEvent
	sc := bufio.NewScanner(bytes.NewReader(p.stdout()))
	for sc.Scan() {
		var e workerEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // the last line, still being written
		}
		if kind == "" || e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (p *process) has(kind string, jobID, task uint64) bool {
	for _, e := range p.events(kind) {
		if e.JobID == jobID && e.TaskIndex == task {
			return true
		}
	}
	return false
}

// total sums the ushift amounts of the worker's events of kind.
func (p *process) total(kind string) int64 {
	var sum int64
	for _, e := range p.events(kind) {
		n, err := strconv.ParseInt(strings.TrimSuffix(e.Amount, "ushift"), 10, 64)
		if err != nil {
			p.t.Fatalf("%s: %s event amount %q", p.name, kind, e.Amount)
		}
		sum += n
	}
	return sum
}
