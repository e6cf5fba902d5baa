package keeper_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
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
	worldReward  = worldPerTask * worldPrice  // one task's reward
	worldFee     = worldReward * 200 / 10_000 // protocol_fee_bps 200, the default
	worldUnits   = worldPerTask * 4           // hashcash difficulty 2: 4 units an item
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
	job := w.f.postJob(lab, "hashcash", worldSpec, 2, 2, 10)
	n := w.params().JailAfterFailures
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

var (
	pow128          = math.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 128))
	otherPrefixAddr = sdk.MustBech32ifyAddressBytes("cosmos", addrOf("someone"))
	badChecksumAddr = "night1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" // right prefix, bad checksum
	defaults        = types.DefaultParams()
)

func mandelbrotSpec(width, height, maxIter int) string {
	return fmt.Sprintf(`{"width":%d,"height":%d,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":%d}`, width, height, maxIter)
}

// --- PostJob ---

// postJobMsg is a valid post of 8 hashcash items, edited to break one rule.
func (w *msgWorld) postJobMsg(edit func(*types.MsgPostJob)) *types.MsgPostJob {
	m := &types.MsgPostJob{
		Requester: w.f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 8, ItemsPerTask: 4,
		PricePerItem: math.NewInt(100), DeadlineBlocks: 100, ResultUrl: "https://results.example.org/out",
	}
	if edit != nil {
		edit(m)
	}
	return m
}

func TestMsgPostJob(t *testing.T) {
	post := func(name string, err error, edit func(*types.MsgPostJob)) msgCase {
		return msgCase{name: name, err: err, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.PostJob, w.postJobMsg(edit))
		}}
	}
	cases := []msgCase{
		post("invalid requester address", types.ErrInvalidAddress, func(m *types.MsgPostJob) { m.Requester = badChecksumAddr }),
		post("empty requester", types.ErrInvalidAddress, func(m *types.MsgPostJob) { m.Requester = "" }),
		post("requester of another chain", types.ErrInvalidAddress, func(m *types.MsgPostJob) { m.Requester = otherPrefixAddr }),
		post("unknown kind", types.ErrUnknownKind, func(m *types.MsgPostJob) { m.Kind = "wasm" }),
		post("empty kind", types.ErrUnknownKind, func(m *types.MsgPostJob) { m.Kind = "" }),
		post("spec is not JSON", types.ErrInvalidSpec, func(m *types.MsgPostJob) { m.Spec = `{"difficulty_bits":` }),
		post("empty spec", types.ErrInvalidSpec, func(m *types.MsgPostJob) { m.Spec = "" }),
		post("hashcash difficulty 0", types.ErrInvalidSpec, func(m *types.MsgPostJob) { m.Spec = `{"difficulty_bits":0}` }),
		post("hashcash difficulty 33", types.ErrInvalidSpec, func(m *types.MsgPostJob) { m.Spec = `{"difficulty_bits":33}` }),
		post("hashcash unknown field", types.ErrInvalidSpec, func(m *types.MsgPostJob) { m.Spec = `{"difficulty_bits":2,"bits":2}` }),
		post("mandelbrot items differ from height", types.ErrInvalidSpec, func(m *types.MsgPostJob) {
			m.Kind, m.Spec, m.Items = "mandelbrot", mandelbrotSpec(16, 8, 32), 9
		}),
		post("zero items", types.ErrInvalidItems, func(m *types.MsgPostJob) { m.Items = 0 }),
		post("items above max_job_items", types.ErrInvalidItems, func(m *types.MsgPostJob) { m.Items = defaults.MaxJobItems + 1 }),
		post("zero items_per_task", types.ErrInvalidItems, func(m *types.MsgPostJob) { m.ItemsPerTask = 0 }),
		post("items_per_task above max_task_items", types.ErrInvalidItems, func(m *types.MsgPostJob) { m.ItemsPerTask = defaults.MaxTaskItems + 1 }),
		post("zero price", types.ErrInvalidPrice, func(m *types.MsgPostJob) { m.PricePerItem = math.ZeroInt() }),
		post("nil price", types.ErrInvalidPrice, func(m *types.MsgPostJob) { m.PricePerItem = math.Int{} }),
		post("negative price", types.ErrInvalidPrice, func(m *types.MsgPostJob) { m.PricePerItem = math.NewInt(-1) }),
		post("price of 2^128 overflows", types.ErrInvalidPrice, func(m *types.MsgPostJob) { m.PricePerItem = pow128 }),
		post("escrow above the requester's balance", types.ErrInsufficientFunds, func(m *types.MsgPostJob) {
			m.PricePerItem = math.NewInt(worldFunds / 8) // 8 items cost all of it, and the world job holds some
		}),
		post("requester without an account", types.ErrInsufficientFunds, func(m *types.MsgPostJob) { m.Requester = addrString("outsider") }),
		post("zero deadline", types.ErrInvalidDeadline, func(m *types.MsgPostJob) { m.DeadlineBlocks = 0 }),
		post("deadline beyond max_deadline_blocks", types.ErrInvalidDeadline, func(m *types.MsgPostJob) { m.DeadlineBlocks = defaults.MaxDeadlineBlocks + 1 }),
		post("ftp result URL", types.ErrInvalidResultURL, func(m *types.MsgPostJob) { m.ResultUrl = "ftp://results.example.org/out" }),
		post("relative result URL", types.ErrInvalidResultURL, func(m *types.MsgPostJob) { m.ResultUrl = "results/out" }),
		post("result URL without host", types.ErrInvalidResultURL, func(m *types.MsgPostJob) { m.ResultUrl = "https:///out" }),
		post("result URL over 256 bytes", types.ErrInvalidResultURL, func(m *types.MsgPostJob) {
			m.ResultUrl = "https://results.example.org/" + strings.Repeat("a", types.MaxResultURLLength-27)
		}),
		post("mandelbrot too costly to verify", types.ErrVerificationTooCostly, func(m *types.MsgPostJob) {
			// 1,000 + 4,000 × 1,997 / 16 = 500,250 gas per row > 500,000.
			m.Kind, m.Spec, m.Items, m.ItemsPerTask = "mandelbrot", mandelbrotSpec(4000, 1, 1997), 1, 1
		}),
		{
			name: "hashcash above a lowered max_verify_gas_per_item",
			prepare: func(w *msgWorld) {
				w.setParams(func(p *types.Params) { p.MaxVerifyGasPerItem = kinds.HashcashVerifyGas - 1 })
			},
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.PostJob, w.postJobMsg(nil))
			},
			err: types.ErrVerificationTooCostly,
		},
		{
			name:    "requester not approved under the allowlist",
			prepare: func(w *msgWorld) { w.setParams(func(p *types.Params) { p.RequesterAllowlist = true }) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.PostJob, w.postJobMsg(nil))
			},
			err: types.ErrRequesterNotApproved,
		},
		{
			name: "requester whose approval was revoked, under the allowlist",
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: w.f.authority, Requester: w.f.str(w.requester)})
				w.setParams(func(p *types.Params) { p.RequesterAllowlist = true })
				must(w.f, w.f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: w.f.authority, Requester: w.f.str(w.requester)})
			},
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.PostJob, w.postJobMsg(nil))
			},
			err: types.ErrRequesterNotApproved,
		},
	}
	runMsgCases(t, cases)

	t.Run("escrows items x price and opens the job", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		moduleBefore := f.balance(w.moduleAddr())
		msg := w.postJobMsg(func(m *types.MsgPostJob) { m.Items, m.ItemsPerTask, m.PricePerItem = 10, 4, math.NewInt(250) })
		res, em := mustEvents(f, f.msgs.PostJob, msg)
		require.Equal(t, w.job+1, res.JobId)

		requireProto(t, &types.Job{
			Id: res.JobId, Requester: f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 10, ItemsPerTask: 4,
			PricePerItem: math.NewInt(250), Escrow: math.NewInt(2500), DeadlineHeight: 1 + 100, Status: types.JOB_STATUS_OPEN,
			NumTasks: 3, ResultUrl: "https://results.example.org/out", CreatedHeight: 1,
		}, pointerTo(w.jobState(res.JobId)))
		requireAmount(t, worldFunds-worldItems*worldPrice-2500, f.balance(w.requester))
		requireAmount(t, moduleBefore.Int64()+2500, f.balance(w.moduleAddr()))
		require.True(t, hasKey(t, f.ctx, f.k.JobsByStatus.Has, collectionsPair(int32(types.JOB_STATUS_OPEN), res.JobId)))
		require.True(t, hasKey(t, f.ctx, f.k.JobsByRequester.Has, collectionsPair([]byte(w.requester), res.JobId)))
		require.True(t, hasKey(t, f.ctx, f.k.JobDeadlineQueue.Has, collectionsPair(uint64(101), res.JobId)))
		requireEvent(t, em, &types.EventJobPosted{
			JobId: res.JobId, Requester: f.str(w.requester), Kind: "hashcash", Items: 10, NumTasks: 3,
			Escrow: math.NewInt(2500), DeadlineHeight: 101, ResultUrl: "https://results.example.org/out",
		})
	})

	t.Run("accepts every limit exactly", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		p := w.params()
		url := "https://results.example.org/" + strings.Repeat("a", types.MaxResultURLLength-28)
		require.Len(t, url, types.MaxResultURLLength)
		res := must(f, f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) {
			m.Items, m.ItemsPerTask, m.PricePerItem = p.MaxJobItems, p.MaxTaskItems, math.OneInt()
			m.DeadlineBlocks, m.ResultUrl = p.MaxDeadlineBlocks, url
		}))
		job := w.jobState(res.JobId)
		require.Equal(t, (p.MaxJobItems+p.MaxTaskItems-1)/p.MaxTaskItems, job.NumTasks)
		requireAmount(t, int64(p.MaxJobItems), job.Escrow)
		require.Equal(t, 1+p.MaxDeadlineBlocks, job.DeadlineHeight)

		// Exactly max_verify_gas_per_item: 1,000 + 4,000 × 1,996 / 16 = 500,000.
		res = must(f, f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) {
			m.Kind, m.Spec, m.Items, m.ItemsPerTask = "mandelbrot", mandelbrotSpec(4000, 1, 1996), 1, 1
		}))
		require.Equal(t, "mandelbrot", w.jobState(res.JobId).Kind)

		// The largest price: 2^128 - 1 per item.
		rich := addrOf("rich")
		w.extra = append(w.extra, rich)
		top := pow128.SubRaw(1)
		coins := sdk.NewCoins(sdk.NewCoin(denom, top))
		require.NoError(t, f.bank.MintCoins(f.ctx, "faucet", coins))
		require.NoError(t, f.bank.SendCoinsFromModuleToAccount(f.ctx, "faucet", rich, coins))
		res = must(f, f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) {
			m.Requester, m.Items, m.ItemsPerTask, m.PricePerItem = f.str(rich), 1, 1, top
		}))
		require.Equal(t, top.String(), w.jobState(res.JobId).Escrow.String())
		requireAmount(t, 0, f.balance(rich))
	})

	t.Run("an approved requester posts under the allowlist", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		w.setParams(func(p *types.Params) { p.RequesterAllowlist = true })
		must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
		res := must(f, f.msgs.PostJob, w.postJobMsg(nil))
		require.Equal(t, types.JOB_STATUS_OPEN, w.jobState(res.JobId).Status)
		requireAmount(t, worldFunds-worldItems*worldPrice-800, f.balance(w.requester))
	})
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

