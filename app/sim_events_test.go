package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/cosmos-sdk/baseapp"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"

	computekeeper "github.com/nightshift-network/nightshift/x/compute/keeper"
	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// marketEvents counts the typed events x/compute emits in a run: those of
// delivered transactions and those of the blocks (end-block queues, epoch
// settlements, pruning). It also counts x/slashing's validator slashes, by
// reason, to tell why a validator set shrank.
//
// The simulator delivers transactions outside FinalizeBlock (BaseApp's
// SimDeliver), and BaseApp hands a post handler a fresh event manager, so a
// transaction's events are taken where the message router creates them: the
// collector is the router's circuit breaker (it allows every message) and
// keeps the event manager of each x/compute message; the post handler then
// counts those of a transaction that succeeded and drops the others. Block
// events come from the FinalizeBlock response (an ABCI listener).
type marketEvents struct {
	mu      sync.Mutex
	pending []*sdk.EventManager // the current transaction's x/compute messages
	counts  map[string]int      // outcome -> count, see the outcome names below
	err     error               // the first event that could not be decoded
}

// The outcomes a long run must exercise at least once (and verified ≥
// minVerified times).
const (
	outVerified      = "verified"          // EventProofAccepted
	outRejected      = "invalid_proof"     // EventProofRejected
	outSlashInvalid  = "slash_invalid"     // EventBondSlashed, reason invalid_proof
	outMissed        = "missed_proof"      // EventProofMissed
	outSlashMissed   = "slash_missed"      // EventBondSlashed, reason missed_proof
	outJailed        = "jailed"            // EventDeviceJailed
	outLeaseExpired  = "lease_expired"     // EventLeaseExpired
	outReleased      = "task_released"     // EventTaskReleased (its EventBondSlashed, reason lease_released, is not counted apart)
	outCancelled     = "job_cancelled"     // EventJobClosed, status cancelled
	outExpired       = "job_expired"       // EventJobClosed, status expired
	outCompleted     = "job_completed"     // EventJobClosed, status completed
	outSettled       = "epoch_emission"    // EventEpochSettled with a positive emission
	outWithdrawn     = "withdrawal"        // EventRewardsWithdrawn
	outUnbonding     = "unbonding"         // EventDeviceUnbonding
	outUnbonded      = "unbonded"          // EventDeviceUnbonded
	outPruned        = "job_pruned"        // EventJobTasksPruned
	outDemanded      = "delivery_demanded" // EventDeliveryDemanded
	outDelivered     = "outputs_delivered" // EventOutputsDelivered
	outUndelivered   = "delivery_missed"   // EventDeliveryMissed
	outFraud         = "fraud_proven"      // EventFraudProven
	outDisputeClosed = "dispute_closed"    // EventDisputeClosed
	outValDoubleSign = "validator_double_sign"
	outValDowntime   = "validator_downtime"
)

// requiredOutcomes are what issue 19 asks every long seed to exercise.
var requiredOutcomes = []string{
	outRejected, outSlashInvalid, outMissed, outJailed, outLeaseExpired, outCancelled,
	outExpired, outSettled, outWithdrawn, outUnbonding, outPruned, outReleased,
	outDemanded, outDelivered, outUndelivered, outFraud, outDisputeClosed,
}

// reportedOutcomes is the order of the per-seed line.
var reportedOutcomes = []string{
	outVerified, outRejected, outSlashInvalid, outMissed, outSlashMissed, outJailed, outLeaseExpired, outReleased,
	outCancelled, outExpired, outCompleted, outSettled, outWithdrawn, outUnbonding, outUnbonded, outPruned,
	outDemanded, outDelivered, outUndelivered, outFraud, outDisputeClosed,
}

func newMarketEvents() *marketEvents {
	return &marketEvents{counts: make(map[string]int)}
}

// install makes the collector the router's circuit breaker and a listener of
// FinalizeBlock; the post handler calls txDone.
func (m *marketEvents) install(app *baseapp.BaseApp) {
	app.MsgServiceRouter().SetCircuit(m)
	app.SetStreamingManager(storetypes.StreamingManager{ABCIListeners: []storetypes.ABCIListener{m}})
}

// IsAllowed keeps the event manager of an x/compute message delivered in a
// block (not a gas simulation, not a governance proposal run in EndBlock,
// whose events the block's own are).
func (m *marketEvents) IsAllowed(ctx context.Context, typeURL string) (bool, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if strings.HasPrefix(typeURL, "/nightshift.compute.") && sdkCtx.ExecMode() == sdk.ExecModeFinalize && len(sdkCtx.TxBytes()) > 0 {
		m.mu.Lock()
		m.pending = append(m.pending, sdkCtx.EventManager())
		m.mu.Unlock()
	}
	return true, nil
}

// txDone counts the events of the transaction's messages if it succeeded.
func (m *marketEvents) txDone(success bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	pending := m.pending
	m.pending = nil
	if !success {
		return nil
	}
	for _, em := range pending {
		if err := m.count(em.ABCIEvents()); err != nil {
			return err
		}
	}
	return nil
}

