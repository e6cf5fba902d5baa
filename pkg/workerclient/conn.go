package workerclient

import (
	"context"
	"errors"
	"fmt"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
)

// Node is the part of CometBFT's RPC the worker uses; *cometrpc.Client has it.
type Node interface {
	ABCIQuery(ctx context.Context, path string, data []byte) (*cometrpc.QueryResponse, error)
	BroadcastTxSync(ctx context.Context, tx []byte) (*cometrpc.BroadcastResult, error)
	Tx(ctx context.Context, hash []byte) (*cometrpc.TxResult, error)
}

// Conn runs gRPC queries as ABCI queries over CometBFT's RPC, as the SDK's
// client.Context does without a gRPC endpoint: the method is the query path and
// the proto-encoded request its data. It serves generated query clients, both
// gogoproto ones (x/compute's) and the SDK's pulsar ones (cosmossdk.io/api).
type Conn struct{ Node Node }

var _ grpc.ClientConnInterface = Conn{}

// Invoke implements grpc.ClientConnInterface.
func (c Conn) Invoke(ctx context.Context, method string, args, reply any, _ ...grpc.CallOption) error {
	req, err := marshal(args)
	if err != nil {
		return err
	}
	res, err := c.query(ctx, method, req)
	if err != nil {
		return err
	}
	return unmarshal(res, reply)
}

// query runs one ABCI query and returns its value, or the node's answer as a
// gRPC status.
func (c Conn) query(ctx context.Context, path string, req []byte) ([]byte, error) {
	res, err := c.Node.ABCIQuery(ctx, path, req)
	if err != nil {
		return nil, err // a transport failure, as the SDK's client returns it
	}
	if !res.IsOK() {
		return nil, queryError(res.Code, res.Log)
	}
	return res.Value, nil
}

// NewStream implements grpc.ClientConnInterface; ABCI queries do not stream.
func (Conn) NewStream(context.Context, *grpc.StreamDesc, string, ...grpc.CallOption) (grpc.ClientStream, error) {
	return nil, errors.New("streaming queries are not supported over ABCI")
}

// queryError turns the SDK's codes that BaseApp gives failed gRPC queries
// (baseapp's gRPCErrorToSDKError) back into gRPC statuses as the SDK's client
// does (client/query.go sdkErrorToGRPCError), so a missing device still reads
// as codes.NotFound.
func queryError(code uint32, log string) error {
	switch code {
	case sdkerrors.ErrInvalidRequest.ABCICode():
		return status.Error(codes.InvalidArgument, log)
	case sdkerrors.ErrUnauthorized.ABCICode():
		return status.Error(codes.Unauthenticated, log)
	case sdkerrors.ErrKeyNotFound.ABCICode():
		return status.Error(codes.NotFound, log)
	default:
		return status.Error(codes.Unknown, log)
	}
}

type gogoMarshaler interface{ Marshal() ([]byte, error) }
type gogoUnmarshaler interface{ Unmarshal([]byte) error }

// marshal encodes a gogoproto message by its generated Marshal and any other
// (the SDK's pulsar types) through protobuf's reflection.
func marshal(m any) ([]byte, error) {
	switch m := m.(type) {
	case gogoMarshaler:
		return m.Marshal()
	case protoreflect.ProtoMessage:
		return protov2.Marshal(m)
	default:
		return nil, fmt.Errorf("cannot encode %T: not a protobuf message", m)
	}
}

func unmarshal(bz []byte, m any) error {
	switch m := m.(type) {
	case gogoUnmarshaler:
		return m.Unmarshal(bz)
	case protoreflect.ProtoMessage:
		return protov2.Unmarshal(bz, m)
	default:
		return fmt.Errorf("cannot decode into %T: not a protobuf message", m)
	}
}

// typeURL is how a message is named inside an Any.
func typeURL(m gogoproto.Message) string {
	if v2, ok := m.(protoreflect.ProtoMessage); ok {
		return "/" + string(v2.ProtoReflect().Descriptor().FullName())
	}
	return "/" + gogoproto.MessageName(m)
}

// isStatus reports whether err is a node's answer (a gRPC status made from
// an ABCI query's code) rather than a transport failure.
func isStatus(err error) bool {
	_, ok := status.FromError(err)
	return ok
}
