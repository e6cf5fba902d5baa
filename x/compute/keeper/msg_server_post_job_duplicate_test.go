package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// dupSpec is the mandelbrot view the duplicate tests post: 8 rows, 2 tasks.
var dupSpec = mandelbrotSpec(16, 8, 50)

const dupItems, dupPerTask = 8, 4

// respelledDupSpec is dupSpec spelled another way: fields reordered,
// whitespace, trailing zeros, a negative zero and a scale that rounds to the
// same pixel size. It parses to the same view, so it computes the same rows.
const respelledDupSpec = `{ "max_iter": 50, "scale": "3.000000000000000001", "center_im": "-0",
	"center_re": "-0.50", "height": 8, "width": 16 }`

func (w *msgWorld) postDup(spec string) uint64 {
	w.f.t.Helper()
	return w.f.postJob(w.requester, "mandelbrot", spec, dupItems, dupPerTask, worldPrice)
}

func (w *msgWorld) postDupMsg(spec string) *types.MsgPostJob {
	return w.postJobMsg(func(m *types.MsgPostJob) {
		m.Kind, m.Spec, m.Items, m.ItemsPerTask = "mandelbrot", spec, dupItems, dupPerTask
	})
}

// replayHolder is the job the replay index names for a job of kind and spec.
func replayHolder(f *fixture, kind, spec string, items uint64) (uint64, bool) {
	f.t.Helper()
	key, err := f.k.Jobs.Indexes.Replay.ReplayKey(kind, []byte(spec), items)
	require.NoError(f.t, err)
	require.NotNil(f.t, key, "kind %s has a replay key", kind)
	id, found, err := f.k.Jobs.Indexes.Replay.Holder(f.ctx, key)
	require.NoError(f.t, err)
	return id, found
}

// TestMsgPostJobRefusesDuplicates: a job computing the same outputs as a live
// job is refused with ErrDuplicateJob naming that job, and changes nothing
// (no fee, no escrow, no job id taken).
func TestMsgPostJobRefusesDuplicates(t *testing.T) {
	dup := func(name string, prepare func(w *msgWorld), send func(w *msgWorld) error) msgCase {
		return msgCase{name: name, err: types.ErrDuplicateJob, prepare: prepare, send: send}
	}
	postOpen := func(w *msgWorld) { w.postDup(dupSpec) }
	sendSpec := func(spec string) func(w *msgWorld) error {
		return func(w *msgWorld) error { return sendMsg(w.f, w.f.msgs.PostJob, w.postDupMsg(spec)) }
	}
	mixerPost := func(edit func(*kinds.WasmSpec)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			root := sha256Of([]byte("inputs"))
			return sendMsg(w.f, w.f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) {
				m.Kind, m.Spec, m.Items, m.ItemsPerTask = kinds.WasmKindName, wasmJobSpec(sha256Of(mixerCode()), &root, edit), wasmItems, wasmPerTask
			}))
		}
	}
	postMixer := func(w *msgWorld) {
		root := sha256Of([]byte("inputs"))
		w.storeMixer()
		w.postWasm(wasmJobSpec(sha256Of(mixerCode()), &root, nil))
	}
	cases := []msgCase{
		dup("identical mandelbrot job open", postOpen, sendSpec(dupSpec)),
		dup("the same view spelled another way", postOpen, sendSpec(respelledDupSpec)),
		dup("another requester, the same view", func(w *msgWorld) {
			postOpen(w)
			w.f.fund(addrOf("other-lab"), worldFunds)
			w.extra = append(w.extra, addrOf("other-lab"))
		}, func(w *msgWorld) error {
			m := w.postDupMsg(dupSpec)
			m.Requester = w.f.str(addrOf("other-lab"))
			return sendMsg(w.f, w.f.msgs.PostJob, m)
		}),
		dup("cancelled job with a task still leased", func(w *msgWorld) {
			job := w.postDup(dupSpec)
			must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, job))
			must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: job})
		}, sendSpec(dupSpec)),
		dup("expired job with a task still claimed", func(w *msgWorld) {
			res := must(w.f, w.f.msgs.PostJob, w.postDupMsg(dupSpec)) // deadline 100 blocks
			lease := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, res.JobId))
			wk := w.f.computeTask(w.a, res.JobId, lease, nil)
			must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, res.JobId, lease.TaskIndex, wk.root()))
			w.f.advanceTo(w.jobState(res.JobId).DeadlineHeight + 1)
			require.Equal(w.f.t, types.JOB_STATUS_EXPIRED, w.jobState(res.JobId).Status)
		}, sendSpec(dupSpec)),
		dup("identical wasm job", postMixer, mixerPost(nil)),
		dup("wasm job differing only in its limits", postMixer, mixerPost(func(s *kinds.WasmSpec) {
			s.FuelLimit, s.MemoryPages, s.MaxOutputBytes = wasmFuel+1, 2, 65
		})),
		dup("wasm job differing only in its inputs_url", postMixer, mixerPost(func(s *kinds.WasmSpec) {
			s.InputsURL = "https://elsewhere.example.org/inputs"
		})),
	}
	runMsgCases(t, cases)

	// The error names the live job.
	w := newMsgWorld(newFixture(t))
	job := w.postDup(dupSpec)
	err := sendMsg(w.f, w.f.msgs.PostJob, w.postDupMsg(respelledDupSpec))
	require.ErrorIs(t, err, types.ErrDuplicateJob)
	require.Contains(t, err.Error(), fmt.Sprintf("job %d is identical", job))
}

