package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/pkg/workerclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeQuery is a chain node holding programs; a lying node answers code[id]
// for an id that code does not hash to.
type fakeQuery struct {
	types.QueryClient
	mu    sync.Mutex
	code  map[[32]byte][]byte
	calls int
}

func (q *fakeQuery) Params(context.Context, *types.QueryParamsRequest, ...grpc.CallOption) (*types.QueryParamsResponse, error) {
	p := types.DefaultParams()
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q *fakeQuery) ProgramCode(_ context.Context, req *types.QueryProgramCodeRequest, _ ...grpc.CallOption) (*types.QueryProgramCodeResponse, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	for id, code := range q.code {
		if hexID(id) == req.Id {
			return &types.QueryProgramCodeResponse{Code: code}, nil
		}
	}
	return nil, status.Error(codes.NotFound, "no program")
}

func hexID(id [32]byte) string { return hex.EncodeToString(id[:]) }

// fakeTx records what the worker sends and answers a release.
type fakeTx struct{ sent []sdk.Msg }

func (f *fakeTx) Address() string { return sdk.AccAddress("device-operator-addr").String() }

func (f *fakeTx) Submit(_ context.Context, msgs ...proto.Message) (*workerclient.Result, error) {
	f.sent = append(f.sent, msgs...)
	if _, ok := msgs[0].(*types.MsgReleaseTask); ok {
		return &workerclient.Result{Responses: []proto.Message{&types.MsgReleaseTaskResponse{Charged: math.NewInt(5), BarredUntil: 40}}}, nil
	}
	return nil, status.Error(codes.Unimplemented, "not faked")
}

func newPrograms(t *testing.T, q *fakeQuery, budget int64) *Programs {
	cache, err := OpenProgramCache(filepath.Join(t.TempDir(), "programs"), budget)
	require.NoError(t, err)
	p := NewPrograms(q, cache)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestProgramCodeIsCheckedAndCached: code is fetched once, kept on disk and
// re-checked on load; a node answering code of another hash is refused and
// nothing of it is kept.
func TestProgramCodeIsCheckedAndCached(t *testing.T) {
	id := sha256.Sum256(proth.Wasm)
	liar := sha256.Sum256([]byte("the program the requester stored"))
	q := &fakeQuery{code: map[[32]byte][]byte{id: proth.Wasm, liar: proth.Wasm}}
	p := newPrograms(t, q, 0)
	ctx := context.Background()

	code, err := p.Code(ctx, id)
	require.NoError(t, err)
	require.Equal(t, proth.Wasm, code)
	_, err = p.Code(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, q.calls, "the second load is from disk")

	_, err = p.Code(ctx, liar)
	require.ErrorIs(t, err, ErrProgramHash)
	_, ok := p.cache.Load(liar)
	require.False(t, ok, "refused code is not cached")

	// A corrupted file on disk is dropped and fetched again.
	require.NoError(t, os.WriteFile(p.cache.path(id), append([]byte{0}, proth.Wasm...), 0o600))
	code, err = p.Code(ctx, id)
	require.NoError(t, err)
	require.Equal(t, proth.Wasm, code)
	require.Equal(t, 3, q.calls)

	_, err = p.Code(ctx, sha256.Sum256([]byte("never stored")))
	require.ErrorContains(t, err, "not stored on chain")
}

// TestProgramCacheEvictsLeastRecentlyUsed: beyond its budget the cache drops
// the program used longest ago, never the one just saved.
func TestProgramCacheEvictsLeastRecentlyUsed(t *testing.T) {
	cache, err := OpenProgramCache(t.TempDir(), 2500)
	require.NoError(t, err)
	prog := func(b byte) ([32]byte, []byte) {
		code := make([]byte, 1000)
		code[0] = b
		return sha256.Sum256(code), code
	}
	a, codeA := prog('a')
	b, codeB := prog('b')
	c, codeC := prog('c')
	require.NoError(t, cache.Save(a, codeA))
	require.NoError(t, cache.Save(b, codeB))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(cache.path(a), old, old))
	require.NoError(t, os.Chtimes(cache.path(b), old.Add(time.Minute), old.Add(time.Minute)))
	_, ok := cache.Load(a) // a is used again: b is now the oldest
	require.True(t, ok)
	require.NoError(t, cache.Save(c, codeC))
	_, ok = cache.Load(b)
	require.False(t, ok, "b evicted")
	for _, id := range [][32]byte{a, c} {
		_, ok = cache.Load(id)
		require.True(t, ok)
	}
	// A budget below one program still keeps the program just saved.
	small, err := OpenProgramCache(t.TempDir(), 10)
	require.NoError(t, err)
	require.NoError(t, small.Save(a, codeA))
	_, ok = small.Load(a)
	require.True(t, ok)
}

