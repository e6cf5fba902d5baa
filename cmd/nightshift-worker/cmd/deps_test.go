package cmd

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// forbiddenDeps are what would make nightshift-worker the node again (the
// app, its keepers, CometBFT's node), or what the worker's own client
// (pkg/workerclient) replaced and would bring ~10 MB back on a phone: the
// SDK's client (with its server config, telemetry, store and mempool), x/auth
// and x/bank's types (x/params, baseapp), and the packages of nightshiftd
// that use them (txclient, the dashboard, pkg/cli).
var forbiddenDeps = regexp.MustCompile(strings.Join([]string{
	`nightshift/app$`, `x/compute/keeper`, `cosmos-sdk/x/staking/keeper`, `cometbft/node$`, `cometbft/mempool$`,
	`cosmos-sdk/client$`, `cosmos-sdk/client/(tx|keys|config|grpc/.*)$`, `cosmos-sdk/server(/.*)?$`, `cosmos-sdk/baseapp$`,
	`cosmos-sdk/x/auth/(types|tx)$`, `cosmos-sdk/x/bank/types$`, `cosmos-sdk/telemetry$`, `store/v2/rootmulti$`,
	`nightshift/pkg/(txclient|dashboard|cli)$`,
	// CometBFT's libs/cli brought viper and its decoders (0.79 MB on linux/arm64); env.go does its job.
	`cometbft/libs/cli$`, `spf13/viper$`,
	// pkg/cometrpc replaced CometBFT's RPC client (its jsonrpc client and HTTP/websocket layers).
	`cometbft/rpc/client(/.*)?$`, `cometbft/rpc/jsonrpc/client$`,
	// pkg/workerkeys replaced the SDK's keyring; client/flags imported it (workercli/flags.go has the names).
	`cosmos-sdk/crypto/keyring$`, `cosmos-sdk/client/flags$`,
}, "|"))

// TestWorkerLinksNoNode keeps the worker binary small: it may import app/params
// but not the app, a keeper, the node or the SDK's client.
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
	for _, p := range []string{
		"github.com/nightshift-network/nightshift/app", "github.com/cosmos/cosmos-sdk/client",
		"github.com/cosmos/cosmos-sdk/client/keys", "github.com/cosmos/cosmos-sdk/x/auth/types",
		"github.com/cosmos/cosmos-sdk/server/config", "github.com/nightshift-network/nightshift/pkg/txclient",
		"github.com/spf13/viper", "github.com/cometbft/cometbft/rpc/client/http",
		"github.com/cosmos/cosmos-sdk/crypto/keyring", "github.com/cosmos/cosmos-sdk/client/flags",
	} {
		if !forbiddenDeps.MatchString(p) {
			t.Errorf("the pattern does not match %s", p)
		}
	}
	// What the worker does need stays allowed.
	for _, p := range []string{"github.com/cosmos/cosmos-sdk/client/input", "github.com/nightshift-network/nightshift/pkg/workerkeys", "github.com/nightshift-network/nightshift/pkg/workerclient"} {
		if forbiddenDeps.MatchString(p) {
			t.Errorf("the pattern matches %s, which the worker uses", p)
		}
	}
}

// sdkTypesDeps are cosmos-sdk/types and what sits on it (19.4 MB of the
// linux/arm64 worker, docs/benchmarks.md "What reaching 30 MB takes"). The
// worker binary still links them through pkg/worker, workercli and
// programjob; the packages in sdkFreePackages no longer do, and must not again.
// When the last worker package moves, the pattern joins forbiddenDeps.
var sdkTypesDeps = regexp.MustCompile(`cosmos-sdk/types$|cosmos-sdk/types/tx$|cosmos-sdk/codec(/.*)?$|nightshift/x/compute/types$|cosmos-sdk/crypto/hd$`)

var sdkFreePackages = []string{
	"github.com/nightshift-network/nightshift/pkg/workerclient",
	"github.com/nightshift-network/nightshift/pkg/workerkeys",
	"github.com/nightshift-network/nightshift/pkg/accaddr",
	"github.com/nightshift-network/nightshift/pkg/coin",
	"github.com/nightshift-network/nightshift/pkg/cometrpc",
	"github.com/nightshift-network/nightshift/pkg/computepb",
	"github.com/nightshift-network/nightshift/x/compute/errs",
	"github.com/nightshift-network/nightshift/x/compute/storekeys",
	"github.com/nightshift-network/nightshift/app/params/chainconst",
}

// TestWorkerPackagesWithoutSDKTypes keeps the moved packages off
// cosmos-sdk/types, codec, types/tx and x/compute/types.
func TestWorkerPackagesWithoutSDKTypes(t *testing.T) {
	for _, p := range []string{"github.com/cosmos/cosmos-sdk/types", "github.com/cosmos/cosmos-sdk/codec",
		"github.com/cosmos/cosmos-sdk/codec/types", "github.com/cosmos/cosmos-sdk/types/tx",
		"github.com/nightshift-network/nightshift/x/compute/types"} {
		if !sdkTypesDeps.MatchString(p) {
			t.Errorf("the pattern does not match %s", p)
		}
	}
	for _, p := range []string{"github.com/cosmos/cosmos-sdk/types/bech32", "github.com/cosmos/cosmos-sdk/types/errors"} {
		if sdkTypesDeps.MatchString(p) {
			t.Errorf("the pattern matches %s, which the moved packages use", p)
		}
	}
	for _, pkg := range sdkFreePackages {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, p := range strings.Fields(string(out)) {
			if sdkTypesDeps.MatchString(p) {
				t.Errorf("%s depends on %s", pkg, p)
			}
		}
	}
}
