package cli

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/nightshift-network/nightshift/pkg/dashboard"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// DashboardCmd is `nightshiftd dashboard`.
func DashboardCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Serve a read-only web dashboard of the market, jobs, devices and emission",
		Long: `The dashboard reads the chain over gRPC and follows new blocks over the node's
CometBFT websocket, so its pages update live. It holds no keys and only queries:
nothing a page sends can change chain state. Everything it serves is built in,
so it works offline. History (recent proofs, earnings and emission over time)
starts when the dashboard starts.`,
		Example: `  nightshiftd dashboard --node tcp://127.0.0.1:26657 --grpc 127.0.0.1:9090 --listen 127.0.0.1:8088
  nightshiftd dashboard --collector-dir ./job-1   # live preview of the render collected in ./job-1`,
		Args: cobra.NoArgs,
		// Not the root's config handler: the dashboard reads no node config, and
		// its --grpc flag would clash with app.toml's [grpc] section.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			node, _ := f.GetString("node")
			grpcAddr, _ := f.GetString("grpc")
			listen, _ := f.GetString("listen")
			chainID, _ := f.GetString("chain-id")
			dirs, _ := f.GetStringSlice("collector-dir")
			conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
				// The chain's messages are gogoproto types: the SDK's codec, not grpc's default.
				grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(codectypes.NewInterfaceRegistry()).GRPCCodec())))
			if err != nil {
				return fmt.Errorf("--grpc %s: %w", grpcAddr, err)
			}
			defer func() { _ = conn.Close() }()
			srv, err := dashboard.New(dashboard.Config{
				Node: node, GRPC: grpcAddr, ChainID: chainID, CollectorDirs: dirs,
				Query: types.NewQueryClient(conn), NodeInfo: cmtservice.NewServiceClient(conn),
				Logger: slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)),
			})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(cmd.ErrOrStderr(), "dashboard on http://%s (node %s, gRPC %s); Ctrl-C stops\n", listen, node, grpcAddr)
			return srv.Run(ctx, listen)
		},
	}
	cmd.Flags().String("node", "tcp://127.0.0.1:26657", "CometBFT RPC of the node to follow")
	cmd.Flags().String("grpc", "127.0.0.1:9090", "gRPC address of the same node")
	cmd.Flags().String("listen", "127.0.0.1:8088", "address to serve the dashboard on")
	cmd.Flags().String("chain-id", "", "accept only this chain (default: any chain with x/compute)")
	cmd.Flags().StringSlice("collector-dir", nil, "a collector's --out directory, for live previews of image jobs (repeatable)")
	return cmd
}
