package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	cmtcli "github.com/cometbft/cometbft/libs/cli"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/nightshift-network/nightshift/app"
	workercmd "github.com/nightshift-network/nightshift/cmd/nightshift-worker/cmd"

	"github.com/spf13/cobra"
)

// TestDocsCommandsExist checks every nightshiftd and nightshift-worker command
// shown in a shell block of the README or docs/: the subcommand exists in that
// binary's command tree and takes every flag the example passes. The end-to-end tests run the flows
// (tests/readme_test.go runs the README's devnet block as written); this keeps
// every other example from naming a command or flag that is gone or misspelt.
func TestDocsCommandsExist(t *testing.T) {
	files, err := filepath.Glob("../../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../../README.md", "../../../x/compute/README.md", "../../../x/permission/README.md")
	root := NewRootCmd()
	// The flags svrcmd.Execute adds to the root at run time, as main does.
	for _, f := range []string{flags.FlagLogLevel, flags.FlagLogFormat, flags.FlagVerboseLogLevel} {
		root.PersistentFlags().String(f, "", "")
	}
	root.PersistentFlags().Bool(flags.FlagLogNoColor, false, "")
	cmtcli.PrepareBaseCmd(root, EnvPrefix, app.DefaultNodeHome)
	workerRoot := workercmd.NewRootCmd()
	seen, seenWorker := 0, 0
	for _, file := range files {
		bz, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range shellLines(string(bz)) {
			for _, args := range commandsOf("nightshiftd", line) {
				seen++
				if err := checkCommand(root, args); err != nil {
					t.Errorf("%s: %q: %v", filepath.Base(file), strings.Join(args, " "), err)
				}
			}
			for _, args := range commandsOf("nightshift-worker", line) {
				seenWorker++
				if err := checkCommand(workerRoot, args); err != nil {
					t.Errorf("%s: nightshift-worker %q: %v", filepath.Base(file), strings.Join(args, " "), err)
				}
			}
		}
	}
	// The check itself: what it must refuse.
	for _, bad := range [][]string{{"worker", "start", "--bogus"}, {"frobnicate"}, {"q", "compute", "jobz"}, {"requester", "collect", "-Z"}} {
		if checkCommand(root, bad) == nil {
			t.Errorf("%q passed the check", bad)
		}
	}
	for _, bad := range [][]string{{"worker", "start"}, {"start", "--bogus"}, {"service", "--", "--bogus"}} {
		if checkCommand(workerRoot, bad) == nil {
			t.Errorf("nightshift-worker %q passed the check", bad)
		}
	}
	if checkCommand(root, []string{"worker", "service", "--install", "--", "--from", "x", "--when", "charging"}) != nil {
		t.Error("the start flags after `service --` were not checked against start")
	}
	if seen < 40 || seenWorker < 8 {
		t.Fatalf("found only %d nightshiftd and %d nightshift-worker commands in the docs; the extraction is broken", seen, seenWorker)
	}
}

var shellBlock = regexp.MustCompile("(?s)```(?:sh|bash|console)?\n(.*?)```")

// shellLines returns the logical lines of the shell blocks: continuations
// joined, comments dropped.
func shellLines(md string) []string {
	var out []string
	for _, m := range shellBlock.FindAllStringSubmatch(md, -1) {
		block := strings.ReplaceAll(m[1], "\\\n", " ")
		for _, l := range strings.Split(block, "\n") {
			if i := strings.Index(l, " #"); i >= 0 {
				l = l[:i]
			}
			if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "$ ")); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
	}
	return out
}

// commandsOf returns the argument lists of each invocation of the binary name
// in a shell line, including those inside $(...).
func commandsOf(name, line string) [][]string {
	var cmds [][]string
	fields := strings.Fields(strings.NewReplacer("$(", " $( ", ")", " ) ", "|", " | ", ";", " ; ", "&&", " && ").Replace(line))
	for i, f := range fields {
		if f != name && !strings.HasSuffix(f, "/"+name) {
			continue
		}
		var args []string
		for _, a := range fields[i+1:] {
			if a == ")" || a == "|" || a == ";" || a == "&&" || a == "$(" || a == ">" || a == "2>&1" {
				break
			}
			args = append(args, a)
		}
		if len(args) > 0 {
			cmds = append(cmds, args)
		}
	}
	return cmds
}

func checkCommand(root *cobra.Command, args []string) error {
	c, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if c == root {
		return errUnknown("no such command")
	}
	if c.HasSubCommands() && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		return errUnknown("%s has no subcommand %q", c.CommandPath(), rest[0])
	}
	for _, a := range rest {
		if a == "--" && c.Name() == "service" {
			// `worker service -- START_FLAGS`: the rest are start's flags.
			start, _, err := c.Parent().Find([]string{"start"})
			if err != nil || start == c.Parent() {
				return errUnknown("%s has no start command", c.Parent().CommandPath())
			}
			c = start
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var known bool
		if strings.HasPrefix(a, "--") {
			known = c.Flags().Lookup(name) != nil || c.InheritedFlags().Lookup(name) != nil
		} else {
			known = c.Flags().ShorthandLookup(name[:1]) != nil || c.InheritedFlags().ShorthandLookup(name[:1]) != nil
		}
		if !known {
			return errUnknown("%s does not take %s", c.CommandPath(), a)
		}
	}
	return nil
}

type docsError string

func (e docsError) Error() string { return string(e) }

func errUnknown(format string, args ...any) error {
	return docsError(strings.TrimSpace(sprintf(format, args...)))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
