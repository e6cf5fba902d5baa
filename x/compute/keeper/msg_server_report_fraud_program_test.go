package keeper_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// wasmFraudWorld is device a's proven task of a mixer job with per-item
// inputs, sampled one item a proof; with forge, a committed to wrong outputs
// for every item the proof did not sample (found in a throw-away branch, as
// verifyA does), so only a fraud report can catch them.
type wasmFraudWorld struct {
	*msgWorld
	wasmJob uint64
	task    uint64
	wk      *wasmWorker
	forged  []uint64
}

func newWasmFraudWorld(t *testing.T, forge bool) *wasmFraudWorld {
	return buildWasmFraud(newMsgWorld(newFixture(t, disputeParams)), forge)
}

func buildWasmFraud(w *msgWorld, forge bool) *wasmFraudWorld {
	return buildWasmFraudJob(w, forge, true)
}

func buildWasmFraudJob(w *msgWorld, forge, withInputs bool) *wasmFraudWorld {
	f := w.f
	t := f.t
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
	lease := must(f, f.msgs.LeaseTask, w.leaseMsg(w.a, job))
	wk := w.computeWasm(w.a, job, lease, inputs, nil)
	var forged []uint64
	if forge {
		g := f.branch(f.t)
		claim := must(g, g.msgs.SubmitClaim, w.claimMsg(w.a, job, lease.TaskIndex, wk.root()))
		g.advanceTo(claim.ChallengeHeight)
		sampled := g.challenge(job, lease.TaskIndex)
		unsampled := func(idx uint64) bool { return !slices.Contains(sampled, idx) }
		wk = w.computeWasm(w.a, job, lease, inputs, unsampled)
		for i := range lease.ItemCount {
			if unsampled(lease.FirstItem + i) {
				forged = append(forged, lease.FirstItem+i)
			}
		}
		require.NotEmpty(t, forged)
	}
	claim := must(f, f.msgs.SubmitClaim, w.claimMsg(w.a, job, lease.TaskIndex, wk.root()))
	f.advanceTo(claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.wasmProof(w.a, job, lease, wk))
	require.True(t, proof.Accepted, proof.Reason)
	return &wasmFraudWorld{msgWorld: w, wasmJob: job, task: lease.TaskIndex, wk: wk, forged: forged}
}

// fraudMsg reports item with the output a committed to, its input and the
// input's path against the job's input root.
func (w *wasmFraudWorld) fraudMsg(item uint64) *types.MsgReportFraud {
	a := w.wk.answer([]uint64{item})
	return &types.MsgReportFraud{Reporter: w.f.str(w.outsider), JobId: w.wasmJob, TaskIndex: w.task, Item: item,
		Output: a.items[0].Output, Proof: a.nodes, Input: a.items[0].Input, InputProof: a.inputNodes}
}

// TestMsgReportFraudWasmInputs: a forged output of a wasm job with inputs
// that sampling missed is proven by re-running the item on its input (checked
// against the input root), and the forger is slashed and jailed; an honest
// device cannot be framed by a report that re-runs its item on another input
// or none, and such reports change nothing.
func TestMsgReportFraudWasmInputs(t *testing.T) {
	t.Run("a forged item is proven on its input", func(t *testing.T) {
		w := newWasmFraudWorld(t, true)
		bond := w.device(w.a).Bond
		before := w.f.balance(w.outsider)
		res := must(w.f, w.f.msgs.ReportFraud, w.fraudMsg(w.forged[0]))
		require.True(t, res.Slashed.IsPositive())
		require.Equal(t, bond.Sub(res.Slashed), w.device(w.a).Bond)
		require.True(t, w.device(w.a).Jailed)
		require.Equal(t, before.Add(res.ReporterReward), w.f.balance(w.outsider), "the reporter profits")
		w.f.checkInvariant()
	})

	var w *wasmFraudWorld
	honest := func(mw *msgWorld) { w = buildWasmFraud(mw, false) }
	report := func(item uint64, edit func(m *types.MsgReportFraud)) func(*msgWorld) error {
		return func(*msgWorld) error {
			m := w.fraudMsg(item)
			if edit != nil {
				edit(m)
			}
			return sendMsg(w.f, w.f.msgs.ReportFraud, m)
		}
	}
	const item = 3
	cases := []msgCase{
		{name: "an honest item on its own input", prepare: honest, send: report(item, nil), err: types.ErrFraudNotProven},
		{name: "an honest item re-run on another input", prepare: honest, send: report(item, func(m *types.MsgReportFraud) { m.Input = []byte("another input") }), err: types.ErrInputMismatch},
		{name: "an honest item re-run on no input", prepare: honest, send: report(item, func(m *types.MsgReportFraud) { m.Input, m.InputProof = nil, nil }), err: types.ErrInvalidFraudProof},
		{name: "an input path of the wrong length", prepare: honest, send: report(item, func(m *types.MsgReportFraud) { m.InputProof = m.InputProof[1:] }), err: types.ErrInvalidFraudProof},
		{name: "an input over max_item_input_bytes", prepare: func(mw *msgWorld) {
			honest(mw)
			p := w.params()
			p.MaxItemInputBytes = item // item 3's input is 4 bytes
			require.NoError(t, w.f.k.Params.Set(w.f.ctx, p))
		}, send: report(item, nil), err: types.ErrInputTooLarge},
	}
	runMsgCases(t, cases, disputeParams)

	t.Run("a forged item of a wasm job without inputs is proven", func(t *testing.T) {
		w := buildWasmFraudJob(newMsgWorld(newFixture(t, disputeParams)), true, false)
		m := w.fraudMsg(w.forged[0])
		require.Empty(t, m.Input)
		res := must(w.f, w.f.msgs.ReportFraud, m)
		require.True(t, res.Slashed.IsPositive())
		require.True(t, w.device(w.a).Jailed)
		w.f.checkInvariant()
	})

	t.Run("a job without an input root takes no input", func(t *testing.T) {
		mw := newMsgWorld(newFixture(t, disputeParams))
		task, forged := mw.verifyA(true)
		m := mw.fraudMsg(task, forged[0])
		m.Input = []byte{1}
		requireUnchanged(mw.f, mw.accounts(), func() {
			require.ErrorIs(t, sendMsg(mw.f, mw.f.msgs.ReportFraud, m), types.ErrInvalidFraudProof)
		})
	})
}
