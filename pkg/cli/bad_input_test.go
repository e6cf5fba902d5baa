package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestBadInputIsOneLine(t *testing.T) {
	newRoot := func() (*cobra.Command, *bytes.Buffer) {
		root := &cobra.Command{Use: "nightshiftd", SilenceErrors: true}
		collect := &cobra.Command{Use: "collect", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return nil }}
		collect.Flags().Uint64("job", 0, "job id")
		req := &cobra.Command{Use: "requester"}
		req.AddCommand(collect)
		root.AddCommand(req)
		AnswerBadInputBriefly(root)
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		return root, &out
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"requester", "collect", "--keyring-backend", "test"}, "unknown flag: --keyring-backend; see 'nightshiftd requester collect --help'"},
		{"bad flag value", []string{"requester", "collect", "--job", "x"}, "see 'nightshiftd requester collect --help'"},
		{"stray argument", []string{"requester", "collect", "7"}, "unknown command \"7\" for \"nightshiftd requester collect\"; see 'nightshiftd requester collect --help'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, out := newRoot()
			root.SetArgs(tc.args)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(out.String(), "Usage:") || strings.Contains(out.String(), "Flags:") {
				t.Fatalf("the help text was printed:\n%s", out)
			}
		})
	}
	// A good command still runs.
	root, _ := newRoot()
	root.SetArgs([]string{"requester", "collect", "--job", "1"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
}