// tilesJob is a tiles (edges) job over the sample image's 64×64 tiles with
// its inputs served by the shared programinputs handler.
type tilesJob struct {
	spec   *kinds.WasmSpec
	inputs [][]byte
	url    string
}

func newTilesJob(t *testing.T, served [][]byte) tilesJob {
	f, err := os.Open("../examples/tiles/testdata/sample.png")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	require.NoError(t, err)
	_, inputs, err := tiles.Split(img, 64)
	require.NoError(t, err)
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	if served == nil {
		served = inputs
	}
	srv, err := programinputs.NewServer(served)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	ws := &kinds.WasmSpec{
		Program: sha256.Sum256(tiles.Wasm), Params: tiles.Params{Filter: tiles.Edges}.Encode(),
		FuelLimit: 5_000_000, MemoryPages: 16, MaxOutputBytes: 16384,
		HasInputRoot: true, InputRoot: root, InputsURL: hs.URL + "/inputs",
	}
	parsed, err := kinds.ParseWasmSpec(ws.Encode(), uint64(len(inputs)))
	require.NoError(t, err)
	return tilesJob{spec: parsed, inputs: inputs, url: ws.InputsURL}
}

func wasmRig(t *testing.T, q *fakeQuery) (*Worker, *fakeTx, []Event) {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tx := &fakeTx{}
	var events []Event
	w := New(Config{Client: tx, Query: q, Store: store, Pool: NewPool(ctx, 2, &Policy{Now: time.Now}), Kinds: kinds.DefaultRegistry(),
		Programs: newPrograms(t, q, 0), Poll: time.Millisecond, Report: func(e Event) { events = append(events, e) }})
	return w, tx, events
}

// TestWasmTaskWithInputsComputesAndProves: the worker fetches the leased
// items' inputs, checks them, computes on the pool what a local engine run
// gives, and its proof's inputs and input_nodes verify against the root as
// the keeper checks them.
func TestWasmTaskWithInputsComputesAndProves(t *testing.T) {
	job := newTilesJob(t, nil)
	q := &fakeQuery{code: map[[32]byte][]byte{job.spec.Program: tiles.Wasm}}
	w, tx, _ := wasmRig(t, q)
	task := &TaskState{JobID: 4, TaskIndex: 1, FirstItem: 4, ItemCount: 4, Kind: kinds.WasmKindName,
		Spec: string(job.spec.Encode()), Items: job.spec.Items(), Stage: StageLeased}
	require.NoError(t, w.cfg.Store.Save(task))
	ctx := context.Background()
	require.NoError(t, w.computeOrRelease(ctx, task))
	require.Empty(t, tx.sent)
	require.Equal(t, StageComputed, task.Stage)
	require.NotEmpty(t, task.InputsSHA256)

	outputs, err := w.cfg.Store.LoadOutputs(task)
	require.NoError(t, err)
	engine := program.NewEngine(program.EngineConfig{})
	defer func() { _ = engine.Close() }()
	for i, out := range outputs {
		item := task.FirstItem + uint64(i)
		want, err := engine.Run(ctx, tiles.Wasm, program.Call{JobID: 4, Item: item, Params: job.spec.Params, Input: job.inputs[item],
			FuelLimit: job.spec.FuelLimit, MemoryPages: job.spec.MemoryPages, MaxOutputBytes: job.spec.MaxOutputBytes})
		require.NoError(t, err)
		require.Equal(t, want.Output, out, "item %d", item)
		require.Equal(t, byte(0), out[0], "item %d computed, not trapped", item)
	}

	// The proof of sampled items 5 and 7, from the stored inputs and paths.
	items := []types.ChallengeItem{{Index: 5, Output: outputs[1]}, {Index: 7, Output: outputs[3]}}
	nodes, err := w.proofInputs(ctx, task, items)
	require.NoError(t, err)
	path := make([][32]byte, len(nodes))
	for i := range nodes {
		path[i] = [32]byte(nodes[i])
	}
	leaves := [][32]byte{merkle.InputLeafHash(5, items[0].Input), merkle.InputLeafHash(7, items[1].Input)}
	require.NoError(t, merkle.VerifyMultiProof(job.spec.InputRoot, []uint64{5, 7}, leaves, job.spec.Items(), path))
	bound := job.spec.Bind(tiles.Wasm, engine, 1)
	for _, it := range items {
		_, err := bound.VerifyOutput(kinds.Item{JobID: 4, Index: it.Index, Input: it.Input}, it.Output)
		require.NoError(t, err, "validators re-running item %d with its input agree", it.Index)
	}
	require.Greater(t, w.cfg.Programs.stat(job.spec.Program).items.Load(), uint64(0), "fuel measured for the ranking")

	// Settled: outputs and inputs go.
	require.NoError(t, w.cfg.Store.DropOutputs(task))
	_, err = w.cfg.Store.LoadInputs(task)
	require.ErrorIs(t, err, ErrCorrupt)
}

