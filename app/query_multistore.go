package app

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cast"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"

	"github.com/cosmos/cosmos-sdk/store/v2/cachemulti"
	"github.com/cosmos/cosmos-sdk/store/v2/dbadapter"
	"github.com/cosmos/cosmos-sdk/store/v2/rootmulti"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/store/v2/wrapper"
)

// Why this file exists (issue 16, cosmos-sdk #23695): every gRPC query builds
// its context with rootmulti.CacheMultiStoreWithVersion, which calls
// iavl.Store.GetImmutable → MutableTree.VersionExists → nodeDB
// getLegacyLatestVersion/getFirstVersion on every one of the app's IAVL
// stores, each taking that store's nodeDB mutex exclusively. The block commit
// holds the same mutex while it writes the store's batch (nodeDB.Commit →
// batch.Write, and SaveNode when the batch flushes), so under load a balance
// query waited for the commit of up to every store: 0.8 ms idle, 120 ms p99
// under compute load. The tree walk of the read itself also goes through the
// writer's nodeDB (GetNode, GetFastNode take the same exclusive mutex).
//
// queryMultiStore serves queries from committed versions through a second,
// read-only IAVL nodeDB per store over the same database: its own mutex, its
// own node cache, never the writer's. Committed versions are immutable on
// disk, so a reader needs only the version's root key:
//   - the latest height comes from rootmulti's lastCommitInfo, an atomic
//     pointer stored after every store's batch is written, so a query at the
//     latest height sees exactly the last committed state;
//   - nodeDB.GetRoot reads the root key straight from the database (no
//     mutex); a pruned version's root is deleted, a future one is not written
//     yet, and both give the stock error text (baseapp rejects future heights
//     before it gets here anyway);
//   - node reads (reader nodeDB.GetNode) take the reader's mutex for a cache
//     lookup or a database Get. Only other queries contend on it, and each
//     holds it for one node.
//
// Locks that remain on the path: the reader nodeDB mutex (above) and the
// database's own read path (goleveldb/pebble reads do not wait for writes).
// What the reader must not use: fast nodes. The fast-node index on disk is
// the writer's live state and a reader's fast-node cache would go stale, so
// the reader trees are opened with skipFastStorageUpgrade, which makes Get,
// Has and iterators walk the version's tree (ImmutableTree.Get/Iterator). The
// reader nodeDB's cached latest/first versions are never consulted: nothing
// here calls VersionExists, AvailableVersions or IsFastCacheEnabled.
//
// Proofs: baseapp serves "/store/…" ABCI queries (the ones with prove=true)
// from the commit multistore's Query, not from the query multistore, so they
// keep the stock path. Queries only read; writes to the returned cache
// multistore go nowhere, as with the stock one.
type queryMultiStore struct {
	// The commit multistore: LatestVersion, commit infos, and every
	// MultiStore method the query path does not use.
	*rootmulti.Store
	// readers are sorted by store name so the cache multistore is built in
	// the same order every time.
	readers []storeReader
}

type storeReader struct {
	key  storetypes.StoreKey
	tree *iavl.MutableTree // read-only: only GetImmutable is called
}

// queryReaderCacheSize is each reader nodeDB's node cache (nodes, not bytes).
// Queries touch the upper levels of the trees over and over; a modest cache
// keeps those in memory without doubling the writer's (500,000 by default).
const queryReaderCacheSize = 50_000

// newQueryMultiStore opens a reader for every IAVL store key, at the prefix
// rootmulti gives that store in db ("s/k:<name>/", rootmulti
// loadCommitStoreFromParams).
func newQueryMultiStore(rs *rootmulti.Store, db dbm.DB, keys map[string]*storetypes.KVStoreKey) *queryMultiStore {
	names := slices.Sorted(maps.Keys(keys))
	q := &queryMultiStore{Store: rs, readers: make([]storeReader, 0, len(names))}
	for _, name := range names {
		pdb := dbm.NewPrefixDB(db, []byte("s/k:"+name+"/"))
		tree := iavl.NewMutableTree(wrapper.NewDBWrapper(pdb), queryReaderCacheSize, true, iavl.NewNopLogger())
		q.readers = append(q.readers, storeReader{key: keys[name], tree: tree})
	}
	return q
}

