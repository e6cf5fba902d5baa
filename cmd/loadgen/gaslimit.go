package main

import (
	"sync"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// Gas limits of the compute workload, as the worker sets them: the gas the
// transaction uses × gasAdjustment (pkg/workerclient simulates each tx and
// multiplies by 1.5). The load generator does not simulate (that would run
// every tx once more on node0 and land in its CPU figures); it learns the gas
// used from the txs already in blocks instead.
//
// Why it matters: CometBFT fills a block up to the block gas limit
// (app.BlockMaxGas) by the txs' gas *limits*, not their gas used. With fixed
// worst-case limits (300k per lease or claim element, 1.5M per proof element)
// a batch of 16 asked for 5–24M gas and used 1–2M, so the batched compute
// blocks held ~32 txs at 200M wanted and 25M used: full at 13 % of the gas
// they could execute, a limit the load generator had made up (issue 16).

// gasAdjustment is the worker's multiplier of the simulated gas (below 1.3
// pkg/workerclient uses 1.5, its default).
const gasAdjustment = 1.5

// gasKey is a tx kind with its element count (1 for the unbatched messages):
// a batch's fixed cost (signature, fee, tx bytes) is shared by its elements,
// so gas per element differs with the batch size.
type gasKey struct {
	kind TxKind
	n    int
}

// minObservations is how many txs of a kind and count must have been in
// blocks before their gas replaces the fallback: the gas of a lease grows with
// the device's live tasks (the bond cover reads them), and the first leases of
// the ramp are made with none.
const minObservations = 8

type gasSeen struct {
	max uint64 // most gas used
	n   int    // txs seen
}

// GasLimits learns the most gas a tx of each kind and element count has used.
type GasLimits struct {
	mu   sync.Mutex
	used map[gasKey]gasSeen
	// batchAdj replaces gasAdjustment for txs of two or more elements
	// (--batch-gas-adjustment). A batch's gas is the sum of its elements',
	// each a bounded keeper call, so it varies less than one message's; a tx
	// that runs out of gas fails whole (its fee is paid, its elements
	// settle nothing) and Observe raises the next limit by batchAdj.
	batchAdj float64
}

// NewGasLimits knows nothing yet: every limit is the caller's fallback until
// a tx of that kind has been in a block.
func NewGasLimits() *GasLimits {
	return &GasLimits{used: map[gasKey]gasSeen{}, batchAdj: gasAdjustment}
}

// adjusted is the gas limit for a tx of n elements that used used.
func (l *GasLimits) adjusted(n int, used uint64) uint64 {
	if n > 1 {
		return uint64(l.batchAdj*float64(used)) + 1
	}
	return uint64(gasAdjustment*float64(used)) + 1
}

// Observe records the gas a tx of kind with n elements used: a successful one,
// or one that ran out of gas (its gas used is its limit, so the next limit is
// gasAdjustment higher; the failure is the caller's to count).
func (l *GasLimits) Observe(kind TxKind, n int, o Outcome) {
	outOfGas := o.Codespace == sdkerrors.ErrOutOfGas.Codespace() && o.Code == sdkerrors.ErrOutOfGas.ABCICode()
	if l == nil || o.Lost || (o.Code != 0 && !outOfGas) || o.GasUsed <= 0 || n <= 0 {
		return
	}
	k := gasKey{kind, n}
	l.mu.Lock()
	s := l.used[k]
	l.used[k] = gasSeen{max: max(s.max, uint64(o.GasUsed)), n: s.n + 1}
	l.mu.Unlock()
}

// Limit is the gas limit of a tx of kind with n elements: gasAdjustment × the
// most gas seen for n elements (once minObservations txs have been seen); unseen n, from the nearest count seen, the
// smallest larger one (a smaller batch uses no more) or else the largest
// smaller one scaled up by n/m; fallback when nothing of kind has been seen.
func (l *GasLimits) Limit(kind TxKind, n int, fallback uint64) uint64 {
	if l == nil {
		return fallback
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.used[gasKey{kind, n}]; s.n >= minObservations {
		return l.adjusted(n, s.max)
	}
	above, below := 0, 0
	for k, s := range l.used { // at most a few dozen keys; nothing here reaches a chain
		switch {
		case k.kind != kind || s.n < minObservations:
		case k.n > n && (above == 0 || k.n < above):
			above = k.n
		case k.n < n && k.n > below:
			below = k.n
		}
	}
	switch {
	case above > 0:
		return l.adjusted(n, l.used[gasKey{kind, above}].max)
	case below > 0:
		return l.adjusted(n, l.used[gasKey{kind, below}].max*uint64(n)/uint64(below))
	}
	return fallback
}
