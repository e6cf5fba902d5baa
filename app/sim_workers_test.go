package app

import (
	"context"
	"math/rand"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"

	computesim "github.com/nightshift-network/nightshift/x/compute/simulation"
)

// workLoops runs the market as its clients do: a requester's client posting
// jobs and the devices' workers leasing, claiming, proving tasks and
// withdrawing emission, one step a block, and operators registering,
// withdrawing, cancelling, unbonding.
//
// The SDK simulator draws each block's operation count from a Markov chain
// whose "empty block" state lasts some hundred blocks on average, so a market
// driven by weighted operations alone stands still for most of many runs. A
// loop's next step is a future operation for the next height, which the
// simulator runs whatever the block size. (simsx's FutureOpsRegistry queues by
// block time, and x/simulation drops such operations: queueOperations appends
// to a copy of the time queue.) Each step is x/compute's own factory: it picks
// its job, task or device from the state and predicts the outcome, so loops
// hold no memory and only decide when a factory runs. The first weighted
// start operation to run starts every loop of every kind at once.
type workLoops struct {
	app   *App
	name  string
	max   int
	live  int
	steps []simsx.SimMsgFactoryX
	// starter is shared by every kind of the app's loops.
	starter *loopStarter
}

// withWorkLoops adds the market's and the operators' loops to the app's
// simulation manager.
func withWorkLoops(app *App) {
	k := app.ComputeKeeper
	starter := &loopStarter{kinds: []*workLoops{
		&workLoops{app: app, name: "market_loop", max: 12, steps: []simsx.SimMsgFactoryX{
			computesim.MsgPostJobFactory(k), computesim.MsgLeaseTaskFactory(k),
			computesim.MsgSubmitClaimFactory(k), computesim.MsgSubmitProofFactory(k), computesim.MsgPostJobFactory(k),
			computesim.MsgLeaseTaskFactory(k),
			computesim.MsgLeaseTaskFactory(k), computesim.MsgSubmitClaimFactory(k), computesim.MsgSubmitProofFactory(k),
		}},
		// Workers that lease more than they claim and claim more than they
		// prove: their leases expire, their claims miss the proof window, and
		// the leases they give up on are handed back (released).
		&workLoops{app: app, name: "unreliable_loop", max: 2, steps: []simsx.SimMsgFactoryX{
			computesim.MsgLeaseTaskFactory(k), computesim.MsgLeaseTaskFactory(k), computesim.MsgSubmitClaimFactory(k),
			computesim.MsgReleaseTaskFactory(k),
		}},
		// Requesters checking what they got and anyone watching for fraud: their
		// demands and reports need verified tasks still open to dispute, which
		// weighted operations alone rarely meet, so every run sees answered and
		// missed deliveries and proven fraud.
		&workLoops{app: app, name: "dispute_loop", max: 2, steps: []simsx.SimMsgFactoryX{
			computesim.MsgDemandDeliveryFactory(k), computesim.MsgDeliverOutputsFactory(k),
			computesim.MsgReportFraudFactory(k), computesim.MsgDeliverOutputsFactory(k),
		}},
		// Workers that settle in batches: several leases, claims and proofs
		// per transaction, and tasks leased and claimed at once (computed
		// before the lease).
		&workLoops{app: app, name: "batch_loop", max: 3, steps: []simsx.SimMsgFactoryX{
			computesim.MsgLeaseTasksFactory(k), computesim.MsgSubmitClaimsFactory(k), computesim.MsgSubmitProofsFactory(k),
			computesim.MsgLeaseAndClaimFactory(k), computesim.MsgSubmitProofsFactory(k),
		}},
		// A device's worker withdraws its emission as soon as an epoch
		// settles (pkg/worker): in the simulation most devices that earn are
		// jailed a few blocks later (each forges one lease in four) and a
		// jailed device forfeits what it has not withdrawn, so the
		// operator's withdrawal every fifth block missed every chance in
		// some seeds (seed 6: 7.1M ushift emitted, none withdrawn).
		&workLoops{app: app, name: "withdraw_loop", max: 1, steps: []simsx.SimMsgFactoryX{
			computesim.MsgWithdrawRewardsFactory(k),
		}},
		&workLoops{app: app, name: "operator_loop", max: 1, steps: []simsx.SimMsgFactoryX{
			computesim.MsgRegisterDeviceFactory(k), computesim.MsgWithdrawRewardsFactory(k),
			computesim.MsgCancelJobFactory(k), computesim.MsgUpdateDeviceFactory(k), computesim.MsgUnbondDeviceFactory(k),
		}},
	}}
	for _, l := range starter.kinds {
		l.starter = starter
		app.sm.Modules = append(app.sm.Modules, l)
	}
}