// --- RegisterDevice ---

func TestMsgRegisterDevice(t *testing.T) {
	carol := addrOf("carol")
	// carol has 500 SHIFT and no device.
	fundCarol := func(w *msgWorld) {
		w.f.fund(carol, 500_000_000)
		w.extra = append(w.extra, carol)
	}
	register := func(name string, err error, op func(w *msgWorld) sdk.AccAddress, moniker string, bond math.Int) msgCase {
		return msgCase{name: name, err: err, prepare: fundCarol, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: w.f.str(op(w)), Moniker: moniker, Bond: bond})
		}}
	}
	fundedCarol := func(*msgWorld) sdk.AccAddress { return carol }
	deviceA := func(w *msgWorld) sdk.AccAddress { return w.a }
	minBond := defaults.MinDeviceBond
	withPrepare := func(c msgCase, tweak func(*types.Params), prepare func(*msgWorld)) msgCase {
		c.tweak, c.prepare = tweak, func(w *msgWorld) {
			fundCarol(w)
			prepare(w)
		}
		return c
	}
	cases := []msgCase{
		{name: "invalid operator address", err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: badChecksumAddr, Moniker: "rig", Bond: minBond})
		}},
		register("bond below the minimum", types.ErrBondTooLow, fundedCarol, "rig", minBond.SubRaw(1)),
		register("zero bond", types.ErrInvalidAmount, fundedCarol, "rig", math.ZeroInt()),
		register("negative bond", types.ErrInvalidAmount, fundedCarol, "rig", math.NewInt(-1)),
		register("nil bond", types.ErrInvalidAmount, fundedCarol, "rig", math.Int{}),
		register("bond of 2^128", types.ErrInvalidAmount, fundedCarol, "rig", pow128),
		register("empty moniker", types.ErrInvalidMoniker, fundedCarol, "", minBond),
		register("moniker of 65 bytes", types.ErrInvalidMoniker, fundedCarol, strings.Repeat("m", types.MaxMonikerLength+1), minBond),
		register("moniker with a control character", types.ErrInvalidMoniker, fundedCarol, "rig\x07", minBond),
		register("moniker with a newline", types.ErrInvalidMoniker, fundedCarol, "rig\nname", minBond),
		register("moniker of invalid UTF-8", types.ErrInvalidMoniker, fundedCarol, "rig\xff", minBond),
		register("operator cannot pay the bond", types.ErrInsufficientFunds, fundedCarol, "rig", math.NewInt(500_000_001)),
		register("operator without an account", types.ErrInsufficientFunds, func(w *msgWorld) sdk.AccAddress { return w.outsider }, "rig", minBond),
		register("already registered", types.ErrDeviceExists, deviceA, "again", minBond),
		withPrepare(register("already registered and unbonding", types.ErrDeviceExists, deviceA, "again", minBond),
			nil, func(w *msgWorld) { w.unbond(w.a, false) }),
		withPrepare(register("jailed operator, still bonded", types.ErrDeviceJailed, deviceA, "again", minBond),
			nil, func(w *msgWorld) { w.jail(w.a) }),
		withPrepare(register("jailed operator after unbonding", types.ErrDeviceJailed, deviceA, "again", minBond),
			func(p *types.Params) { p.DeviceUnbondingBlocks = 3 },
			func(w *msgWorld) {
				w.jail(w.a)
				w.unbond(w.a, true)
			}),
	}
	runMsgCases(t, cases)

	t.Run("bonds the minimum and registers", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		f.fund(carol, 500_000_000)
		moduleBefore := f.balance(w.moduleAddr())
		moniker := "carol's rig ⚡ " + strings.Repeat("x", types.MaxMonikerLength-len("carol's rig ⚡ "))
		require.Len(t, moniker, types.MaxMonikerLength)
		_, em := mustEvents(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(carol), Moniker: moniker, Bond: minBond})
		requireProto(t, &types.Device{
			Operator: f.str(carol), Moniker: moniker, Bond: minBond, Status: types.DEVICE_STATUS_ACTIVE,
			WorkUnits: math.ZeroInt(), RegisteredHeight: 1,
		}, pointerTo(w.device(carol)))
		requireAmount(t, 500_000_000-minBond.Int64(), f.balance(carol))
		requireAmount(t, moduleBefore.Int64()+minBond.Int64(), f.balance(w.moduleAddr()))
		requireEvent(t, em, &types.EventDeviceRegistered{Operator: f.str(carol), Moniker: moniker, Bond: minBond})
	})
}

// --- UpdateDevice ---

func TestMsgUpdateDevice(t *testing.T) {
	update := func(name string, err error, op func(w *msgWorld) string, moniker string, add math.Int) msgCase {
		return msgCase{name: name, err: err, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: op(w), Moniker: moniker, AddBond: add})
		}}
	}
	a := func(w *msgWorld) string { return w.f.str(w.a) }
	cases := []msgCase{
		update("invalid operator address", types.ErrInvalidAddress, func(*msgWorld) string { return badChecksumAddr }, "rig", math.OneInt()),
		update("unregistered operator", types.ErrDeviceNotFound, func(w *msgWorld) string { return w.f.str(w.outsider) }, "rig", math.ZeroInt()),
		update("nothing to update", types.ErrInvalidAmount, a, "", math.ZeroInt()),
		update("nothing to update, nil bond", types.ErrInvalidAmount, a, "", math.Int{}),
		update("negative add_bond", types.ErrInvalidAmount, a, "", math.NewInt(-1)),
		update("negative add_bond with a moniker", types.ErrInvalidAmount, a, "renamed", math.NewInt(-1)),
		update("add_bond of 2^128", types.ErrInvalidAmount, a, "", pow128),
		update("moniker of 65 bytes", types.ErrInvalidMoniker, a, strings.Repeat("m", types.MaxMonikerLength+1), math.ZeroInt()),
		update("unprintable moniker", types.ErrInvalidMoniker, a, "rig\x00", math.ZeroInt()),
		update("add_bond above the balance", types.ErrInsufficientFunds, a, "", math.NewInt(9*bond+1)),
		{
			name:    "device unbonding",
			prepare: func(w *msgWorld) { w.unbond(w.a, false) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: w.f.str(w.a), AddBond: math.OneInt()})
			},
			err: types.ErrDeviceNotActive,
		},
		{
			name:    "device unbonded",
			tweak:   func(p *types.Params) { p.DeviceUnbondingBlocks = 2 },
			prepare: func(w *msgWorld) { w.unbond(w.a, true) },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: w.f.str(w.a), Moniker: "back"})
			},
			err: types.ErrDeviceNotActive,
		},
	}
	runMsgCases(t, cases)

	t.Run("renames and adds bond", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		moduleBefore := f.balance(w.moduleAddr())
		_, em := mustEvents(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(w.a), Moniker: "renamed", AddBond: math.NewInt(250)})
		dev := w.device(w.a)
		require.Equal(t, "renamed", dev.Moniker)
		requireAmount(t, bond+250, dev.Bond)
		requireAmount(t, 9*bond-250, f.balance(w.a))
		requireAmount(t, moduleBefore.Int64()+250, f.balance(w.moduleAddr()))
		requireEvent(t, em, &types.EventDeviceUpdated{Operator: f.str(w.a), Moniker: "renamed", Bond: math.NewInt(bond + 250), Added: math.NewInt(250)})

		// A moniker alone moves no coins; a bond alone keeps the moniker.
		must(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(w.a), Moniker: "again"})
		must(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(w.a), AddBond: math.NewInt(50)})
		dev = w.device(w.a)
		require.Equal(t, "again", dev.Moniker)
		requireAmount(t, bond+300, dev.Bond)
		requireAmount(t, 9*bond-300, f.balance(w.a))
	})
}

// --- UnbondDevice ---