// TestInputMismatchIsReleasedNotClaimed: a server whose tile differs from
// the dataset the job committed to makes the worker release the lease (a
// small charge) instead of claiming outputs it cannot prove; it says why.
func TestInputMismatchIsReleasedNotClaimed(t *testing.T) {
	honest := newTilesJob(t, nil)
	tampered := make([][]byte, len(honest.inputs))
	copy(tampered, honest.inputs)
	tampered[5] = append([]byte(nil), honest.inputs[5]...)
	tampered[5][len(tampered[5])-1] ^= 1
	job := newTilesJob(t, tampered)
	q := &fakeQuery{code: map[[32]byte][]byte{job.spec.Program: tiles.Wasm}}
	w, tx, _ := wasmRig(t, q)
	var events []Event
	w.cfg.Report = func(e Event) { events = append(events, e) }
	task := &TaskState{JobID: 4, TaskIndex: 1, FirstItem: 4, ItemCount: 4, Kind: kinds.WasmKindName,
		Spec: string(job.spec.Encode()), Items: job.spec.Items(), Stage: StageLeased}
	require.NoError(t, w.computeOrRelease(context.Background(), task))
	require.Len(t, tx.sent, 1)
	require.IsType(t, &types.MsgReleaseTask{}, tx.sent[0], "released, never claimed")
	require.Equal(t, StageReleased, task.Stage)
	require.Contains(t, task.Note, "does not match the job's input root")
	require.Equal(t, 1, w.Stats().TasksReleased)
	require.Equal(t, SkipInputs, w.leaseSkips[4].Reason, "the job is not leased again: each release is charged")
	r := Ranking{Offers: []Offer{{JobID: 4}, {JobID: 5}}}
	w.noteSkips(&r)
	require.Equal(t, []uint64{5}, ids(r.Offers))
	last := events[len(events)-1]
	require.Equal(t, "released", last.Kind)
	require.Contains(t, last.Message, "does not match the job's input root")

	// A program whose code the node cannot give is released the same way.
	w2, tx2, _ := wasmRig(t, &fakeQuery{code: map[[32]byte][]byte{}})
	task2 := *task
	task2.Stage, task2.Note, task2.InputsSHA256 = StageLeased, "", ""
	task2.Spec = string(newProthSpec(t).Encode())
	task2.Items = 100
	require.NoError(t, w2.computeOrRelease(context.Background(), &task2))
	require.Len(t, tx2.sent, 1)
	require.Equal(t, StageReleased, task2.Stage)
	require.Contains(t, task2.Note, "not stored on chain")
	require.Equal(t, SkipProgram, w2.leaseSkips[4].Reason)
}

func newProthSpec(t *testing.T) *kinds.WasmSpec {
	ws := &kinds.WasmSpec{Program: sha256.Sum256(proth.Wasm), Params: proth.Params{N: 127, KStart: 3, KPerItem: 4}.Encode(),
		FuelLimit: 2_000_000, MemoryPages: 16, MaxOutputBytes: 1024}
	parsed, err := kinds.ParseWasmSpec(ws.Encode(), 100)
	require.NoError(t, err)
	return parsed
}
