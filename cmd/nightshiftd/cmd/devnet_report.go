package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/query"
	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/nightshift-network/nightshift/pkg/coin"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	// devnetLogLevel keeps the devnet's screen readable: the node's per-block
	// INFO lines would scroll the keys and endpoints away in seconds, while
	// warnings and errors still show. --log_level overrides it.
	devnetLogLevel = "warn"
	// devnetReportBlocks is how often the devnet prints its one-line summary.
	devnetReportBlocks = 10
)

// devnetReport is what the devnet says about the last devnetReportBlocks blocks.
type devnetReport struct {
	height                   int64
	txs, accepted, rejected  int
	openJobs, devices, epoch uint64
	emitted                  string
	marketUnavailable        bool
}

func (r devnetReport) String() string {
	line := fmt.Sprintf("height %d · %d %s, %d %s accepted, %d rejected in the last %d blocks",
		r.height, r.txs, plural(r.txs, "tx", "txs"), r.accepted, plural(r.accepted, "proof", "proofs"), r.rejected, devnetReportBlocks)
	if r.marketUnavailable {
		return line
	}
	return line + fmt.Sprintf(" · %d open %s · %d %s · epoch %d · %s emitted",
		r.openJobs, plural(int(r.openJobs), "job", "jobs"), r.devices, plural(int(r.devices), "device", "devices"), r.epoch, r.emitted)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// reportDevnet prints a devnetReport every devnetReportBlocks blocks until ctx
// ends, reading the node it started over its RPC and gRPC ports. Failures to
// read are quiet: the node may still be starting, and its own errors are logged.
func reportDevnet(ctx context.Context, w io.Writer, p devnetPorts, registry codectypes.InterfaceRegistry) {
	rpc, err := rpchttp.New(fmt.Sprintf("tcp://127.0.0.1:%d", p.RPC), "/websocket")
	if err != nil {
		return
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", p.GRPC), grpc.WithTransportCredentials(insecure.NewCredentials()),
		// The chain's messages are gogoproto types: the SDK's codec, not grpc's default.
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(registry).GRPCCodec())))
	if err != nil {
		return
	}
	defer func() { _ = conn.Close() }()
	market := computetypes.NewQueryClient(conn)
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var reported int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		st, err := rpc.Status(ctx)
		if err != nil {
			continue
		}
		h := st.SyncInfo.LatestBlockHeight
		if h < devnetReportBlocks || h/devnetReportBlocks == reported/devnetReportBlocks {
			continue
		}
		top := h - h%devnetReportBlocks
		r, err := readDevnetReport(ctx, rpc, market, top)
		if err != nil {
			continue
		}
		reported = top
		fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05"), r)
	}
}

var (
	proofAccepted = proto.MessageName(&computetypes.EventProofAccepted{})
	proofRejected = proto.MessageName(&computetypes.EventProofRejected{})
)

func readDevnetReport(ctx context.Context, rpc *rpchttp.HTTP, market computetypes.QueryClient, top int64) (devnetReport, error) {
	r := devnetReport{height: top}
	for h := top - devnetReportBlocks + 1; h <= top; h++ {
		res, err := rpc.BlockResults(ctx, &h)
		if err != nil {
			return r, err
		}
		r.txs += len(res.TxsResults)
		if len(res.TxsResults) > 0 && res.TxsResults[0].Codespace == sdkerrors.RootCodespace && res.TxsResults[0].Code == sdkerrors.ErrTxDecode.ABCICode() {
			r.txs-- // the proposer's reveals pseudo-transaction (x/permission), not a user's
		}
		for _, tx := range res.TxsResults {
			for _, ev := range tx.Events {
				switch strings.TrimPrefix(ev.Type, "/") {
				case proofAccepted:
					r.accepted++
				case proofRejected:
					r.rejected++
				}
			}
		}
	}
	count := &query.PageRequest{Limit: 1, CountTotal: true}
	jobs, err := market.Jobs(ctx, &computetypes.QueryJobsRequest{Status: computetypes.JOB_STATUS_OPEN, Pagination: count})
	if err != nil {
		r.marketUnavailable = true
		return r, nil
	}
	devices, err := market.Devices(ctx, &computetypes.QueryDevicesRequest{Pagination: count})
	if err != nil {
		r.marketUnavailable = true
		return r, nil
	}
	epoch, err := market.Epoch(ctx, &computetypes.QueryEpochRequest{})
	if err != nil {
		r.marketUnavailable = true
		return r, nil
	}
	r.openJobs, r.devices = jobs.Pagination.GetTotal(), devices.Pagination.GetTotal()
	r.epoch, r.emitted = epoch.Current.Epoch, coin.FormatShort(epoch.TotalEmitted)
	return r, nil
}