func TestMsgUnbondDevice(t *testing.T) {
	unbond := func(op func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: op(w)})
		}
	}
	a := func(w *msgWorld) string { return w.f.str(w.a) }
	cases := []msgCase{
		{name: "invalid operator address", send: unbond(func(*msgWorld) string { return badChecksumAddr }), err: types.ErrInvalidAddress},
		{name: "unregistered operator", send: unbond(func(w *msgWorld) string { return w.f.str(w.outsider) }), err: types.ErrDeviceNotFound},
		{name: "device holds a live lease", prepare: func(w *msgWorld) { w.leaseA() }, send: unbond(a), err: types.ErrDeviceBusy},
		{name: "device holds an unproved claim", prepare: func(w *msgWorld) { w.claimA() }, send: unbond(a), err: types.ErrDeviceBusy},
		{name: "already unbonding", prepare: func(w *msgWorld) { w.unbond(w.a, false) }, send: unbond(a), err: types.ErrDeviceNotActive},
		{
			name: "already unbonded", tweak: func(p *types.Params) { p.DeviceUnbondingBlocks = 2 },
			prepare: func(w *msgWorld) { w.unbond(w.a, true) }, send: unbond(a), err: types.ErrDeviceNotActive,
		},
	}
	runMsgCases(t, cases)

	t.Run("returns the bond after device_unbonding_blocks and allows re-registering", func(t *testing.T) {
		const unbondingBlocks = 5
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.DeviceUnbondingBlocks = unbondingBlocks }))
		f := w.f
		w.challengeReady()
		must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer())) // some history to keep
		balance := f.balance(w.a)
		require.Equal(t, int64(3), f.ctx.BlockHeight())

		res, em := mustEvents(f, f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: f.str(w.a)})
		require.Equal(t, uint64(3+unbondingBlocks), res.UnbondingHeight)
		dev := w.device(w.a)
		require.Equal(t, types.DEVICE_STATUS_UNBONDING, dev.Status)
		require.Equal(t, res.UnbondingHeight, dev.UnbondingHeight)
		requireAmount(t, bond, dev.Bond, "the bond stays slashable while unbonding")
		require.True(t, hasKey(t, f.ctx, f.k.UnbondingQueue.Has, collectionsPair(res.UnbondingHeight, []byte(w.a))))
		requireEvent(t, em, &types.EventDeviceUnbonding{Operator: f.str(w.a), Bond: math.NewInt(bond), UnbondingHeight: res.UnbondingHeight})
		_, err := exec(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.ErrorIs(t, err, types.ErrDeviceNotActive)

		f.advanceTo(res.UnbondingHeight)
		require.Equal(t, balance.String(), f.balance(w.a).String(), "not before the end block of the unbonding height")
		moduleBefore := f.balance(w.moduleAddr())
		em = f.ctx.EventManager()
		f.nextBlock()
		dev = w.device(w.a)
		require.Equal(t, types.DEVICE_STATUS_UNBONDED, dev.Status)
		requireAmount(t, 0, dev.Bond)
		requireAmount(t, balance.Int64()+bond, f.balance(w.a))
		requireAmount(t, moduleBefore.Int64()-bond, f.balance(w.moduleAddr()))
		require.False(t, hasKey(t, f.ctx, f.k.UnbondingQueue.Has, collectionsPair(res.UnbondingHeight, []byte(w.a))))
		requireEvent(t, em, &types.EventDeviceUnbonded{Operator: f.str(w.a), Returned: math.NewInt(bond)})

		must(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(w.a), Moniker: "back", Bond: math.NewInt(2 * bond)})
		requireProto(t, &types.Device{
			Operator: f.str(w.a), Moniker: "back", Bond: math.NewInt(2 * bond), Status: types.DEVICE_STATUS_ACTIVE,
			TasksVerified: 1, WorkUnits: math.NewInt(worldUnits), RegisteredHeight: uint64(f.ctx.BlockHeight()),
		}, pointerTo(w.device(w.a)))
		requireAmount(t, balance.Int64()-bond, f.balance(w.a))
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1), lease.TaskIndex)
	})

	t.Run("a jailed device unbonds what is left", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.DeviceUnbondingBlocks = 2 }))
		f := w.f
		w.jail(w.a)
		left := w.device(w.a).Bond
		require.Equal(t, int64(bond/8), left.Int64(), "three halvings of the bond")
		balance := f.balance(w.a)
		w.unbond(w.a, true)
		requireAmount(t, balance.Int64()+bond/8, f.balance(w.a))
		require.True(t, w.device(w.a).Jailed, "jailing outlives unbonding")
	})
}

// --- CancelJob ---

func TestMsgCancelJob(t *testing.T) {
	cancel := func(op func(w *msgWorld) string, job func(w *msgWorld) uint64) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: op(w), JobId: job(w)})
		}
	}
	requester := func(w *msgWorld) string { return w.f.str(w.requester) }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	var short uint64
	shortJob := func(*msgWorld) uint64 { return short }
	cases := []msgCase{
		{name: "invalid requester address", send: cancel(func(*msgWorld) string { return badChecksumAddr }, worldJob), err: types.ErrInvalidAddress},
		{name: "unknown job", send: cancel(requester, func(*msgWorld) uint64 { return 99 }), err: types.ErrJobNotFound},
		{name: "job id 0", send: cancel(requester, func(*msgWorld) uint64 { return 0 }), err: types.ErrJobNotFound},
		{name: "not the requester", send: cancel(func(w *msgWorld) string { return w.f.str(w.outsider) }, worldJob), err: types.ErrNotJobRequester},
		{name: "a device of the job", prepare: func(w *msgWorld) { w.leaseA() }, send: cancel(func(w *msgWorld) string { return w.f.str(w.a) }, worldJob), err: types.ErrNotJobRequester},
		{
			name: "already cancelled",
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: w.job})
			},
			send: cancel(requester, worldJob), err: types.ErrJobNotOpen,
		},
		{
			name: "completed",
			prepare: func(w *msgWorld) {
				short, _ = w.postShortJob(100)
				w.f.runTask(w.a, short, nil)
				require.Equal(t, types.JOB_STATUS_COMPLETED, w.jobState(short).Status)
			},
			send: cancel(requester, shortJob), err: types.ErrJobNotOpen,
		},
		{
			name: "expired",
			prepare: func(w *msgWorld) {
				var deadline uint64
				short, deadline = w.postShortJob(3)
				w.f.advanceTo(deadline + 1)
				require.Equal(t, types.JOB_STATUS_EXPIRED, w.jobState(short).Status)
			},
			send: cancel(requester, shortJob), err: types.ErrJobNotOpen,
		},
	}
	runMsgCases(t, cases)

	// Four tasks of 4,000: task 0 verified before the cancel, task 1 leased and
	// left to expire, task 2 claimed and proved after the cancel, task 3 never
	// leased. The cancel refunds task 3; task 2 is paid; task 1's expiry refunds.
	t.Run("refunds idle escrow now and live tasks' escrow when they fail", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 20 }))
		f := w.f
		w.challengeReady()
		require.True(t, must(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer())).Accepted)
		leased := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1), leased.TaskIndex)
		bLease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.Equal(t, uint64(2), bLease.TaskIndex)
		bWork := f.computeTask(w.b, w.job, bLease, nil)
		bClaim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 2, bWork.root()))
		paid := worldFunds - worldItems*worldPrice
		requireAmount(t, int64(paid), f.balance(w.requester))

		res, em := mustEvents(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(w.requester), JobId: w.job})
		requireAmount(t, worldReward, res.Refunded, "only task 3 is idle")
		requireAmount(t, int64(paid+worldReward), f.balance(w.requester))
		job := w.jobState(w.job)
		require.Equal(t, types.JOB_STATUS_CANCELLED, job.Status)
		requireAmount(t, 2*worldReward, job.Escrow)
		require.Equal(t, uint64(2), job.LiveTasks)
		require.Equal(t, uint64(2*worldPerTask), job.LiveItems)
		require.True(t, hasKey(t, f.ctx, f.k.JobsByStatus.Has, collectionsPair(int32(types.JOB_STATUS_CANCELLED), w.job)))
		require.False(t, hasKey(t, f.ctx, f.k.JobsByStatus.Has, collectionsPair(int32(types.JOB_STATUS_OPEN), w.job)))
		require.False(t, hasKey(t, f.ctx, f.k.JobDeadlineQueue.Has, collectionsPair(job.DeadlineHeight, w.job)))
		requireEvent(t, em, &types.EventEscrowRefunded{JobId: w.job, Requester: f.str(w.requester), Amount: math.NewInt(worldReward)})
		requireEvent(t, em, &types.EventJobClosed{JobId: w.job, Status: types.JOB_STATUS_CANCELLED.String(), Refunded: math.NewInt(worldReward)})
		_, err := exec(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.ErrorIs(t, err, types.ErrJobNotOpen)

		// The live claim is proved after the cancel and paid.
		f.advanceTo(bClaim.ChallengeHeight)
		bBalance := f.balance(w.b)
		proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.b, w.job, 2, bWork.answer(f.challenge(w.job, 2))))
		require.True(t, proof.Accepted, proof.Reason)
		requireAmount(t, worldReward-worldFee, proof.Paid)
		requireAmount(t, bBalance.Int64()+worldReward-worldFee, f.balance(w.b))
		job = w.jobState(w.job)
		require.Equal(t, types.JOB_STATUS_CANCELLED, job.Status)
		requireAmount(t, worldReward, job.Escrow)
		require.Equal(t, uint64(2), job.TasksVerified)

		// The live lease expires and its share goes back to the requester.
		f.advanceTo(leased.LeaseExpiry)
		requireAmount(t, int64(paid+worldReward), f.balance(w.requester))
		em = f.ctx.EventManager()
		f.nextBlock()
		requireAmount(t, int64(paid+2*worldReward), f.balance(w.requester))
		requireEvent(t, em, &types.EventEscrowRefunded{JobId: w.job, Requester: f.str(w.requester), Amount: math.NewInt(worldReward)})
		job = w.jobState(w.job)
		requireAmount(t, 0, job.Escrow)
		require.Zero(t, job.LiveTasks)
		require.Zero(t, job.LiveItems)
		require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, collectionsJoin(w.job, 1)), "a closed job's task does not reopen")
		require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 1).Status)
		dev := w.device(w.a)
		require.Zero(t, dev.LiveTasks)
		requireAmount(t, bond, dev.Bond, "an expired lease is not slashed")
		// The requester paid for exactly the two verified tasks.
		requireAmount(t, worldFunds-2*worldReward, f.balance(w.requester))
		requireAmount(t, 2*worldFee, f.balance(w.feeCollector()))
	})
}

