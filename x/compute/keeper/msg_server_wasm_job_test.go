package keeper_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"cosmossdk.io/math"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/simulation"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	wasmItems   = 16
	wasmPerTask = 8
	wasmFuel    = 200_000
)

// wasmJobSpec is the canonical spec of a mixer job (params [2]: 32+ rounds).
func wasmJobSpec(id [32]byte, root *[32]byte, edit func(*kinds.WasmSpec)) string {
	s := &kinds.WasmSpec{Program: id, Params: []byte{2}, FuelLimit: wasmFuel, MemoryPages: 1, MaxOutputBytes: 64}
	if root != nil {
		s.HasInputRoot, s.InputRoot, s.InputsURL = true, *root, "http://127.0.0.1:9/inputs"
	}
	if edit != nil {
		edit(s)
	}
	return string(s.Encode())
}

// wasmInputs are the per-item inputs of the input-root tests: item i's input
// is i+1 bytes, so fuel differs per item.
func wasmInputs() [][]byte {
	in := make([][]byte, wasmItems)
	for i := range in {
		in[i] = bytes.Repeat([]byte{byte(i)}, i+1)
	}
	return in
}

func (w *msgWorld) postWasm(spec string) uint64 {
	w.f.t.Helper()
	return w.f.postJob(w.requester, kinds.WasmKindName, spec, wasmItems, wasmPerTask, worldPrice)
}

// wasmWorker computes a wasm task as the worker does: the same spec, bound to
// the same code, on an engine of its own (so the keeper's cache is cold).
type wasmWorker struct {
	*worker
	inputs [][]byte
	itree  *merkle.Tree
}

func (w *msgWorld) computeWasm(op sdk.AccAddress, jobID uint64, lease *types.MsgLeaseTaskResponse, inputs [][]byte, fake func(uint64) bool) *wasmWorker {
	f := w.f
	f.t.Helper()
	job, err := f.k.Jobs.Get(f.ctx, jobID)
	require.NoError(f.t, err)
	spec, err := kinds.ParseWasmSpec([]byte(job.Spec), job.Items)
	require.NoError(f.t, err)
	code, err := f.q.ProgramCode(f.ctx, &types.QueryProgramCodeRequest{Id: hex.EncodeToString(spec.Program[:])})
	require.NoError(f.t, err)
	engine := program.NewEngine(program.EngineConfig{CacheEntries: 2})
	f.t.Cleanup(func() { _ = engine.Close() })
	prog := spec.Bind(code.Code, engine, w.params().GasPerKilofuel)
	wk := &wasmWorker{worker: &worker{f: f, op: op, first: lease.FirstItem}, inputs: inputs}
	for i := range lease.ItemCount {
		idx := lease.FirstItem + i
		var in []byte
		if inputs != nil {
			in = inputs[idx]
		}
		out, _, err := prog.ComputeOutput(kinds.Item{JobID: jobID, Index: idx, Input: in})
		require.NoError(f.t, err)
		if fake != nil && fake(idx) {
			out = append([]byte(nil), out...)
			out[len(out)-1] ^= 0xff
		}
		wk.outputs = append(wk.outputs, out)
	}
	wk.tree, err = merkle.TaskTree(jobID, lease.FirstItem, wk.outputs)
	require.NoError(f.t, err)
	if inputs != nil {
		wk.itree, err = merkle.InputTree(inputs)
		require.NoError(f.t, err)
	}
	return wk
}

// answer adds the inputs and their multi-proof to the output answer.
func (wk *wasmWorker) answer(indices []uint64) proofAnswer {
	a := wk.worker.answer(indices)
	if wk.itree != nil {
		for i, idx := range indices {
			a.items[i].Input = wk.inputs[idx]
		}
		var err error
		a.inputNodes, err = wk.itree.MultiProofBytes(indices)
		require.NoError(wk.f.t, err)
	}
	return a
}

