package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const capSpec = `{"difficulty_bits":2}` // hashcash: kinds.HashcashWork units an item

// approve lets requester's jobs earn emission and funds it.
func (f *fixture) approve(name string) sdk.AccAddress {
	f.t.Helper()
	r := addrOf(name)
	f.fund(r, 1_000_000_000)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(r)})
	return r
}

// settle runs to the end of the running epoch and returns the settled record.
func (f *fixture) settle() types.EpochInfo {
	f.t.Helper()
	res, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{})
	require.NoError(f.t, err)
	f.advanceTo(res.EndHeight + 1)
	info, err := f.k.Epochs.Get(f.ctx, res.Current.Epoch)
	require.NoError(f.t, err)
	require.True(f.t, info.Settled)
	f.checkAll()
	return info
}

// withdrawn withdraws op's rewards, checking the rewards query showed the same
// capped figure first.
func (f *fixture) withdrawn(op sdk.AccAddress) int64 {
	f.t.Helper()
	q, err := f.q.Rewards(f.ctx, &types.QueryRewardsRequest{Operator: f.str(op)})
	require.NoError(f.t, err)
	w := must(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(op)})
	require.Equal(f.t, q.Withdrawable.String(), w.Amount.String(), "the rewards query shows what a withdrawal pays")
	f.checkAll()
	return w.Amount.Int64()
}

// TestEmissionFarmingIsCapped plays issue #14's attack 2 at the default cap:
// approved requester A posts a job to a device under its own second key and
// does 64× the work of an honest requester's job; a second honest requester's
// device does the same work as A's. A's jobs draw at most 20 % of the epoch,
// the honest device keeps 20 % instead of 0.77 %, and the attacker ends with
// less than the honest device that did the same work.
func TestEmissionFarmingIsCapped(t *testing.T) {
	const smallItems, big = 4, 256 // items: 256 and 16,384 units
	run := func(t *testing.T, bps uint32) (attackerGain, honestSmall, honestSame math.Int, minted math.Int) {
		f := newFixture(t, func(p *types.Params) {
			p.MaxRequesterEmissionBps = bps
			p.JobPostingFee = types.DefaultParams().JobPostingFee // 1 SHIFT: what farming really pays
			p.ProofSamples = 4
		})
		attacker, h1, h2 := f.approve("attacker"), f.approve("honest-1"), f.approve("honest-2")
		// Bonds that cover a task's payment and the whole epoch's emission
		// (the lease check's bound with the cap off).
		const bonded = 2_100 * shift
		farm, d1, d2 := f.registerBonded("attacker-second-key", bonded), f.registerBonded("h1", bonded), f.registerBonded("h2", bonded)
		start := f.balance(attacker).Add(f.wealth(farm))
		starts := []math.Int{f.wealth(d1), f.wealth(d2)}

		for _, w := range []struct {
			requester, device sdk.AccAddress
			items             uint64
		}{{h1, d1, smallItems}, {attacker, farm, big}, {h2, d2, big}} {
			job := f.postJob(w.requester, "hashcash", capSpec, w.items, w.items, 1000)
			_, proof := f.runTask(w.device, job, nil)
			require.True(t, proof.Accepted, proof.Reason)
		}
		info := f.settle()
		require.Equal(t, math.NewInt((smallItems+2*big)*kinds.HashcashWork), info.WorkUnits)
		f.withdrawn(farm)
		f.withdrawn(d1)
		f.withdrawn(d2)
		return f.balance(attacker).Add(f.wealth(farm)).Sub(start), f.wealth(d1).Sub(starts[0]), f.wealth(d2).Sub(starts[1]), info.Emission
	}
	emission := types.DefaultParams().InitialEpochEmission // 1,000 SHIFT
	const posting, fee = 1_000_000, big * 1000 * 200 / 10_000

	t.Run("without the cap the farm takes the epoch", func(t *testing.T) {
		attacker, small, _, minted := run(t, types.BasisPoints)
		require.Equal(t, emission, minted)
		// 16,384 of 33,024 units each for A and h2, 256 for h1: h1 keeps 0.78 %
		// of the epoch, the farm 49.6 % (for 1 SHIFT of posting fee).
		requireAmount(t, 1_000_000_000*256/33_024+smallItems*1000-smallItems*1000*200/10_000, small, "h1's diluted share")
		requireAmount(t, 1_000_000_000*16_384/33_024-posting-fee, attacker, "the farm's share")
	})
	t.Run("with the default cap", func(t *testing.T) {
		attacker, small, same, minted := run(t, types.DefaultMaxRequesterEmissionBps)
		capped := types.BpsOf(emission, types.DefaultMaxRequesterEmissionBps) // 200 SHIFT
		// Every requester is capped: 3 × 200 SHIFT is minted, the rest never is.
		require.Equal(t, capped.MulRaw(3), minted)
		// The honest small job keeps its requester's whole capped share: 200
		// SHIFT of emission plus its payment less the fee.
		requireAmount(t, capped.Int64()+smallItems*1000-smallItems*1000*200/10_000, small, "h1 keeps its fair share")
		// The farm draws the cap whatever its units, and pays the posting fee
		// and the protocol fee on its own escrow.
		requireAmount(t, capped.Int64()-posting-fee, attacker, "the attacker draws the cap, less its costs")
		requireAmount(t, capped.Int64()+big*1000-fee, same, "the honest device doing the same work")
		require.True(t, attacker.LT(same), "the attacker ends with less than the honest device doing the same work")
	})
}

