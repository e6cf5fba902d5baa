package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeSection returns the shell blocks of the README section whose heading is
// heading, joined in order.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	bz, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(bz)
	start := strings.Index(text, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("README has no %q section", heading)
	}
	section := text[start+len(heading)+2:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	if len(blocks) == 0 {
		t.Fatalf("README section %q has no sh block", heading)
	}
	return strings.Join(blocks, "\n")
}

// TestReadmeDevnet walks the README's devnet section as a newcomer would after
// `make devnet`: a checkout whose build/ holds nightshiftd (not on PATH), a
// devnet in ~/.nightshift-devnet, and the commands pasted into a shell. The only
// change to the text is the port numbers, since tests run on free ports. It
// then checks what the devnet's screen shows after a stretch of blocks.
func TestReadmeDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	checkout := t.TempDir()
	if err := os.Mkdir(filepath.Join(checkout, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binary(t), filepath.Join(checkout, "build", "nightshiftd")); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	d := startDevnetIn(t, filepath.Join(home, ".nightshift-devnet"))
	bob := d.addr("bob")
	before := d.balance(bob)

	script := readmeSection(t, "## Devnet")
	script = strings.NewReplacer("26657", strconv.Itoa(d.rpc), "1317", strconv.Itoa(d.api)).Replace(script)
	shell := func(script string) string {
		t.Helper()
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = checkout
		cmd.Env = append(os.Environ(), "HOME="+home)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README devnet commands failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
		}
		return string(out)
	}
	out := shell(script)
	for _, want := range []string{"balances:", "txhash:", `{"balances":[{"denom":"ushift"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("README commands' output lacks %q:\n%s", want, out)
		}
	}
	waitFor(t, 30*time.Second, "the README's send to reach bob", func() bool { return d.balance(bob) == before+1_000_000 })

	// The devnet's own hint and "Try:" line run as printed, from a fresh shell.
	screen := func() []string {
		bz, err := os.ReadFile(d.screen)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimRight(string(bz), "\n"), "\n")
	}
	var try, export string
	for _, l := range screen() {
		switch l = strings.TrimSpace(l); {
		case strings.HasPrefix(l, "Try: "):
			try = strings.TrimPrefix(l, "Try: ")
		case strings.HasPrefix(l, "export PATH="):
			export = l
		}
	}
	// d.bin, not binary(t): without NIGHTSHIFTD_BIN each binary(t) call builds
	// into a new temp dir, and the devnet names the directory of its own binary.
	if try == "" || export != "export PATH="+filepath.Dir(d.bin)+":$PATH" {
		t.Fatalf("devnet screen lacks the PATH hint (%q) or the Try line (%q):\n%s", export, try, strings.Join(screen(), "\n"))
	}
	if out := shell(export + "\n" + try); !strings.Contains(out, "denom: ushift") {
		t.Fatalf("the devnet's Try line printed:\n%s", out)
	}

	// A stretch of blocks later, the keys and endpoints are still on the
	// screen: the node logs only warnings, and the devnet one line per 10 blocks.
	from := d.height()
	d.waitHeight(from+30, 90*time.Second)
	lines := screen()
	header := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "Node log level ") {
			header = i + 1
		}
	}
	if header == 0 || header > 24 {
		t.Fatalf("the devnet's header is %d lines (want its keys and endpoints on one screen):\n%s", header, strings.Join(lines, "\n"))
	}
	after := lines[header:]
	summaries := 0
	for _, l := range after {
		if strings.Contains(l, " · ") && strings.Contains(l, "in the last 10 blocks") {
			summaries++
		}
	}
	blocks := d.height()
	if summaries < int(blocks/10)-1 || len(after) > summaries+2 {
		t.Fatalf("after %d blocks the devnet printed %d lines, %d of them summaries (want one per 10 blocks and little else):\n%s",
			blocks, len(after), summaries, strings.Join(after, "\n"))
	}
	if !strings.Contains(strings.Join(after, "\n"), " 1 tx, ") {
		t.Fatalf("no summary counted the README's send:\n%s", strings.Join(after, "\n"))
	}
}
