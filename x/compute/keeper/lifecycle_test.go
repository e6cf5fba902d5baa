package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestLifecycle runs two jobs (hashcash and mandelbrot) to completion over many
// blocks with an honest device and a cheater that fakes every output: the
// cheater is caught, slashed and jailed, its tasks reopen and the honest device
// finishes them, gets paid from escrow and receives the epoch's emission.
func TestLifecycle(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.EpochBlocks = 400
		p.ProofSamples = 4
		p.JailAfterFailures = 2
		p.InitialEpochEmission = coverableEmission
	})
	params, err := f.k.GetParams(f.ctx)
	require.NoError(t, err)
	requester := addrOf("lab")
	f.fund(requester, 1_000_000_000)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(requester)})
	honest := f.registerDevice("honest")
	cheater := f.registerDevice("cheater")
	honestStart, cheaterStart := f.balance(honest), f.balance(cheater)

	hashJob := f.postJob(requester, "hashcash", `{"difficulty_bits":6}`, 32, 4, 5000) // 8 tasks
	mandelJob := f.postJob(requester, "mandelbrot",
		`{"width":32,"height":16,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":64}`, 16, 4, 8000) // 4 tasks
	require.Equal(t, math.NewInt(1_000_000_000-32*5000-16*8000), f.balance(requester))

	// The cheater fakes every output of its first task on each job and is caught.
	fakeAll := func(uint64) bool { return true }
	slashed := math.ZeroInt()
	for _, job := range []uint64{hashJob, mandelJob} {
		lease, proof := f.runTask(cheater, job, fakeAll)
		require.False(t, proof.Accepted)
		require.Contains(t, proof.Reason, types.ErrInvalidOutput.Error())
		slashed = slashed.Add(proof.Slashed)
		task, err := f.k.Tasks.Get(f.ctx, collectionsJoin(job, lease.TaskIndex))
		require.NoError(t, err)
		require.Equal(t, types.TASK_STATUS_UNSPECIFIED, task.Status, "a rejected task reopens")
	}
	dev, err := f.k.Devices.Get(f.ctx, cheater)
	require.NoError(t, err)
	require.Equal(t, types.DEVICE_STATUS_JAILED, dev.Status)
	require.Equal(t, uint32(2), dev.Failures)
	require.Equal(t, math.NewInt(bond).Sub(slashed), dev.Bond)
	// First slash: half of 1,000 SHIFT; second: half of what is left.
	require.Equal(t, math.NewInt(bond/2+bond/4), slashed)
	_, err = exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(cheater), JobId: hashJob})
	require.ErrorIs(t, err, types.ErrDeviceJailed)

	// The honest device does every task, including the two the cheater lost.
	earned := math.ZeroInt()
	units := math.ZeroInt()
	for _, job := range []uint64{hashJob, mandelJob} {
		for {
			j, err := f.k.Jobs.Get(f.ctx, job)
			require.NoError(t, err)
			if j.Status != types.JOB_STATUS_OPEN {
				break
			}
			lease, proof := f.runTask(honest, job, nil)
			require.True(t, proof.Accepted, proof.Reason)
			reward := j.PricePerItem.MulRaw(int64(lease.ItemCount))
			require.Equal(t, reward.Sub(types.BpsOf(reward, params.ProtocolFeeBps)), proof.Paid)
			earned = earned.Add(proof.Paid)
			// Tasks of 4 items are sampled whole (proof_samples 16), so the
			// credit is exactly the work the items measure: one hash each for
			// hashcash, the iterations run for mandelbrot rows.
			spec, err := f.k.Kinds().Parse(j.Kind, []byte(j.Spec), j.Items)
			require.NoError(t, err)
			for i := range lease.ItemCount {
				_, work, err := spec.ComputeOutput(kinds.Item{JobID: job, Index: lease.FirstItem + i})
				require.NoError(t, err)
				units = units.AddRaw(int64(work))
			}
		}
	}
	for _, job := range []uint64{hashJob, mandelJob} {
		j, err := f.k.Jobs.Get(f.ctx, job)
		require.NoError(t, err)
		require.Equal(t, types.JOB_STATUS_COMPLETED, j.Status)
		require.True(t, j.Escrow.IsZero())
		require.Equal(t, j.NumTasks, j.TasksVerified)
	}
	total := math.NewInt(32*5000 + 16*8000)
	require.Equal(t, earned, total.Sub(types.BpsOf(math.NewInt(4*5000), params.ProtocolFeeBps).MulRaw(8)).Sub(types.BpsOf(math.NewInt(4*8000), params.ProtocolFeeBps).MulRaw(4)))
	require.Equal(t, honestStart.Add(earned), f.balance(honest))
	require.Equal(t, total.Sub(earned), f.balance(f.accounts.GetModuleAddress(authtypes.FeeCollectorName)))

	// Emission: the epoch settles at its end; only the honest device has units.
	epoch, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, units, epoch.Current.WorkUnits)
	rewards, err := f.q.Rewards(f.ctx, &types.QueryRewardsRequest{Operator: f.str(honest)})
	require.NoError(t, err)
	require.Equal(t, units, rewards.CurrentEpochUnits)
	_, err = exec(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(honest)})
	require.ErrorIs(t, err, types.ErrNoRewards, "nothing is withdrawable before the epoch settles")
	f.advanceTo(epoch.EndHeight + 1)
	settled, err := f.k.Epochs.Get(f.ctx, 0)
	require.NoError(t, err)
	require.True(t, settled.Settled)
	// One requester worked: its jobs draw max_requester_emission_bps of the
	// epoch, and only that is minted.
	capped := types.BpsOf(params.InitialEpochEmission, params.MaxRequesterEmissionBps)
	require.Equal(t, capped, settled.Emission)
	before := f.balance(honest)
	w := must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(honest)})
	require.Equal(t, capped, w.Amount)
	require.Equal(t, before.Add(capped), f.balance(honest))
	_, err = exec(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(cheater)})
	require.ErrorIs(t, err, types.ErrDeviceJailed, "a jailed device earns no emission")

	// The cheater ends poorer than it started; the honest device richer.
	require.Equal(t, cheaterStart, f.balance(cheater), "bond stays in the module until unbonded")
	must(f, f.msgs.UnbondDevice, &types.MsgUnbondDevice{Operator: f.str(cheater)})
	f.advance(int(params.DeviceUnbondingBlocks) + 1)
	require.Equal(t, cheaterStart.Add(math.NewInt(bond)).Sub(slashed), f.balance(cheater))
	require.True(t, f.balance(cheater).LT(cheaterStart.Add(math.NewInt(bond))))
	require.True(t, f.balance(honest).GT(honestStart))
	_, err = exec(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(cheater), Moniker: "again", Bond: math.NewInt(bond)})
	require.ErrorIs(t, err, types.ErrDeviceJailed)
}

// TestEmissionSplitAndSelfDealing: emission splits pro-rata by work units;
// work for an unapproved requester, or for the device's own jobs, is paid but
// earns no emission; nothing is minted for an idle epoch; halving and the cap
// bound what is minted.
func TestEmissionSplitAndSelfDealing(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.EpochBlocks = 50
		p.HalvingEpochs = 2
		p.InitialEpochEmission = math.NewInt(1_000_000)
		p.EmissionCap = math.NewInt(1_600_000)
		// One requester works here; the per-requester cap is off so the split,
		// halving and supply cap are seen whole (emission_cap_test.go tests it).
		p.MaxRequesterEmissionBps = types.BasisPoints
	})
	approved, unapproved := addrOf("approved"), addrOf("unapproved")
	f.fund(approved, 100_000_000)
	f.fund(unapproved, 100_000_000)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(approved)})
	a, b := f.registerDevice("a"), f.registerDevice("b")
	f.fund(a, 100_000_000)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(a)})

	job := f.postJob(approved, "hashcash", `{"difficulty_bits":2}`, 12, 4, 100) // 3 tasks of 4 items, 4 units each
	_, p1 := f.runTask(a, job, nil)
	_, p2 := f.runTask(a, job, nil)
	_, p3 := f.runTask(b, job, nil)
	for _, p := range []*types.MsgSubmitProofResponse{p1, p2, p3} {
		require.True(t, p.Accepted)
	}
	noEmission := f.postJob(unapproved, "hashcash", `{"difficulty_bits":2}`, 4, 4, 100)
	_, p := f.runTask(b, noEmission, nil)
	require.True(t, p.Accepted)
	selfDealt := f.postJob(a, "hashcash", `{"difficulty_bits":2}`, 4, 4, 100) // a is approved but works for itself
	_, p = f.runTask(a, selfDealt, nil)
	require.True(t, p.Accepted)
	require.True(t, p.Paid.IsPositive(), "self-dealt work is still paid from escrow")

	epoch, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, math.NewInt(12*kinds.HashcashWork), epoch.Current.WorkUnits, "only the approved, arm's-length job counts")
	f.advanceTo(epoch.EndHeight + 1)
	wa := must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(a)})
	wb := must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(b)})
	require.Equal(t, math.NewInt(1_000_000*32/48), wa.Amount)
	require.Equal(t, math.NewInt(1_000_000*16/48), wb.Amount)
	unclaimed, err := f.k.UnclaimedRewards.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, math.NewInt(1_000_000).Sub(wa.Amount).Sub(wb.Amount), unclaimed, "rounding dust stays unclaimed")

	// Epoch 1 is idle: nothing minted.
	e1, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, uint64(1), e1.Current.Epoch)
	f.advanceTo(e1.EndHeight + 1)
	total, err := f.k.TotalEmitted.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, math.NewInt(1_000_000), total)

	// Epoch 2 is past the first halving (500,000) and the cap leaves 600,000: 500,000.
	job2 := f.postJob(approved, "hashcash", `{"difficulty_bits":2}`, 4, 4, 100)
	f.runTask(b, job2, nil)
	e2, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, uint64(2), e2.Current.Epoch)
	require.Equal(t, math.NewInt(500_000), e2.NextEmission)
	f.advanceTo(e2.EndHeight + 1)
	// Epoch 3 is still in the first halving (500,000) but only 100,000 remain under the cap.
	job3 := f.postJob(approved, "hashcash", `{"difficulty_bits":2}`, 4, 4, 100)
	f.runTask(b, job3, nil)
	e3, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(t, err)
	require.Equal(t, math.NewInt(100_000), e3.NextEmission)
	f.advanceTo(e3.EndHeight + 1)
	total, err = f.k.TotalEmitted.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, math.NewInt(1_600_000), total, "emission stops at the cap")
	w := must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(b)})
	require.Equal(t, math.NewInt(600_000), w.Amount)
	require.Equal(t, uint32(2), w.Epochs)
}

