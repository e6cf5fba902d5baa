package keeper_test

import (
	"fmt"
	gomath "math"
	"math/rand/v2"
	"slices"
	"testing"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/x/compute/types"
)

// Soundness with emission (issue #14 attack 10, G3): a task of an approved
// requester earns its payment and a share of the epoch emission, which at the
// default params dwarfs the payment, so the bond must cover both.

// registerBonded registers a device with the given bond.
func (f *fixture) registerBonded(name string, amount int64) sdk.AccAddress {
	f.t.Helper()
	op := addrOf(name)
	f.fund(op, amount)
	must(f, f.msgs.RegisterDevice, &types.MsgRegisterDevice{Operator: f.str(op), Moniker: name, Bond: math.NewInt(amount)})
	return op
}

// TestBondCoverCountsExpectedEmission: in an idle epoch a task of an approved
// requester can earn the whole epoch emission (1,000 SHIFT), so a 1,000 SHIFT
// bond (an invalid proof slashes 500) may not lease it though its payment is
// tiny; the same bond leases an unapproved requester's task (no emission),
// and a bond whose slash covers payment + emission leases the approved one.
func TestBondCoverCountsExpectedEmission(t *testing.T) {
	// The per-requester cap off: one requester may draw the whole epoch
	// (TestBondCoverUnderTheRequesterCap has the default cap).
	uncapped := func(p *types.Params) { p.MaxRequesterEmissionBps = types.BasisPoints }
	f := newFixture(t, uncapped)
	p := types.DefaultParams()
	uncapped(&p)
	approved, plain := addrOf("approved"), addrOf("plain")
	f.fund(approved, 100*shift)
	f.fund(plain, 100*shift)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(approved)})
	paid := f.postJob(approved, "hashcash", advSpec, 3*64, 64, 1000)
	unpaid := f.postJob(plain, "hashcash", advSpec, 64, 64, 1000)
	small := f.registerDevice("small")
	requireUnchanged(f, []sdk.AccAddress{small, approved}, func() {
		_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(small), JobId: paid})
		require.ErrorIs(t, err, types.ErrBondTooSmallForTask)
		require.ErrorContains(t, err, fmt.Sprintf("can earn up to %s", p.InitialEpochEmission))
	})
	require.Zero(t, f.device(small).LiveTasks)
	must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(small), JobId: unpaid})

	// slash = 50 % of the bond = payment (64,000) + the epoch emission, exactly.
	reward := int64(64 * 1000)
	big := f.registerBonded("big", 2*(reward+p.InitialEpochEmission.Int64()))
	must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(big), JobId: paid})
	// One ushift less and the same lease is refused.
	short := f.registerBonded("short", 2*(reward+p.InitialEpochEmission.Int64())-2)
	_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(short), JobId: paid})
	require.ErrorIs(t, err, types.ErrBondTooSmallForTask)
}

// TestBondCoverUnderTheRequesterCap: at the default 20 % cap one requester's
// tasks can earn at most 200 SHIFT of an idle epoch, so the cover is payment +
// 200 SHIFT; a bond whose slash is exactly that leases, 2 ushift less does not.
// A second requester's task adds its own cap: the bound is per requester.
func TestBondCoverUnderTheRequesterCap(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	approved, other := addrOf("approved"), addrOf("other")
	f.fund(approved, 100*shift)
	f.fund(other, 100*shift)
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(approved)})
	must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(other)})
	job := f.postJob(approved, "hashcash", advSpec, 3*64, 64, 1000)
	second := f.postJob(other, "hashcash", advSpec, 64, 64, 1000)
	reward := int64(64 * 1000)
	capped := types.BpsOf(p.InitialEpochEmission, p.MaxRequesterEmissionBps).Int64() // 200 SHIFT
	short := f.registerBonded("short", 2*(reward+capped)-2)
	_, err := exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(short), JobId: job})
	require.ErrorIs(t, err, types.ErrBondTooSmallForTask)
	require.ErrorContains(t, err, fmt.Sprintf("can earn up to %d", capped))
	exact := f.registerBonded("exact", 2*(reward+capped))
	must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(exact), JobId: job})
	// A second task of the same requester shares its cap: 64k more, no more emission.
	_, err = exec(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(exact), JobId: job})
	require.ErrorIs(t, err, types.ErrBondTooSmallForTask, "the second task's payment is not covered")
	both := f.registerBonded("both", 2*(2*reward+2*capped))
	must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(both), JobId: job})
	must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(both), JobId: second})
	f.checkAll()
}