// ListenFinalizeBlock counts the block's events. BaseApp only logs a
// listener's error, so it is kept for the end of the run.
func (m *marketEvents) ListenFinalizeBlock(_ context.Context, _ abci.RequestFinalizeBlock, res abci.ResponseFinalizeBlock) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.count(res.Events); err != nil && m.err == nil {
		m.err = err
	}
	return m.err
}

// ListenCommit does nothing.
func (m *marketEvents) ListenCommit(context.Context, abci.ResponseCommit, []*storetypes.StoreKVPair) error {
	return nil
}

func (m *marketEvents) count(events []abci.Event) error {
	for _, ev := range events {
		if ev.Type == slashingtypes.EventTypeSlash {
			for _, a := range ev.Attributes {
				switch {
				case a.Key != slashingtypes.AttributeKeyReason:
				case a.Value == slashingtypes.AttributeValueDoubleSign:
					m.counts[outValDoubleSign]++
				case a.Value == slashingtypes.AttributeValueMissingSignature:
					m.counts[outValDowntime]++
				}
			}
			continue
		}
		if !strings.HasPrefix(ev.Type, "nightshift.compute.") {
			continue
		}
		// BaseApp marks block events with the phase that emitted them.
		ev.Attributes = slices.DeleteFunc(slices.Clone(ev.Attributes), func(a abci.EventAttribute) bool { return a.Key == "mode" })
		msg, err := sdk.ParseTypedEvent(ev)
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.Type, err)
		}
		switch e := msg.(type) {
		case *computetypes.EventProofAccepted:
			m.counts[outVerified]++
		case *computetypes.EventProofRejected:
			m.counts[outRejected]++
		case *computetypes.EventProofMissed:
			m.counts[outMissed]++
		case *computetypes.EventBondSlashed:
			switch e.Reason {
			case computekeeper.SlashReasonInvalidProof:
				m.counts[outSlashInvalid]++
			case computekeeper.SlashReasonLeaseReleased:
			case computekeeper.SlashReasonUndelivered, computekeeper.SlashReasonFraud:
				// counted by EventDeliveryMissed and EventFraudProven
			default:
				m.counts[outSlashMissed]++
			}
		case *computetypes.EventDeviceJailed:
			m.counts[outJailed]++
		case *computetypes.EventLeaseExpired:
			m.counts[outLeaseExpired]++
		case *computetypes.EventTaskReleased:
			m.counts[outReleased]++
		case *computetypes.EventJobClosed:
			switch e.Status {
			case computetypes.JOB_STATUS_CANCELLED.String():
				m.counts[outCancelled]++
			case computetypes.JOB_STATUS_EXPIRED.String():
				m.counts[outExpired]++
			case computetypes.JOB_STATUS_COMPLETED.String():
				m.counts[outCompleted]++
			}
		case *computetypes.EventEpochSettled:
			if e.Emission.IsPositive() {
				m.counts[outSettled]++
			}
		case *computetypes.EventRewardsWithdrawn:
			m.counts[outWithdrawn]++
		case *computetypes.EventDeviceUnbonding:
			m.counts[outUnbonding]++
		case *computetypes.EventDeviceUnbonded:
			m.counts[outUnbonded]++
		case *computetypes.EventJobTasksPruned:
			m.counts[outPruned]++
		case *computetypes.EventDeliveryDemanded:
			m.counts[outDemanded]++
		case *computetypes.EventOutputsDelivered:
			m.counts[outDelivered]++
		case *computetypes.EventDeliveryMissed:
			m.counts[outUndelivered]++
		case *computetypes.EventFraudProven:
			m.counts[outFraud]++
		case *computetypes.EventDisputeClosed:
			m.counts[outDisputeClosed]++
		}
	}
	return nil
}

// summary is the run's one-line count of outcomes, which scripts/test-sim.sh
// collects: "market: verified=123 invalid_proof=4 ...".
func (m *marketEvents) summary() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	parts := make([]string, 0, len(reportedOutcomes)+2)
	for _, o := range append(slices.Clone(reportedOutcomes), outValDoubleSign, outValDowntime) {
		parts = append(parts, fmt.Sprintf("%s=%d", o, m.counts[o]))
	}
	return "market: " + strings.Join(parts, " ")
}

// missing lists what the run did not exercise: fewer than minVerified
// verified tasks, or none of a required outcome other than the unreachable.
func (m *marketEvents) missing(minVerified int, unreachable ...string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	if m.counts[outVerified] < minVerified {
		out = append(out, fmt.Sprintf("%s %d < %d", outVerified, m.counts[outVerified], minVerified))
	}
	for _, o := range requiredOutcomes {
		if m.counts[o] == 0 && !slices.Contains(unreachable, o) {
			out = append(out, o)
		}
	}
	return out
}
