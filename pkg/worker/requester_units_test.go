package worker

import (
	"context"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/colltest"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// storeNode answers store queries from a KV store, as the node's
// /store/compute/key does.
type storeNode struct {
	ctx  context.Context
	kvs  *colltest.StoreService
	path string
}

func (n *storeNode) ABCIQuery(_ context.Context, path string, data []byte) (*cometrpc.QueryResponse, error) {
	n.path = path
	bz, err := n.kvs.OpenKVStore(n.ctx).Get(data)
	if err != nil {
		return nil, err
	}
	return &cometrpc.QueryResponse{Value: bz}, nil
}

// TestChainRequesterUnits: the worker reads what a map built like the
// keeper's requester_epoch_units stores, for that epoch and requester only.
func TestChainRequesterUnits(t *testing.T) {
	kvs, ctx := colltest.MockStore()
	sb := collections.NewSchemaBuilder(kvs)
	units := collections.NewMap(sb, types.RequesterEpochUnitsKey, "requester_epoch_units", types.RequesterEpochUnitsKeyCodec, sdk.IntValue)
	_, err := sb.Build()
	require.NoError(t, err)
	addr := []byte("requester-address-20")
	other := []byte("another-requester-20")
	require.NoError(t, units.Set(ctx, collections.Join(uint64(7), addr), math.NewInt(123_456)))
	require.NoError(t, units.Set(ctx, collections.Join(uint64(6), addr), math.NewInt(9)))
	require.NoError(t, units.Set(ctx, collections.Join(uint64(7), other), math.NewInt(5)))
	bech, err := bech32.ConvertAndEncode("nightshift", addr)
	require.NoError(t, err)

	node := &storeNode{ctx: ctx, kvs: kvs}
	read := ChainRequesterUnits(node)
	got, err := read(context.Background(), 7, bech)
	require.NoError(t, err)
	require.Equal(t, "123456", got.String())
	require.Equal(t, "/store/compute/key", node.path)
	got, err = read(context.Background(), 8, bech)
	require.NoError(t, err)
	require.True(t, got.IsZero(), "nothing credited in epoch 8")
	_, err = read(context.Background(), 7, "not-an-address")
	require.ErrorContains(t, err, `requester "not-an-address"`)
}

// capChain is a chain whose epoch 7 has emission and two approved requesters.
type capChain struct {
	types.QueryClient
}

func (capChain) Epoch(context.Context, *types.QueryEpochRequest, ...grpc.CallOption) (*types.QueryEpochResponse, error) {
	return &types.QueryEpochResponse{NextEmission: math.NewInt(1e9), Current: types.EpochInfo{Epoch: 7, WorkUnits: math.NewInt(1e6)}}, nil
}

func (capChain) Params(context.Context, *types.QueryParamsRequest, ...grpc.CallOption) (*types.QueryParamsResponse, error) {
	return &types.QueryParamsResponse{Params: types.DefaultParams()}, nil
}

func (capChain) Requesters(context.Context, *types.QueryRequestersRequest, ...grpc.CallOption) (*types.QueryRequestersResponse, error) {
	return &types.QueryRequestersResponse{Requesters: []string{requester, "night1full"}}, nil
}

// TestMarketReadsRequesterUnits: the worker's market carries the cap and
// the running epoch's units of each approved requester of a leasable job,
// read once per market refresh; others are not asked for.
func TestMarketReadsRequesterUnits(t *testing.T) {
	type ask struct {
		epoch     uint64
		requester string
	}
	var asked []ask
	w := New(Config{Client: &fakeLeaseChain{}, Query: capChain{}, RequesterUnits: func(_ context.Context, epoch uint64, r string) (math.Int, error) {
		asked = append(asked, ask{epoch, r})
		return math.NewInt(1e6), nil
	}})
	stranger := hashcashJob(2, 20, 100)
	stranger.Requester = "night1stranger" // not approved: earns no emission, not asked
	full := hashcashJob(3, 20, 100)
	full.NextTask, full.LiveTasks = full.NumTasks, full.NumTasks
	full.Requester = "night1full" // approved, but nothing to lease
	jobs := []types.Job{hashcashJob(1, 20, 100), stranger, full}
	for range 2 {
		m, err := w.market(context.Background(), jobs)
		require.NoError(t, err)
		require.Equal(t, uint32(types.DefaultMaxRequesterEmissionBps), m.RequesterCapBps)
		require.Equal(t, "1000000", m.RequesterUnits[requester].String())
	}
	require.Equal(t, []ask{{7, requester}}, asked, "once, for the approved requester, in the running epoch")
}