func (*workLoops) GenerateGenesisState(*module.SimulationState)       {}
func (*workLoops) RegisterStoreDecoder(simtypes.StoreDecoderRegistry) {}

// WeightedOperations is the operation that starts a loop: the first kind
// whose start runs starts every kind (see loopStarter).
func (l *workLoops) WeightedOperations(simState module.SimulationState) []simtypes.WeightedOperation {
	txConfig := simState.TxConfig
	start := func(_ *rand.Rand, _ *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		ops := l.starter.startAll(int(ctx.BlockHeight())+1, txConfig)
		if len(ops) == 0 {
			return simtypes.NoOpMsg(l.name, "start", "all loops run"), nil, nil
		}
		return simtypes.NewOperationMsgBasic(l.name, "start", "", true, nil), ops, nil
	}
	return []simtypes.WeightedOperation{simulation.NewWeightedOperation(loopStartWeight, start)}
}

// loopStartWeight is each kind's start weight: with six kinds, about one
// weighted operation in six of the other modules' (whose weights sum to
// some 2,200) is a start, so the loops start within the first block's few
// operations. A seed may fall into the block-size model's empty state after
// two blocks and stay there for most of the run (seed 1 did: its market loops
// started at height 185 and it verified 38 tasks); only the loops then run.
const loopStartWeight = 80

// loopStarter starts every kind of loop at once, the first time any kind's
// start operation runs.
type loopStarter struct {
	kinds []*workLoops
}

// startAll returns the first steps of every loop not yet running, for height h.
func (s *loopStarter) startAll(h int, txConfig client.TxConfig) []simtypes.FutureOperation {
	var ops []simtypes.FutureOperation
	for _, l := range s.kinds {
		// Every loop of a kind starts at another step: a market whose loops
		// all post first would lease nothing in its first block.
		for ; l.live < l.max; l.live++ {
			ops = append(ops, simtypes.FutureOperation{BlockHeight: h, Op: l.step(l.live%len(l.steps), txConfig)})
		}
	}
	return ops
}

// step runs step i and queues step i+1 for the next height.
func (l *workLoops) step(i int, txConfig client.TxConfig) simtypes.Operation {
	return func(r *rand.Rand, bapp *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, chainID string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		next := []simtypes.FutureOperation{{BlockHeight: int(ctx.BlockHeight()) + 1, Op: l.step((i+1)%len(l.steps), txConfig)}}
		fx := l.steps[i]
		xCtx, done := context.WithCancel(ctx)
		defer done()
		ctx = sdk.UnwrapSDKContext(xCtx)
		ak, bk := l.app.AccountKeeper, l.app.BankKeeper
		data := simsx.NewChainDataSource(ctx, r, ak, bk, ak.AddressCodec(), accs...)
		reporter := simsx.NewBasicSimulationReporter().WithScope(fx.MsgType(), simsx.SkipHookFn(func(...any) { done() }))
		from, msg := simsx.SafeRunFactoryMethod(ctx, data, reporter, fx.Create())
		res := simsx.DeliverSimsMsg(ctx, reporter, bapp, r, txConfig, ak, chainID, msg, fx.DeliveryResultHandler(), from...)
		return res, next, reporter.Close()
	}
}
