package worker

// What a requester's emission cap has left: the units its jobs credited in
// the running epoch, read from the chain's own store (no query serves them).

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
	"github.com/nightshift-network/nightshift/x/compute/storekeys"
)

// ABCIQuerier runs a raw ABCI query; *cometrpc.Client has it.
type ABCIQuerier interface {
	ABCIQuery(ctx context.Context, path string, data []byte) (*cometrpc.QueryResponse, error)
}

// requesterUnitsPath is the store query of x/compute's KV store.
const requesterUnitsPath = "/store/" + storekeys.StoreKey + "/key"

// ChainRequesterUnits reads requester's units in epoch from the
// requester_epoch_units map, by the key codec the keeper stores it with: one
// unproven store query, for Config.RequesterUnits.
func ChainRequesterUnits(q ABCIQuerier) func(ctx context.Context, epoch uint64, requester string) (math.Int, error) {
	return func(ctx context.Context, epoch uint64, requester string) (math.Int, error) {
		_, addr, err := bech32.DecodeAndConvert(requester)
		if err != nil {
			return math.Int{}, fmt.Errorf("requester %q: %w", requester, err)
		}
		key, err := collections.EncodeKeyWithPrefix(storekeys.RequesterEpochUnitsKey, storekeys.RequesterEpochUnitsKeyCodec, collections.Join(epoch, addr))
		if err != nil {
			return math.Int{}, err
		}
		res, err := q.ABCIQuery(ctx, requesterUnitsPath, key)
		if err != nil {
			return math.Int{}, err
		}
		if !res.IsOK() {
			return math.Int{}, fmt.Errorf("store query of requester %s's units: code %d: %s", requester, res.Code, res.Log)
		}
		if len(res.Value) == 0 {
			return math.ZeroInt(), nil // nothing credited yet
		}
		// The keeper stores the value with sdk.IntValue, which is
		// math.Int's Marshal (TestChainRequesterUnits writes with it).
		var units math.Int
		if err := units.Unmarshal(res.Value); err != nil {
			return math.Int{}, fmt.Errorf("requester %s's units: %w", requester, err)
		}
		return units, nil
	}
}