// TestCancelledJobStaysCancelled: a job cancelled while every task is live keeps
// its status when those tasks are verified and paid afterwards.
func TestCancelledJobStaysCancelled(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.ProofSamples = 2 })
	requester := addrOf("requester")
	f.fund(requester, 1_000_000)
	dev := f.registerDevice("dev")
	job := f.postJob(requester, "hashcash", `{"difficulty_bits":2}`, 4, 4, 10)
	lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(dev), JobId: job})
	cancel := must(f, f.msgs.CancelJob, &types.MsgCancelJob{Requester: f.str(requester), JobId: job})
	require.True(t, cancel.Refunded.IsZero(), "the only task is live")
	w := f.computeTask(dev, job, lease, nil)
	claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(dev), JobId: job, TaskIndex: 0, Root: w.root()})
	f.advanceTo(claim.ChallengeHeight)
	proof := must(f, f.msgs.SubmitProof, w.answer(f.challenge(job, 0)).msg(f.str(dev), job, 0))
	require.True(t, proof.Accepted)
	j, err := f.k.Jobs.Get(f.ctx, job)
	require.NoError(t, err)
	require.Equal(t, types.JOB_STATUS_CANCELLED, j.Status)
	require.True(t, j.Escrow.IsZero())
	require.Equal(t, uint64(1), j.TasksVerified)
	for _, ev := range f.ctx.EventManager().Events() {
		require.NotEqual(t, "nightshift.compute.v1.EventJobClosed", ev.Type, "closed once, at the cancel")
	}
	// A jailed device may not top up or rename; it may only unbond.
	d, err := f.k.Devices.Get(f.ctx, dev)
	require.NoError(t, err)
	d.Jailed, d.Status = true, types.DEVICE_STATUS_JAILED
	require.NoError(t, f.k.Devices.Set(f.ctx, dev, d))
	_, err = exec(f, f.msgs.UpdateDevice, &types.MsgUpdateDevice{Operator: f.str(dev), Moniker: "x", AddBond: math.NewInt(1)})
	require.ErrorIs(t, err, types.ErrDeviceJailed)
}