// --- LeaseTask ---

func TestMsgLeaseTask(t *testing.T) {
	lease := func(op func(w *msgWorld) sdk.AccAddress, job func(w *msgWorld) uint64) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.LeaseTask, w.leaseMsg(op(w), job(w)))
		}
	}
	a := func(w *msgWorld) sdk.AccAddress { return w.a }
	b := func(w *msgWorld) sdk.AccAddress { return w.b }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	var other uint64
	otherJob := func(*msgWorld) uint64 { return other }
	thin := addrOf("thin")
	cases := []msgCase{
		{name: "invalid operator address", err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: otherPrefixAddr, JobId: w.job})
		}},
		{name: "unregistered device", send: lease(func(w *msgWorld) sdk.AccAddress { return w.outsider }, worldJob), err: types.ErrDeviceNotFound},
		{name: "jailed device", prepare: func(w *msgWorld) { w.jail(w.a) }, send: lease(a, worldJob), err: types.ErrDeviceJailed},
		{name: "unbonding device", prepare: func(w *msgWorld) { w.unbond(w.a, false) }, send: lease(a, worldJob), err: types.ErrDeviceNotActive},
		{
			name: "unbonded device", tweak: func(p *types.Params) { p.DeviceUnbondingBlocks = 2 },
			prepare: func(w *msgWorld) { w.unbond(w.a, true) }, send: lease(a, worldJob), err: types.ErrDeviceNotActive,
		},
		{name: "unknown job", send: lease(a, func(*msgWorld) uint64 { return 99 }), err: types.ErrJobNotFound},
		{
			name: "completed job",
			prepare: func(w *msgWorld) {
				other, _ = w.postShortJob(100)
				w.f.runTask(w.b, other, nil)
			},
			send: lease(a, otherJob), err: types.ErrJobNotOpen,
		},
		{
			name: "cancelled job",
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: w.job})
			},
			send: lease(a, worldJob), err: types.ErrJobNotOpen,
		},
		{
			name: "at the deadline height, before the end block closes the job",
			prepare: func(w *msgWorld) {
				var deadline uint64
				other, deadline = w.postShortJob(3)
				w.f.advanceTo(deadline)
				require.Equal(t, types.JOB_STATUS_OPEN, w.jobState(other).Status)
			},
			send: lease(a, otherJob), err: types.ErrJobNotOpen,
		},
		{
			name: "past the deadline, the job expired",
			prepare: func(w *msgWorld) {
				var deadline uint64
				other, deadline = w.postShortJob(3)
				w.f.advanceTo(deadline + 1)
				require.Equal(t, types.JOB_STATUS_EXPIRED, w.jobState(other).Status)
			},
			send: lease(a, otherJob), err: types.ErrJobNotOpen,
		},
		{
			name: "every task leased",
			prepare: func(w *msgWorld) {
				for range worldItems / worldPerTask {
					w.leaseA()
				}
			},
			send: lease(b, worldJob), err: types.ErrNoOpenTask,
		},
		{
			name: "every task verified or live",
			prepare: func(w *msgWorld) {
				other, _ = w.postShortJob(100)
				w.f.runTask(w.b, other, nil)
				// The world job: three tasks live, one verified.
				w.challengeReady()
				must(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.answer()))
				for range 3 {
					must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
				}
			},
			send: lease(a, worldJob), err: types.ErrNoOpenTask,
		},
		{
			name:    "too many live tasks",
			tweak:   func(p *types.Params) { p.MaxLiveTasksPerDevice = 1 },
			prepare: func(w *msgWorld) { w.leaseA() },
			send:    lease(a, worldJob), err: types.ErrTooManyLiveTasks,
		},
		{
			name: "bond too small for the task's reward",
			prepare: func(w *msgWorld) {
				// A 1,000 SHIFT bond slashes 500 SHIFT on an invalid proof; the task pays 1 more.
				res := must(w.f, w.f.msgs.PostJob, &types.MsgPostJob{
					Requester: w.f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 1, ItemsPerTask: 1,
					PricePerItem: math.NewInt(bond/2 + 1), DeadlineBlocks: 100,
				})
				other = res.JobId
			},
			send: lease(a, otherJob), err: types.ErrBondTooSmallForTask,
		},
		{
			name:  "bond below the minimum after a slash",
			tweak: func(p *types.Params) { p.ProofWindowBlocks = 3 },
			prepare: func(w *msgWorld) {
				f := w.f
				min := w.params().MinDeviceBond
				f.fund(thin, bond)
				w.extra = append(w.extra, thin)
				must(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(thin), Moniker: "thin", Bond: min})
				l := must(f, f.msgs.LeaseTask, w.leaseMsg(thin, w.job))
				wk := f.computeTask(thin, w.job, l, nil)
				c := must(f, f.msgs.SubmitClaim, w.claimMsg(thin, w.job, l.TaskIndex, wk.root()))
				f.advanceTo(c.ProofDeadline + 1) // the proof is missed: 10% of the bond burned
				require.Equal(t, types.BpsOf(min, 9000).String(), w.device(thin).Bond.String())
			},
			send: lease(func(*msgWorld) sdk.AccAddress { return thin }, worldJob), err: types.ErrBondTooLow,
		},
	}
	runMsgCases(t, cases)

	t.Run("leases the next task", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		f.advance(2)
		res, em := mustEvents(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		expiry := uint64(3) + w.params().LeaseBlocks
		requireProto(t, &types.MsgLeaseTaskResponse{TaskIndex: 0, FirstItem: 0, ItemCount: worldPerTask, LeaseExpiry: expiry}, res)
		requireProto(t, &types.Task{
			JobId: w.job, Index: 0, Device: f.str(w.a), Status: types.TASK_STATUS_LEASED, FirstItem: 0, ItemCount: worldPerTask,
			LeasedHeight: 3, LeaseExpiry: expiry,
		}, pointerTo(w.task(w.job, 0)))
		job := w.jobState(w.job)
		require.Equal(t, uint64(1), job.NextTask)
		require.Equal(t, uint64(1), job.LiveTasks)
		require.Equal(t, uint64(worldPerTask), job.LiveItems)
		requireAmount(t, worldItems*worldPrice, job.Escrow, "leasing moves no escrow")
		require.Equal(t, uint32(1), w.device(w.a).LiveTasks)
		require.True(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(expiry, collectionsJoin(w.job, 0))))
		require.True(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), collectionsJoin(w.job, 0))))
		requireEvent(t, em, &types.EventTaskLeased{JobId: w.job, TaskIndex: 0, Device: f.str(w.a), FirstItem: 0, ItemCount: worldPerTask, LeaseExpiry: expiry})

		// The next lease, by another device, gets the next task; a short last task keeps its size.
		res = must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
		require.Equal(t, uint64(1), res.TaskIndex)
		require.Equal(t, uint64(worldPerTask), res.FirstItem)
		odd := must(f, f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) { m.Items, m.ItemsPerTask = 6, 4 }))
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, odd.JobId))
		res = must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, odd.JobId))
		require.Equal(t, uint64(1), res.TaskIndex)
		require.Equal(t, uint64(4), res.FirstItem)
		require.Equal(t, uint64(2), res.ItemCount)
	})

	t.Run("leases at the limits", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		// A task paying exactly what an invalid proof slashes.
		res := must(f, f.msgs.PostJob, &types.MsgPostJob{
			Requester: f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 1, ItemsPerTask: 1,
			PricePerItem: math.NewInt(bond / 2), DeadlineBlocks: 100,
		})
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, res.JobId))
		// The block before the deadline.
		short, deadline := w.postShortJob(3)
		f.advanceTo(deadline - 1)
		must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, short))
		require.Equal(t, types.TASK_STATUS_LEASED, w.task(short, 0).Status)
	})
}

// --- SubmitClaim ---

