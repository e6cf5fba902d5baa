package keeper_test

import (
	"strings"
	"testing"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/keeper"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// A proof pays the work validators measured, not its bound; it must carry the
// bound first, and one block verifies at most max_verify_gas_per_block.

// outsideSpec is a view outside |c| <= 2 at max_iter 65535: its bound is huge
// (W × 65535 iterations) but a row runs no iteration at all.
const outsideSpec = `{"width":16,"height":8,"center_re":"3.5","center_im":"3.5","scale":"0.5","max_iter":2000}`

// proofSetup leases and claims the first task of a fresh mandelbrot job of spec
// for a device and returns the answer to its challenge and what bounds it.
type proofSetup struct {
	f              *fixture
	op             sdk.AccAddress
	job, task      uint64
	answer         proofAnswer
	bound, measure uint64
}

func newProofSetup(f *fixture, name, spec string, items uint64) *proofSetup {
	f.t.Helper()
	requester := addrOf(name + "-lab")
	f.fund(requester, 1_000_000_000)
	job := f.postJob(requester, "mandelbrot", spec, items, items, 1000)
	op := f.registerDevice(name)
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(op), JobId: job})
	wk := f.computeTask(op, job, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(op), JobId: job, TaskIndex: lease.TaskIndex, Root: wk.root()})
	f.advanceTo(claim.ChallengeHeight)
	a := wk.answer(f.challenge(job, lease.TaskIndex))
	parsed, err := f.k.Kinds().Parse("mandelbrot", []byte(spec), items)
	require.NoError(f.t, err)
	s := &proofSetup{f: f, op: op, job: job, task: lease.TaskIndex, answer: a}
	hash := keeper.ProofHashGas(a.items, a.nodes)
	s.bound, s.measure = parsed.MaxWorkPerItem()*uint64(len(a.items))+hash, hash
	for _, it := range a.items {
		w, err := parsed.VerifyOutput(kinds.Item{JobID: job, Index: it.Index}, it.Output)
		require.NoError(f.t, err)
		s.measure += w
	}
	return s
}

func (s *proofSetup) msg() *types.MsgSubmitProof { return s.answer.msg(s.f.str(s.op), s.job, s.task) }

// withGasLimit runs fn with a gas meter of limit, as a transaction's.
func withGasLimit(f *fixture, limit uint64, fn func()) uint64 {
	saved := f.ctx
	f.ctx = f.ctx.WithGasMeter(storetypes.NewGasMeter(limit))
	defer func() { f.ctx = saved }()
	fn()
	return f.ctx.GasMeter().GasConsumed()
}

func TestProofPaysMeasuredWork(t *testing.T) {
	t.Run("charges the measured work, far below the bound", func(t *testing.T) {
		f := newFixture(t)
		s := newProofSetup(f, "dev", outsideSpec, 8)
		require.Less(t, s.measure*100, s.bound, "the view outside the disc measures under 1%% of its bound")
		var res *types.MsgSubmitProofResponse
		// Exactly the bound plus the store's gas so far is enough gas left.
		used := withGasLimit(f, s.bound+1_000_000, func() { res = must(f, f.msgs.SubmitProof, s.msg()) })
		require.True(t, res.Accepted, res.Reason)
		require.GreaterOrEqual(t, used, s.measure)
		require.Less(t, used, s.measure+200_000, "store gas aside, the proof paid what was measured")
		task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(s.job, s.task))
		require.NoError(t, err)
		require.Equal(t, types.TASK_STATUS_VERIFIED, task.Status)
	})
	t.Run("refuses a tx without the bound's gas left and changes nothing", func(t *testing.T) {
		f := newFixture(t)
		s := newProofSetup(f, "dev", outsideSpec, 8)
		// Plenty for the measured work, not for the bound.
		withGasLimit(f, s.measure+500_000, func() {
			requireUnchanged(f, []sdk.AccAddress{s.op}, func() {
				require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, s.msg()), types.ErrInsufficientVerifyGas)
			})
		})
		// The same proof with the bound's gas is accepted in the window.
		var res *types.MsgSubmitProofResponse
		withGasLimit(f, s.bound+1_000_000, func() { res = must(f, f.msgs.SubmitProof, s.msg()) })
		require.True(t, res.Accepted, res.Reason)
	})
	t.Run("a simulation reports the bound, so clients sign for it", func(t *testing.T) {
		f := newFixture(t)
		s := newProofSetup(f, "dev", outsideSpec, 8)
		saved := f.ctx
		f.ctx = f.ctx.WithExecMode(sdk.ExecModeSimulate).WithGasMeter(storetypes.NewInfiniteGasMeter())
		before := f.ctx.GasMeter().GasConsumed()
		must(f, f.msgs.SubmitProof, s.msg())
		simulated := f.ctx.GasMeter().GasConsumed() - before
		f.ctx = saved
		require.GreaterOrEqual(t, simulated, s.bound)
	})
}

func TestBlockVerifyBudget(t *testing.T) {
	// Room for exactly one proof of the 4-sample, 4-item tasks at their bound.
	spec := `{"width":64,"height":4,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":1000}` // all in the set
	one := uint64(4) * (kinds.MandelbrotBaseWork + 64*(kinds.MandelbrotWorkPerPixel+1000*kinds.MandelbrotWorkPerIter))
	f := newFixture(t, func(p *types.Params) {
		p.ProofSamples = 4
		p.MaxVerifyGasPerItem = one / 4 // the rows' bound, exactly
		p.MaxVerifyGasPerBlock = 4*(one/4+types.VerifyHashReservePerItem) + 1
	})
	a := newProofSetup(f, "a", spec, 4)
	// Another view inside the set (a live job's duplicate would be refused).
	b := newProofSetup(f, "b", strings.Replace(spec, `"center_im":"0"`, `"center_im":"0.01"`, 1), 4)
	// Both challenges are ready now (b's was reached last); every pixel runs
	// max_iter, so each proof measures its bound.
	require.Equal(t, a.bound, a.measure)
	res := must(f, f.msgs.SubmitProof, a.msg())
	require.True(t, res.Accepted, res.Reason)
	// The second proof in the same block is over the budget: refused, nothing changes.
	requireUnchanged(f, []sdk.AccAddress{b.op}, func() {
		require.ErrorIs(t, sendMsg(f, f.msgs.SubmitProof, b.msg()), types.ErrBlockVerifyBudget)
	})
	// Next block the budget is whole again and the same proof is accepted.
	f.nextBlock()
	res = must(f, f.msgs.SubmitProof, b.msg())
	require.True(t, res.Accepted, res.Reason)
}
