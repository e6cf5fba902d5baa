// Package storekeys holds the parts of x/compute's store layout that programs
// outside the node read directly (the worker's raw store query of a
// requester's epoch units), in a package that does not import
// cosmos-sdk/types; x/compute/types re-exports them, so the keeper and the
// worker encode the same keys from one definition.
package storekeys

import (
	"cosmossdk.io/collections"

	"github.com/nightshift-network/nightshift/x/compute/errs"
)

// StoreKey is the module's KV store key: its name.
const StoreKey = errs.Codespace

var (
	// RequesterEpochUnitsKey holds (epoch, requester) → units its jobs credited.
	RequesterEpochUnitsKey = collections.NewPrefix(50)
	// RequesterEpochUnitsKeyCodec encodes its keys; the worker reads the map
	// by the same codec to estimate what a requester's cap has left.
	RequesterEpochUnitsKeyCodec = collections.PairKeyCodec(collections.Uint64Key, collections.BytesKey)
)