func TestMsgSubmitClaim(t *testing.T) {
	claim := func(op func(w *msgWorld) sdk.AccAddress, job func(w *msgWorld) uint64, task uint64, root func(w *msgWorld) []byte) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitClaim, w.claimMsg(op(w), job(w), task, root(w)))
		}
	}
	a := func(w *msgWorld) sdk.AccAddress { return w.a }
	b := func(w *msgWorld) sdk.AccAddress { return w.b }
	worldJob := func(w *msgWorld) uint64 { return w.job }
	goodRoot := func(w *msgWorld) []byte { return w.work.root() }
	sized := func(n int) func(*msgWorld) []byte {
		return func(w *msgWorld) []byte { return bytes.Repeat([]byte{7}, n) }
	}
	leaseA := func(w *msgWorld) { w.leaseA() }
	shortLease := func(p *types.Params) { p.LeaseBlocks = 5 }
	cases := []msgCase{
		{name: "invalid operator address", prepare: leaseA, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: "", JobId: w.job, Root: w.work.root()})
		}},
		{name: "unknown job", prepare: leaseA, send: claim(a, func(*msgWorld) uint64 { return 99 }, 0, goodRoot), err: types.ErrJobNotFound},
		{name: "task never leased", prepare: leaseA, send: claim(a, worldJob, 1, goodRoot), err: types.ErrTaskNotFound},
		{name: "task index beyond the job", prepare: leaseA, send: claim(a, worldJob, 99, goodRoot), err: types.ErrTaskNotFound},
		{name: "device not holding the lease", prepare: leaseA, send: claim(b, worldJob, 0, goodRoot), err: types.ErrNotTaskHolder},
		{name: "unregistered device", prepare: leaseA, send: claim(func(w *msgWorld) sdk.AccAddress { return w.outsider }, worldJob, 0, goodRoot), err: types.ErrNotTaskHolder},
		{name: "claimed twice", prepare: func(w *msgWorld) { w.claimA() }, send: claim(a, worldJob, 0, goodRoot), err: types.ErrAlreadyClaimed},
		{name: "claimed twice with another root", prepare: func(w *msgWorld) { w.claimA() }, send: claim(a, worldJob, 0, sized(32)), err: types.ErrAlreadyClaimed},
		{name: "root of 31 bytes", prepare: leaseA, send: claim(a, worldJob, 0, sized(31)), err: types.ErrInvalidRoot},
		{name: "root of 33 bytes", prepare: leaseA, send: claim(a, worldJob, 0, sized(33)), err: types.ErrInvalidRoot},
		{name: "empty root", prepare: leaseA, send: claim(a, worldJob, 0, sized(0)), err: types.ErrInvalidRoot},
		{
			name: "after the lease expired and the end block reopened the task", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
			},
			send: claim(a, worldJob, 0, goodRoot), err: types.ErrTaskNotFound,
		},
		{
			name: "after the lease expired, before the end block ran", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry)
				w.f.ctx = w.f.ctx.WithBlockHeight(int64(w.lease.LeaseExpiry) + 1)
			},
			send: claim(a, worldJob, 0, goodRoot), err: types.ErrLeaseExpired,
		},
		{
			// Two leases expire at one height and the end block takes one a block:
			// the second is still leased, and past its expiry, a block later.
			name: "after the lease expired, still queued behind another expiry",
			tweak: func(p *types.Params) {
				p.LeaseBlocks = 5
				p.MaxQueueItemsPerBlock = 1
			},
			prepare: func(w *msgWorld) {
				must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)) // task 0, first in the queue
				w.leaseA()                                            // task 1
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
				require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
				require.Equal(t, types.TASK_STATUS_LEASED, w.task(w.job, 1).Status)
			},
			send: claim(a, worldJob, 1, goodRoot), err: types.ErrLeaseExpired,
		},
		{
			name: "after the lease expired and another device leased the task", tweak: shortLease,
			prepare: func(w *msgWorld) {
				w.leaseA()
				w.f.advanceTo(w.lease.LeaseExpiry + 1)
				must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
			},
			send: claim(a, worldJob, 0, goodRoot), err: types.ErrNotTaskHolder,
		},
	}
	runMsgCases(t, cases)

	t.Run("commits the root and schedules the challenge", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		w.leaseA()
		f.advance(3)
		p := w.params()
		res, em := mustEvents(f, f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
		challengeAt := uint64(4) + p.ChallengeDelayBlocks
		deadline := challengeAt + p.ProofWindowBlocks
		requireProto(t, &types.MsgSubmitClaimResponse{ChallengeHeight: challengeAt, ProofDeadline: deadline}, res)
		requireProto(t, &types.Task{
			JobId: w.job, Index: 0, Device: f.str(w.a), Status: types.TASK_STATUS_CLAIMED, FirstItem: 0, ItemCount: worldPerTask,
			LeasedHeight: 1, LeaseExpiry: w.lease.LeaseExpiry, Root: w.work.root(), ClaimHeight: 4, ChallengeHeight: challengeAt, ProofDeadline: deadline,
		}, pointerTo(w.task(w.job, 0)))
		key := collectionsJoin(w.job, 0)
		require.True(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(deadline, key)))
		require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.lease.LeaseExpiry, key)), "the lease no longer expires")
		require.Equal(t, uint32(1), w.device(w.a).LiveTasks)
		require.Equal(t, uint64(1), w.jobState(w.job).LiveTasks)
		requireEvent(t, em, &types.EventClaimSubmitted{
			JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Root: hex.EncodeToString(w.work.root()), ChallengeHeight: challengeAt, ProofDeadline: deadline,
		})
		// The lease's expiry passing changes nothing for a claimed task.
		f.advanceTo(w.lease.LeaseExpiry + 1)
		require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 0).Status)
	})

	t.Run("claims at the lease expiry height", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 5 }))
		w.leaseA()
		w.f.advanceTo(w.lease.LeaseExpiry)
		must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
		w.f.nextBlock()
		require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 0).Status)
	})
}

// --- SubmitProof ---

// proofSamples is the challenge size in the SubmitProof tests: 2 of a task's 4
// items, so an answer can name an index that was not challenged.
const proofSamples = 2

