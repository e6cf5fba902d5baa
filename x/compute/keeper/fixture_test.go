package keeper_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"
	"cosmossdk.io/math"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const denom = "ushift"

var accCodec = addresscodec.NewBech32Codec("night")

type staticAuthority string

func (a staticAuthority) GetAuthority(context.Context) (string, error) { return string(a), nil }

// fixture is an in-memory chain with real x/auth and x/bank keepers and the
// compute keeper; every message goes through the Msg server and is followed by
// the escrow conservation check.
type fixture struct {
	t         testing.TB
	ctx       sdk.Context
	k         *keeper.Keeper
	msgs      types.MsgServer
	q         types.QueryServer
	bank      bankkeeper.BaseKeeper
	accounts  authkeeper.AccountKeeper
	authority string
	storeKey  *storetypes.KVStoreKey // x/compute's
}

func addrOf(name string) sdk.AccAddress {
	h := sha256.Sum256([]byte(name))
	return sdk.AccAddress(h[:20])
}

func (f *fixture) str(a sdk.AccAddress) string {
	s, err := accCodec.BytesToString(a)
	require.NoError(f.t, err)
	return s
}

// newFixture starts at height 1 with default genesis params adjusted by tweak.
func newFixture(t testing.TB, tweak ...func(*types.Params)) *fixture {
	t.Helper()
	gs := types.DefaultGenesis()
	// Balances in these tests read as escrow alone; the tests of the posting
	// fee (TestFreeStateCostsAFee) set it.
	gs.Params.JobPostingFee = math.ZeroInt()
	for _, fn := range tweak {
		fn(&gs.Params)
	}
	return newFixtureWithGenesis(t, gs)
}

// newFixtureWithGenesis starts at height 1 from the given compute genesis.
func newFixtureWithGenesis(t testing.TB, gs *types.GenesisState) *fixture {
	t.Helper()
	keys := storetypes.NewKVStoreKeys(authtypes.StoreKey, banktypes.StoreKey, types.StoreKey)
	ctx := testutil.DefaultContextWithKeys(keys, nil, nil)
	enc := moduletestutil.MakeTestEncodingConfig()
	authtypes.RegisterInterfaces(enc.InterfaceRegistry)
	types.RegisterInterfaces(enc.InterfaceRegistry)

	authority := addrOf("authority")
	authorityStr, err := accCodec.BytesToString(authority)
	require.NoError(t, err)
	perms := map[string][]string{
		authtypes.FeeCollectorName: nil,
		types.ModuleName:           {authtypes.Minter, authtypes.Burner},
		"faucet":                   {authtypes.Minter},
	}
	ak := authkeeper.NewAccountKeeper(enc.Codec, runtime.NewKVStoreService(keys[authtypes.StoreKey]),
		authtypes.ProtoBaseAccount, perms, accCodec, "night", authorityStr)
	bk := bankkeeper.NewBaseKeeper(enc.Codec, runtime.NewKVStoreService(keys[banktypes.StoreKey]), ak, nil, authorityStr, log.NewNopLogger())
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(keys[types.StoreKey]), accCodec, bk, ak,
		staticAuthority(authorityStr), kinds.DefaultRegistry(), denom, authtypes.FeeCollectorName)

	f := &fixture{t: t, k: k, msgs: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServer(k), bank: bk, accounts: ak, authority: authorityStr, storeKey: keys[types.StoreKey]}
	f.ctx = ctx.WithBlockHeight(1).WithHeaderHash(blockHash(1)).WithGasMeter(storetypes.NewInfiniteGasMeter())
	require.NoError(t, gs.Validate(accCodec))
	require.NoError(t, k.InitGenesis(f.ctx, gs))
	require.NoError(t, k.BeginBlocker(f.ctx))
	return f
}

func blockHash(h int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(h))
	d := sha256.Sum256(append([]byte("block"), b[:]...))
	return d[:]
}

// fund mints coins to an account.
func (f *fixture) fund(addr sdk.AccAddress, amount int64) {
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, amount))
	require.NoError(f.t, f.bank.MintCoins(f.ctx, "faucet", coins))
	require.NoError(f.t, f.bank.SendCoinsFromModuleToAccount(f.ctx, "faucet", addr, coins))
}

func (f *fixture) balance(addr sdk.AccAddress) math.Int {
	return f.bank.GetBalance(f.ctx, addr, denom).Amount
}

// nextBlock ends the current block and begins the next one.
func (f *fixture) nextBlock() {
	f.t.Helper()
	require.NoError(f.t, f.k.EndBlocker(f.ctx))
	f.checkInvariant()
	h := f.ctx.BlockHeight() + 1
	f.ctx = f.ctx.WithBlockHeight(h).WithHeaderHash(blockHash(h)).WithEventManager(sdk.NewEventManager())
	require.NoError(f.t, f.k.BeginBlocker(f.ctx))
}

func (f *fixture) advance(blocks int) {
	f.t.Helper()
	for range blocks {
		f.nextBlock()
	}
}

func (f *fixture) advanceTo(h uint64) {
	f.t.Helper()
	for uint64(f.ctx.BlockHeight()) < h {
		f.nextBlock()
	}
}

func (f *fixture) checkInvariant() {
	f.t.Helper()
	require.NoError(f.t, f.k.CheckEscrowInvariant(f.ctx))
}

