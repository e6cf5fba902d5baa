package app

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	computekeeper "github.com/nightshift-network/nightshift/x/compute/keeper"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
)

// invariantChecker runs at the end of every simulated block (App.SetEndBlockCheck):
//   - x/compute's own invariants: escrow conservation, emission within the cap
//     and fully accounted, every live lease and claim pointing to an existing
//     job and device, indexes, queues and counters agreeing with the records;
//   - no negative or invalid balance, and balances summing to the supply;
//   - supply - total emitted + total burned constant: x/compute is the only
//     minter, so supply moves only by its emission and its slashes. The
//     simulation genesis turns x/slashing's and x/gov's burns off; should a
//     governance proposal turn them on, the value may then only fall;
//   - total emitted and total burned never decrease.
type invariantChecker struct {
	app           *App
	started       bool
	baseline      sdkmath.Int // supply - emitted + burned at the first check
	otherBurns    bool        // another module could burn since some block
	emitted       sdkmath.Int
	burned        sdkmath.Int
	lastBlockTime time.Time
	minBonded     int // the fewest bonded validators at the end of a block
}

func newInvariantChecker(app *App) *invariantChecker {
	return &invariantChecker{app: app}
}

func (c *invariantChecker) check(ctx sdk.Context) error {
	if !ctx.BlockTime().IsZero() {
		c.lastBlockTime = ctx.BlockTime()
	}
	if err := c.countBonded(ctx); err != nil {
		return err
	}
	if err := c.app.ComputeKeeper.CheckInvariants(ctx); err != nil {
		return fmt.Errorf("x/compute invariant at height %d: %w", ctx.BlockHeight(), err)
	}
	if err := c.checkBalances(ctx); err != nil {
		return fmt.Errorf("bank invariant at height %d: %w", ctx.BlockHeight(), err)
	}
	if err := c.checkSupply(ctx); err != nil {
		return fmt.Errorf("supply invariant at height %d: %w", ctx.BlockHeight(), err)
	}
	return nil
}

// countBonded records the fewest bonded validators seen.
func (c *invariantChecker) countBonded(ctx sdk.Context) error {
	n := 0
	err := c.app.StakingKeeper.IterateLastValidatorPowers(ctx, func(sdk.ValAddress, int64) bool {
		n++
		return false
	})
	if !c.started || n < c.minBonded {
		c.minBonded = n
	}
	return err
}

func (c *invariantChecker) checkBalances(ctx sdk.Context) error {
	var bad error
	sum := sdkmath.ZeroInt()
	c.app.BankKeeper.IterateAllBalances(ctx, func(addr sdk.AccAddress, coin sdk.Coin) bool {
		if err := coin.Validate(); err != nil || coin.IsNegative() {
			bad = fmt.Errorf("account %s holds %s: %v", addr, coin, err)
			return true
		}
		if coin.Denom == BondDenom {
			sum = sum.Add(coin.Amount)
		}
		return false
	})
	if bad != nil {
		return bad
	}
	if supply := c.app.BankKeeper.GetSupply(ctx, BondDenom).Amount; !supply.Equal(sum) {
		return fmt.Errorf("balances sum to %s%s, the supply is %s%s", sum, BondDenom, supply, BondDenom)
	}
	return nil
}

func (c *invariantChecker) checkSupply(ctx sdk.Context) error {
	emitted, err := c.app.ComputeKeeper.TotalEmitted.Get(ctx)
	if err != nil {
		return err
	}
	burned, err := c.app.ComputeKeeper.TotalBurned.Get(ctx)
	if err != nil {
		return err
	}
	if c.otherBurnsPossible(ctx) {
		c.otherBurns = true
	}
	value := c.app.BankKeeper.GetSupply(ctx, BondDenom).Amount.Sub(emitted).Add(burned)
	if !c.started {
		c.started, c.baseline, c.emitted, c.burned = true, value, emitted, burned
		return nil
	}
	switch {
	case emitted.LT(c.emitted) || burned.LT(c.burned):
		return fmt.Errorf("totals went back: emitted %s -> %s, burned %s -> %s", c.emitted, emitted, c.burned, burned)
	case !c.otherBurns && !value.Equal(c.baseline):
		return fmt.Errorf("supply - emitted + burned is %s, it was %s (emitted %s, burned %s)", value, c.baseline, emitted, burned)
	case value.GT(c.baseline):
		return fmt.Errorf("supply - emitted + burned rose from %s to %s: coins minted outside x/compute's emission", c.baseline, value)
	}
	c.emitted, c.burned = emitted, burned
	return nil
}

// otherBurnsPossible reports whether x/slashing or x/gov would burn coins
// under their current params.
func (c *invariantChecker) otherBurnsPossible(ctx sdk.Context) bool {
	slashing, err := c.app.SlashingKeeper.GetParams(ctx)
	if err != nil || slashing.SlashFractionDoubleSign.IsPositive() || slashing.SlashFractionDowntime.IsPositive() {
		return true
	}
	gov, err := c.app.GovKeeper.Params.Get(ctx)
	if err != nil || gov.BurnVoteVeto || gov.BurnVoteQuorum || gov.BurnProposalDepositPrevote {
		return true
	}
	cancel, err := sdkmath.LegacyNewDecFromStr(gov.ProposalCancelRatio)
	return err != nil || (cancel.IsPositive() && gov.ProposalCancelDest == "")
}

