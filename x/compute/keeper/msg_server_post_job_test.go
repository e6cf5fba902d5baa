package keeper_test

import (
	"strings"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

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
			// 200 + 100 × (8 + 3 × 13,331) = 4,000,300 gas per row at most > 4,000,000.
			m.Kind, m.Spec, m.Items, m.ItemsPerTask = "mandelbrot", mandelbrotSpec(100, 1, 13331), 1, 1
		}),
		{
			name: "hashcash above a lowered max_verify_gas_per_item",
			prepare: func(w *msgWorld) {
				w.setParams(func(p *types.Params) { p.MaxVerifyGasPerItem = kinds.HashcashWork - 1 })
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
		require.True(t, hasKey(t, f.ctx, indexHas(f.k.Jobs.Indexes.Status), collectionsPair(int32(types.JOB_STATUS_OPEN), res.JobId)))
		require.True(t, hasKey(t, f.ctx, indexHas(f.k.Jobs.Indexes.Requester), collectionsPair([]byte(w.requester), res.JobId)))
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

		// Exactly max_verify_gas_per_item: 200 + 100 × (8 + 3 × 13,330) = 4,000,000.
		res = must(f, f.msgs.PostJob, w.postJobMsg(func(m *types.MsgPostJob) {
			m.Kind, m.Spec, m.Items, m.ItemsPerTask = "mandelbrot", mandelbrotSpec(100, 1, 13330), 1, 1
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
