package dashboard

import (
	"context"
	"fmt"
	"time"

	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// ConnState is what the dashboard knows of its node, shown on every page.
type ConnState struct {
	// Connected is true while blocks arrive from a Nightshift node.
	Connected bool
	ChainID   string
	Height    int64
	BlockTime time.Time
	// Problem says, when not connected, why: unreachable, another chain, ….
	Problem string
	// Since is when the state last changed between connected and not.
	Since time.Time
}

// Conn returns the connection state.
func (s *Server) Conn() ConnState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

func (s *Server) setConnected(chainID string, height int64, at time.Time) {
	s.mu.Lock()
	was := s.conn.Connected
	s.conn = ConnState{Connected: true, ChainID: chainID, Height: height, BlockTime: at, Since: s.conn.Since}
	if !was {
		s.conn.Since = time.Now()
	}
	s.mu.Unlock()
	if !was {
		s.log.Info("following the chain", "chain_id", chainID, "height", height, "node", s.cfg.Node)
		s.events.publish("status", "connected")
	}
}

func (s *Server) setProblem(problem string) {
	s.mu.Lock()
	changed := s.conn.Connected || s.conn.Problem != problem
	s.conn.Connected, s.conn.Problem = false, problem
	if changed {
		s.conn.Since = time.Now()
	}
	s.mu.Unlock()
	if changed {
		s.log.Warn(problem)
		s.events.publish("status", "problem")
	}
}

// checkNode asks the gRPC node which chain it serves and whether it runs
// x/compute, against the chain id rpcChain the CometBFT RPC reported.
func (s *Server) checkNode(ctx context.Context, rpcChain string) error {
	ni, err := s.cfg.NodeInfo.GetNodeInfo(ctx, &cmtservice.GetNodeInfoRequest{})
	if err != nil {
		return fmt.Errorf("gRPC at %s does not answer: %s", s.cfg.GRPC, grpcReason(err))
	}
	grpcChain := ""
	if ni.DefaultNodeInfo != nil {
		grpcChain = ni.DefaultNodeInfo.Network
	}
	if err := checkChain(s.cfg.ChainID, rpcChain, grpcChain, s.cfg.Node, s.cfg.GRPC); err != nil {
		return err
	}
	if _, err := s.cfg.Query.Params(ctx, &types.QueryParamsRequest{}); err != nil {
		if status.Code(err) == codes.Unimplemented {
			return fmt.Errorf("the node at %s serves chain %s, which has no x/compute: it is not a Nightshift chain", s.cfg.GRPC, grpcChain)
		}
		return fmt.Errorf("gRPC at %s cannot read the market: %s", s.cfg.GRPC, grpcReason(err))
	}
	return nil
}

// checkChain refuses a node of another chain than want (when set), and an RPC
// and a gRPC address that serve different chains.
func checkChain(want, rpcChain, grpcChain, rpcAddr, grpcAddr string) error {
	switch {
	case rpcChain != grpcChain:
		return fmt.Errorf("the RPC node at %s serves chain %s but the gRPC node at %s serves chain %s: point both at the same node", rpcAddr, rpcChain, grpcAddr, grpcChain)
	case want != "" && rpcChain != want:
		return fmt.Errorf("the node at %s serves chain %s, not %s", rpcAddr, rpcChain, want)
	}
	return nil
}

// grpcReason is a gRPC error's message without its code prefix.
func grpcReason(err error) string {
	if st, ok := status.FromError(err); ok {
		return st.Message()
	}
	return err.Error()
}