// errVersionMissing is the text iavl.Store.GetImmutable gives for a pruned or
// future version, so clients see the same error as from the stock path.
var errVersionMissing = errors.New("version mismatch on immutable IAVL tree; version does not exist. Version has either been pruned, or is for a future block height")

// CacheMultiStoreWithVersion branches the committed state at version, as
// rootmulti's does, without touching the writer's nodeDBs.
func (q *queryMultiStore) CacheMultiStoreWithVersion(version int64) (storetypes.CacheMultiStore, error) {
	if version <= 0 || version > q.LatestVersion() {
		// Not committed (yet): its roots may be on disk already, mid-commit,
		// but the app has not committed it. Same error as the stock path,
		// which fails on the missing commit info.
		if _, err := q.GetCommitInfo(version); err != nil {
			return nil, err
		}
		return nil, errVersionMissing
	}
	stores := make(map[storetypes.StoreKey]storetypes.CacheWrapper, len(q.readers))
	var storeInfos map[string]bool
	// Pruned: rootmulti records the earliest kept version ("s/earliest")
	// when it hands heights to the IAVL pruner, which deletes them in the
	// background and batches the deletes into a later commit; the roots may
	// still be on disk for a while. The stock path stops serving them as
	// soon as the pruner starts (nodeDB.firstVersion), so refuse them here
	// from the moment they are scheduled: never a height stock would not
	// serve once pruning has run, and never a half-deleted tree.
	pruned := version < q.EarliestVersion()
	for _, r := range q.readers {
		tree, err := r.tree.GetImmutable(version)
		if err == nil && pruned {
			tree, err = nil, iavl.ErrVersionDoesNotExist
		}
		if err != nil {
			// As rootmulti: a store added by an upgrade after this version
			// has no root there; it reads as empty. A store that was in the
			// version's commit info and has no root was pruned.
			if storeInfos == nil {
				info, infoErr := q.GetCommitInfo(version)
				if infoErr != nil {
					return nil, infoErr
				}
				storeInfos = make(map[string]bool, len(info.StoreInfos))
				for _, si := range info.StoreInfos {
					storeInfos[si.Name] = true
				}
			}
			if storeInfos[r.key.Name()] {
				if errors.Is(err, iavl.ErrVersionDoesNotExist) {
					return nil, errVersionMissing
				}
				return nil, fmt.Errorf("store %s at version %d: %w", r.key.Name(), version, err)
			}
			stores[r.key] = dbadapter.Store{DB: dbm.NewMemDB()}
			continue
		}
		stores[r.key] = readOnlyTreeStore{tree: tree}
	}
	return cachemulti.NewStore(stores), nil
}

// FlagQueryMultiStore turns the query multistore off when false (app.toml
// `query-multistore = false`, or NIGHTSHIFTD_QUERY_MULTISTORE=false): the
// stock path then serves queries, which is how the bench measures both on
// one build. It changes only how queries read committed state, never state.
const FlagQueryMultiStore = "query-multistore"

// setQueryMultiStore gives baseapp the query multistore (baseapp uses it in
// CreateQueryContext for gRPC and ABCI app queries) unless turned off.
func (app *App) setQueryMultiStore(db dbm.DB, appOpts interface{ Get(string) interface{} }) {
	if v := appOpts.Get(FlagQueryMultiStore); v != nil && !cast.ToBool(v) {
		return
	}
	rs, ok := app.CommitMultiStore().(*rootmulti.Store)
	if !ok {
		// Another commit multistore (tests may set one): keep the stock path.
		return
	}
	app.SetQueryMultiStore(newQueryMultiStore(rs, db, app.keys))
}
