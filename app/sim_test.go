package app

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/baseapp"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	authzkeeper "github.com/cosmos/cosmos-sdk/x/authz/keeper"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	permissionsim "github.com/nightshift-network/nightshift/x/permission/simulation"
	permissiontypes "github.com/nightshift-network/nightshift/x/permission/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The simulations take the SDK simulator's standard flags (-NumBlocks,
// -BlockSize, -Seed, -Verbose, ...) plus -Long and -NumSeeds. Without
// -Long, TestAppStateDeterminism, TestAppImportExport and
// TestAppSimulationAfterImport run short (shortSim; the import tests on one
// seed), so that `go test ./...` exercises every module's messages, the
// invariants and the export/import path; the long runs are `make test-sim`.
//
//	go test ./app -run TestAppStateDeterminism -Long -NumSeeds=20 -NumBlocks=200 -BlockSize=100
//	go test ./app -run TestAppImportExport -Long -Seed=7 -NumSeeds=1 -NumBlocks=200 -Verbose

// flagLong replaces the SDK's -Enabled, which is deprecated and unused there.
var flagLong = flag.Bool("Long", false, "run the long simulations (make test-sim)")

var flagNumSeeds = flag.Int("NumSeeds", 20, "with -Long, run the seeds -Seed, -Seed+1, ... (this many)")

// flagCoverage makes every run fail that does not exercise the market (see
// requiredOutcomes); make test-sim sets it.
var flagCoverage = flag.Bool("Coverage", false, "fail a run with fewer than -MinVerified verified tasks or none of an outcome in requiredOutcomes")

var flagMinVerified = flag.Int("MinVerified", 100, "with -Coverage, the verified tasks a run needs")

func init() {
	simcli.GetSimulatorFlags()
}

// shortSim is the run without -Long: three seeds of 30 blocks, enough to
// post, lease, claim, prove and settle an epoch (genesis windows are short).
var shortSim = struct{ seeds, numBlocks, blockSize int }{seeds: 3, numBlocks: 30, blockSize: 50}

// runsPerSeed is how many times TestAppStateDeterminism runs each seed.
const runsPerSeed = 2

// simConfig returns the simulator config from the flags and the seeds to run.
// Without -Long it is the short run, though -NumBlocks, -BlockSize and
// -Seed given explicitly still apply.
func simConfig() (simtypes.Config, []int64) {
	return simConfigSeeds(shortSim.seeds)
}

// simConfigSeeds is simConfig with shortSeeds seeds in the short run.
func simConfigSeeds(shortSeeds int) (simtypes.Config, []int64) {
	cfg := simcli.NewConfigFromFlags()
	cfg.ChainID = simsx.SimAppChainID
	numSeeds := *flagNumSeeds
	if !*flagLong {
		set := make(map[string]bool)
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		numSeeds = shortSeeds
		if !set["NumBlocks"] {
			cfg.NumBlocks = shortSim.numBlocks
		}
		if !set["BlockSize"] {
			cfg.BlockSize = shortSim.blockSize
		}
		if set["Seed"] {
			numSeeds = 1
		}
	}
	seeds := make([]int64, numSeeds)
	for i := range seeds {
		seeds[i] = cfg.Seed + int64(i)
	}
	return cfg, seeds
}

func requireLong(t *testing.T) {
	if !*flagLong {
		t.Skip("long simulation: run with -Long (make test-sim)")
	}
}

// simRuns tracks, per app instance, the invariant checker and the message
// counter the factory installed.
var simRuns sync.Map // *App -> *simRun

type simRun struct {
	checker  *invariantChecker
	messages *messageCounter
	events   *marketEvents
	// unreachable are required outcomes this run's genesis rules out (after
	// an import whose emission cap is already reached, no epoch can mint).
	unreachable []string
}

func runOf(app *App) *simRun {
	v, _ := simRuns.Load(app)
	return v.(*simRun)
}

// newSimApp builds the app with the invariants checked at the end of every
// block and delivered messages counted.
func newSimApp(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, opts ...func(*baseapp.BaseApp)) *App {
	run := &simRun{messages: newMessageCounter(), events: newMarketEvents()}
	run.messages.txDone = run.events.txDone
	app := New(logger, db, loadLatest, appOpts, append(opts, run.messages.install, run.events.install)...)
	run.checker = newInvariantChecker(app)
	app.SetEndBlockCheck(run.checker.check)
	app.SetBlockInfoFilter(consensusModel{app: app}.filter)
	withWorkLoops(app)
	simRuns.Store(app, run)
	return app
}

