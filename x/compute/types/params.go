package types

import (
	"fmt"
	"math/big"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// Bounds on params that keep a proof's verification and the end-block queues small.
const (
	MaxProofSamples = 64
	BasisPoints     = 10_000
	// MaxTaskItemsLimit bounds max_task_items: a task's Merkle tree is built by
	// workers and its leaf count is part of every proof check.
	MaxTaskItemsLimit = 1 << 16
	// MaxMinGasPrice bounds min_gas_price (ushift per gas), so a fee computed
	// from it cannot overflow and governance cannot price every transaction out
	// by a typo.
	MaxMinGasPrice = 1_000_000
	// VerifyHashReservePerItem bounds the hashing gas one sampled item adds to a
	// proof (keeper.ProofHashGas): 100 per hash for its leaf, a merge and at most
	// 16 nodes (trees of at most 2^16 leaves) plus 1 per output byte (at most
	// MaxOutputSize): 1,800 + 16,384 < 20,000.
	VerifyHashReservePerItem = 20_000
)

// DefaultMinGasPrice is min_gas_price's default, 0.001 ushift per gas: gas is
// calibrated to ≈ 1–2 ns of validator CPU, so a second of verification costs
// the sender at least 0.5 SHIFT.
func DefaultMinGasPrice() math.LegacyDec { return math.LegacyNewDecWithPrec(1, 3) }

// DefaultParams are the genesis params; see the module README for the reasoning.
func DefaultParams() Params {
	p := Params{
		MinDeviceBond:         math.NewInt(100_000_000), // 100 SHIFT
		DeviceUnbondingBlocks: 1000,
		LeaseBlocks:           100,
		ChallengeDelayBlocks:  2,
		ProofWindowBlocks:     100,
		ProofSamples:          32,
		SlashInvalidBps:       5000,
		SlashMissedBps:        5000, // a missed proof costs at least an invalid one (see the README)
		JailAfterFailures:     3,
		ProtocolFeeBps:        200,
		EpochBlocks:           100,
		InitialEpochEmission:  math.NewInt(1_000_000_000), // 1,000 SHIFT
		HalvingEpochs:         10_000,
		EmissionCap:           math.NewInt(21_000_000_000_000), // 21M SHIFT
		RequesterAllowlist:    false,
		MaxJobItems:           1_000_000,
		MaxTaskItems:          4096,
		MaxDeadlineBlocks:     1_000_000,
		MaxVerifyGasPerItem:   4_000_000, // ≈ 6 ms of validator CPU; a 1920-px row at max_iter 500 fits
		MaxLiveTasksPerDevice: 16,
		MaxQueueItemsPerBlock: 200,
		TaskRetentionBlocks:   10_000,
		SlashLapsedBps:        100, // 1 % of the bond per lapsed lease
		LeaseCooldownBlocks:   100,
		JobPostingFee:         math.NewInt(1_000_000), // 1 SHIFT
		// 0.001 ushift per gas: a 200M-gas block costs 0.2 SHIFT; a task's
		// lease, claim and proof ≈ 0.0015 SHIFT (README, Params).
		MinGasPrice: DefaultMinGasPrice(),
		// ≈ 160-240 ms of validator CPU per block; a proof at the bound (32 × 4M
		// plus hashing) fits with room for small ones.
		MaxVerifyGasPerBlock: 160_000_000,

		MaxRequesterEmissionBps:       DefaultMaxRequesterEmissionBps,
		MaxEmissionRequestersPerEpoch: DefaultMaxEmissionRequestersPerEpoch,

		DisputeWindowBlocks:    1000,
		DeliveryDeadlineBlocks: 100,
		MaxDemandItems:         16,
		DemandFeePerItem:       math.NewInt(10_000), // 0.01 SHIFT
		FraudReporterBps:       2000,

		MaxBatchSize: DefaultMaxBatchSize,
	}
	defaultProgramParams(&p)
	return p
}

// Validate checks every param; a zero window or limit would stall the market.
func (p Params) Validate() error {
	checkInt := func(name string, v math.Int, positive bool) error {
		if reason := amountFault(name, v, positive); reason != "" {
			return errorsmod.Wrap(ErrInvalidParams, reason)
		}
		return nil
	}
	if err := checkInt("min_device_bond", p.MinDeviceBond, true); err != nil {
		return err
	}
	if err := checkInt("initial_epoch_emission", p.InitialEpochEmission, false); err != nil {
		return err
	}
	if err := checkInt("emission_cap", p.EmissionCap, false); err != nil {
		return err
	}
	if err := checkInt("job_posting_fee", p.JobPostingFee, false); err != nil {
		return err
	}
	if p.MinGasPrice.IsNil() || p.MinGasPrice.IsNegative() {
		return errorsmod.Wrap(ErrInvalidParams, "min_gas_price must be non-negative")
	}
	if p.MinGasPrice.GT(math.LegacyNewDec(MaxMinGasPrice)) {
		return errorsmod.Wrapf(ErrInvalidParams, "min_gas_price %s exceeds %d", p.MinGasPrice, MaxMinGasPrice)
	}
	positive := []struct {
		name string
		v    uint64
	}{
		{"device_unbonding_blocks", p.DeviceUnbondingBlocks},
		{"lease_blocks", p.LeaseBlocks},
		{"challenge_delay_blocks", p.ChallengeDelayBlocks},
		{"proof_window_blocks", p.ProofWindowBlocks},
		{"proof_samples", uint64(p.ProofSamples)},
		{"slash_invalid_bps", uint64(p.SlashInvalidBps)},
		{"jail_after_failures", uint64(p.JailAfterFailures)},
		{"epoch_blocks", p.EpochBlocks},
		{"halving_epochs", p.HalvingEpochs},
		{"max_job_items", p.MaxJobItems},
		{"max_task_items", p.MaxTaskItems},
		{"max_deadline_blocks", p.MaxDeadlineBlocks},
		{"max_verify_gas_per_item", p.MaxVerifyGasPerItem},
		{"max_live_tasks_per_device", uint64(p.MaxLiveTasksPerDevice)},
		{"max_queue_items_per_block", uint64(p.MaxQueueItemsPerBlock)},
		{"task_retention_blocks", p.TaskRetentionBlocks},
		{"lease_cooldown_blocks", p.LeaseCooldownBlocks},
	}
	for _, f := range positive {
		if f.v == 0 {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be positive", f.name)
		}
	}
	for _, f := range []struct {
		name string
		v    uint32
	}{{"slash_invalid_bps", p.SlashInvalidBps}, {"slash_missed_bps", p.SlashMissedBps}, {"protocol_fee_bps", p.ProtocolFeeBps}, {"slash_lapsed_bps", p.SlashLapsedBps}} {
		if f.v > BasisPoints {
			return errorsmod.Wrapf(ErrInvalidParams, "%s %d exceeds %d", f.name, f.v, BasisPoints)
		}
	}
	if p.ProofSamples > MaxProofSamples {
		return errorsmod.Wrapf(ErrInvalidParams, "proof_samples %d exceeds %d", p.ProofSamples, MaxProofSamples)
	}
	// Bounded so proof_samples × it, plus hashing, is far from overflowing.
	if p.MaxVerifyGasPerItem > 1<<40 ||
		p.MaxVerifyGasPerBlock < uint64(p.ProofSamples)*(p.MaxVerifyGasPerItem+VerifyHashReservePerItem) {
		return errorsmod.Wrapf(ErrInvalidParams, "max_verify_gas_per_block %d must hold a whole proof: proof_samples %d × (max_verify_gas_per_item %d + %d of hashing)",
			p.MaxVerifyGasPerBlock, p.ProofSamples, p.MaxVerifyGasPerItem, VerifyHashReservePerItem)
	}
	if p.MaxTaskItems > MaxTaskItemsLimit || p.MaxTaskItems > p.MaxJobItems {
		return errorsmod.Wrapf(ErrInvalidParams, "max_task_items %d must be at most %d and at most max_job_items", p.MaxTaskItems, MaxTaskItemsLimit)
	}
	// Windows are added to heights; keep the sums far from overflow.
	const maxWindow = 1 << 40
	for _, w := range []uint64{p.DeviceUnbondingBlocks, p.LeaseBlocks, p.ChallengeDelayBlocks, p.ProofWindowBlocks, p.EpochBlocks, p.MaxDeadlineBlocks, p.TaskRetentionBlocks, p.LeaseCooldownBlocks} {
		if w > maxWindow {
			return errorsmod.Wrap(ErrInvalidParams, fmt.Sprintf("window of %d blocks exceeds %d", w, uint64(maxWindow)))
		}
	}
	if err := p.validatePrograms(); err != nil {
		return err
	}
	if err := p.validateEmissionCap(); err != nil {
		return err
	}
	if err := p.validateBatch(); err != nil {
		return err
	}
	return p.validateDisputes(maxWindow)
}

// EpochEmission is the emission of epoch e before the cap: the initial amount
// halved once per halving_epochs.
func (p Params) EpochEmission(epoch uint64) math.Int {
	halvings := epoch / p.HalvingEpochs
	if halvings >= 128 {
		return math.ZeroInt()
	}
	return math.NewIntFromBigInt(new(big.Int).Rsh(p.InitialEpochEmission.BigInt(), uint(halvings)))
}

// MissedSlashBps is the share of the bond a missed proof slashes: never less
// than an invalid proof's, so withholding a proof never beats sending a bad one.
func (p Params) MissedSlashBps() uint32 {
	return max(p.SlashMissedBps, p.SlashInvalidBps)
}

// BpsOfCeil returns amount × bps / 10,000, rounded up: a non-zero share of a
// non-zero amount is never 0.
func BpsOfCeil(amount math.Int, bps uint32) math.Int {
	num := amount.MulRaw(int64(bps))
	q := num.QuoRaw(BasisPoints)
	if !num.ModRaw(BasisPoints).IsZero() {
		q = q.AddRaw(1)
	}
	return q
}

// BpsOf returns amount × bps / 10,000, rounded down.
func BpsOf(amount math.Int, bps uint32) math.Int {
	return amount.MulRaw(int64(bps)).QuoRaw(BasisPoints)
}