func TestMsgSubmitProof(t *testing.T) {
	samples := func(p *types.Params) { p.ProofSamples = proofSamples }
	// prove sends a's answer, edited, for its task 0 once the challenge is fixed.
	prove := func(edit func(w *msgWorld, a *proofAnswer)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			a := w.answer()
			if edit != nil {
				edit(w, &a)
			}
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, a))
		}
	}
	ready := func(w *msgWorld) { w.challengeReady() }
	shape := func(name string, edit func(w *msgWorld, a *proofAnswer)) msgCase {
		return msgCase{name: name, prepare: ready, send: prove(edit), err: types.ErrInvalidChallengeAnswer}
	}
	unchallenged := func(w *msgWorld, items []types.ChallengeItem) uint64 {
		for i := range uint64(worldPerTask) {
			if !slices.ContainsFunc(items, func(it types.ChallengeItem) bool { return it.Index == i }) {
				return i
			}
		}
		panic("every index challenged")
	}
	shortWindow := func(p *types.Params) { p.ProofWindowBlocks = 3 }
	cases := []msgCase{
		{name: "invalid operator address", prepare: ready, err: types.ErrInvalidAddress, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.answer().msg(badChecksumAddr, w.job, 0))
		}},
		{name: "unknown job", prepare: ready, err: types.ErrJobNotFound, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, 99, 0, w.answer()))
		}},
		{name: "task never leased", prepare: ready, err: types.ErrTaskNotFound, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 3, w.answer()))
		}},
		{name: "someone else's claim", prepare: ready, err: types.ErrNotTaskHolder, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.b, w.job, 0, w.answer()))
		}},
		{name: "task leased, not claimed", prepare: func(w *msgWorld) { w.leaseA() }, err: types.ErrNotClaimed, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, proofAnswer{}))
		}},
		{name: "at the claim height, before the challenge is fixed", prepare: func(w *msgWorld) { w.claimA() }, err: types.ErrChallengeNotReady, send: func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, proofAnswer{}))
		}},
		{
			name: "the block before the challenge is fixed",
			prepare: func(w *msgWorld) {
				w.claimA()
				w.f.advanceTo(w.claim.ChallengeHeight - 1)
			},
			err: types.ErrChallengeNotReady,
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, proofAnswer{}))
			},
		},
		{
			name: "after the proof window, before the end block ran", tweak: shortWindow,
			prepare: func(w *msgWorld) {
				w.challengeReady()
				w.f.advanceTo(w.claim.ProofDeadline)
				w.f.ctx = w.f.ctx.WithBlockHeight(int64(w.claim.ProofDeadline) + 1)
			},
			send: prove(nil), err: types.ErrProofWindowClosed,
		},
		{
			// Two claims miss their window at one height and the end block takes one a block.
			name: "after the proof window, still queued behind another missed proof",
			tweak: func(p *types.Params) {
				p.ProofWindowBlocks = 3
				p.MaxQueueItemsPerBlock = 1
			},
			prepare: func(w *msgWorld) {
				l := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)) // task 0, first in the queue
				wk := w.f.computeTask(w.b, w.job, l, nil)
				must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 0, wk.root()))
				w.claimA() // task 1
				w.f.advanceTo(w.claim.ProofDeadline + 1)
				require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
				require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 1).Status)
			},
			err: types.ErrProofWindowClosed,
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 1, w.answer()))
			},
		},
		{
			name: "after the end block handled the missed proof", tweak: shortWindow,
			prepare: func(w *msgWorld) {
				w.challengeReady()
				w.f.advanceTo(w.claim.ProofDeadline + 1)
				require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
			},
			err: types.ErrTaskNotFound,
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, w.work.answer([]uint64{0, 1})))
			},
		},
		shape("no items", func(_ *msgWorld, a *proofAnswer) { a.items = nil }),
		shape("an item missing", func(_ *msgWorld, a *proofAnswer) { a.items = a.items[:1] }),
		shape("an extra item", func(w *msgWorld, a *proofAnswer) {
			a.items = append(a.items, w.work.answer([]uint64{unchallenged(w, a.items)}).items...)
		}),
		shape("a duplicate index", func(_ *msgWorld, a *proofAnswer) { a.items[1] = a.items[0] }),
		shape("indices out of order", func(_ *msgWorld, a *proofAnswer) { a.items[0], a.items[1] = a.items[1], a.items[0] }),
		shape("an index not challenged", func(w *msgWorld, a *proofAnswer) {
			a.items[1] = w.work.answer([]uint64{unchallenged(w, a.items)}).items[0]
		}),
		shape("an index of the next task", func(_ *msgWorld, a *proofAnswer) { a.items[1].Index = worldPerTask }),
		shape("an index beyond the job", func(_ *msgWorld, a *proofAnswer) { a.items[1].Index = worldItems }),
		shape("no Merkle nodes", func(_ *msgWorld, a *proofAnswer) { a.nodes = nil }),
		shape("a Merkle node short", func(_ *msgWorld, a *proofAnswer) { a.nodes = a.nodes[:len(a.nodes)-1] }),
		shape("a Merkle node extra", func(_ *msgWorld, a *proofAnswer) { a.nodes = append(a.nodes, make([]byte, 32)) }),
		shape("a Merkle node of 31 bytes", func(_ *msgWorld, a *proofAnswer) { a.nodes[0] = a.nodes[0][:31] }),
		shape("a Merkle node of 33 bytes", func(_ *msgWorld, a *proofAnswer) {
			a.nodes[len(a.nodes)-1] = append(a.nodes[len(a.nodes)-1], 0)
		}),
		shape("more Merkle nodes than any proof needs", func(_ *msgWorld, a *proofAnswer) {
			a.nodes = make([][]byte, types.MaxProofSamples*merkle.MaxProofLength+1)
		}),
		shape("an output above 16 KiB", func(_ *msgWorld, a *proofAnswer) { a.items[0].Output = make([]byte, keeper.MaxOutputSize+1) }),
		shape("more items than proof_samples can be", func(_ *msgWorld, a *proofAnswer) {
			for len(a.items) <= types.MaxProofSamples {
				a.items = append(a.items, a.items[0])
			}
		}),
	}
	runMsgCases(t, cases, samples)

	t.Run("pays the device from escrow", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		w.challengeReady()
		a := w.answer()
		require.Len(t, a.items, proofSamples)
		module, requester := f.balance(w.moduleAddr()), f.balance(w.requester)
		gasBefore := f.ctx.GasMeter().GasConsumed()
		res, em := mustEvents(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, a))
		requireProto(t, &types.MsgSubmitProofResponse{Accepted: true, Paid: math.NewInt(worldReward - worldFee), Slashed: math.ZeroInt()}, res)
		// Verification gas: per item the kind's check, plus two hashes per item (leaf, merge) and one per Merkle node.
		require.GreaterOrEqual(t, f.ctx.GasMeter().GasConsumed()-gasBefore,
			uint64(proofSamples*kinds.HashcashVerifyGas+keeper.HashGas*(2*proofSamples+len(a.nodes))))

		requireAmount(t, 9*bond+worldReward-worldFee, f.balance(w.a))
		requireAmount(t, worldFee, f.balance(w.feeCollector()))
		requireAmount(t, module.Int64()-worldReward, f.balance(w.moduleAddr()))
		require.Equal(t, requester.String(), f.balance(w.requester).String())
		task := w.task(w.job, 0)
		require.Equal(t, types.TASK_STATUS_VERIFIED, task.Status)
		require.Equal(t, w.claim.ChallengeHeight, task.VerifiedHeight)
		key := collectionsJoin(w.job, 0)
		require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.claim.ProofDeadline, key)))
		require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
		job := w.jobState(w.job)
		requireAmount(t, (worldItems-worldPerTask)*worldPrice, job.Escrow)
		require.Equal(t, uint64(1), job.TasksVerified)
		require.Zero(t, job.LiveTasks)
		require.Zero(t, job.LiveItems)
		require.Equal(t, types.JOB_STATUS_OPEN, job.Status)
		dev := w.device(w.a)
		require.Equal(t, uint64(1), dev.TasksVerified)
		requireAmount(t, worldUnits, dev.WorkUnits)
		require.Zero(t, dev.LiveTasks)
		requireAmount(t, bond, dev.Bond)
		requireEvent(t, em, &types.EventProofAccepted{
			JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Paid: math.NewInt(worldReward - worldFee), Fee: math.NewInt(worldFee),
			WorkUnits: math.NewInt(worldUnits), EmissionEligible: false, Epoch: 0, Root: hex.EncodeToString(w.work.root()),
		})
		require.Empty(t, eventsOf[*types.EventJobClosed](em))
		epoch, err := f.k.Epochs.Get(f.ctx, 0)
		require.NoError(t, err)
		requireAmount(t, 0, epoch.WorkUnits, "an unapproved requester's job earns no emission")
	})

	t.Run("proves at the proof deadline and completes the job with its last task", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples, func(p *types.Params) { p.ProofWindowBlocks = 3 }))
		f := w.f
		short, _ := w.postShortJob(100)
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, short))
		wk := f.computeTask(w.a, short, lease, nil)
		claim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.a, short, 0, wk.root()))
		f.advanceTo(claim.ProofDeadline)
		res, em := mustEvents(f, f.msgs.SubmitProof, w.proofMsg(w.a, short, 0, wk.answer(f.challenge(short, 0))))
		require.True(t, res.Accepted, res.Reason)
		job := w.jobState(short)
		require.Equal(t, types.JOB_STATUS_COMPLETED, job.Status)
		requireAmount(t, 0, job.Escrow)
		require.True(t, hasKey(t, f.ctx, f.k.JobsByStatus.Has, collectionsPair(int32(types.JOB_STATUS_COMPLETED), short)))
		require.False(t, hasKey(t, f.ctx, f.k.JobsByStatus.Has, collectionsPair(int32(types.JOB_STATUS_OPEN), short)))
		require.False(t, hasKey(t, f.ctx, f.k.JobDeadlineQueue.Has, collectionsPair(job.DeadlineHeight, short)))
		requireEvent(t, em, &types.EventJobClosed{JobId: short, Status: types.JOB_STATUS_COMPLETED.String(), Refunded: math.ZeroInt()})
	})

	// A well-formed proof that fails verification is not an error: the
	// transaction succeeds so the slash sticks, and the reason names the
	// registered error.
	rejected := []struct {
		name   string
		reason error
		// claimAndAnswer claims a task for device a and returns the answer to
		// its challenge, broken as the case requires.
		claimAndAnswer func(w *msgWorld) proofAnswer
	}{
		{
			name:   "a wrong Merkle node",
			reason: types.ErrInvalidMerkleProof,
			claimAndAnswer: func(w *msgWorld) proofAnswer {
				w.challengeReady()
				a := w.answer()
				a.nodes[0][5] ^= 0x01 // right length, wrong bytes
				return a
			},
		},
		{
			name:   "a wrong output",
			reason: types.ErrInvalidOutput,
			claimAndAnswer: func(w *msgWorld) proofAnswer {
				w.leaseA()
				forgeOutputs(w.f, w.work, w.job, 2)
				w.claim = must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
				w.f.advanceTo(w.claim.ChallengeHeight)
				return w.answer()
			},
		},
	}
	for _, tc := range rejected {
		t.Run("slashes and reopens on "+tc.name, func(t *testing.T) {
			w := newMsgWorld(newFixture(t, samples))
			f := w.f
			a := tc.claimAndAnswer(w)
			p := w.params()
			module, supply, requester := f.balance(w.moduleAddr()), w.supply(), f.balance(w.requester)
			slash := max(bond*int64(p.SlashInvalidBps)/10_000, worldReward)
			require.Equal(t, int64(bond/2), slash, "at default params the bond share exceeds the reward")

			res, em := mustEvents(f, f.msgs.SubmitProof, w.proofMsg(w.a, w.job, 0, a))
			require.False(t, res.Accepted)
			require.True(t, strings.Contains(res.Reason, tc.reason.Error()), "reason %q", res.Reason)
			requireAmount(t, slash, res.Slashed)
			requireAmount(t, 0, res.Paid)

			dev := w.device(w.a)
			requireAmount(t, bond-slash, dev.Bond)
			require.Equal(t, uint32(1), dev.Failures)
			require.Zero(t, dev.LiveTasks)
			require.Zero(t, dev.TasksVerified)
			require.Equal(t, types.DEVICE_STATUS_ACTIVE, dev.Status)
			requireAmount(t, 9*bond, f.balance(w.a), "the slash comes from the bond, not the account")
			requireAmount(t, module.Int64()-slash, f.balance(w.moduleAddr()))
			requireAmount(t, supply.Int64()-slash, w.supply(), "slashed coins are burned")
			requireAmount(t, 0, f.balance(w.feeCollector()))
			require.Equal(t, requester.String(), f.balance(w.requester).String())

			job := w.jobState(w.job)
			requireAmount(t, worldItems*worldPrice, job.Escrow, "escrow untouched")
			require.Zero(t, job.LiveTasks)
			require.Zero(t, job.LiveItems)
			require.Zero(t, job.TasksVerified)
			task := w.task(w.job, 0)
			require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status)
			require.Empty(t, task.Device)
			require.Empty(t, task.Root)
			key := collectionsJoin(w.job, 0)
			require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
			require.False(t, hasKey(t, f.ctx, f.k.TaskQueue.Has, collectionsPair(w.claim.ProofDeadline, key)))
			require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))

			requireEvent(t, em, &types.EventBondSlashed{
				Operator: f.str(w.a), JobId: w.job, TaskIndex: 0, Amount: math.NewInt(slash),
				Reason: keeper.SlashReasonInvalidProof, RemainingBond: math.NewInt(bond - slash),
			})
			requireEvent(t, em, &types.EventProofRejected{JobId: w.job, TaskIndex: 0, Device: f.str(w.a), Reason: res.Reason, ItemIndex: a.items[0].Index})
			require.Empty(t, eventsOf[*types.EventProofAccepted](em))

			// The task is leasable again, before any never-leased task.
			again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
			require.Equal(t, uint64(0), again.TaskIndex)
			require.Equal(t, uint32(1), w.task(w.job, 0).Attempt)
			require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
		})
	}

	// Two tasks each paying 300 SHIFT leased on a 1,000 SHIFT bond: the first
	// failure slashes half the bond (500), the second would slash half of what
	// is left (250), less than the task pays, so it slashes the reward (300).
	t.Run("slashes at least the task reward", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		const price = 300_000_000
		job := must(f, f.msgs.PostJob, &types.MsgPostJob{
			Requester: f.str(w.requester), Kind: "hashcash", Spec: worldSpec, Items: 2, ItemsPerTask: 1,
			PricePerItem: math.NewInt(price), DeadlineBlocks: 100,
		}).JobId
		var workers []*worker
		for range 2 {
			l := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, job))
			wk := f.computeTask(w.a, job, l, nil)
			forgeOutputs(f, wk, job, 2)
			must(f, f.msgs.SubmitClaim, w.claimMsg(w.a, job, l.TaskIndex, wk.root()))
			workers = append(workers, wk)
		}
		f.advance(int(w.params().ChallengeDelayBlocks))
		supply := w.supply()
		first := must(f, f.msgs.SubmitProof, w.proofMsg(w.a, job, 0, workers[0].answer(f.challenge(job, 0))))
		requireAmount(t, bond/2, first.Slashed)
		second := must(f, f.msgs.SubmitProof, w.proofMsg(w.a, job, 1, workers[1].answer(f.challenge(job, 1))))
		require.False(t, second.Accepted)
		requireAmount(t, price, second.Slashed)
		requireAmount(t, bond-bond/2-price, w.device(w.a).Bond)
		requireAmount(t, supply.Int64()-bond/2-price, w.supply())
		requireAmount(t, 2*price, w.jobState(job).Escrow)
	})

	t.Run("jails at jail_after_failures", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, samples))
		f := w.f
		n := w.params().JailAfterFailures
		for i := range n {
			res, em := w.cheat(w.a, w.job, 2)
			require.False(t, res.Accepted)
			jailed := eventsOf[*types.EventDeviceJailed](em)
			if i+1 < n {
				require.Empty(t, jailed)
				require.Equal(t, types.DEVICE_STATUS_ACTIVE, w.device(w.a).Status)
				continue
			}
			require.Len(t, jailed, 1)
			requireProto(t, &types.EventDeviceJailed{Operator: f.str(w.a), Failures: n}, jailed[0])
		}
		dev := w.device(w.a)
		require.Equal(t, types.DEVICE_STATUS_JAILED, dev.Status)
		require.True(t, dev.Jailed)
		requireAmount(t, bond>>n, dev.Bond)
	})
}