func setupStateFactory(app *App) simsx.SimStateFactory {
	return simsx.SimStateFactory{
		Codec:         app.AppCodec(),
		AppStateFn:    withApprovedSetSize(simtestutil.AppStateFnWithExtendedCbs(app.AppCodec(), app.SimulationManager(), app.DefaultGenesis(), nil, withoutOtherBurns(app))),
		BlockedAddr:   BlockedAddresses(),
		AccountSource: app.AccountKeeper,
		BalanceSource: app.BankKeeper,
	}
}

// Genesis validator counts of the simulations: a permissioned chain's approved
// set is a handful to a few dozen operators, not the SDK simulator's 1-299
// (whose seeds of hundreds of validators made one 200-block seed take minutes).
const (
	simMinValidators = permissionsim.MinBondedValidators
	simMaxValidators = 30
)

// withApprovedSetSize draws the number of genesis validators from
// [simMinValidators, simMaxValidators] with the seed's own generator and hands it
// to the SDK's randomized genesis as its "initially_bonded_validators" sim param.
func withApprovedSetSize(inner simtypes.AppStateFn) simtypes.AppStateFn {
	return func(r *rand.Rand, accs []simtypes.Account, config simtypes.Config) (json.RawMessage, []simtypes.Account, string, time.Time) {
		if config.ParamsFile != "" || config.GenesisFile != "" {
			return inner(r, accs, config)
		}
		n := simMinValidators + r.Intn(simMaxValidators-simMinValidators+1)
		f, err := os.CreateTemp("", "nightshift-sim-params-*.json")
		if err != nil {
			panic(err)
		}
		defer func() { _ = os.Remove(f.Name()) }()
		if _, err := fmt.Fprintf(f, `{%q: %d}`, simtestutil.InitiallyBondedValidators, n); err != nil {
			panic(err)
		}
		if err := f.Close(); err != nil {
			panic(err)
		}
		config.ParamsFile = f.Name()
		return inner(r, accs, config)
	}
}

// withoutOtherBurns turns off the burns of x/slashing (slash fractions) and
// x/gov (deposits) in the randomized genesis, so that the supply invariant can
// hold exactly: supply = genesis + compute emission - compute burns. A passed
// governance proposal may turn slashing back on; the checker then falls back
// to an inequality.
func withoutOtherBurns(app *App) func(map[string]json.RawMessage) {
	cdc := app.AppCodec()
	return func(state map[string]json.RawMessage) {
		var slashing slashingtypes.GenesisState
		cdc.MustUnmarshalJSON(state[slashingtypes.ModuleName], &slashing)
		slashing.Params.SlashFractionDoubleSign = sdkmath.LegacyZeroDec()
		slashing.Params.SlashFractionDowntime = sdkmath.LegacyZeroDec()
		state[slashingtypes.ModuleName] = cdc.MustMarshalJSON(&slashing)

		var gov govv1.GenesisState
		cdc.MustUnmarshalJSON(state[govtypes.ModuleName], &gov)
		gov.Params.BurnVoteVeto, gov.Params.BurnVoteQuorum, gov.Params.BurnProposalDepositPrevote = false, false, false
		gov.Params.ProposalCancelRatio = "0"
		state[govtypes.ModuleName] = cdc.MustMarshalJSON(&gov)
	}
}

// runSims runs a simulation per seed, in parallel, then the post-run actions;
// every run ends by checking the invariants on the committed state and
// printing what it exercised.
func runSims(t *testing.T, cfg simtypes.Config, seeds []int64, post ...func(testing.TB, simsx.TestInstance[*App], []simtypes.Account)) {
	t.Helper()
	post = append([]func(testing.TB, simsx.TestInstance[*App], []simtypes.Account){finalCheck}, post...)
	// Forget the app once done, or 40 long runs keep 40 apps' state in memory.
	post = append(post, func(_ testing.TB, ti simsx.TestInstance[*App], _ []simtypes.Account) { simRuns.Delete(ti.App) })
	for i, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d/run=%d", seed, i), func(t *testing.T) {
			t.Parallel()
			// The simulator skips a run whose validator set emptied; the
			// simulation keeps the set alive, so that is a failure.
			var app *App
			defer func() {
				if t.Skipped() {
					t.Errorf("seed %d: the simulator skipped the run (its validator set emptied)", seed)
					if run, ok := simRuns.Load(app); ok {
						t.Logf("at height %d: %s", app.LastBlockHeight(), run.(*simRun).events.summary())
					}
				}
			}()
			newApp := func(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, opts ...func(*baseapp.BaseApp)) *App {
				app = newSimApp(logger, db, loadLatest, appOpts, opts...)
				return app
			}
			simsx.RunWithSeed(t, cfg, newApp, setupStateFactory, seed, nil, post...)
		})
	}
}

