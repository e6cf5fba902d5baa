package types

import errorsmod "cosmossdk.io/errors"

// Errors returned by the compute module; codes are part of the API.
var (
	ErrUnauthorized           = errorsmod.Register(ModuleName, 2, "signer is not the authority")
	ErrInvalidAddress         = errorsmod.Register(ModuleName, 3, "invalid address")
	ErrInvalidParams          = errorsmod.Register(ModuleName, 4, "invalid params")
	ErrDeviceExists           = errorsmod.Register(ModuleName, 5, "device already registered")
	ErrDeviceNotFound         = errorsmod.Register(ModuleName, 6, "device not found")
	ErrBondTooLow             = errorsmod.Register(ModuleName, 7, "device bond below the minimum")
	ErrDeviceNotActive        = errorsmod.Register(ModuleName, 8, "device is not active")
	ErrDeviceBusy             = errorsmod.Register(ModuleName, 9, "device holds live tasks")
	ErrJobNotFound            = errorsmod.Register(ModuleName, 10, "job not found")
	ErrUnknownKind            = errorsmod.Register(ModuleName, 11, "unknown task kind")
	ErrInvalidSpec            = errorsmod.Register(ModuleName, 12, "invalid job spec")
	ErrInvalidItems           = errorsmod.Register(ModuleName, 13, "invalid item count")
	ErrInvalidPrice           = errorsmod.Register(ModuleName, 14, "invalid price")
	ErrInsufficientFunds      = errorsmod.Register(ModuleName, 15, "insufficient funds")
	ErrInvalidDeadline        = errorsmod.Register(ModuleName, 16, "invalid deadline")
	ErrJobNotOpen             = errorsmod.Register(ModuleName, 17, "job is not open")
	ErrNoOpenTask             = errorsmod.Register(ModuleName, 18, "job has no open task")
	ErrTooManyLiveTasks       = errorsmod.Register(ModuleName, 19, "device holds the maximum number of live tasks")
	ErrTaskNotFound           = errorsmod.Register(ModuleName, 20, "task not found")
	ErrNotTaskHolder          = errorsmod.Register(ModuleName, 21, "task is held by another device")
	ErrLeaseExpired           = errorsmod.Register(ModuleName, 22, "lease expired")
	ErrAlreadyClaimed         = errorsmod.Register(ModuleName, 23, "task already claimed")
	ErrInvalidRoot            = errorsmod.Register(ModuleName, 24, "invalid Merkle root")
	ErrNotClaimed             = errorsmod.Register(ModuleName, 25, "task has no open claim")
	ErrChallengeNotReady      = errorsmod.Register(ModuleName, 26, "challenge not fixed yet")
	ErrProofWindowClosed      = errorsmod.Register(ModuleName, 27, "proof window closed")
	ErrInvalidChallengeAnswer = errorsmod.Register(ModuleName, 28, "proof does not answer the challenge")
	ErrInvalidMerkleProof     = errorsmod.Register(ModuleName, 29, "Merkle proof does not lead to the claimed root")
	ErrInvalidOutput          = errorsmod.Register(ModuleName, 30, "output is not the item's correct output")
	ErrRequesterNotApproved   = errorsmod.Register(ModuleName, 31, "requester is not approved")
	ErrRequesterApproved      = errorsmod.Register(ModuleName, 32, "requester is already approved")
	ErrInvalidResultURL       = errorsmod.Register(ModuleName, 33, "invalid result URL")
	ErrInvalidMoniker         = errorsmod.Register(ModuleName, 34, "invalid moniker")
	ErrBondTooSmallForTask    = errorsmod.Register(ModuleName, 35, "bond's invalid-proof slash would not cover the task's reward")
	ErrNotJobRequester        = errorsmod.Register(ModuleName, 36, "signer is not the job's requester")
	ErrNoRewards              = errorsmod.Register(ModuleName, 37, "no rewards to withdraw")
	ErrInvalidGenesis         = errorsmod.Register(ModuleName, 38, "invalid compute genesis")
	ErrVerificationTooCostly  = errorsmod.Register(ModuleName, 39, "verifying one item would exceed max_verify_gas_per_item")
	ErrDeviceJailed           = errorsmod.Register(ModuleName, 40, "device is jailed")
	ErrInvalidAmount          = errorsmod.Register(ModuleName, 41, "invalid amount")
)

// Errors lists every registered compute error, for clients that must recognise
// them from text (simulation failures carry no code).
func Errors() []*errorsmod.Error {
	return []*errorsmod.Error{
		ErrUnauthorized,
		ErrInvalidAddress,
		ErrInvalidParams,
		ErrDeviceExists,
		ErrDeviceNotFound,
		ErrBondTooLow,
		ErrDeviceNotActive,
		ErrDeviceBusy,
		ErrJobNotFound,
		ErrUnknownKind,
		ErrInvalidSpec,
		ErrInvalidItems,
		ErrInvalidPrice,
		ErrInsufficientFunds,
		ErrInvalidDeadline,
		ErrJobNotOpen,
		ErrNoOpenTask,
		ErrTooManyLiveTasks,
		ErrTaskNotFound,
		ErrNotTaskHolder,
		ErrLeaseExpired,
		ErrAlreadyClaimed,
		ErrInvalidRoot,
		ErrNotClaimed,
		ErrChallengeNotReady,
		ErrProofWindowClosed,
		ErrInvalidChallengeAnswer,
		ErrInvalidMerkleProof,
		ErrInvalidOutput,
		ErrRequesterNotApproved,
		ErrRequesterApproved,
		ErrInvalidResultURL,
		ErrInvalidMoniker,
		ErrBondTooSmallForTask,
		ErrNotJobRequester,
		ErrNoRewards,
		ErrInvalidGenesis,
		ErrVerificationTooCostly,
		ErrDeviceJailed,
		ErrInvalidAmount,
	}
}
