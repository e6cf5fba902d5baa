package types

import (
	errorsmod "cosmossdk.io/errors"

	"github.com/nightshift-network/nightshift/x/compute/errs"
)

// The compute module's registered errors are defined (and registered, once)
// in x/compute/errs, which does not import cosmos-sdk/types so the worker can
// link it; these are the same values under the names keeper code and tests use.
var (
	ErrUnauthorized           = errs.ErrUnauthorized
	ErrInvalidAddress         = errs.ErrInvalidAddress
	ErrInvalidParams          = errs.ErrInvalidParams
	ErrDeviceExists           = errs.ErrDeviceExists
	ErrDeviceNotFound         = errs.ErrDeviceNotFound
	ErrBondTooLow             = errs.ErrBondTooLow
	ErrDeviceNotActive        = errs.ErrDeviceNotActive
	ErrDeviceBusy             = errs.ErrDeviceBusy
	ErrJobNotFound            = errs.ErrJobNotFound
	ErrUnknownKind            = errs.ErrUnknownKind
	ErrInvalidSpec            = errs.ErrInvalidSpec
	ErrInvalidItems           = errs.ErrInvalidItems
	ErrInvalidPrice           = errs.ErrInvalidPrice
	ErrInsufficientFunds      = errs.ErrInsufficientFunds
	ErrInvalidDeadline        = errs.ErrInvalidDeadline
	ErrJobNotOpen             = errs.ErrJobNotOpen
	ErrNoOpenTask             = errs.ErrNoOpenTask
	ErrTooManyLiveTasks       = errs.ErrTooManyLiveTasks
	ErrTaskNotFound           = errs.ErrTaskNotFound
	ErrNotTaskHolder          = errs.ErrNotTaskHolder
	ErrLeaseExpired           = errs.ErrLeaseExpired
	ErrAlreadyClaimed         = errs.ErrAlreadyClaimed
	ErrInvalidRoot            = errs.ErrInvalidRoot
	ErrNotClaimed             = errs.ErrNotClaimed
	ErrChallengeNotReady      = errs.ErrChallengeNotReady
	ErrProofWindowClosed      = errs.ErrProofWindowClosed
	ErrInvalidChallengeAnswer = errs.ErrInvalidChallengeAnswer
	ErrInvalidMerkleProof     = errs.ErrInvalidMerkleProof
	ErrInvalidOutput          = errs.ErrInvalidOutput
	ErrRequesterNotApproved   = errs.ErrRequesterNotApproved
	ErrRequesterApproved      = errs.ErrRequesterApproved
	ErrInvalidResultURL       = errs.ErrInvalidResultURL
	ErrInvalidMoniker         = errs.ErrInvalidMoniker
	ErrBondTooSmallForTask    = errs.ErrBondTooSmallForTask
	ErrNotJobRequester        = errs.ErrNotJobRequester
	ErrNoRewards              = errs.ErrNoRewards
	ErrInvalidGenesis         = errs.ErrInvalidGenesis
	ErrVerificationTooCostly  = errs.ErrVerificationTooCostly
	ErrDeviceJailed           = errs.ErrDeviceJailed
	ErrInvalidAmount          = errs.ErrInvalidAmount
	ErrTaskBarred             = errs.ErrTaskBarred
	ErrProgramNotFound        = errs.ErrProgramNotFound
	ErrMalformedProgram       = errs.ErrMalformedProgram
	ErrForbiddenImport        = errs.ErrForbiddenImport
	ErrForbiddenInstruction   = errs.ErrForbiddenInstruction
	ErrProgramTooLarge        = errs.ErrProgramTooLarge
	ErrProgramMemoryTooLarge  = errs.ErrProgramMemoryTooLarge
	ErrProgramABI             = errs.ErrProgramABI
	ErrProgramExists          = errs.ErrProgramExists
	ErrFuelLimitTooHigh       = errs.ErrFuelLimitTooHigh
	ErrInputMismatch          = errs.ErrInputMismatch
	ErrInputTooLarge          = errs.ErrInputTooLarge
	ErrOutputTooLarge         = errs.ErrOutputTooLarge
	ErrNotDisputable          = errs.ErrNotDisputable
	ErrInvalidDemand          = errs.ErrInvalidDemand
	ErrDemandOpen             = errs.ErrDemandOpen
	ErrNoDemand               = errs.ErrNoDemand
	ErrDeliveryLate           = errs.ErrDeliveryLate
	ErrInvalidDelivery        = errs.ErrInvalidDelivery
	ErrFraudNotProven         = errs.ErrFraudNotProven
	ErrInvalidFraudProof      = errs.ErrInvalidFraudProof
	ErrInsufficientVerifyGas  = errs.ErrInsufficientVerifyGas
	ErrBlockVerifyBudget      = errs.ErrBlockVerifyBudget
	ErrBatchSize              = errs.ErrBatchSize
	ErrDuplicateBatchElement  = errs.ErrDuplicateBatchElement
	ErrLeaseMismatch          = errs.ErrLeaseMismatch
	ErrDuplicateJob           = errs.ErrDuplicateJob
)

// Errors lists every registered compute error sorted by code (errs.Errors).
func Errors() []*errorsmod.Error { return errs.Errors() }