// messageCounter counts the messages the simulation delivers, by type and
// outcome, from a post handler that changes nothing. Every outcome was
// predicted by the message's factory, so a failure here is an expected one.
type messageCounter struct {
	mu     sync.Mutex
	counts map[string]*[2]int // type URL -> succeeded, failed
	txDone func(success bool) error
}

func newMessageCounter() *messageCounter {
	return &messageCounter{counts: make(map[string]*[2]int)}
}

func (m *messageCounter) install(app *baseapp.BaseApp) {
	app.SetPostHandler(func(ctx sdk.Context, tx sdk.Tx, simulate, success bool) (sdk.Context, error) {
		if simulate {
			return ctx, nil
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.txDone != nil {
			if err := m.txDone(success); err != nil {
				return ctx, err
			}
		}
		for _, msg := range tx.GetMsgs() {
			url := sdk.MsgTypeURL(msg)
			if m.counts[url] == nil {
				m.counts[url] = new([2]int)
			}
			if success {
				m.counts[url][0]++
			} else {
				m.counts[url][1]++
			}
		}
		return ctx, nil
	})
}

func (m *messageCounter) summary() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	urls := make([]string, 0, len(m.counts))
	for url := range m.counts {
		urls = append(urls, url)
	}
	slices.Sort(urls)
	var b strings.Builder
	b.WriteString("  delivered messages (succeeded / failed as predicted):\n")
	for _, url := range urls {
		fmt.Fprintf(&b, "    %-58s %6d / %d\n", url, m.counts[url][0], m.counts[url][1])
	}
	return b.String()
}

// marketSummary describes the x/compute and x/permission state a run left.
func marketSummary(ctx sdk.Context, app *App) string {
	k := app.ComputeKeeper
	jobs := make(map[computetypes.JobStatus]int)
	_ = k.Jobs.Walk(ctx, nil, func(_ uint64, j computetypes.Job) (bool, error) {
		jobs[j.Status]++
		return false, nil
	})
	tasks := make(map[computetypes.TaskStatus]int)
	recordsOf := make(map[uint64]uint64)
	_ = k.Tasks.Walk(ctx, nil, func(key computekeeper.TaskKey, t computetypes.Task) (bool, error) {
		tasks[t.Status]++
		recordsOf[key.K1()]++
		return false, nil
	})
	var pruned uint64 // task records deleted after their job's retention
	_ = k.Jobs.Walk(ctx, nil, func(id uint64, j computetypes.Job) (bool, error) {
		pruned += j.NextTask - recordsOf[id]
		return false, nil
	})
	devices := make(map[computetypes.DeviceStatus]int)
	var verified, failures, missed uint64
	_ = k.Devices.Walk(ctx, nil, func(_ []byte, d computetypes.Device) (bool, error) {
		devices[d.Status]++
		verified += d.TasksVerified
		failures += uint64(d.Failures)
		missed += d.MissedProofs
		return false, nil
	})
	var settled int
	_ = k.Epochs.Walk(ctx, nil, func(_ uint64, e computetypes.EpochInfo) (bool, error) {
		if e.Settled {
			settled++
		}
		return false, nil
	})
	emitted, _ := k.TotalEmitted.Get(ctx)
	burned, _ := k.TotalBurned.Get(ctx)
	unclaimed, _ := k.UnclaimedRewards.Get(ctx)
	current, _ := k.CurrentEpoch.Get(ctx)
	var requesters, validators int
	_ = k.ApprovedRequesters.Walk(ctx, nil, func([]byte) (bool, error) { requesters++; return false, nil })
	_ = app.PermissionKeeper.Approved.Walk(ctx, nil, func(_ []byte, _ permissiontypes.ApprovedValidator) (bool, error) {
		validators++
		return false, nil
	})
	authority, _ := app.PermissionKeeper.GetAuthority(ctx)

	var b strings.Builder
	fmt.Fprintf(&b, "  jobs: %d open, %d completed, %d cancelled, %d expired\n",
		jobs[computetypes.JOB_STATUS_OPEN], jobs[computetypes.JOB_STATUS_COMPLETED], jobs[computetypes.JOB_STATUS_CANCELLED], jobs[computetypes.JOB_STATUS_EXPIRED])
	fmt.Fprintf(&b, "  task records: %d verified, %d leased, %d claimed, %d reopened or refunded; %d pruned\n",
		tasks[computetypes.TASK_STATUS_VERIFIED], tasks[computetypes.TASK_STATUS_LEASED], tasks[computetypes.TASK_STATUS_CLAIMED], tasks[computetypes.TASK_STATUS_UNSPECIFIED], pruned)
	fmt.Fprintf(&b, "  devices: %d active, %d jailed, %d unbonding, %d unbonded; %d tasks verified, %d invalid proofs, %d missed proofs\n",
		devices[computetypes.DEVICE_STATUS_ACTIVE], devices[computetypes.DEVICE_STATUS_JAILED], devices[computetypes.DEVICE_STATUS_UNBONDING],
		devices[computetypes.DEVICE_STATUS_UNBONDED], verified, failures, missed)
	fmt.Fprintf(&b, "  emission: epoch %d, %d settled with work, emitted %s, unclaimed %s, burned %s\n", current, settled, emitted, unclaimed, burned)
	fmt.Fprintf(&b, "  permission: %d approved operators, %d approved requesters, authority %s\n", validators, requesters, authority)
	return b.String()
}