func finalCheck(tb testing.TB, ti simsx.TestInstance[*App], _ []simtypes.Account) {
	tb.Helper()
	run := runOf(ti.App)
	ctx := ti.App.NewContextLegacy(true, cmtproto.Header{Height: ti.App.LastBlockHeight()})
	require.NoError(tb, run.checker.check(ctx), "invariants on the committed state")
	fmt.Printf("+++ nightshift (seed %d, height %d):\n%s%s\n", ti.Cfg.Seed, ti.App.LastBlockHeight(),
		run.messages.summary(), marketSummary(ctx, ti.App))
	fmt.Printf("+++ seed %d height %d bonded-min %d %s\n", ti.Cfg.Seed, ti.App.LastBlockHeight(), run.checker.minBonded, run.events.summary())
	require.NoError(tb, run.events.err, "decoding the block events")
	// The simulator stops early when nobody is left to propose a block.
	require.GreaterOrEqual(tb, ti.App.LastBlockHeight(), int64(ti.Cfg.NumBlocks), "seed %d stopped before its last block", ti.Cfg.Seed)
	if *flagCoverage {
		require.Empty(tb, run.events.missing(*flagMinVerified, run.unreachable...), "seed %d did not exercise the market", ti.Cfg.Seed)
	}
}

// TestFullAppSimulation runs the simulation (invariants checked every block).
func TestFullAppSimulation(t *testing.T) {
	requireLong(t)
	cfg, seeds := simConfig()
	runSims(t, cfg, seeds)
}

// TestAppStateDeterminism runs every seed twice and requires the same app hash.
func TestAppStateDeterminism(t *testing.T) {
	cfg, seeds := simConfig()
	var runs []int64
	for _, s := range seeds {
		for range runsPerSeed {
			runs = append(runs, s)
		}
	}
	var mu sync.Mutex
	hashes := make(map[int64][][]byte)
	logs := make(map[int64][]interface{ PrintLogs() })
	runSims(t, cfg, runs, func(tb testing.TB, ti simsx.TestInstance[*App], _ []simtypes.Account) {
		tb.Helper()
		seed, hash := ti.Cfg.Seed, ti.App.LastCommitID().Hash
		mu.Lock()
		others, otherLogs := hashes[seed], logs[seed]
		hashes[seed], logs[seed] = append(others, hash), append(otherLogs, ti.ExecLogWriter)
		mu.Unlock()
		for i, other := range others {
			if !assert.Equal(tb, other, hash, "seed %d: app hash differs between runs", seed) {
				otherLogs[i].PrintLogs()
				ti.ExecLogWriter.PrintLogs()
				tb.FailNow()
			}
		}
	})
}

// TestAppImportExport exports the simulated state, imports it into a fresh
// app and requires every store to be equal, x/compute's and x/permission's in
// full (their indexes and queues are rebuilt from the exported objects).
func TestAppImportExport(t *testing.T) {
	cfg, seeds := simConfigSeeds(1)
	runSims(t, cfg, seeds, func(tb testing.TB, ti simsx.TestInstance[*App], _ []simtypes.Account) {
		tb.Helper()
		app := ti.App
		exported, err := app.ExportAppStateAndValidators(false, nil, nil)
		require.NoError(tb, err)

		newApp := simsx.NewSimulationAppInstance(tb, ti.Cfg, newSimApp).App
		ctxB := newApp.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight(), ChainID: ti.Cfg.ChainID})
		_, err = newApp.InitChainer(ctxB, &abci.RequestInitChain{AppStateBytes: exported.AppState, ChainId: ti.Cfg.ChainID})
		require.NoError(tb, err)
		require.NoError(tb, newApp.StoreConsensusParams(ctxB, exported.ConsensusParams))
		assertEqualStores(tb, app, newApp)
	})
}

