package cmd

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// forbiddenDeps are what would make nightshift-worker the node again: the app
// and its keepers, or CometBFT's node.
var forbiddenDeps = regexp.MustCompile(`nightshift/app$|x/compute/keeper|cosmos-sdk/x/staking/keeper|cometbft/node`)

// TestWorkerLinksNoNode keeps the worker binary small: it may import app/params
// but not the app, a keeper or the node.
func TestWorkerLinksNoNode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/nightshift-network/nightshift/cmd/nightshift-worker").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list printed %d packages; expected the whole dependency tree", len(deps))
	}
	for _, p := range deps {
		if forbiddenDeps.MatchString(p) {
			t.Errorf("nightshift-worker depends on %s", p)
		}
	}
	if !forbiddenDeps.MatchString("github.com/nightshift-network/nightshift/app") {
		t.Fatal("the pattern does not match the app package")
	}
}