// TestEmissionCapWaterFills: at a 50 % cap, r3's 4,096 units are capped at
// 500,000 and r1 (256 units) and r2 (768) share the other 500,000 pro rata,
// undiluted by r3's units; a device working for two requesters is paid from
// each. The result does not depend on the order the work was credited in.
func TestEmissionCapWaterFills(t *testing.T) {
	run := func(t *testing.T, reverse bool) [3]int64 {
		f := newFixture(t, func(p *types.Params) {
			p.MaxRequesterEmissionBps = 5000
			p.InitialEpochEmission = math.NewInt(1_000_000)
			p.ProofSamples = 2
		})
		r1, r2, r3 := f.approve("r1"), f.approve("r2"), f.approve("r3")
		d1, d2, d3 := f.registerDevice("d1"), f.registerDevice("d2"), f.registerDevice("d3")
		j1 := f.postJob(r1, "hashcash", capSpec, 4, 4, 10)
		j2 := f.postJob(r2, "hashcash", capSpec, 12, 12, 10)
		j3 := f.postJob(r3, "hashcash", capSpec, 64, 32, 10) // two tasks: d1 and d3
		work := []struct {
			dev sdk.AccAddress
			job uint64
		}{{d1, j1}, {d2, j2}, {d1, j3}, {d3, j3}}
		if reverse {
			work = []struct {
				dev sdk.AccAddress
				job uint64
			}{{d3, j3}, {d1, j3}, {d2, j2}, {d1, j1}}
		}
		for _, w := range work {
			_, proof := f.runTask(w.dev, w.job, nil)
			require.True(t, proof.Accepted, proof.Reason)
		}
		info := f.settle()
		require.Equal(t, uint32(3), info.Requesters)
		requireAmount(t, 1_000_000, info.ScheduledEmission)
		requireAmount(t, 500_000, info.RequesterCap)
		requireAmount(t, 500_000, info.RateNum, "the cap of r3 is taken out")
		requireAmount(t, 1024, info.RateDen, "r3's units are not in the denominator")
		requireAmount(t, 1_000_000, info.Emission, "three requesters at a 50 % cap: the whole epoch is minted")
		return [3]int64{f.withdrawn(d1), f.withdrawn(d2), f.withdrawn(d3)}
	}
	// d1: r1's 125,000 (256 of r1+r2's 1,024 units) and half of r3's 500,000;
	// d2: r2's 375,000; d3: the other half of r3's.
	want := [3]int64{125_000 + 250_000, 375_000, 250_000}
	require.Equal(t, want, run(t, false))
	require.Equal(t, want, run(t, true), "the credit order does not matter")
}

