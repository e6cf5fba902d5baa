// Package errs holds x/compute's registered errors (codespace, code and
// message are the API). It imports cosmossdk.io/errors only, not
// cosmos-sdk/types, so the worker can recognise the module's errors without
// linking the SDK; x/compute/types re-exports every one under its old name.
package errs

import (
	"cmp"
	"slices"

	errorsmod "cosmossdk.io/errors"
)

// Codespace is the compute module's codespace, its module name
// (x/compute/types.ModuleName is this constant).
const Codespace = "compute"

// Errors returned by the compute module; codes are part of the API.
var (
	ErrUnauthorized           = register(2, "signer is not the authority")
	ErrInvalidAddress         = register(3, "invalid address")
	ErrInvalidParams          = register(4, "invalid params")
	ErrDeviceExists           = register(5, "device already registered")
	ErrDeviceNotFound         = register(6, "device not found")
	ErrBondTooLow             = register(7, "device bond below the minimum")
	ErrDeviceNotActive        = register(8, "device is not active")
	ErrDeviceBusy             = register(9, "device holds live tasks")
	ErrJobNotFound            = register(10, "job not found")
	ErrUnknownKind            = register(11, "unknown task kind")
	ErrInvalidSpec            = register(12, "invalid job spec")
	ErrInvalidItems           = register(13, "invalid item count")
	ErrInvalidPrice           = register(14, "invalid price")
	ErrInsufficientFunds      = register(15, "insufficient funds")
	ErrInvalidDeadline        = register(16, "invalid deadline")
	ErrJobNotOpen             = register(17, "job is not open")
	ErrNoOpenTask             = register(18, "job has no open task")
	ErrTooManyLiveTasks       = register(19, "device holds the maximum number of live tasks")
	ErrTaskNotFound           = register(20, "task not found")
	ErrNotTaskHolder          = register(21, "task is held by another device")
	ErrLeaseExpired           = register(22, "lease expired")
	ErrAlreadyClaimed         = register(23, "task already claimed")
	ErrInvalidRoot            = register(24, "invalid Merkle root")
	ErrNotClaimed             = register(25, "task has no open claim")
	ErrChallengeNotReady      = register(26, "challenge not fixed yet")
	ErrProofWindowClosed      = register(27, "proof window closed")
	ErrInvalidChallengeAnswer = register(28, "proof does not answer the challenge")
	ErrInvalidMerkleProof     = register(29, "Merkle proof does not lead to the claimed root")
	ErrInvalidOutput          = register(30, "output is not the item's correct output")
	ErrRequesterNotApproved   = register(31, "requester is not approved")
	ErrRequesterApproved      = register(32, "requester is already approved")
	ErrInvalidResultURL       = register(33, "invalid result URL")
	ErrInvalidMoniker         = register(34, "invalid moniker")
	ErrBondTooSmallForTask    = register(35, "bond's invalid-proof slash would not cover the rewards of the device's live tasks")
	ErrNotJobRequester        = register(36, "signer is not the job's requester")
	ErrNoRewards              = register(37, "no rewards to withdraw")
	ErrInvalidGenesis         = register(38, "invalid compute genesis")
	ErrVerificationTooCostly  = register(39, "verifying one item would exceed max_verify_gas_per_item")
	ErrDeviceJailed           = register(40, "device is jailed")
	ErrInvalidAmount          = register(41, "invalid amount")
	ErrTaskBarred             = register(42, "device may not lease this task again")
)

// Errors of programs (kind wasm); codes 60-79.
var (
	ErrProgramNotFound       = register(60, "unknown program")
	ErrMalformedProgram      = register(61, "program is not a valid WebAssembly module")
	ErrForbiddenImport       = register(62, "program imports are forbidden")
	ErrForbiddenInstruction  = register(63, "program uses a forbidden instruction")
	ErrProgramTooLarge       = register(64, "program code exceeds max_program_bytes")
	ErrProgramMemoryTooLarge = register(65, "program memory exceeds max_program_memory_pages")
	ErrProgramABI            = register(66, "program does not follow Program ABI v1")
	ErrProgramExists         = register(67, "program already stored")
	ErrFuelLimitTooHigh      = register(68, "fuel limit exceeds max_fuel_per_item")
	ErrInputMismatch         = register(69, "item input does not match the job's input root")
	ErrInputTooLarge         = register(70, "item input exceeds max_item_input_bytes")
	ErrOutputTooLarge        = register(71, "item output exceeds max_item_output_bytes")
)

// Errors of disputes (G5): delivery demands and fraud proofs; codes 90-99.
var (
	ErrNotDisputable     = register(90, "task is not verified or its dispute window is closed")
	ErrInvalidDemand     = register(91, "invalid delivery demand")
	ErrDemandOpen        = register(92, "task already has an open delivery demand")
	ErrNoDemand          = register(93, "task has no open delivery demand")
	ErrDeliveryLate      = register(94, "delivery deadline passed")
	ErrInvalidDelivery   = register(95, "delivery does not answer the demand")
	ErrFraudNotProven    = register(96, "reported output is the item's correct output")
	ErrInvalidFraudProof = register(97, "invalid fraud proof")
)

// Measured work and priced verification (codes 100–109).
var (
	ErrInsufficientVerifyGas = register(100, "transaction has too little gas left to verify the proof's items at their bound")
	ErrBlockVerifyBudget     = register(101, "block's verification budget is spent; send the proof again in a later block")
)

// Batched settlement (issue 16); codes 110, 111 and 115-119 (111 unused: a
// batch that settles nothing fails with its first element's own error).
var (
	ErrBatchSize             = register(110, "batch is empty or has more elements than max_batch_size")
	ErrDuplicateBatchElement = register(115, "batch names the same task twice")
	ErrLeaseMismatch         = register(116, "the job's next lease is not the task the element claims")
)

// errorList holds the registered errors; register appends to it so the list
// cannot drift from the registrations. Errors sorts it by code, so blocks of
// codes may be declared in any order (files and merges do not keep one).
var errorList []*errorsmod.Error

func register(code uint32, description string) *errorsmod.Error {
	err := errorsmod.Register(Codespace, code, description)
	errorList = append(errorList, err)
	return err
}

// Errors lists every registered compute error, for clients that must recognise
// them from text (simulation failures carry no code).
func Errors() []*errorsmod.Error {
	list := slices.Clone(errorList)
	slices.SortFunc(list, func(a, b *errorsmod.Error) int { return cmp.Compare(a.ABCICode(), b.ABCICode()) })
	return list
}

// Job-bound outputs (codes 112–114).
var (
	// ErrDuplicateJob refuses a job whose outputs a live job already computes
	// (same kind and replay key): outputs rendered once could be replayed on
	// both. The wrapped message names the live job.
	ErrDuplicateJob = register(112, "a live job computes the same outputs")
)
