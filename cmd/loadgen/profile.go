package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Share is one component's share of a CPU profile.
type Share struct {
	Part    string  `json:"part"`
	Percent float64 `json:"percent"`
}

// profileParts are the components of a node's CPU time, each named by the
// entry points (function names as pprof prints them) whose cumulative time
// is summed; an entry point that is not in the profile counts zero.
var profileParts = []struct {
	part  string
	funcs []string
}{
	{"CheckTx (mempool admission and recheck)", []string{"github.com/cosmos/cosmos-sdk/baseapp.(*BaseApp).CheckTx"}},
	{"FinalizeBlock (block execution)", []string{"github.com/cosmos/cosmos-sdk/baseapp.(*BaseApp).FinalizeBlock"}},
	{"Commit (state to disk)", []string{"github.com/cosmos/cosmos-sdk/baseapp.(*BaseApp).Commit"}},
	{"  ante handler (fees, signatures, sequences), in CheckTx and FinalizeBlock", []string{"github.com/cosmos/cosmos-sdk/x/auth/ante.NewAnteHandler.ChainAnteDecorators.func2"}},
	{"  secp256k1 signature verification", []string{"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1.(*PubKey).VerifySignature"}},
	{"  tx decoding", []string{"github.com/cosmos/cosmos-sdk/x/auth/tx.NewTxConfigWithOptions.DefaultTxDecoder.func1"}},
	// The single messages' handlers and the batch ones (the batches call the
	// keeper's functions, not the single handlers).
	{"  x/compute lease, claim and proof handlers (single and batch)", []string{
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.LeaseTask",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.SubmitClaim",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.SubmitProof",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.LeaseTasks",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.SubmitClaims",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.SubmitProofs",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.LeaseAndClaim"}},
	{"  x/compute proof handlers (Merkle proof, outputs, payment)", []string{
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.SubmitProof",
		"github.com/nightshift-network/nightshift/x/compute/keeper.msgServer.SubmitProofs"}},
	{"mempool update after each block", []string{"github.com/cometbft/cometbft/mempool.(*CListMempool).Update"}},
	{"CometBFT JSON-RPC handlers, all", []string{"github.com/cometbft/cometbft/rpc/jsonrpc/server.RegisterRPCFuncs.makeJSONRPCHandler.func3"}},
	{"  broadcast_tx_sync (CheckTx inside)", []string{"github.com/cometbft/cometbft/rpc/core.(*Environment).BroadcastTxSync"}},
	{"  JSON encoding of responses (mostly block and block_results for the load generator)", []string{"github.com/cometbft/cometbft/rpc/jsonrpc/types.NewRPCSuccessResponse"}},
	{"gRPC queries (balance load and the devices' challenge look-ups)", []string{"google.golang.org/grpc.(*Server).processUnaryRPC"}},
	{"tx indexer (kv)", []string{"github.com/cometbft/cometbft/state/txindex.(*IndexerService).OnStart.func1"}},
	{"p2p connections", []string{"github.com/cometbft/cometbft/p2p/conn.(*MConnection).recvRoutine", "github.com/cometbft/cometbft/p2p/conn.(*MConnection).sendRoutine"}},
	{"leveldb compaction", []string{"github.com/syndtr/goleveldb/leveldb.(*DB).tCompaction", "github.com/syndtr/goleveldb/leveldb.(*DB).mCompaction"}},
	{"garbage collection (background mark workers)", []string{"runtime.gcBgMarkWorker"}},
}

// breakdown reads `go tool pprof -top -cum` output and returns each part's share.
func breakdown(top []string) []Share {
	cum := map[string]float64{}
	for _, line := range top {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasSuffix(f[4], "%") {
			continue
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(f[4], "%"), 64)
		if err != nil {
			continue
		}
		name := strings.Join(f[5:], " ")
		name = strings.TrimSuffix(name, " (inline)")
		cum[name] = max(cum[name], pct)
	}
	if len(cum) == 0 {
		return nil
	}
	var out []Share
	for _, p := range profileParts {
		s := 0.0
		for _, fn := range p.funcs {
			s += cum[fn]
		}
		out = append(out, Share{Part: p.part, Percent: s})
	}
	return out
}

func breakdownText(shares []Share) string {
	var b strings.Builder
	for _, s := range shares {
		fmt.Fprintf(&b, "%6.1f%%  %s\n", s.Percent, s.Part)
	}
	return strings.TrimRight(b.String(), "\n")
}