// TestPostJobAfterTheDuplicateCloses: what is not a duplicate posts, and a
// spec may be posted again once its job is closed with every task settled
// (cancelled, completed or expired), never while a task of it is live.
func TestPostJobAfterTheDuplicateCloses(t *testing.T) {
	t.Run("hashcash outputs are bound to the job, so identical jobs post", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		second := w.f.postJob(w.requester, "hashcash", worldSpec, worldItems, worldPerTask, worldPrice)
		require.NotEqual(t, w.job, second)
		key, err := w.f.k.Jobs.Indexes.Replay.ReplayKey("hashcash", []byte(worldSpec), worldItems)
		require.NoError(t, err)
		require.Nil(t, key)
		w.f.checkAll()
	})
	t.Run("a different view posts", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		a, b := w.postDup(dupSpec), w.postDup(mandelbrotSpec(16, 8, 51))
		id, found := replayHolder(w.f, "mandelbrot", dupSpec, dupItems)
		require.True(t, found)
		require.Equal(t, a, id)
		id, _ = replayHolder(w.f, "mandelbrot", mandelbrotSpec(16, 8, 51), dupItems)
		require.Equal(t, b, id)
		w.f.checkAll()
	})
	t.Run("cancel then post again", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		first := w.postDup(dupSpec)
		must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: first})
		_, found := replayHolder(w.f, "mandelbrot", dupSpec, dupItems)
		require.False(t, found, "a cancelled job with no live task holds nothing")
		again := w.postDup(respelledDupSpec)
		id, _ := replayHolder(w.f, "mandelbrot", dupSpec, dupItems)
		require.Equal(t, again, id)
		w.f.checkAll()
	})
	t.Run("a cancelled job's live task settles, then post again", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		first := w.postDup(dupSpec)
		lease := must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, first))
		wk := w.f.computeTask(w.a, first, lease, nil)
		claim := must(w.f, w.f.msgs.SubmitClaim, w.claimMsg(w.a, first, lease.TaskIndex, wk.root()))
		must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: first})
		require.ErrorIs(t, sendMsg(w.f, w.f.msgs.PostJob, w.postDupMsg(dupSpec)), types.ErrDuplicateJob)
		w.f.advanceTo(claim.ChallengeHeight)
		res := must(w.f, w.f.msgs.SubmitProof, wk.answer(w.f.challenge(first, lease.TaskIndex)).msg(w.f.str(w.a), first, lease.TaskIndex))
		require.True(t, res.Accepted, res.Reason)
		w.postDup(dupSpec)
		w.f.checkAll()
	})
	t.Run("complete then post again", func(t *testing.T) {
		w := newMsgWorld(newFixture(t))
		first := w.postDup(dupSpec)
		w.f.runTask(w.a, first, nil)
		w.f.runTask(w.b, first, nil)
		require.Equal(t, types.JOB_STATUS_COMPLETED, w.jobState(first).Status)
		w.postDup(dupSpec)
		w.f.checkAll()
	})
	t.Run("expire then post again, and the pruned summary holds nothing", func(t *testing.T) {
		w := newMsgWorld(newFixture(t, func(p *types.Params) { p.TaskRetentionBlocks = 5 }))
		res := must(w.f, w.f.msgs.PostJob, w.postDupMsg(dupSpec))
		must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, res.JobId)) // lapses: nothing live, nothing disputable
		w.f.advanceTo(w.jobState(res.JobId).DeadlineHeight + 1)
		require.Equal(t, types.JOB_STATUS_EXPIRED, w.jobState(res.JobId).Status)
		w.f.advanceTo(w.jobState(res.JobId).PruneHeight + 1)
		require.Empty(t, w.jobState(res.JobId).Spec, "pruned to its summary")
		w.postDup(dupSpec)
		w.f.checkAll()
	})
}

// TestGenesisRebuildsTheReplayIndex: the index is not in genesis; import
// rebuilds it from the jobs, and the imported chain refuses the duplicate.
func TestGenesisRebuildsTheReplayIndex(t *testing.T) {
	w := newMsgWorld(newFixture(t))
	open := w.postDup(dupSpec)
	closing := w.postDup(mandelbrotSpec(16, 8, 60))
	must(w.f, w.f.msgs.LeaseTask, w.leaseMsg(w.a, closing))
	must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: closing})
	cancelled := w.postDup(mandelbrotSpec(16, 8, 70))
	must(w.f, w.f.msgs.CancelJob, &types.MsgCancelJob{Requester: w.f.str(w.requester), JobId: cancelled})

	exported, err := w.f.k.ExportGenesis(w.f.ctx)
	require.NoError(t, err)
	g := newFixtureWithGenesis(t, exported)
	for spec, want := range map[string]uint64{dupSpec: open, mandelbrotSpec(16, 8, 60): closing} {
		id, found := replayHolder(g, "mandelbrot", spec, dupItems)
		require.True(t, found, spec)
		require.Equal(t, want, id, spec)
	}
	_, found := replayHolder(g, "mandelbrot", mandelbrotSpec(16, 8, 70), dupItems)
	require.False(t, found)
	entries := 0
	require.NoError(t, g.k.Jobs.Indexes.Replay.Holders.Walk(g.ctx, nil, func([]byte, uint64) (bool, error) { entries++; return false, nil }))
	require.Equal(t, 2, entries)
	require.NoError(t, g.k.CheckReplayIndexInvariant(g.ctx))
	// g has no bank balances for the module, so post without the escrow check;
	// the refusal comes before any coin moves.
	_, err = g.msgs.PostJob(g.ctx, w.postDupMsg(respelledDupSpec))
	require.ErrorIs(t, err, types.ErrDuplicateJob)

	// A genesis with two live jobs of one view does not import.
	bad := *exported
	bad.Jobs = append([]types.Job{}, exported.Jobs...)
	twin := bad.Jobs[open-1]
	twin.Id = exported.NextJobId
	bad.Jobs = append(bad.Jobs, twin)
	bad.NextJobId++
	fresh := newFixture(t)
	require.ErrorIs(t, fresh.k.InitGenesis(fresh.ctx, &bad), types.ErrDuplicateJob)
}

// TestInvariantCatchesABrokenReplayIndex: a missing, stray or wrong entry.
func TestInvariantCatchesABrokenReplayIndex(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(f *fixture, key []byte, job uint64)
		want   string
	}{
		{"entry missing", func(f *fixture, key []byte, _ uint64) {
			require.NoError(f.t, f.k.Jobs.Indexes.Replay.Holders.Remove(f.ctx, key))
		}, "should name live job"},
		{"entry names another job", func(f *fixture, key []byte, job uint64) {
			require.NoError(f.t, f.k.Jobs.Indexes.Replay.Holders.Set(f.ctx, key, job+1))
		}, "should name live job"},
		{"stray entry", func(f *fixture, _ []byte, job uint64) {
			require.NoError(f.t, f.k.Jobs.Indexes.Replay.Holders.Set(f.ctx, make([]byte, 32), job))
		}, "matches no live job"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newMsgWorld(newFixture(t))
			job := w.postDup(dupSpec)
			w.f.checkAll()
			key, err := w.f.k.Jobs.Indexes.Replay.ReplayKey("mandelbrot", []byte(dupSpec), dupItems)
			require.NoError(t, err)
			tc.break_(w.f, key, job)
			err = w.f.k.CheckInvariants(w.f.ctx)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}