// exec runs one message in a cached context, like a transaction: on error
// nothing is written. It checks the invariant afterwards either way.
func exec[M any, R any](f *fixture, handler func(context.Context, M) (R, error), msg M) (R, error) {
	f.t.Helper()
	cache, write := f.ctx.CacheContext()
	res, err := handler(cache, msg)
	if err == nil {
		write() // also moves the cached events to f.ctx's event manager
	}
	f.checkInvariant()
	return res, err
}

// must runs a message that must succeed.
func must[M any, R any](f *fixture, handler func(context.Context, M) (R, error), msg M) R {
	f.t.Helper()
	res, err := exec(f, handler, msg)
	require.NoError(f.t, err)
	return res
}

// --- market helpers ---

const bond = 1_000_000_000 // 1,000 SHIFT: enough for the tasks these tests lease

// coverableEmission is an epoch emission the fixture's bond covers: the lease
// check counts an approved requester's task as able to earn the whole emission
// of an idle epoch, and 100 SHIFT plus these tests' payments stays below what
// an invalid proof slashes of a 1,000 SHIFT bond even after a slash or two.
var coverableEmission = math.NewInt(100_000_000)

func (f *fixture) registerDevice(name string) sdk.AccAddress {
	f.t.Helper()
	op := addrOf(name)
	f.fund(op, 10*bond)
	must(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(op), Moniker: name, Bond: math.NewInt(bond)})
	return op
}

func (f *fixture) postJob(requester sdk.AccAddress, kind, spec string, items, perTask uint64, price int64) uint64 {
	f.t.Helper()
	res := must(f, f.msgs.PostJob, &types.MsgPostJob{
		Requester: f.str(requester), Kind: kind, Spec: spec, Items: items, ItemsPerTask: perTask,
		PricePerItem: math.NewInt(price), DeadlineBlocks: 10_000,
	})
	return res.JobId
}

// worker computes a leased task like the real worker does, optionally faking
// some outputs, and answers challenges from its tree.
type worker struct {
	f       *fixture
	op      sdk.AccAddress
	outputs [][]byte
	tree    *merkle.Tree
	first   uint64
}

func (f *fixture) computeTask(op sdk.AccAddress, jobID uint64, lease *types.MsgLeaseTaskResponse, fake func(index uint64) bool) *worker {
	f.t.Helper()
	job, err := f.k.Jobs.Get(f.ctx, jobID)
	require.NoError(f.t, err)
	spec, err := f.k.Kinds().Parse(job.Kind, []byte(job.Spec), job.Items)
	require.NoError(f.t, err)
	w := &worker{f: f, op: op, first: lease.FirstItem}
	leaves := make([][32]byte, lease.ItemCount)
	for i := range lease.ItemCount {
		idx := lease.FirstItem + i
		out, _, err := spec.ComputeOutput(kinds.Item{JobID: jobID, Index: idx})
		require.NoError(f.t, err)
		if fake != nil && fake(idx) {
			out = append([]byte(nil), out...)
			out[0] ^= 0xff
		}
		w.outputs = append(w.outputs, out)
		leaves[i] = merkle.LeafHash(jobID, idx, out)
	}
	w.tree, err = merkle.NewTree(leaves)
	require.NoError(f.t, err)
	return w
}

func (w *worker) root() []byte { r := w.tree.Root(); return r[:] }

// proofAnswer is an answer to a challenge: the sampled items and the Merkle
// multi-proof of all of them.
type proofAnswer struct {
	items []types.ChallengeItem
	nodes [][]byte
	// inputNodes prove the items' inputs (wasm jobs with an input root).
	inputNodes [][]byte
}

func (a proofAnswer) msg(operator string, jobID, task uint64) *types.MsgSubmitProof {
	return &types.MsgSubmitProof{Operator: operator, JobId: jobID, TaskIndex: task, Items: a.items, Nodes: a.nodes, InputNodes: a.inputNodes}
}

// answer builds the proof items and multi-proof for the challenged indices.
func (w *worker) answer(indices []uint64) proofAnswer {
	items := make([]types.ChallengeItem, len(indices))
	offsets := make([]uint64, len(indices))
	for i, idx := range indices {
		items[i] = types.ChallengeItem{Index: idx, Output: w.outputs[idx-w.first]}
		offsets[i] = idx - w.first
	}
	nodes, err := w.tree.MultiProofBytes(offsets)
	require.NoError(w.f.t, err)
	return proofAnswer{items: items, nodes: nodes}
}

// challenge returns the challenge of a claimed task once fixed.
func (f *fixture) challenge(jobID, task uint64) []uint64 {
	f.t.Helper()
	res, err := f.q.Task(f.ctx, &types.QueryTaskRequest{JobId: jobID, TaskIndex: task})
	require.NoError(f.t, err)
	require.True(f.t, res.ChallengeReady, "challenge of %d/%d not ready at height %d", jobID, task, f.ctx.BlockHeight())
	return res.ChallengeIndices
}

// runTask leases, computes, claims, waits for the challenge and proves one task.
func (f *fixture) runTask(op sdk.AccAddress, jobID uint64, fake func(uint64) bool) (*types.MsgLeaseTaskResponse, *types.MsgSubmitProofResponse) {
	f.t.Helper()
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(op), JobId: jobID})
	w := f.computeTask(op, jobID, lease, fake)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(op), JobId: jobID, TaskIndex: lease.TaskIndex, Root: w.root()})
	f.advanceTo(claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.answer(f.challenge(jobID, lease.TaskIndex)).msg(f.str(op), jobID, lease.TaskIndex))
	return lease, proof
}

func collectionsJoin(job, task uint64) keeper.TaskKey { return collections.Join(job, task) }
