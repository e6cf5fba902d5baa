package types

import errorsmod "cosmossdk.io/errors"

// MaxBatchSizeLimit bounds max_batch_size: a batch is one transaction, and its
// response and events grow with its elements.
const MaxBatchSizeLimit = 256

// DefaultMaxBatchSize is the default max_batch_size: twice the default
// max_live_tasks_per_device, so one device's whole round fits one batch.
const DefaultMaxBatchSize = 32

// validateBatch checks the batched-settlement params (issue 16).
func (p Params) validateBatch() error {
	if p.MaxBatchSize == 0 || p.MaxBatchSize > MaxBatchSizeLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_batch_size %d must be in [1, %d]", p.MaxBatchSize, MaxBatchSizeLimit)
	}
	return nil
}