// TestAppSimulationAfterImport exports the simulated state and runs the same
// seed again from it. Heights restart at 1 (the simulator has no initial
// height), block time continues where the first run stopped.
func TestAppSimulationAfterImport(t *testing.T) {
	cfg, seeds := simConfigSeeds(1)
	runSims(t, cfg, seeds, func(tb testing.TB, ti simsx.TestInstance[*App], _ []simtypes.Account) {
		tb.Helper()
		exported, err := ti.App.ExportAppStateAndValidators(false, nil, nil)
		require.NoError(tb, err)
		next := ti.Cfg
		next.GenesisTime = runOf(ti.App).checker.lastBlockTime.Unix()
		imported := func(app *App) simsx.SimStateFactory {
			f := setupStateFactory(app)
			// The same seed draws the same accounts, which the exported state holds.
			f.AppStateFn = func(_ *rand.Rand, accs []simtypes.Account, config simtypes.Config) (json.RawMessage, []simtypes.Account, string, time.Time) {
				if !canSettleEmission(tb, app, exported.AppState, int64(config.NumBlocks)) {
					runOf(app).unreachable = []string{outSettled, outWithdrawn}
				}
				return exported.AppState, accs, config.ChainID, time.Unix(config.GenesisTime, 0)
			}
			return f
		}
		simsx.RunWithSeed(tb, next, newSimApp, imported, ti.Cfg.Seed, nil, finalCheck)
	})
}

// canSettleEmission reports whether a run of blocks blocks from the exported
// state can settle an epoch with emission: not when the emission cap is already
// minted, and not when the running epoch ends past the run (heights restart at
// 1 after the import while the epoch kept the height it started at).
func canSettleEmission(tb testing.TB, app *App, appState json.RawMessage, blocks int64) bool {
	var state GenesisState
	require.NoError(tb, json.Unmarshal(appState, &state))
	var gs computetypes.GenesisState
	require.NoError(tb, app.AppCodec().UnmarshalJSON(state[computetypes.ModuleName], &gs))
	if !gs.TotalEmitted.IsNil() && gs.TotalEmitted.GTE(gs.Params.EmissionCap) {
		return false
	}
	for _, e := range gs.Epochs {
		if e.Epoch == gs.CurrentEpoch && int64(e.StartHeight+gs.Params.EpochBlocks) > blocks {
			return false
		}
	}
	return true
}

// skipPrefixes are store entries an import does not reproduce: x/staking's
// queues and caches, expiry queues, the missed-block bitmaps, and the seed
// of the exported chain's last block (x/compute keeps it in BlockHashes; the
// imported chain's first block fixes its own), and x/compute's per-block
// verification counter (a height and the gas used at it: stale after any
// block, so an import starts it afresh).
var skipPrefixes = map[string][][]byte{
	stakingtypes.StoreKey: {
		stakingtypes.UnbondingQueueKey, stakingtypes.RedelegationQueueKey, stakingtypes.ValidatorQueueKey,
		stakingtypes.HistoricalInfoKey, stakingtypes.UnbondingIDKey, stakingtypes.UnbondingIndexKey,
		stakingtypes.UnbondingTypeKey, stakingtypes.ValidatorUpdatesKey,
	},
	authzkeeper.StoreKey:     {authzkeeper.GrantQueuePrefix},
	feegrant.StoreKey:        {feegrant.FeeAllowanceQueueKeyPrefix.Bytes()},
	slashingtypes.StoreKey:   {slashingtypes.ValidatorMissedBlockBitmapKeyPrefix},
	permissiontypes.StoreKey: {permissiontypes.BlockSeedKey},
	computetypes.StoreKey:    {computetypes.VerifyBudgetHeightKey, computetypes.VerifyBudgetUsedKey},
}

// assertEqualStores compares every KV store of the two apps.
func assertEqualStores(tb testing.TB, app, newApp *App) {
	tb.Helper()
	ctxA := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})
	ctxB := newApp.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})
	names := make([]string, 0, len(app.keys))
	for name := range app.keys {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		storeA, storeB := ctxA.KVStore(app.keys[name]), ctxB.KVStore(newApp.GetKey(name))
		diffA, diffB := simtestutil.DiffKVStores(storeA, storeB, skipPrefixes[name])
		require.Equal(tb, len(diffA), len(diffB), "store %s: unequal sets of key-values", name)
		require.Empty(tb, diffA, "store %s differs after import:\n%s", name,
			simtestutil.GetSimulationLog(name, app.SimulationManager().StoreDecoders, diffA, diffB))
		tb.Logf("store %s: equal", name)
	}
}