// claimWasm leases, computes and claims a task of a wasm job for op and
// advances to its challenge.
func (w *msgWorld) claimWasm(op sdk.AccAddress, jobID uint64, inputs [][]byte, fake func(uint64) bool) (*types.MsgLeaseTaskResponse, *wasmWorker) {
	w.f.t.Helper()
	lease := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(op, jobID))
	wk := w.computeWasm(op, jobID, lease, inputs, fake)
	claim := must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(op, jobID, lease.TaskIndex, wk.root()))
	w.f.advanceTo(claim.ChallengeHeight)
	return lease, wk
}

func (w *msgWorld) wasmProof(op sdk.AccAddress, jobID uint64, lease *types.MsgLeaseTaskResponse, wk *wasmWorker) *types.MsgSubmitProof {
	return wk.answer(w.f.challenge(jobID, lease.TaskIndex)).msg(w.f.str(op), jobID, lease.TaskIndex)
}

// TestWasmJobIsPaidForMeasuredWork: an honest device is paid, and the task is
// credited the sampled items' mean measured work × its items: never a
// declared figure, and less than the fuel limit allows.
func TestWasmJobIsPaidForMeasuredWork(t *testing.T) {
	for _, withInputs := range []bool{false, true} {
		t.Run(fmt.Sprintf("inputs=%v", withInputs), func(t *testing.T) {
			w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = 4 }))
			id := w.storeMixer()
			var inputs [][]byte
			var root *[32]byte
			if withInputs {
				inputs = wasmInputs()
				r, err := merkle.InputRoot(inputs)
				require.NoError(t, err)
				root = &r
			}
			job := w.postWasm(wasmJobSpec(id, root, nil))
			lease, wk := w.claimWasm(w.a, job, inputs, nil)
			before := w.f.balance(w.a)
			res, em := mustEvents(w.f, w.f.msgs.SubmitProof, w.wasmProof(w.a, job, lease, wk))
			require.True(t, res.Accepted, res.Reason)
			require.True(t, w.f.balance(w.a).GT(before))

			// The credit is the sample's mean work × items, recomputed here from
			// the program's own fuel.
			engine := program.NewEngine(program.EngineConfig{})
			defer func() { _ = engine.Close() }()
			spec, err := kinds.ParseWasmSpec([]byte(w.jobState(job).Spec), wasmItems)
			require.NoError(t, err)
			prog := spec.Bind(mixerCode(), engine, w.params().GasPerKilofuel)
			var work uint64
			indices := w.f.challenge(job, lease.TaskIndex)
			for _, idx := range indices {
				var in []byte
				if inputs != nil {
					in = inputs[idx]
				}
				_, wu, err := prog.ComputeOutput(kinds.Item{JobID: job, Index: idx, Input: in})
				require.NoError(t, err)
				require.Positive(t, wu)
				work += wu
			}
			want := math.NewIntFromUint64(work * lease.ItemCount / uint64(len(indices)))
			got := eventsOf[*types.EventProofAccepted](em)
			require.Len(t, got, 1)
			require.Equal(t, want, got[0].WorkUnits)
			require.True(t, want.LT(math.NewIntFromUint64(prog.MaxWorkPerItem()*lease.ItemCount)), "credited below the fuel limit's worst case")
			require.Equal(t, want, w.device(w.a).WorkUnits)
		})
	}
}

// TestWasmCheaterIsSlashed: a device that fakes one output of a wasm task
// (to skip the work) is slashed more than the task pays, and is not paid.
func TestWasmCheaterIsSlashed(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = wasmPerTask }))
	id := w.storeMixer()
	job := w.postWasm(wasmJobSpec(id, nil, nil))
	lease, wk := w.claimWasm(w.a, job, nil, func(idx uint64) bool { return idx == 3 })
	before := w.f.balance(w.a)
	bondBefore := w.device(w.a).Bond
	res := must(w.f, w.f.msgs.SubmitProof, w.wasmProof(w.a, job, lease, wk))
	require.False(t, res.Accepted)
	require.Contains(t, res.Reason, "item 3")
	require.Equal(t, before, w.f.balance(w.a), "not paid")
	require.True(t, res.Slashed.GTE(math.NewInt(worldPrice*wasmPerTask)), "slash %s covers the task's reward", res.Slashed)
	require.Equal(t, bondBefore.Sub(res.Slashed), w.device(w.a).Bond)
}

