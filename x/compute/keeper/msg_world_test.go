package keeper_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// The world every message test starts from, at height 1 with default params
// unless a case tweaks them.
const (
	worldFunds   = 10_000_000_000 // the requester's balance before it posts
	worldItems   = 16
	worldPerTask = 4
	worldPrice   = 1000
	worldReward  = worldPerTask * worldPrice         // one task's reward
	worldFee     = worldReward * 200 / 10_000        // protocol_fee_bps 200, the default
	worldUnits   = worldPerTask * kinds.HashcashWork // a hashcash item measures one hash checked
	worldSpec    = `{"difficulty_bits":2}`
)

// msgWorld is the cast the tests share: a requester with an open job of four
// 4-item tasks, two registered devices (a and b, bond 1,000 SHIFT each) and an
// account with nothing (outsider). The lease/work/claim fields hold device a's
// progress on the job once a test has made some.
type msgWorld struct {
	f         *fixture
	requester sdk.AccAddress
	outsider  sdk.AccAddress
	a, b      sdk.AccAddress
	job       uint64
	// extra accounts a case created, included in its no-change snapshot.
	extra []sdk.AccAddress

	lease *types.MsgLeaseTaskResponse
	work  *worker
	claim *types.MsgSubmitClaimResponse
}

func newMsgWorld(f *fixture) *msgWorld {
	f.t.Helper()
	w := &msgWorld{f: f, requester: addrOf("requester"), outsider: addrOf("outsider")}
	f.fund(w.requester, worldFunds)
	w.a, w.b = f.registerDevice("device-a"), f.registerDevice("device-b")
	w.job = f.postJob(w.requester, "hashcash", worldSpec, worldItems, worldPerTask, worldPrice)
	return w
}

func (w *msgWorld) accounts() []sdk.AccAddress {
	return append([]sdk.AccAddress{w.requester, w.outsider, w.a, w.b}, w.extra...)
}

func (w *msgWorld) params() types.Params {
	p, err := w.f.k.GetParams(w.f.ctx)
	require.NoError(w.f.t, err)
	return p
}

// setParams changes params the way governance does, through MsgUpdateParams.
func (w *msgWorld) setParams(edit func(*types.Params)) {
	p := w.params()
	edit(&p)
	must(w.f, w.f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: w.f.authority, Params: p})
}

func (w *msgWorld) device(op sdk.AccAddress) types.Device {
	d, err := w.f.k.Devices.Get(w.f.ctx, op)
	require.NoError(w.f.t, err)
	return d
}

func (w *msgWorld) jobState(id uint64) types.Job {
	j, err := w.f.k.Jobs.Get(w.f.ctx, id)
	require.NoError(w.f.t, err)
	return j
}

func (w *msgWorld) task(job, index uint64) types.Task {
	task, err := w.f.k.Tasks.Get(w.f.ctx, collectionsJoin(job, index))
	require.NoError(w.f.t, err)
	return task
}

func (w *msgWorld) supply() math.Int { return w.f.bank.GetSupply(w.f.ctx, denom).Amount }

func (w *msgWorld) moduleAddr() sdk.AccAddress {
	return w.f.accounts.GetModuleAddress(types.ModuleName)
}

func (w *msgWorld) feeCollector() sdk.AccAddress {
	return w.f.accounts.GetModuleAddress(authtypes.FeeCollectorName)
}

func (w *msgWorld) leaseMsg(op sdk.AccAddress, job uint64) *types.MsgLeaseTask {
	return &types.MsgLeaseTask{Operator: w.f.str(op), JobId: job}
}

func (w *msgWorld) claimMsg(op sdk.AccAddress, job, task uint64, root []byte) *types.MsgSubmitClaim {
	return &types.MsgSubmitClaim{Operator: w.f.str(op), JobId: job, TaskIndex: task, Root: root}
}