// hypergeometricCatch is the chance that k distinct samples of n items hit at
// least one of m forged ones: 1 - C(n-m, k)/C(n, k).
func hypergeometricCatch(n, m, k int) float64 {
	miss := 1.0
	for i := range k {
		miss *= float64(n-m-i) / float64(n-i)
	}
	return 1 - miss
}

// TestForgerExpectedValueIsNegativeWithEmission plays forgers at the default
// params (k = 32 samples of a 64-item task, slash 50 %, 1,000 SHIFT epoch
// emission, an approved requester): each forger bonds just enough for the
// lease check, forges m of the 64 outputs and proves whatever is challenged,
// through the msg server. Its measured catch rate p must match the
// hypergeometric rate, every catch must slash at least payment + the whole
// epoch emission, and, valuing an escaped task at payment + the whole epoch
// emission (the most it can earn), forging must lose money:
//   - against doing the work honestly: the forger saves at most the share
//     m/64 of the task's value and risks p × (slash + value); since p ≥ m/64
//     this is negative;
//   - as a bet on not being caught: (1-p) × value - p × slash < 0 whenever
//     p > 1/2, i.e. from two forged outputs of 64 on.
func TestForgerExpectedValueIsNegativeWithEmission(t *testing.T) {
	const (
		trials  = 120
		perTask = 64
		price   = 1000 // a task pays 64,000 ushift: emission is 15,625 × that
	)
	p := types.DefaultParams()
	k := int(p.ProofSamples)
	require.Equal(t, 32, k)
	for _, m := range []int{1, 2, 8, 64} {
		t.Run(fmt.Sprintf("forged=%d/%d", m, perTask), func(t *testing.T) {
			f := newFixture(t)
			requester := addrOf("lab")
			f.fund(requester, trials*perTask*price)
			must(f, f.msgs.ApproveRequester, &types.MsgApproveRequester{Authority: f.authority, Requester: f.str(requester)})
			job := f.postJob(requester, "hashcash", advSpec, trials*perTask, perTask, price)
			value := math.NewInt(perTask * price).Add(p.InitialEpochEmission) // payment + whole epoch emission
			bondAmt := value.MulRaw(2).Int64()                                // the least bond the lease check accepts in an idle epoch
			rng := rand.New(rand.NewPCG(uint64(m), 7))
			caught := 0
			worst := math.ZeroInt() // the forgers' total, an escape valued at `value`
			for i := range trials {
				op := f.registerBonded(fmt.Sprintf("forger-%d", i), bondAmt)
				lease := must(f, f.msgs.LeaseTask, &types.MsgLeaseTask{Operator: f.str(op), JobId: job})
				wk := f.computeTask(op, job, lease, nil)
				pick := rng.Perm(perTask)[:m]
				forged := forgeItems(f, wk, job, func(idx uint64) bool { return slices.Contains(pick, int(idx-wk.first)) })
				claim := must(f, f.msgs.SubmitClaim, &types.MsgSubmitClaim{Operator: f.str(op), JobId: job, TaskIndex: lease.TaskIndex, Root: wk.root()})
				f.advanceTo(claim.ChallengeHeight)
				challenge := f.challenge(job, lease.TaskIndex)
				hit := slices.ContainsFunc(challenge, func(i uint64) bool { return slices.Contains(forged, i) })
				proof := must(f, f.msgs.SubmitProof, wk.answer(challenge).msg(f.str(op), job, lease.TaskIndex))
				require.Equal(t, !hit, proof.Accepted, proof.Reason)
				if hit {
					caught++
					require.True(t, proof.Slashed.GTE(value), "slash %s covers payment + the epoch emission %s", proof.Slashed, value)
					worst = worst.Sub(proof.Slashed)
				} else {
					worst = worst.Add(value)
				}
			}
			want := hypergeometricCatch(perTask, m, k)
			sigma := gomath.Sqrt(want * (1 - want) / trials)
			got := float64(caught) / trials
			t.Logf("m=%d: caught %d/%d = %.3f (expected %.3f); forgers' total with escapes at full emission: %s", m, caught, trials, got, want, worst)
			require.LessOrEqual(t, gomath.Abs(got-want), 4*sigma+1e-9)
			require.GreaterOrEqual(t, got, float64(m)/perTask, "the measured catch rate is at least the forged share")

			// Against honest work: saved ≤ (m/64) × value per task, lost p × (slash + value).
			v := float64(value.Int64())
			slash := float64(bondAmt) * float64(p.SlashInvalidBps) / types.BasisPoints
			advantage := float64(m)/perTask*v - got*(slash+v)
			require.Negative(t, advantage, "forging beats honest work by %.0f ushift per task", advantage)
			if want > 0.5 {
				require.True(t, worst.IsNegative(), "forging as a bet pays %s over %d tasks", worst, trials)
			}
		})
	}
}