// TestWasmProofGasIsTheSameWarmOrCold: the gas of a proof depends on the
// work measured, not on whether this node had the program compiled.
func TestWasmProofGasIsTheSameWarmOrCold(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = 4 }))
	id := w.storeMixer()
	job := w.postWasm(wasmJobSpec(id, nil, nil))
	lease, wk := w.claimWasm(w.a, job, nil, nil)
	msg := w.wasmProof(w.a, job, lease, wk)
	run := func() uint64 {
		cache, _ := w.f.ctx.CacheContext()
		meter := storetypes.NewGasMeter(10_000_000)
		res, err := w.f.msgs.SubmitProof(cache.WithGasMeter(meter), msg)
		require.NoError(t, err)
		require.True(t, res.Accepted, res.Reason)
		return meter.GasConsumed()
	}
	// The keeper's engine has never run the program (storing validates it
	// without compiling), so the first run compiles it and the second finds it
	// cached.
	cold := run()
	require.Positive(t, cold)
	require.Equal(t, cold, run(), "warm gas equals cold gas")
}

// TestWasmProofNeedsGasForTheFuelLimit: a proof sent with gas for less than
// every sampled item at the fuel limit is refused before any program runs, so
// nothing changes and the claim still stands.
func TestWasmProofNeedsGasForTheFuelLimit(t *testing.T) {
	w := newMsgWorld(newFixture(t, func(p *types.Params) { p.ProofSamples = 4 }))
	id := w.storeMixer()
	job := w.postWasm(wasmJobSpec(id, nil, nil))
	lease, wk := w.claimWasm(w.a, job, nil, nil)
	msg := w.wasmProof(w.a, job, lease, wk)
	requireUnchanged(w.f, w.accounts(), func() {
		cache, _ := w.f.ctx.CacheContext()
		_, err := w.f.msgs.SubmitProof(cache.WithGasMeter(storetypes.NewGasMeter(4*kinds.WasmItemWork(wasmFuel, w.params().GasPerKilofuel)/2)), msg)
		require.ErrorIs(t, err, types.ErrInsufficientVerifyGas)
	})
	require.Equal(t, types.TASK_STATUS_CLAIMED, w.task(job, lease.TaskIndex).Status)
}

func mixerCode() []byte { return simulation.MixerProgram }

// TestMsgPostWasmJobRefuses: each refused wasm job is a registered error and
// changes nothing.
func TestMsgPostWasmJobRefuses(t *testing.T) {
	mixer := sha256Of(simulation.MixerProgram)
	post := func(name string, err error, spec func() string, tweak func(*types.Params)) msgCase {
		return msgCase{name: name, err: err, tweak: tweak,
			prepare: func(w *msgWorld) { w.storeMixer() },
			send: func(w *msgWorld) error {
				return sendMsg(w.f, w.f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) {
					m.Kind, m.Spec, m.Items, m.ItemsPerTask = kinds.WasmKindName, spec(), wasmItems, wasmPerTask
				}))
			}}
	}
	spec := func(edit func(*kinds.WasmSpec)) func() string {
		return func() string { return wasmJobSpec(mixer, nil, edit) }
	}
	cases := []msgCase{
		post("unknown program", types.ErrProgramNotFound, spec(func(s *kinds.WasmSpec) { s.Program[0] ^= 1 }), nil),
		post("fuel limit over max_fuel_per_item", types.ErrFuelLimitTooHigh, spec(func(s *kinds.WasmSpec) { s.FuelLimit = 1_000_001 }),
			func(p *types.Params) { p.MaxFuelPerItem = 1_000_000 }),
		post("memory over max_program_memory_pages", types.ErrProgramMemoryTooLarge, spec(func(s *kinds.WasmSpec) { s.MemoryPages = 17 }),
			func(p *types.Params) { p.MaxProgramMemoryPages = 16 }),
		post("output over max_item_output_bytes", types.ErrOutputTooLarge, spec(func(s *kinds.WasmSpec) { s.MaxOutputBytes = 1025 }),
			func(p *types.Params) { p.MaxItemOutputBytes = 1024 }),
		// the instance's work plus one unit per fuel: 285,001 fuel is 300,001 units
		post("fuel limit too costly to verify", types.ErrVerificationTooCostly, spec(func(s *kinds.WasmSpec) { s.FuelLimit = 300_001 - kinds.WasmInstanceWork }),
			func(p *types.Params) { p.MaxVerifyGasPerItem, p.GasPerKilofuel = 300_000, 1000 }),
		post("non-canonical spec", types.ErrInvalidSpec, func() string {
			return `{"params":"02","program":"` + hex.EncodeToString(mixer[:]) + `","fuel_limit":1000,"memory_pages":1,"max_output_bytes":64,"input_root":"","inputs_url":""}`
		}, nil),
	}
	runMsgCases(t, cases)
}