// TestEmissionRequestersPerEpochBound: once max_emission_requesters_per_epoch
// requesters have credited an epoch, work for another is paid from escrow but
// earns no emission that epoch (the event says so); a counted requester's
// further work still earns, and the next epoch starts afresh.
func TestEmissionRequestersPerEpochBound(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.MaxEmissionRequestersPerEpoch = 1
		p.InitialEpochEmission = math.NewInt(1_000_000)
		p.ProofSamples = 2
	})
	r1, r2 := f.approve("r1"), f.approve("r2")
	d1, d2 := f.registerDevice("d1"), f.registerDevice("d2")
	_, p1 := f.runTask(d1, f.postJob(r1, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p1.Accepted)
	before := f.balance(d2)
	_, p2 := f.runTask(d2, f.postJob(r2, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p2.Accepted)
	require.True(t, f.balance(d2).GT(before), "work past the bound is still paid")
	accepted := eventsOf[*types.EventProofAccepted](f.ctx.EventManager())
	require.NotEmpty(t, accepted)
	require.False(t, accepted[len(accepted)-1].EmissionEligible, "the event says r2's work earned no emission")
	_, p3 := f.runTask(d1, f.postJob(r1, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p3.Accepted)
	info := f.settle()
	require.Equal(t, uint32(1), info.Requesters)
	requireAmount(t, 8*kinds.HashcashWork, info.WorkUnits, "only r1's two tasks count")
	requireAmount(t, 200_000, info.Emission, "one requester: 20 % of the epoch")
	require.Equal(t, int64(200_000), f.withdrawn(d1))
	_, err := exec(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(d2)})
	require.ErrorIs(t, err, types.ErrNoRewards)

	// Next epoch: r2 is counted first, r1 is now the one left out.
	_, p4 := f.runTask(d2, f.postJob(r2, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p4.Accepted)
	_, p5 := f.runTask(d1, f.postJob(r1, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p5.Accepted)
	f.settle()
	require.Equal(t, int64(200_000), f.withdrawn(d2))
	_, err = exec(f, f.msgs.WithdrawRewards, &types.MsgWithdrawRewards{Operator: f.str(d1)})
	require.ErrorIs(t, err, types.ErrNoRewards)
}

// TestJailingStrikesEveryRequesterCredit: a jailed device's credits of the
// running epoch, for each requester it worked for, are struck; a requester
// left with no units frees its place, and the other device gets the epoch.
func TestJailingStrikesEveryRequesterCredit(t *testing.T) {
	f := newFixture(t, func(p *types.Params) {
		p.InitialEpochEmission = math.NewInt(1_000_000)
		p.MaxRequesterEmissionBps = types.BasisPoints
		p.ProofSamples = 2
	})
	w := newMsgWorld(f)
	r1, r2 := f.approve("r1"), f.approve("r2")
	_, p := f.runTask(w.a, f.postJob(r1, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p.Accepted)
	_, p = f.runTask(w.a, f.postJob(r2, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p.Accepted)
	_, p = f.runTask(w.b, f.postJob(r2, "hashcash", capSpec, 4, 4, 10), nil)
	require.True(t, p.Accepted)
	epoch, err := f.k.CurrentEpoch.Get(f.ctx)
	require.NoError(t, err)
	info, err := f.k.Epochs.Get(f.ctx, epoch)
	require.NoError(t, err)
	require.Equal(t, uint32(2), info.Requesters)
	f.checkAll()

	w.jail(w.a)
	f.checkAll()
	info, err = f.k.Epochs.Get(f.ctx, epoch)
	require.NoError(t, err)
	require.Equal(t, uint32(1), info.Requesters, "r1 had only a's work: its place is free")
	requireAmount(t, 4*kinds.HashcashWork, info.WorkUnits, "only b's work is left")
	require.False(t, hasKey(t, f.ctx, f.k.RequesterEpochUnits.Has, collectionsPair(epoch, []byte(r1))))
	units, err := f.k.RequesterEpochUnits.Get(f.ctx, collectionsPair(epoch, []byte(r2)))
	require.NoError(t, err)
	requireAmount(t, 4*kinds.HashcashWork, units)
	f.settle()
	require.Equal(t, int64(1_000_000), f.withdrawn(w.b), "b gets the epoch (the cap is off here)")
}

// TestEmissionCapGenesis: the requester units and device credits survive an
// export and import (running and settled epochs, a partial withdrawal), and a
// genesis whose units disagree is refused.
func TestEmissionCapGenesis(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.EpochBlocks = 20; p.ProofSamples = 2 })
	r1, r2 := f.approve("r1"), f.approve("r2")
	a, b := f.registerDevice("a"), f.registerDevice("b")
	f.runTask(a, f.postJob(r1, "hashcash", capSpec, 4, 4, 10), nil)
	f.runTask(b, f.postJob(r2, "hashcash", capSpec, 4, 4, 10), nil)
	f.settle()
	f.withdrawn(b) // a still holds its settled credit
	f.runTask(a, f.postJob(r2, "hashcash", capSpec, 4, 4, 10), nil)

	exported, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate(accCodec))
	require.Len(t, exported.RequesterEpochUnits, 3, "r1 and r2 in the settled epoch, r2 in the running one")
	require.Len(t, exported.DeviceRequesterUnits, 2, "a's settled credit for r1 and running credit for r2")
	g := newFixtureWithGenesis(t, exported)
	g.ctx = g.ctx.WithBlockHeight(f.ctx.BlockHeight()).WithHeaderHash(f.ctx.HeaderHash())
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	ra, err := f.q.Rewards(f.ctx, &types.QueryRewardsRequest{Operator: f.str(a)})
	require.NoError(t, err)
	ga, err := g.q.Rewards(g.ctx, &types.QueryRewardsRequest{Operator: g.str(a)})
	require.NoError(t, err)
	require.Equal(t, ra.Withdrawable.String(), ga.Withdrawable.String())
	require.True(t, ra.Withdrawable.IsPositive())

	for name, edit := range map[string]func(gs *types.GenesisState){
		"requester units off the epoch's": func(gs *types.GenesisState) {
			gs.RequesterEpochUnits[0].WorkUnits = gs.RequesterEpochUnits[0].WorkUnits.AddRaw(1)
		},
		"requester repeated": func(gs *types.GenesisState) {
			gs.RequesterEpochUnits = append(gs.RequesterEpochUnits, gs.RequesterEpochUnits[0])
		},
		"credit for a requester with no units": func(gs *types.GenesisState) {
			gs.DeviceRequesterUnits[0].Requester = f.str(addrOf("nobody"))
		},
		"device sum off its credits": func(gs *types.GenesisState) {
			gs.DeviceEpochUnits[0].WorkUnits = gs.DeviceEpochUnits[0].WorkUnits.AddRaw(1)
		},
		"running epoch's credits short of the requester's": func(gs *types.GenesisState) {
			gs.DeviceRequesterUnits = gs.DeviceRequesterUnits[:1]
		},
		"requester count off": func(gs *types.GenesisState) {
			gs.Epochs[0].Requesters++
		},
	} {
		bad := cloneGenesis(t, exported)
		edit(bad)
		require.ErrorIs(t, bad.Validate(accCodec), types.ErrInvalidGenesis, name)
	}
}

// cloneGenesis deep-copies a genesis through its encoding.
func cloneGenesis(t *testing.T, gs *types.GenesisState) *types.GenesisState {
	bz, err := gs.Marshal()
	require.NoError(t, err)
	var out types.GenesisState
	require.NoError(t, out.Unmarshal(bz))
	return &out
}

// TestEmissionCapParams: the cap params are validated by MsgUpdateParams (and
// genesis); 0 would let no work earn emission.
func TestEmissionCapParams(t *testing.T) {
	update := func(edit func(*types.Params)) func(w *msgWorld) error {
		return func(w *msgWorld) error {
			p := w.params()
			edit(&p)
			return sendMsg(w.f, w.f.msgs.UpdateParams, &types.MsgUpdateParams{Authority: w.f.authority, Params: p})
		}
	}
	runMsgCases(t, []msgCase{
		{name: "max_requester_emission_bps 0", send: update(func(p *types.Params) { p.MaxRequesterEmissionBps = 0 }), err: types.ErrInvalidParams},
		{name: "max_requester_emission_bps over 10000", send: update(func(p *types.Params) { p.MaxRequesterEmissionBps = 10_001 }), err: types.ErrInvalidParams},
		{name: "max_emission_requesters_per_epoch 0", send: update(func(p *types.Params) { p.MaxEmissionRequestersPerEpoch = 0 }), err: types.ErrInvalidParams},
		{name: "max_emission_requesters_per_epoch over 256", send: update(func(p *types.Params) { p.MaxEmissionRequestersPerEpoch = 257 }), err: types.ErrInvalidParams},
	})
	d := types.DefaultParams()
	require.Equal(t, uint32(2000), d.MaxRequesterEmissionBps)
	require.Equal(t, uint32(32), d.MaxEmissionRequestersPerEpoch)
	w := newMsgWorld(newFixture(t))
	require.NoError(t, update(func(p *types.Params) { p.MaxRequesterEmissionBps, p.MaxEmissionRequestersPerEpoch = 10_000, 256 })(w))
	require.Equal(t, uint32(10_000), w.params().MaxRequesterEmissionBps)
}