func (w *msgWorld) proofMsg(op sdk.AccAddress, job, task uint64, a proofAnswer) *types.MsgSubmitProof {
	return a.msg(w.f.str(op), job, task)
}

// leaseA leases the world job's next task to device a and computes it honestly.
func (w *msgWorld) leaseA() {
	w.lease = must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
	w.work = w.f.computeTask(w.a, w.job, w.lease, nil)
}

// claimA leases and claims a task for device a.
func (w *msgWorld) claimA() {
	w.leaseA()
	w.claim = must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, w.lease.TaskIndex, w.work.root()))
}

// challengeReady claims a task for device a and advances to its challenge height.
func (w *msgWorld) challengeReady() {
	w.claimA()
	w.f.advanceTo(w.claim.ChallengeHeight)
}

// answer is device a's honest answer to the challenge of its claim.
func (w *msgWorld) answer() proofAnswer {
	return w.work.answer(w.f.challenge(w.job, w.lease.TaskIndex))
}

// cheat leases a task of a hashcash job to op, claims a root over forged
// outputs and proves them: the proof is well formed and must be rejected.
func (w *msgWorld) cheat(op sdk.AccAddress, job uint64, difficulty uint) (*types.MsgSubmitProofResponse, *sdk.EventManager) {
	w.f.t.Helper()
	lease := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(op, job))
	wk := w.f.computeTask(op, job, lease, nil)
	forgeOutputs(w.f, wk, job, difficulty)
	claim := must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(op, job, lease.TaskIndex, wk.root()))
	w.f.advanceTo(claim.ChallengeHeight)
	return mustEvents(w.f, w.f.msgs.SubmitProof, w.proofMsg(op, job, lease.TaskIndex, wk.answer(w.f.challenge(job, lease.TaskIndex))))
}

// jail gets op's device jailed the way a cheater is: jail_after_failures
// rejected proofs.
func (w *msgWorld) jail(op sdk.AccAddress) {
	w.f.t.Helper()
	lab := addrOf("jail-lab")
	w.f.fund(lab, 1_000_000)
	w.extra = append(w.extra, lab)
	n := w.params().JailAfterFailures
	// One task per failure: a device may not lease a task it failed again.
	job := w.f.postJob(lab, "hashcash", worldSpec, 2*uint64(n), 2, 10)
	for range n {
		res, _ := w.cheat(op, job, 2)
		require.False(w.f.t, res.Accepted)
	}
	dev := w.device(op)
	require.Equal(w.f.t, types.DEVICE_STATUS_JAILED, dev.Status)
	require.True(w.f.t, dev.Jailed)
	require.Equal(w.f.t, n, dev.Failures)
}

// unbond starts unbonding op's device and, when complete is set, waits until
// its bond is back.
func (w *msgWorld) unbond(op sdk.AccAddress, complete bool) {
	w.f.t.Helper()
	res := must(w.f, w.f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: w.f.str(op)})
	if complete {
		w.f.advanceTo(res.UnbondingHeight + 1)
		require.Equal(w.f.t, types.DEVICE_STATUS_UNBONDED, w.device(op).Status)
	}
}

// postShortJob posts a one-task job from the world's requester that closes
// deadline blocks from now, and returns its id and deadline height.
func (w *msgWorld) postShortJob(deadline uint64) (uint64, uint64) {
	res := must(w.f, w.f.msgs.PostJob, &types.MsgPostJob{
		Requester: w.f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 4, ItemsPerTask: 4,
		PricePerItem: math.NewInt(worldPrice), DeadlineBlocks: deadline,
	})
	return res.JobId, w.jobState(res.JobId).DeadlineHeight
}

// forgeOutputs replaces every output of a hashcash worker with a nonce that
// misses the difficulty and rebuilds its tree, so its root commits to outputs
// that are certainly wrong (flipping a byte of a good nonce may still meet a
// low difficulty).
func forgeOutputs(f *fixture, wk *worker, jobID uint64, difficulty uint) {
	f.t.Helper()
	leaves := make([][32]byte, len(wk.outputs))
	for i := range wk.outputs {
		idx := wk.first + uint64(i)
		var nonce uint64
		for kinds.HashcashNonceValid(jobID, idx, nonce, difficulty) {
			nonce++
		}
		wk.outputs[i] = binary.BigEndian.AppendUint64(nil, nonce)
		leaves[i] = merkle.LeafHash(jobID, idx, wk.outputs[i])
	}
	tree, err := merkle.NewTree(leaves)
	require.NoError(f.t, err)
	wk.tree = tree
}

// --- state snapshots ---

var snapshotCodec = codec.NewProtoCodec(codectypes.NewInterfaceRegistry())

// stateSnapshot renders everything a message could change: the exported
// genesis, every raw entry of the module store (which also holds the indexes
// and height-keyed queues genesis does not export), the balances of accounts,
// of the module account and the fee collector, and the supply.
func stateSnapshot(f *fixture, accounts []sdk.AccAddress) string {
	f.t.Helper()
	var b strings.Builder
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(f.t, err)
	var pretty bytes.Buffer
	require.NoError(f.t, json.Indent(&pretty, snapshotCodec.MustMarshalJSON(gs), "", "  "))
	b.Write(pretty.Bytes())
	b.WriteString("\n")

	stores, ok := f.ctx.MultiStore().(interface {
		StoreKeysByName() map[string]storetypes.StoreKey
	})
	require.True(f.t, ok, "the fixture's multistore lists its keys")
	names := map[byte]string{}
	for _, c := range f.k.Schema.ListCollections() {
		names[c.GetPrefix()[0]] = c.GetName()
	}
	it := f.ctx.KVStore(stores.StoreKeysByName()[types.StoreKey]).Iterator(nil, nil)
	for ; it.Valid(); it.Next() {
		fmt.Fprintf(&b, "%s %x = %x\n", names[it.Key()[0]], it.Key(), it.Value())
	}
	require.NoError(f.t, it.Close())

	all := append(slices.Clone(accounts), f.accounts.GetModuleAddress(types.ModuleName), f.accounts.GetModuleAddress(authtypes.FeeCollectorName))
	for _, a := range all {
		fmt.Fprintf(&b, "balance %s %s\n", f.str(a), f.balance(a))
	}
	fmt.Fprintf(&b, "supply %s\n", f.bank.GetSupply(f.ctx, denom).Amount)
	return b.String()
}

// requireUnchanged runs run and requires that it changed neither the module's
// state nor the balances of accounts, the module account and the fee collector.
func requireUnchanged(f *fixture, accounts []sdk.AccAddress, run func()) {
	f.t.Helper()
	before := strings.Split(stateSnapshot(f, accounts), "\n")
	run()
	after := strings.Split(stateSnapshot(f, accounts), "\n")
	if !slices.Equal(before, after) {
		var diff []string
		for _, l := range before {
			if !slices.Contains(after, l) {
				diff = append(diff, "- "+l)
			}
		}
		for _, l := range after {
			if !slices.Contains(before, l) {
				diff = append(diff, "+ "+l)
			}
		}
		f.t.Fatalf("a failed message must change nothing, but:\n%s", strings.Join(diff, "\n"))
	}
}

// msgCase is a message that must fail with a registered error and change nothing.
type msgCase struct {
	name  string
	tweak func(*types.Params)
	// prepare builds the state the message meets; it may run messages and blocks.
	prepare func(w *msgWorld)
	send    func(w *msgWorld) error
	err     error
}

// runMsgCases runs each case in a fresh world with the given params tweaks.
func runMsgCases(t *testing.T, cases []msgCase, tweaks ...func(*types.Params)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			all := slices.Clone(tweaks)
			if tc.tweak != nil {
				all = append(all, tc.tweak)
			}
			w := newMsgWorld(newFixture(t, all...))
			if tc.prepare != nil {
				tc.prepare(w)
			}
			requireUnchanged(w.f, w.accounts(), func() {
				err := tc.send(w)
				require.ErrorIs(t, err, tc.err)
			})
		})
	}
}

// sendMsg runs a message like a transaction and returns its error.
func sendMsg[M, R any](f *fixture, handler func(context.Context, M) (R, error), msg M) error {
	_, err := exec(f, handler, msg)
	return err
}

// mustEvents runs a message that must succeed (through must, so like a
// transaction) and returns its response and the events it emitted: those of the
// cached context it ran in.
func mustEvents[M, R any](f *fixture, handler func(context.Context, M) (R, error), msg M) (R, *sdk.EventManager) {
	f.t.Helper()
	var em *sdk.EventManager
	res := must(f, func(ctx context.Context, m M) (R, error) {
		em = sdk.UnwrapSDKContext(ctx).EventManager()
		return handler(ctx, m)
	}, msg)
	return res, em
}

// eventsOf returns the typed events of type T in em, in order.
func eventsOf[T proto.Message](em *sdk.EventManager) []T {
	var out []T
	for _, e := range em.ABCIEvents() {
		msg, err := sdk.ParseTypedEvent(e)
		if err != nil {
			continue // an untyped event, e.g. x/bank's coin_spent
		}
		if ev, ok := msg.(T); ok {
			out = append(out, ev)
		}
	}
	return out
}

// requireEvent requires em to hold exactly one event of want's type, equal to want.
func requireEvent[T proto.Message](t *testing.T, em *sdk.EventManager, want T) {
	t.Helper()
	got := eventsOf[T](em)
	require.Len(t, got, 1, "events of type %s", proto.MessageName(want))
	requireProto(t, want, got[0])
}

// requireProto compares two proto messages by their JSON, which compares
// math.Int fields by value.
func requireProto(t *testing.T, want, got proto.Message) {
	t.Helper()
	require.Equal(t, string(snapshotCodec.MustMarshalJSON(want)), string(snapshotCodec.MustMarshalJSON(got)))
}

func requireAmount(t *testing.T, want int64, got math.Int, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, math.NewInt(want).String(), got.String(), msgAndArgs...)
}

func hasKey[K any](t *testing.T, ctx context.Context, has func(context.Context, K) (bool, error), key K) bool {
	t.Helper()
	ok, err := has(ctx, key)
	require.NoError(t, err)
	return ok
}

// indexHas is Has for a job index: whether it holds (reference, job id).
func indexHas[R any](idx *indexes.Multi[R, uint64, types.Job]) func(context.Context, collections.Pair[R, uint64]) (bool, error) {
	return func(ctx context.Context, key collections.Pair[R, uint64]) (bool, error) {
		rng := collections.NewPrefixedPairRange[R, uint64](key.K1()).StartInclusive(key.K2()).EndInclusive(key.K2())
		it, err := idx.Iterate(ctx, rng)
		if err != nil {
			return false, err
		}
		valid := it.Valid()
		return valid, it.Close()
	}
}

var (
	pow128          = math.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 128))
	otherPrefixAddr = sdk.MustBech32ifyAddressBytes("cosmos", addrOf("someone"))
	badChecksumAddr = "night1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" // right prefix, bad checksum
	defaults        = types.DefaultParams()
)

func mandelbrotSpec(width, height, maxIter int) string {
	return fmt.Sprintf(`{"width":%d,"height":%d,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":%d}`, width, height, maxIter)
}

// addrString is the bech32 form of addrOf(name).
func addrString(name string) string {
	s, err := accCodec.BytesToString(addrOf(name))
	if err != nil {
		panic(err)
	}
	return s
}

func pointerTo[T any](v T) *T { return &v }

func collectionsPair[K1, K2 any](a K1, b K2) collections.Pair[K1, K2] {
	return collections.Join(a, b)
}