// --- WithdrawRewards ---

// rewardWork gives an approved requester's job of three 3-item tasks
// (hashcash difficulty 3: 8 units an item) to a (two tasks, 48 units) and b
// (one task, 24 units) in epoch 0, and returns the job.
func (w *msgWorld) rewardWork() uint64 {
	f := w.f
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
	job := must(f, f.msgs.PostJob, &types.MsgPostJob{
		Requester: f.str(w.requester), Kind: "hashcash", Spec: `{"difficulty_bits":3}`, Items: 9, ItemsPerTask: 3,
		PricePerItem: math.NewInt(10), DeadlineBlocks: 100,
	}).JobId
	for _, op := range []sdk.AccAddress{w.a, w.a, w.b} {
		_, proof := f.runTask(op, job, nil)
		require.True(f.t, proof.Accepted, proof.Reason)
	}
	return job
}

// settleEpoch advances past the end of the running epoch.
func (w *msgWorld) settleEpoch() {
	res, err := w.f.q.Epoch(w.f.ctx, &types.QueryEpochRequest{})
	require.NoError(w.f.t, err)
	w.f.advanceTo(res.EndHeight + 1)
}

func TestMsgWithdrawRewards(t *testing.T) {
	const emission = 1_000_000
	epochs := func(p *types.Params) {
		p.EpochBlocks = 30
		p.InitialEpochEmission = math.NewInt(emission)
	}
	withdraw := func(op func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: op(w)})
		}
	}
	a := func(w *msgWorld) string { return w.f.str(w.a) }
	cases := []msgCase{
		{name: "invalid operator address", send: withdraw(func(*msgWorld) string { return otherPrefixAddr }), err: types.ErrInvalidAddress},
		{name: "account that never worked", send: withdraw(func(w *msgWorld) string { return w.f.str(w.outsider) }), err: types.ErrNoRewards},
		{name: "device that never worked", prepare: func(w *msgWorld) { w.settleEpoch() }, send: withdraw(a), err: types.ErrNoRewards},
		{name: "work in the running epoch only", prepare: func(w *msgWorld) { w.rewardWork() }, send: withdraw(a), err: types.ErrNoRewards},
		{
			name: "work for an unapproved requester only",
			prepare: func(w *msgWorld) {
				_, proof := w.f.runTask(w.a, w.job, nil)
				require.True(t, proof.Accepted)
				w.settleEpoch()
			},
			send: withdraw(a), err: types.ErrNoRewards,
		},
		{
			name: "already withdrawn",
			prepare: func(w *msgWorld) {
				w.rewardWork()
				w.settleEpoch()
				must(w.f, w.f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: w.f.str(w.a)})
			},
			send: withdraw(a), err: types.ErrNoRewards,
		},
	}
	runMsgCases(t, cases, epochs)

	t.Run("pays each device its pro-rata share of the epoch's emission", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, epochs))
		f := w.f
		w.rewardWork()
		w.settleEpoch()
		info, err := f.k.Epochs.Get(f.ctx, 0)
		require.NoError(t, err)
		require.True(t, info.Settled)
		requireAmount(t, emission, info.Emission)
		requireAmount(t, 72, info.WorkUnits)
		total, err := f.k.TotalEmitted.Get(f.ctx)
		require.NoError(t, err)
		requireAmount(t, emission, total)

		for _, c := range []struct {
			op    sdk.AccAddress
			units int64
			want  int64
		}{{w.a, 48, 666_666}, {w.b, 24, 333_333}} {
			require.Equal(t, c.want, emission*c.units/72, "amount = emission x units / total units")
			before := f.balance(c.op)
			res, em := mustEvents(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(c.op)})
			requireProto(t, &types.MsgWithdrawRewardsResponse{Amount: math.NewInt(c.want), Epochs: 1, More: false}, res)
			requireAmount(t, before.Int64()+c.want, f.balance(c.op))
			require.False(t, hasKey(t, f.ctx, f.k.DeviceEpochUnits.Has, collectionsPair([]byte(c.op), uint64(0))))
			requireEvent(t, em, &types.EventRewardsWithdrawn{Operator: f.str(c.op), Amount: math.NewInt(c.want), Epochs: 1})
		}
		unclaimed, err := f.k.UnclaimedRewards.Get(f.ctx)
		require.NoError(t, err)
		requireAmount(t, emission-666_666-333_333, unclaimed, "rounding dust stays in the module")
	})
}

// --- ApproveRequester, RevokeRequester, UpdateParams ---

func TestMsgAuthority(t *testing.T) {
	approve := func(authority, requester func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: authority(w), Requester: requester(w)})
		}
	}
	revoke := func(authority, requester func(w *msgWorld) string) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			return sendMsg(w.f, w.f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: authority(w), Requester: requester(w)})
		}
	}
	updateParams := func(authority func(w *msgWorld) string, edit func(*types.Params)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			p := w.params()
			if edit != nil {
				edit(&p)
			}
			return sendMsg(w.f, w.f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: authority(w), Params: p})
		}
	}
	gov := func(w *msgWorld) string { return w.f.authority }
	stranger := func(w *msgWorld) string { return w.f.str(w.outsider) }
	invalid := func(*msgWorld) string { return badChecksumAddr }
	requester := func(w *msgWorld) string { return w.f.str(w.requester) }
	approved := func(w *msgWorld) {
		must(w.f, w.f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: w.f.authority, Requester: w.f.str(w.requester)})
	}
	badParams := func(name string, edit func(*types.Params)) msgCase {
		return msgCase{name: "UpdateParams: " + name, send: updateParams(gov, edit), err: types.ErrInvalidParams}
	}
	cases := []msgCase{
		{name: "ApproveRequester: signer is not the authority", send: approve(stranger, requester), err: types.ErrUnauthorized},
		{name: "ApproveRequester: a device operator signs", send: approve(func(w *msgWorld) string { return w.f.str(w.a) }, requester), err: types.ErrUnauthorized},
		{name: "ApproveRequester: invalid authority address", send: approve(invalid, requester), err: types.ErrInvalidAddress},
		{name: "ApproveRequester: invalid requester address", send: approve(gov, invalid), err: types.ErrInvalidAddress},
		{name: "ApproveRequester: empty requester", send: approve(gov, func(*msgWorld) string { return "" }), err: types.ErrInvalidAddress},
		{name: "ApproveRequester: approved twice", prepare: approved, send: approve(gov, requester), err: types.ErrRequesterApproved},
		{name: "RevokeRequester: signer is not the authority", prepare: approved, send: revoke(stranger, requester), err: types.ErrUnauthorized},
		{name: "RevokeRequester: invalid authority address", prepare: approved, send: revoke(invalid, requester), err: types.ErrInvalidAddress},
		{name: "RevokeRequester: invalid requester address", send: revoke(gov, invalid), err: types.ErrInvalidAddress},
		{name: "RevokeRequester: never approved", send: revoke(gov, requester), err: types.ErrRequesterNotApproved},
		{
			name: "RevokeRequester: revoked twice",
			prepare: func(w *msgWorld) {
				approved(w)
				must(w.f, w.f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: w.f.authority, Requester: w.f.str(w.requester)})
			},
			send: revoke(gov, requester), err: types.ErrRequesterNotApproved,
		},
		{name: "UpdateParams: signer is not the authority", send: updateParams(stranger, func(p *types.Params) { p.LeaseBlocks = 7 }), err: types.ErrUnauthorized},
		{name: "UpdateParams: invalid authority address", send: updateParams(invalid, func(p *types.Params) { p.LeaseBlocks = 7 }), err: types.ErrInvalidAddress},
		badParams("zero lease_blocks", func(p *types.Params) { p.LeaseBlocks = 0 }),
		badParams("zero proof_window_blocks", func(p *types.Params) { p.ProofWindowBlocks = 0 }),
		badParams("slash_invalid_bps above 10000", func(p *types.Params) { p.SlashInvalidBps = 10_001 }),
		badParams("zero slash_invalid_bps", func(p *types.Params) { p.SlashInvalidBps = 0 }),
		badParams("slash_missed_bps above 10000", func(p *types.Params) { p.SlashMissedBps = 10_001 }),
		badParams("protocol_fee_bps above 10000", func(p *types.Params) { p.ProtocolFeeBps = 10_001 }),
		badParams("proof_samples 0", func(p *types.Params) { p.ProofSamples = 0 }),
		badParams("proof_samples 65", func(p *types.Params) { p.ProofSamples = types.MaxProofSamples + 1 }),
		badParams("zero min_device_bond", func(p *types.Params) { p.MinDeviceBond = math.ZeroInt() }),
		badParams("nil min_device_bond", func(p *types.Params) { p.MinDeviceBond = math.Int{} }),
		badParams("negative emission_cap", func(p *types.Params) { p.EmissionCap = math.NewInt(-1) }),
		badParams("max_task_items above max_job_items", func(p *types.Params) { p.MaxJobItems, p.MaxTaskItems = 10, 11 }),
		badParams("max_task_items above 2^16", func(p *types.Params) { p.MaxTaskItems = types.MaxTaskItemsLimit + 1 }),
		badParams("zero max_queue_items_per_block", func(p *types.Params) { p.MaxQueueItemsPerBlock = 0 }),
		badParams("a window of 2^40+1 blocks", func(p *types.Params) { p.DeviceUnbondingBlocks = 1<<40 + 1 }),
		badParams("zero task_retention_blocks", func(p *types.Params) { p.TaskRetentionBlocks = 0 }),
		badParams("task_retention_blocks of 2^40+1", func(p *types.Params) { p.TaskRetentionBlocks = 1<<40 + 1 }),
	}
	runMsgCases(t, cases)

	t.Run("approves and revokes a requester", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		_, em := mustEvents(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(w.requester)})
		require.True(t, hasKey(t, f.ctx, f.k.ApprovedRequesters.Has, []byte(w.requester)))
		require.Equal(t, "nightshift.compute.v1.EventRequesterApproved", em.Events()[0].Type)
		requireEvent(t, em, &types.EventRequesterApproved{Requester: f.str(w.requester)})
		res, err := f.q.Params(f.ctx, &types.QueryParamsRequest{})
		require.NoError(t, err)
		require.False(t, res.Params.RequesterAllowlist)

		_, em = mustEvents(f, f.msgs.RevokeRequester, &types.MsgRevokeRequester{Authority: f.authority, Requester: f.str(w.requester)})
		require.False(t, hasKey(t, f.ctx, f.k.ApprovedRequesters.Has, []byte(w.requester)))
		require.Equal(t, "nightshift.compute.v1.EventRequesterRevoked", em.Events()[0].Type)
		requireEvent(t, em, &types.EventRequesterRevoked{Requester: f.str(w.requester)})
	})

	t.Run("replaces the params, which take effect at once", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		f := w.f
		p := w.params()
		p.LeaseBlocks = 7
		p.SlashInvalidBps = 10_000
		p.ProofSamples = types.MaxProofSamples
		p.MinDeviceBond = math.NewInt(42)
		_, em := mustEvents(f, f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: f.authority, Params: p})
		requireProto(t, &p, pointerTo(w.params()))
		require.Equal(t, "nightshift.compute.v1.EventParamsUpdated", em.Events()[0].Type)
		requireEvent(t, em, &types.EventParamsUpdated{Authority: f.authority})
		lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, w.job))
		require.Equal(t, uint64(1+7), lease.LeaseExpiry)
	})
}

// --- end-block work: missed proofs and expired leases ---

func TestMissedProofSlashesAndReopens(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofWindowBlocks = 4 }))
	f := w.f
	p := w.params()
	w.claimA()
	f.advanceTo(w.claim.ProofDeadline)
	require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(w.job, 0).Status, "the proof may still come in this block")
	module, supply, balance := f.balance(w.moduleAddr()), w.supply(), f.balance(w.a)

	em := f.ctx.EventManager()
	f.nextBlock()
	slash := bond * int64(p.SlashMissedBps) / 10_000
	require.Equal(t, int64(bond/10), slash)
	dev := w.device(w.a)
	requireAmount(t, bond-slash, dev.Bond)
	require.Equal(t, uint64(1), dev.MissedProofs)
	require.Zero(t, dev.Failures, "a missed proof is not a failed one")
	require.Zero(t, dev.LiveTasks)
	require.Equal(t, types.DEVICE_STATUS_ACTIVE, dev.Status)
	require.Equal(t, balance.String(), f.balance(w.a).String())
	requireAmount(t, module.Int64()-slash, f.balance(w.moduleAddr()))
	requireAmount(t, supply.Int64()-slash, w.supply())

	task := w.task(w.job, 0)
	require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status)
	key := collectionsJoin(w.job, 0)
	require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
	require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
	job := w.jobState(w.job)
	requireAmount(t, worldItems*worldPrice, job.Escrow)
	require.Zero(t, job.LiveTasks)
	require.Zero(t, job.LiveItems)
	requireEvent(t, em, &types.EventBondSlashed{
		Operator: f.str(w.a), JobId: w.job, TaskIndex: 0, Amount: math.NewInt(slash),
		Reason: keeper.SlashReasonMissedProof, RemainingBond: math.NewInt(bond - slash),
	})
	requireEvent(t, em, &types.EventProofMissed{JobId: w.job, TaskIndex: 0, Device: f.str(w.a)})

	// The task is leased again, first, and can be completed.
	lease, proof := f.runTask(w.b, w.job, nil)
	require.Equal(t, uint64(0), lease.TaskIndex)
	require.True(t, proof.Accepted, proof.Reason)
	require.Equal(t, uint32(1), w.task(w.job, 0).Attempt)
}

func TestLeaseExpiryReopensWithoutSlash(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.LeaseBlocks = 5 }))
	f := w.f
	w.leaseA()
	f.advanceTo(w.lease.LeaseExpiry)
	require.Equal(t, types.TASK_STATUS_LEASED, w.task(w.job, 0).Status, "a claim may still come in this block")
	module, supply, balance := f.balance(w.moduleAddr()), w.supply(), f.balance(w.a)

	em := f.ctx.EventManager()
	f.nextBlock()
	dev := w.device(w.a)
	requireAmount(t, bond, dev.Bond)
	require.Zero(t, dev.LiveTasks)
	require.Zero(t, dev.Failures)
	require.Zero(t, dev.MissedProofs)
	require.Equal(t, balance.String(), f.balance(w.a).String())
	require.Equal(t, module.String(), f.balance(w.moduleAddr()).String())
	require.Equal(t, supply.String(), w.supply().String())
	require.Empty(t, eventsOf[*types.EventBondSlashed](em))
	requireEvent(t, em, &types.EventLeaseExpired{JobId: w.job, TaskIndex: 0, Device: f.str(w.a)})

	key := collectionsJoin(w.job, 0)
	require.Equal(t, types.TASK_STATUS_UNSPECIFIED, w.task(w.job, 0).Status)
	require.True(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
	require.False(t, hasKey(t, f.ctx, f.k.TasksByDevice.Has, collectionsPair([]byte(w.a), key)))
	job := w.jobState(w.job)
	requireAmount(t, worldItems*worldPrice, job.Escrow)
	require.Zero(t, job.LiveTasks)
	require.Equal(t, uint64(1), job.NextTask, "the reopened task is not a new one")

	// Another device leases the same task index, then the next new task.
	again := must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job))
	requireProto(t, &types.MsgLeaseTaskResponse{TaskIndex: 0, FirstItem: 0, ItemCount: worldPerTask, LeaseExpiry: uint64(f.ctx.BlockHeight()) + 5}, again)
	task := w.task(w.job, 0)
	require.Equal(t, f.str(w.b), task.Device)
	require.Equal(t, uint32(1), task.Attempt)
	require.False(t, hasKey(t, f.ctx, f.k.ReopenedTasks.Has, key))
	require.Equal(t, uint64(1), must(f, f.msgs.LeaseTask, w.leaseMsg(w.b, w.job)).TaskIndex)

	// b completes the re-leased task; a's old work no longer counts.
	wk := f.computeTask(w.b, w.job, again, nil)
	claim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.b, w.job, 0, wk.root()))
	_, err := exec(f, f.msgs.SubmitClaim, w.claimMsg(w.a, w.job, 0, w.work.root()))
	require.ErrorIs(t, err, types.ErrNotTaskHolder)
	f.advanceTo(claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.proofMsg(w.b, w.job, 0, wk.answer(f.challenge(w.job, 0))))
	require.True(t, proof.Accepted, proof.Reason)
}
