package app

import (
	"github.com/cosmos/iavl"

	"github.com/cosmos/cosmos-sdk/store/v2/cachekv"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
)

// readOnlyTreeStore is a KVStore over one committed IAVL version, read
// through queryMultiStore's reader nodeDB. store/v2's iavl.Store wraps
// immutable trees the same way but only hands them out through
// GetImmutable, which is the VersionExists call this package avoids.
// Reads panic on error as iavl.Store's do (baseapp turns a query panic into
// an error response); writes panic because a committed version is immutable
// (queries write to the cachekv branch on top, which is discarded).
type readOnlyTreeStore struct {
	tree *iavl.ImmutableTree
}

var _ storetypes.KVStore = readOnlyTreeStore{}

func (s readOnlyTreeStore) GetStoreType() storetypes.StoreType { return storetypes.StoreTypeIAVL }

func (s readOnlyTreeStore) CacheWrap() storetypes.CacheWrap { return cachekv.NewStore(s) }

func (s readOnlyTreeStore) Get(key []byte) []byte {
	storetypes.AssertValidKey(key)
	v, err := s.tree.Get(key)
	if err != nil {
		panic(err)
	}
	return v
}

func (s readOnlyTreeStore) Has(key []byte) bool {
	storetypes.AssertValidKey(key)
	has, err := s.tree.Has(key)
	if err != nil {
		panic(err)
	}
	return has
}

func (s readOnlyTreeStore) Set(_, _ []byte) {
	panic("query store: a committed IAVL version is read-only")
}

func (s readOnlyTreeStore) Delete(_ []byte) {
	panic("query store: a committed IAVL version is read-only")
}

func (s readOnlyTreeStore) Iterator(start, end []byte) storetypes.Iterator {
	it, err := s.tree.Iterator(start, end, true)
	if err != nil {
		panic(err)
	}
	return it
}

func (s readOnlyTreeStore) ReverseIterator(start, end []byte) storetypes.Iterator {
	it, err := s.tree.Iterator(start, end, false)
	if err != nil {
		panic(err)
	}
	return it
}
