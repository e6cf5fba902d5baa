package types

import (
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

// MaxDemandItemsLimit bounds max_demand_items: a delivery answers every
// demanded item in one transaction.
const MaxDemandItemsLimit = 64

// DeliveryGasPerItem bounds the gas an answer to a delivery demand costs the
// device per demanded item, the transaction's share included: a 16 KiB output
// at 10 gas per tx byte (164 kgas), its share of a multi-proof of 16-level
// paths (≤ 17 nodes of 32 B, 6 kgas, and their hashes) and of the signature
// and ante checks (≈ 60 kgas for one item; less per item for more).
// TestDeliveryGasIsCoveredByTheFee measures it.
const DeliveryGasPerItem = 250_000

// validateDisputes checks the dispute params (G5).
func (p Params) validateDisputes(maxWindow uint64) error {
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"dispute_window_blocks", p.DisputeWindowBlocks},
		{"delivery_deadline_blocks", p.DeliveryDeadlineBlocks},
		{"max_demand_items", uint64(p.MaxDemandItems)},
	} {
		if f.v == 0 {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be positive", f.name)
		}
	}
	if p.DisputeWindowBlocks > maxWindow || p.DeliveryDeadlineBlocks > maxWindow {
		return errorsmod.Wrapf(ErrInvalidParams, "dispute_window_blocks %d or delivery_deadline_blocks %d exceeds %d", p.DisputeWindowBlocks, p.DeliveryDeadlineBlocks, maxWindow)
	}
	if p.MaxDemandItems > MaxDemandItemsLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_demand_items %d exceeds %d", p.MaxDemandItems, MaxDemandItemsLimit)
	}
	if p.FraudReporterBps > BasisPoints {
		return errorsmod.Wrapf(ErrInvalidParams, "fraud_reporter_bps %d exceeds %d", p.FraudReporterBps, BasisPoints)
	}
	if reason := amountFault("demand_fee_per_item", p.DemandFeePerItem, false); reason != "" {
		return errorsmod.Wrap(ErrInvalidParams, reason)
	}
	return nil
}

// DemandFee is what a delivery demand of n items costs the requester: the
// demand_fee_per_item, but never less than the answer's gas at the on-chain
// min_gas_price, so the device that answers ends no poorer.
func (p Params) DemandFee(n int) math.Int {
	perItem := p.DemandFeePerItem
	if gasCost := p.MinGasPrice.MulInt64(DeliveryGasPerItem).Ceil().TruncateInt(); gasCost.GT(perItem) {
		perItem = gasCost
	}
	return perItem.MulRaw(int64(n))
}