// TestMsgSubmitWasmProofRefuses: a wasm proof with bad inputs or oversized
// outputs is a registered error and changes nothing; the claim still stands.
func TestMsgSubmitWasmProofRefuses(t *testing.T) {
	inputs := wasmInputs()
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	type setup struct {
		lease *types.MsgLeaseTaskResponse
		msg   *types.MsgSubmitProof
	}
	ready := func(w *msgWorld, withRoot bool) setup {
		id := w.storeMixer()
		var r *[32]byte
		var in [][]byte
		if withRoot {
			r, in = &root, inputs
		}
		job := w.postWasm(wasmJobSpec(id, r, nil))
		lease, wk := w.claimWasm(w.a, job, in, nil)
		return setup{lease: lease, msg: w.wasmProof(w.a, job, lease, wk)}
	}
	var s setup
	proof := func(name string, err error, withRoot bool, edit func(*types.MsgSubmitProof)) msgCase {
		return msgCase{name: name, err: err,
			tweak:   func(p *types.Params) { p.ProofSamples = 2; p.MaxItemInputBytes = 64 },
			prepare: func(w *msgWorld) { s = ready(w, withRoot) },
			send: func(w *msgWorld) error {
				edit(s.msg)
				return sendMsg(w.f, w.f.msgs.SubmitProof, s.msg)
			}}
	}
	cases := []msgCase{
		proof("input not matching the input root", types.ErrInputMismatch, true, func(m *types.MsgSubmitProof) {
			m.Items[0].Input = append([]byte{0xee}, m.Items[0].Input[1:]...)
		}),
		proof("input node not matching", types.ErrInputMismatch, true, func(m *types.MsgSubmitProof) { m.InputNodes[0][0] ^= 1 }),
		proof("missing input nodes", types.ErrInvalidChallengeAnswer, true, func(m *types.MsgSubmitProof) { m.InputNodes = nil }),
		proof("input over max_item_input_bytes", types.ErrInputTooLarge, true, func(m *types.MsgSubmitProof) {
			m.Items[0].Input = make([]byte, 65)
		}),
		proof("input for a job without an input root", types.ErrInvalidChallengeAnswer, false, func(m *types.MsgSubmitProof) {
			m.Items[0].Input = []byte{1}
		}),
		proof("output over the job's max_output_bytes", types.ErrOutputTooLarge, false, func(m *types.MsgSubmitProof) {
			m.Items[0].Output = make([]byte, 66)
		}),
	}
	runMsgCases(t, cases)
}

// TestInputsOnBuiltInKindProofRefused: a hashcash proof carrying inputs is
// malformed (built-in kinds take none).
func TestInputsOnBuiltInKindProofRefused(t *testing.T) {
	w := newMsgWorld(newFixture(t))
	w.challengeReady()
	a := w.answer()
	a.items[0].Input = []byte{1}
	requireUnchanged(w.f, w.accounts(), func() {
		require.ErrorIs(t, sendMsg(w.f, w.f.msgs.SubmitProof, w.proofMsg(w.a, w.job, w.lease.TaskIndex, a)), types.ErrInvalidChallengeAnswer)
	})
}

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }
